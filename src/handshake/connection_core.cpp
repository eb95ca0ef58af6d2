#include "handshake/connection_core.hpp"

#include <cstring>

#include "handshake/key_schedule.hpp"

namespace tls::handshake {
namespace {

// Plaintext queued before the handshake completes is the caller's own data,
// but a bound keeps a confused caller from growing it forever.
constexpr std::size_t max_queued_plaintext = 1u << 20;

}  // namespace

ConnectionCore::ConnectionCore(bool is_server, std::shared_ptr<const void> config, const CommonSettings& settings,
                               std::unique_ptr<HandshakeEngine> engine, TestHooks hooks)
    : is_server_(is_server),
      config_(std::move(config)),
      settings_(settings),
      engine_(std::move(engine)),
      hooks_(std::move(hooks)),
      joiner_(settings.max_handshake_message) {}

ConnectionCore::~ConnectionCore() = default;

void ConnectionCore::start() {
    if (auto started = engine_->start(*this); !started) fail(started.error());
}

// --- Input ------------------------------------------------------------------

std::size_t ConnectionCore::feed(crypto::Bytes data) {
    std::size_t taken = 0;
    while (taken < data.size()) {
        if (state_ == Connection::State::failed || state_ == Connection::State::closed) break;
        if (!readable_.empty()) break;
        const std::size_t n = reader_.feed(data.subspan(taken));
        taken += n;
        process();
        if (n == 0) break;  // the reader is full and processing freed nothing
    }
    return taken;
}

crypto::MutableBytes ConnectionCore::input_space() {
    if (state_ == Connection::State::failed || state_ == Connection::State::closed || !readable_.empty()) return {};
    return reader_.input_space();
}

void ConnectionCore::commit_input(std::size_t n) {
    reader_.commit_input(n);
    process();
}

void ConnectionCore::process() {
    if (processing_) return;  // an engine callback must not re-enter the loop
    processing_ = true;
    while (state_ == Connection::State::handshaking || state_ == Connection::State::established) {
        if (!readable_.empty()) break;
        auto event = reader_.next();
        if (!event) {
            fail(event.error());
            break;
        }
        if (event->status == record::RecordReader::Status::need_more) break;
        if (event->status == record::RecordReader::Status::closed) break;
        if (auto handled = process_record(*event); !handled) {
            fail(handled.error());
            break;
        }
    }
    processing_ = false;
    if (readable_.empty()) reader_.release_buffer_if_empty();
}

Result<void> ConnectionCore::process_record(const record::RecordReader::Event& event) {
    using record::ContentType;
    if (event.status == record::RecordReader::Status::alert) {
        if (event.alert.description == AlertDescription::close_notify) {
            // RFC 8446 6.1: close_notify during the handshake is a truncation.
            if (!handshake_complete_ && !engine_->accepts_application_data())
                return Error{ErrorCode::peer_closed, "the peer closed the connection during the handshake"};
            state_ = Connection::State::closed;
            return success();
        }
        // user_canceled, and TLS 1.2 warnings (no_renegotiation): the reader
        // keeps reading, and bounds how many come in a row.
        if (!reader_.closed()) return success();
        fail_with_alert_received(event.alert.description);
        return success();
    }
    // RFC 8446 5.1: handshake messages may not be interleaved with other record types.
    if (event.type != ContentType::handshake && !joiner_.at_boundary())
        return Error{ErrorCode::unexpected_message, "record interleaved with a fragmented handshake message"};
    switch (event.type) {
        case ContentType::handshake: {
            TLS_TRY(joiner_.push(event.payload));
            while (auto raw = joiner_.next_message()) {
                TLS_TRY_ASSIGN(message, parse_handshake_message(*raw));
                auto handled = engine_->on_message(*this, message, *raw);
                if (next_engine_) engine_ = std::move(next_engine_);
                TLS_TRY(handled);
                if (state_ == Connection::State::failed) break;
            }
            // After the handshake, messages are rare: do not keep the flight-sized buffer.
            if (handshake_complete_) joiner_.release_buffer_if_empty();
            return success();
        }
        case ContentType::application_data:
            if (!engine_->accepts_application_data())
                return Error{ErrorCode::unexpected_message, "application data before the handshake completed"};
            readable_ = event.payload;  // an empty record gives nothing to read
            readable_early_ = engine_->receiving_early_data();
            if (readable_early_) TLS_TRY(engine_->on_early_data(readable_.size()));
            else if (!readable_.empty()) engine_->on_application_data();
            return success();
        case ContentType::change_cipher_spec: return engine_->on_change_cipher_spec(*this);
        default: return Error{ErrorCode::unexpected_message, "unexpected record type"};
    }
}

// --- Output -----------------------------------------------------------------

void ConnectionCore::consume_output(std::size_t n) noexcept {
    writer_.consume(n);
    if (writer_.pending().empty()) writer_.release_buffer_if_empty();
}

Result<void> ConnectionCore::write(crypto::Bytes plaintext) {
    if (state_ == Connection::State::failed) return Error{ErrorCode::invalid_argument, "the connection has failed"};
    if (close_sent_) return Error{ErrorCode::invalid_argument, "the connection was closed for writing"};
    if (!handshake_complete_) {
        if (queued_plaintext_.size() + plaintext.size() > max_queued_plaintext)
            return Error{ErrorCode::buffer_too_small, "too much data queued before the handshake completed"};
        queued_plaintext_.insert(queued_plaintext_.end(), plaintext.begin(), plaintext.end());
        return success();
    }
    if (plaintext.empty()) return success();
    // RFC 8446 5.5: replace the key before it has protected too much. Checked per
    // write: one write adds far fewer records than the margin to the hard limit.
    if (writer_.key_update_due() && negotiated_.version == ProtocolVersion::tls13) {
        if (auto updated = engine_->update_keys(*this, false); !updated) {
            fail(updated.error());
            return updated;
        }
    }
    auto written = writer_.write(record::ContentType::application_data, plaintext);
    if (!written) fail(written.error());
    return written;
}

Result<void> ConnectionCore::flush_queued_plaintext() {
    if (queued_plaintext_.empty()) return success();
    TLS_TRY(writer_.write(record::ContentType::application_data, queued_plaintext_));
    std::vector<std::uint8_t>().swap(queued_plaintext_);
    return success();
}

void ConnectionCore::consume_readable(std::size_t n) {
    if (n >= readable_.size()) {
        readable_ = {};
        process();  // records behind this one may be buffered already
    } else {
        readable_ = readable_.subspan(n);
    }
}

Result<std::size_t> ConnectionCore::write_early_data(crypto::Bytes plaintext) {
    if (is_server_) return Error{ErrorCode::invalid_argument, "only a client sends early data"};
    if (state_ != Connection::State::handshaking || handshake_complete_) return std::size_t{0};
    auto written = engine_->write_early_data(*this, plaintext);
    if (!written) fail(written.error());
    return written;
}

Result<void> ConnectionCore::update_keys(bool request_peer_update) {
    if (state_ != Connection::State::established || !handshake_complete_)
        return Error{ErrorCode::invalid_argument, "keys can be updated only on an established connection"};
    if (close_sent_) return Error{ErrorCode::invalid_argument, "the connection was closed for writing"};
    if (negotiated_.version != ProtocolVersion::tls13)
        return Error{ErrorCode::unsupported, "TLS 1.2 has no key update"};
    auto updated = engine_->update_keys(*this, request_peer_update);
    if (!updated) fail(updated.error());
    return updated;
}

void ConnectionCore::close() {
    if (close_sent_ || state_ == Connection::State::failed) return;
    close_sent_ = true;
    auto sent = writer_.write_alert(Alert{AlertLevel::warning, AlertDescription::close_notify});
    if (!sent) fail(sent.error());
}

// --- Errors -----------------------------------------------------------------

void ConnectionCore::fail(Error error) {
    if (state_ == Connection::State::failed) return;
    ConnectionError e;
    e.code = error.code;
    e.message = std::string(engine_->state_name()) + ": " + error.message;
    if (auto alert = alert_for(error.code)) {
        e.alert_sent = *alert;
        if (!close_sent_) (void)writer_.write_alert(Alert{AlertLevel::fatal, *alert});
    }
    close_sent_ = true;
    error_ = std::move(e);
    state_ = Connection::State::failed;
    readable_ = {};
    std::vector<std::uint8_t>().swap(queued_plaintext_);
}

void ConnectionCore::fail_with_alert_received(AlertDescription alert) {
    if (state_ == Connection::State::failed) return;
    ConnectionError e;
    e.code = ErrorCode::alert_received;
    e.message = std::string(engine_->state_name()) + ": the peer sent the fatal alert " + to_string(alert);
    e.alert_received = alert;
    error_ = std::move(e);
    state_ = Connection::State::failed;
    close_sent_ = true;
    readable_ = {};
}

// --- For the engines ----------------------------------------------------------

Result<void> ConnectionCore::send_handshake(crypto::Bytes message) {
    return writer_.write(record::ContentType::handshake, message);
}

Result<void> ConnectionCore::send_change_cipher_spec() {
    writer_.write_change_cipher_spec();
    return success();
}

Result<void> ConnectionCore::set_read_secret(const SuiteParams& suite, crypto::Bytes secret) {
    TLS_TRY_ASSIGN(keys, derive_traffic_keys(*suite.hash, *suite.aead, secret));
    TLS_TRY_ASSIGN(cipher, record::RecordCipher::tls13(*suite.aead, keys.key.bytes(), keys.iv.bytes()));
    return record::install_read_cipher(reader_, joiner_, std::move(cipher));
}

Result<void> ConnectionCore::set_write_secret(const SuiteParams& suite, crypto::Bytes secret) {
    TLS_TRY_ASSIGN(keys, derive_traffic_keys(*suite.hash, *suite.aead, secret));
    TLS_TRY_ASSIGN(cipher, record::RecordCipher::tls13(*suite.aead, keys.key.bytes(), keys.iv.bytes()));
    writer_.set_cipher(std::move(cipher));
    return success();
}

void ConnectionCore::use_tls12_records() {
    reader_.set_protocol(record::Protocol::tls12);
    reader_.require_record_version(record::record_version_tls12);
    reader_.allow_compatibility_ccs(false);
    writer_.set_plaintext_version(record::record_version_tls12);
}

Result<void> ConnectionCore::set_read_cipher(record::RecordCipher cipher) {
    return record::install_read_cipher(reader_, joiner_, std::move(cipher));
}

void ConnectionCore::set_write_cipher(record::RecordCipher cipher) { writer_.set_cipher(std::move(cipher)); }

Result<void> ConnectionCore::send_warning_alert(AlertDescription description) {
    return writer_.write_alert(Alert{AlertLevel::warning, description});
}

void ConnectionCore::set_client_random(crypto::Bytes random) {
    if (random.size() == sizeof client_random_) std::memcpy(client_random_, random.data(), random.size());
}

void ConnectionCore::log_secret(const char* label, crypto::Bytes secret) const {
    if (settings_.key_log) settings_.key_log(label, crypto::Bytes(client_random_, sizeof client_random_), secret);
}

Result<void> ConnectionCore::complete_handshake() {
    handshake_complete_ = true;
    if (state_ == Connection::State::handshaking) state_ = Connection::State::established;
    return flush_queued_plaintext();
}

}  // namespace tls::handshake
