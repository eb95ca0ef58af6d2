#include "record/record_reader.hpp"

#include <cstring>

namespace tls::record {
namespace {

// BoringSSL's bound: a peer may not keep a connection busy with warning alerts.
constexpr std::uint8_t max_consecutive_warning_alerts = 4;

bool known_type(std::uint8_t t) {
    return t == 20 || t == 21 || t == 22 || t == 23;
}

}  // namespace

crypto::MutableBytes RecordReader::input_space() {
    if (!buffer_) buffer_.reset(new std::uint8_t[max_record_size]);
    compact();
    return {buffer_.get() + end_, max_record_size - end_};
}

void RecordReader::commit_input(std::size_t n) noexcept {
    const std::size_t room = max_record_size - end_;
    end_ += n < room ? n : room;
}

std::size_t RecordReader::feed(crypto::Bytes data) {
    auto space = input_space();
    const std::size_t n = data.size() < space.size() ? data.size() : space.size();
    if (n) std::memcpy(space.data(), data.data(), n);
    commit_input(n);
    return n;
}

void RecordReader::compact() noexcept {
    // Only the unprocessed tail (less than one record) ever moves.
    if (start_ == 0) return;
    if (end_ > start_) std::memmove(buffer_.get(), buffer_.get() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
}

void RecordReader::release_buffer_if_empty() noexcept {
    if (start_ == end_) {
        buffer_.reset();
        start_ = end_ = 0;
    }
}

void RecordReader::set_cipher(RecordCipher cipher) noexcept {
    cipher_.emplace(std::move(cipher));
    protocol_ = cipher_->protocol();
}

void RecordReader::skip_early_data(EarlyDataSkip mode, std::uint32_t max_bytes) noexcept {
    skip_mode_ = mode;
    skip_budget_ = max_bytes;
}

Result<RecordReader::Event> RecordReader::next() noexcept {
    for (;;) {
        if (closed_) return Event{Status::closed};
        if (end_ - start_ < header_size) return Event{};
        std::uint8_t* h = buffer_.get() + start_;
        const std::uint8_t type = h[0];
        const std::uint16_t version = static_cast<std::uint16_t>(h[1] << 8 | h[2]);
        const std::size_t length = static_cast<std::size_t>(h[3] << 8 | h[4]);

        // RFC 8446 5: an unknown record type is unexpected_message.
        if (!known_type(type)) return Error{ErrorCode::unexpected_message, "unknown record content type"};
        if ((version >> 8) != 0x03 || (required_version_ != 0 && version != required_version_))
            return Error{ErrorCode::protocol_version, "record header carries an unexpected version"};
        // Length limits are checked on the header, before waiting for the body.
        const bool protected_record = cipher_.has_value() && type != static_cast<std::uint8_t>(ContentType::change_cipher_spec);
        const std::size_t limit = !protected_record ? max_plaintext
                                  : protocol_ == Protocol::tls13 ? max_ciphertext_tls13
                                                                 : max_ciphertext_tls12;
        if (length > limit) return Error{ErrorCode::record_overflow, "record longer than the protocol allows"};
        if (end_ - start_ < header_size + length) return Event{};

        crypto::Bytes header(h, header_size);
        crypto::MutableBytes body(h + header_size, length);
        start_ += header_size + length;  // the record is consumed whatever happens next

        if (type == static_cast<std::uint8_t>(ContentType::change_cipher_spec)) {
            if (protocol_ == Protocol::tls13) {
                // RFC 8446 5: a single 0x01 CCS during the handshake is dropped; any
                // other change_cipher_spec is unexpected_message.
                if (!ccs_window_open_ || ccs_seen_ || length != 1 || body[0] != 0x01)
                    return Error{ErrorCode::unexpected_message, "unexpected change_cipher_spec record"};
                ccs_seen_ = true;
                continue;
            }
            // TLS 1.2: a real protocol message, exactly one byte 0x01 (RFC 5246 7.1).
            if (length != 1 || body[0] != 0x01)
                return Error{ErrorCode::decode_error, "malformed change_cipher_spec"};
            return deliver(ContentType::change_cipher_spec, body);
        }

        if (skip_mode_ == EarlyDataSkip::skip_application_data) {
            if (type == static_cast<std::uint8_t>(ContentType::application_data)) {
                if (length > skip_budget_) return Error{ErrorCode::unexpected_message, "too much early data"};
                skip_budget_ -= static_cast<std::uint32_t>(length);
                continue;
            }
            skip_mode_ = EarlyDataSkip::none;
        }

        if (!cipher_) {
            // Before any key: application data cannot be authenticated yet.
            if (type == static_cast<std::uint8_t>(ContentType::application_data))
                return Error{ErrorCode::unexpected_message, "application data before the handshake protected it"};
            return deliver(static_cast<ContentType>(type), body);
        }
        // RFC 8446 5.2: protected TLS 1.3 records are all application_data outside.
        if (protocol_ == Protocol::tls13 && type != static_cast<std::uint8_t>(ContentType::application_data)) {
            // Except a plaintext alert from a peer that has not protected a record yet:
            // OpenSSL's client sends the alert for a server certificate it rejects before
            // it switches to its handshake keys. OpenSSL's and rustls' servers read it
            // (so the caller learns the peer's reason, not unexpected_message); once a
            // record from the peer has opened, plaintext is never accepted again.
            if (type == static_cast<std::uint8_t>(ContentType::alert) && !opened_any_)
                return deliver(ContentType::alert, body);
            return Error{ErrorCode::unexpected_message, "unprotected record after keys were installed"};
        }
        auto opened = cipher_->open(header, body);
        if (!opened) {
            if (skip_mode_ == EarlyDataSkip::trial_decrypt && opened.error().code == ErrorCode::bad_record_mac) {
                // Count what the record could carry: its size less the tag and type byte.
                const std::size_t overhead = crypto::aead_tag_size + 1;
                const std::size_t counted = length > overhead ? length - overhead : 0;
                if (counted > skip_budget_) return Error{ErrorCode::unexpected_message, "too much early data"};
                skip_budget_ -= static_cast<std::uint32_t>(counted);
                continue;
            }
            return opened.error();
        }
        opened_any_ = true;
        if (skip_mode_ == EarlyDataSkip::trial_decrypt) skip_mode_ = EarlyDataSkip::none;
        if (protocol_ == Protocol::tls13 && opened->type == ContentType::change_cipher_spec)
            return Error{ErrorCode::unexpected_message, "change_cipher_spec inside a protected record"};
        if (!known_type(static_cast<std::uint8_t>(opened->type)))
            return Error{ErrorCode::unexpected_message, "unknown inner content type"};
        return deliver(opened->type, opened->payload);
    }
}

Result<RecordReader::Event> RecordReader::deliver(ContentType type, crypto::MutableBytes payload) noexcept {
    if (type == ContentType::alert) {
        // RFC 8446 5.1: alerts are never fragmented or coalesced: exactly two bytes.
        if (payload.size() != 2) return Error{ErrorCode::decode_error, "alert record is not exactly two bytes"};
        const auto level = static_cast<AlertLevel>(payload[0]);
        if (level != AlertLevel::warning && level != AlertLevel::fatal)
            return Error{ErrorCode::decode_error, "unknown alert level"};
        const auto description = static_cast<AlertDescription>(payload[1]);
        Event e{Status::alert};
        e.alert = Alert{level, description};
        // RFC 8446 6: every alert but close_notify and user_canceled is fatal,
        // whatever its level; TLS 1.2 trusts the level. close_notify ends reading.
        const bool benign = description == AlertDescription::close_notify ||
                            description == AlertDescription::user_canceled ||
                            (protocol_ == Protocol::tls12 && level == AlertLevel::warning);
        if (!benign || description == AlertDescription::close_notify) {
            closed_ = true;
        } else if (++warning_alerts_ > max_consecutive_warning_alerts) {
            return Error{ErrorCode::unexpected_message, "too many consecutive warning alerts"};
        }
        return e;
    }
    // RFC 8446 5.1 / RFC 5246 6.2.1: no zero-length handshake fragments.
    if (type == ContentType::handshake && payload.empty())
        return Error{ErrorCode::decode_error, "zero-length handshake record"};
    warning_alerts_ = 0;
    Event e{Status::record};
    e.type = type;
    e.payload = payload;
    return e;
}

const char* to_string(ContentType type) noexcept {
    switch (type) {
        case ContentType::invalid: return "invalid";
        case ContentType::change_cipher_spec: return "change_cipher_spec";
        case ContentType::alert: return "alert";
        case ContentType::handshake: return "handshake";
        case ContentType::application_data: return "application_data";
    }
    return "unknown";
}

}  // namespace tls::record
