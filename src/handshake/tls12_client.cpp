#include "handshake/tls12_client.hpp"

#include <algorithm>
#include <variant>

#include "handshake/extension_codecs.hpp"
#include "handshake/tls12_epoch.hpp"
#include "handshake/tls12_key_schedule.hpp"
#include "handshake/tls12_messages.hpp"
#include "handshake/tls12_suites.hpp"
#include "handshake/transcript.hpp"

namespace tls::handshake {
namespace {

Error unexpected(const char* message) { return Error{ErrorCode::unexpected_message, message}; }

// HelloRequests answered with no_renegotiation before the client gives up on a
// peer that keeps asking without sending data.
constexpr int max_hello_requests = 8;

class Tls12ClientHandshake final : public HandshakeEngine {
public:
    Tls12ClientHandshake(const ClientConfig& config, std::string server_name, Tls12ClientOffer offer,
                         const Tls12SuiteParams& suite)
        : config_(config),
          settings_(config.settings()),
          server_name_(std::move(server_name)),
          offer_(std::move(offer)),
          suite_(suite),
          transcript_(std::in_place, *suite.prf_hash) {}

    Result<void> on_server_hello(ConnectionCore& core, const ServerHello& sh, Bytes raw);

    Result<void> start(ConnectionCore&) override { return success(); }
    Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) override;
    Result<void> on_change_cipher_spec(ConnectionCore& core) override;
    bool accepts_application_data() const noexcept override { return std::holds_alternative<Connected>(state_); }
    void on_application_data() noexcept override { hello_requests_ = 0; }
    const char* state_name() const noexcept override;

private:
    // RFC 5246 7.3's message flow, one state per expected message.
    struct WaitCertificate {};
    struct WaitServerKeyExchange {};
    struct WaitCertificateRequestOrDone {};
    struct WaitServerHelloDone {};                // after a CertificateRequest
    struct WaitNewSessionTicket {};               // the server acknowledged session_ticket
    struct WaitChangeCipherSpec {};
    struct WaitFinished {};
    struct Connected {};
    using State = std::variant<WaitCertificate, WaitServerKeyExchange, WaitCertificateRequestOrDone,
                               WaitServerHelloDone, WaitNewSessionTicket, WaitChangeCipherSpec, WaitFinished,
                               Connected>;

    Result<void> check_server_hello_extensions(ConnectionCore& core, const ServerHello& sh);
    Result<void> on_certificate(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> on_server_key_exchange(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> on_server_hello_done(ConnectionCore& core, Bytes body, Bytes raw, bool certificate_requested);
    Result<void> on_new_session_ticket(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> on_finished(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> derive_keys() {
        TLS_TRY_SET(pending_, tls12_pending_ciphers(*master_, *suite_.aead, client_random(), server_random(),
                                                    Tls12Sender::client));
        return success();
    }
    Result<void> send_change_cipher_spec_and_finished(ConnectionCore& core, std::vector<std::uint8_t> flight) {
        return send_tls12_change_cipher_spec_and_finished(core, std::move(flight), pending_, *master_,
                                                          Tls12Sender::client, *transcript_);
    }
    void remember_session(ConnectionCore& core);

    Bytes client_random() const noexcept { return Bytes(offer_.random.data(), offer_.random.size()); }
    Bytes server_random() const noexcept { return Bytes(server_random_, sizeof server_random_); }

    const ClientConfig& config_;
    const ClientSettings& settings_;
    std::string server_name_;
    Tls12ClientOffer offer_;
    Tls12SuiteParams suite_;
    State state_;
    std::optional<Transcript> transcript_;  // until the handshake ends
    std::uint8_t server_random_[32] = {};
    bool extended_master_secret_ = false;
    bool resumed_ = false;
    bool ticket_expected_ = false;
    std::optional<std::pair<crypto::NamedGroup, std::vector<std::uint8_t>>> server_share_;
    std::optional<Tls12MasterSecret> master_;
    Tls12PendingCiphers pending_;
    std::vector<std::uint8_t> new_ticket_;
    std::uint32_t new_ticket_lifetime_ = 0;
    bool new_ticket_received_ = false;
    int hello_requests_ = 0;
};

const char* Tls12ClientHandshake::state_name() const noexcept {
    static constexpr const char* names[] = {"TLS12_WAIT_CERT",     "TLS12_WAIT_SKE",  "TLS12_WAIT_CR_OR_SHD",
                                            "TLS12_WAIT_SHD",      "TLS12_WAIT_NST",  "TLS12_WAIT_CCS",
                                            "TLS12_WAIT_FINISHED", "TLS12_CONNECTED"};
    return names[state_.index()];
}

// --- ServerHello -------------------------------------------------------------------

Result<void> Tls12ClientHandshake::check_server_hello_extensions(ConnectionCore& core, const ServerHello& sh) {
    bool renegotiation_info = false;
    for (const auto& e : sh.extensions.all()) {
        switch (e.type) {
            case ExtensionType::server_name:
                if (!offer_.sent_sni) return Error{ErrorCode::unsupported_extension, "server_name acknowledged but not sent"};
                if (!e.data.empty()) return Error{ErrorCode::decode_error, "server_name acknowledgement is not empty"};
                break;
            case ExtensionType::application_layer_protocol_negotiation:
                TLS_TRY_SET(core.negotiated().alpn, parse_selected_alpn(e.data, settings_.alpn));
                break;
            case ExtensionType::extended_master_secret:
                if (!e.data.empty()) return Error{ErrorCode::decode_error, "extended_master_secret is not empty"};
                extended_master_secret_ = true;
                break;
            case ExtensionType::renegotiation_info: {
                // RFC 5746 3.4: on an initial handshake, renegotiated_connection is empty.
                TLS_TRY_ASSIGN(connection, parse_renegotiation_info(e.data));
                if (!connection.empty())
                    return Error{ErrorCode::handshake_failure, "renegotiation_info is not empty on an initial handshake"};
                renegotiation_info = true;
                break;
            }
            case ExtensionType::ec_point_formats:
                if (auto formats = parse_ec_point_formats(e.data); !formats) return formats.error();
                break;
            case ExtensionType::session_ticket:
                // RFC 5077 3.2: an empty acknowledgement promises a NewSessionTicket.
                if (!offer_.sent_session_ticket)
                    return Error{ErrorCode::unsupported_extension, "session_ticket acknowledged but not sent"};
                if (!e.data.empty()) return Error{ErrorCode::decode_error, "session_ticket acknowledgement is not empty"};
                ticket_expected_ = true;
                break;
            default:
                return Error{ErrorCode::unsupported_extension, "ServerHello answers an extension the client did not send"};
        }
    }
    // RFC 5746 4.1 (and OpenSSL's default since 3.0): a server without secure
    // renegotiation may be renegotiation-attackable; refuse it.
    if (!renegotiation_info)
        return Error{ErrorCode::handshake_failure, "the server does not support secure renegotiation (RFC 5746)"};
    return success();
}

Result<void> Tls12ClientHandshake::on_server_hello(ConnectionCore& core, const ServerHello& sh, Bytes raw) {
    std::copy(sh.random.begin(), sh.random.end(), server_random_);
    TLS_TRY(check_server_hello_extensions(core, sh));

    // Resumption: the server echoes the session id sent with the ticket (RFC 5077 3.4).
    const bool echoed = !sh.legacy_session_id_echo.empty() &&
                        std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(),
                                   offer_.session_id.begin(), offer_.session_id.end());
    if (echoed && offer_.session) {
        const ClientSession& session = *offer_.session;
        if (session.suite != suite_.suite)
            return Error{ErrorCode::illegal_parameter, "the resumed session's cipher suite changed"};
        // RFC 7627 5.3: the extension must be as it was in the original handshake.
        if (session.extended_master_secret != extended_master_secret_)
            return Error{ErrorCode::handshake_failure, "resumption changed extended_master_secret"};
        resumed_ = true;
    } else if (echoed) {
        return Error{ErrorCode::illegal_parameter, "the server echoed a session id without resuming a session"};
    }
    if (!extended_master_secret_ && settings_.require_extended_master_secret)
        return Error{ErrorCode::handshake_failure, "the server does not support the extended master secret (RFC 7627)"};

    transcript_->add(offer_.client_hello);
    transcript_->add(raw);
    std::vector<std::uint8_t>().swap(offer_.client_hello);
    auto& n = core.negotiated();
    n.version = ProtocolVersion::tls12;
    n.suite = suite_.suite;
    if (offer_.sent_sni) n.server_name = server_name_;

    if (resumed_) {
        const ClientSession& session = *offer_.session;
        TLS_TRY_SET(master_, Tls12MasterSecret::resumed(*suite_.prf_hash, session.secret.bytes()));
        core.log_secret("CLIENT_RANDOM", master_->secret_bytes());
        n.peer_chain = session.peer_chain;
        n.resumed = true;
        TLS_TRY(derive_keys());
        state_ = ticket_expected_ ? State(WaitNewSessionTicket{}) : State(WaitChangeCipherSpec{});
    } else {
        state_ = WaitCertificate{};
    }
    return success();
}

// --- The server's first flight -----------------------------------------------------

Result<void> Tls12ClientHandshake::on_certificate(ConnectionCore& core, Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(msg, Tls12CertificateMessage::parse(body));
    if (msg.certificates.empty()) return Error{ErrorCode::decode_error, "the server sent no certificate"};
    std::vector<Certificate> chain;
    chain.reserve(msg.certificates.size());
    for (const auto& der : msg.certificates) {
        auto cert = Certificate::from_der(der);
        if (!cert) return Error{ErrorCode::bad_certificate, cert.error().message};
        chain.push_back(std::move(*cert));
    }
    TLS_TRY(settings_.verifier->verify_chain(chain, server_name_, config_.now()));
    core.negotiated().peer_chain = std::move(chain);
    transcript_->add(raw);
    state_ = WaitServerKeyExchange{};
    return success();
}

Result<void> Tls12ClientHandshake::on_server_key_exchange(ConnectionCore& core, Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(ske, ServerKeyExchange::parse(body));
    // RFC 8422 5.4: a curve the client offered.
    if (std::find(settings_.groups.begin(), settings_.groups.end(), ske.group) == settings_.groups.end())
        return Error{ErrorCode::illegal_parameter, "ServerKeyExchange uses a group the client did not offer"};
    // RFC 5246 7.4.3: a signature algorithm the client offered, of the suite's key type.
    if (std::find(settings_.signature_schemes.begin(), settings_.signature_schemes.end(), ske.scheme) ==
            settings_.signature_schemes.end() ||
        !tls12_scheme_fits(ske.scheme, suite_.signature_key))
        return Error{ErrorCode::illegal_parameter, "ServerKeyExchange signed with a scheme the client did not offer"};
    const auto content = server_key_exchange_signed_content(client_random(), server_random(), ske.params);
    TLS_TRY(settings_.verifier->verify_tls12_signature(ske.scheme, content, ske.signature,
                                                       core.negotiated().peer_chain.front(), config_.provider()));
    core.negotiated().signature_scheme = ske.scheme;
    core.negotiated().group = ske.group;
    server_share_.emplace(ske.group, std::vector<std::uint8_t>(ske.public_key.begin(), ske.public_key.end()));
    transcript_->add(raw);
    state_ = WaitCertificateRequestOrDone{};
    return success();
}

Result<void> Tls12ClientHandshake::on_server_hello_done(ConnectionCore& core, Bytes body, Bytes raw,
                                                        bool certificate_requested) {
    TLS_TRY(parse_server_hello_done(body));
    transcript_->add(raw);

    // The client's flight: [Certificate] ClientKeyExchange, then
    // change_cipher_spec and Finished.
    const auto* kx = config_.provider().find(server_share_->first);
    if (!kx) return Error{ErrorCode::internal_error, "configured group has no implementation"};
    TLS_TRY_ASSIGN(key, kx->generate(config_.rng()));
    crypto::Secret pre_master;
    TLS_TRY(key->agree(server_share_->second, pre_master.resize(kx->shared_secret_size)));
    server_share_.reset();

    std::vector<std::uint8_t> flight;
    if (certificate_requested) {
        // No client certificate is configured: an empty list (RFC 5246 7.4.6).
        TLS_TRY_SET(flight, write_tls12_certificate({}));
        transcript_->add(flight);
    }
    TLS_TRY_ASSIGN(client_key_exchange, write_client_key_exchange(key->public_key()));
    transcript_->add(client_key_exchange);
    for (auto b : client_key_exchange) flight.push_back(b);  // a loop: GCC 12 -O3 warns falsely on insert

    TLS_TRY_SET(master_, tls12_master_from_pre_master(*suite_.prf_hash, pre_master.bytes(), extended_master_secret_,
                                                      *transcript_, client_random(), server_random()));
    core.log_secret("CLIENT_RANDOM", master_->secret_bytes());
    TLS_TRY(derive_keys());
    TLS_TRY(send_change_cipher_spec_and_finished(core, std::move(flight)));
    state_ = ticket_expected_ ? State(WaitNewSessionTicket{}) : State(WaitChangeCipherSpec{});
    return success();
}

// --- The server's last flight ------------------------------------------------------

Result<void> Tls12ClientHandshake::on_new_session_ticket(ConnectionCore& core, Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(nst, Tls12NewSessionTicket::parse(body));
    // RFC 5077 3.3: an empty ticket means the server changed its mind; keep nothing.
    new_ticket_.assign(nst.ticket.begin(), nst.ticket.end());
    new_ticket_lifetime_ = nst.lifetime_hint;
    new_ticket_received_ = true;
    transcript_->add(raw);
    (void)core;
    state_ = WaitChangeCipherSpec{};
    return success();
}

Result<void> Tls12ClientHandshake::on_change_cipher_spec(ConnectionCore& core) {
    if (!std::holds_alternative<WaitChangeCipherSpec>(state_)) {
        // RFC 5077 3.3: a server that acknowledged session_ticket sends NewSessionTicket first.
        if (std::holds_alternative<WaitNewSessionTicket>(state_)) return unexpected("expected NewSessionTicket");
        return unexpected("unexpected change_cipher_spec");
    }
    TLS_TRY(install_tls12_read_cipher(core, pending_));
    state_ = WaitFinished{};
    return success();
}

Result<void> Tls12ClientHandshake::on_finished(ConnectionCore& core, Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(verify_data, parse_tls12_finished(body));
    const auto hash = transcript_->current();
    TLS_TRY_ASSIGN(verified, master_->verify_finished(Tls12Sender::server, hash.bytes(), verify_data));
    (void)verified;  // the proof that application data may flow
    transcript_->add(raw);
    if (resumed_) {
        // Abbreviated handshake: the server spoke first; the client finishes.
        TLS_TRY(send_change_cipher_spec_and_finished(core, {}));
    }
    remember_session(core);
    // What the handshake needed is done with (the master secret is wiped as it
    // goes): an idle connection keeps only its record keys.
    master_.reset();
    transcript_.reset();
    offer_.session.reset();
    state_ = Connected{};
    return core.complete_handshake();
}

void Tls12ClientHandshake::remember_session(ConnectionCore& core) {
    const auto& cache = settings_.session_cache;
    if (!cache || !settings_.resumption || server_name_.empty()) return;
    if (new_ticket_received_ && new_ticket_.empty()) {
        cache->remove(server_name_);
        return;
    }
    if (!new_ticket_received_) {
        // A resumption without a new ticket keeps the one it used; a full
        // handshake without one leaves nothing worth offering again.
        if (!resumed_) cache->remove(server_name_);
        return;
    }
    auto session = std::make_shared<ClientSession>();
    session->ticket = std::move(new_ticket_);
    session->lifetime = new_ticket_lifetime_;
    session->received_at = config_.now();
    const auto& n = core.negotiated();
    session->version = ProtocolVersion::tls12;
    session->suite = suite_.suite;
    session->extended_master_secret = extended_master_secret_;
    session->secret.assign(master_->secret_bytes());
    session->alpn = n.alpn;
    session->peer_chain = n.peer_chain;
    cache->store(server_name_, std::move(session));
}

// --- Dispatch ----------------------------------------------------------------------

Result<void> Tls12ClientHandshake::on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) {
    const HandshakeType type = message.type;
    return std::visit(
        [&](auto& state) -> Result<void> {
            using S = std::decay_t<decltype(state)>;
            if constexpr (std::is_same_v<S, WaitCertificate>) {
                if (type != HandshakeType::certificate) return unexpected("expected Certificate");
                return on_certificate(core, message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitServerKeyExchange>) {
                if (type != HandshakeType::server_key_exchange) return unexpected("expected ServerKeyExchange");
                return on_server_key_exchange(core, message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitCertificateRequestOrDone>) {
                if (type == HandshakeType::certificate_request) {
                    TLS_TRY_ASSIGN(request, Tls12CertificateRequest::parse(message.body));
                    (void)request;  // no client certificate to choose yet: an empty Certificate answers
                    transcript_->add(raw);
                    state_ = WaitServerHelloDone{};
                    return success();
                }
                if (type != HandshakeType::server_hello_done) return unexpected("expected ServerHelloDone");
                return on_server_hello_done(core, message.body, raw, false);
            } else if constexpr (std::is_same_v<S, WaitServerHelloDone>) {
                if (type != HandshakeType::server_hello_done) return unexpected("expected ServerHelloDone");
                return on_server_hello_done(core, message.body, raw, true);
            } else if constexpr (std::is_same_v<S, WaitNewSessionTicket>) {
                if (type != HandshakeType::new_session_ticket) return unexpected("expected NewSessionTicket");
                return on_new_session_ticket(core, message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitChangeCipherSpec>) {
                return unexpected("expected change_cipher_spec");
            } else if constexpr (std::is_same_v<S, WaitFinished>) {
                if (type != HandshakeType::finished) return unexpected("expected Finished");
                return on_finished(core, message.body, raw);
            } else {
                // RFC 5746 / RFC 5246 7.4.1.1: renegotiation is never performed;
                // a HelloRequest gets a no_renegotiation warning.
                if (type != HandshakeType::hello_request) return unexpected("handshake message after the handshake");
                TLS_TRY(parse_hello_request(message.body));
                if (++hello_requests_ > max_hello_requests) return unexpected("too many HelloRequests");
                return core.send_warning_alert(AlertDescription::no_renegotiation);
            }
        },
        state_);
}

}  // namespace

Result<std::unique_ptr<HandshakeEngine>> start_tls12_client(ConnectionCore& core, const ClientConfig& config,
                                                            std::string server_name, Tls12ClientOffer offer,
                                                            const ServerHello& sh, Bytes raw) {
    const ClientSettings& settings = config.settings();
    // RFC 5246 E.1: the server's version is the highest both speak; cordon speaks nothing below 1.2.
    if (sh.legacy_version != static_cast<std::uint16_t>(ProtocolVersion::tls12) ||
        !settings.allows(ProtocolVersion::tls12))
        return Error{ErrorCode::protocol_version, "the server chose a protocol version the client does not speak"};
    if (sh.compression_method != 0) return Error{ErrorCode::illegal_parameter, "compression method is not null"};
    if (std::find(settings.cipher_suites.begin(), settings.cipher_suites.end(), sh.cipher_suite) ==
        settings.cipher_suites.end())
        return Error{ErrorCode::illegal_parameter, "the server selected a cipher suite the client did not offer"};
    auto suite = resolve_tls12_suite(config.provider(), sh.cipher_suite);
    if (!suite) return Error{ErrorCode::illegal_parameter, "the server selected a TLS 1.3 cipher suite for TLS 1.2"};
    core.use_tls12_records();
    auto engine = std::make_unique<Tls12ClientHandshake>(config, std::move(server_name), std::move(offer), *suite);
    TLS_TRY(engine->on_server_hello(core, sh, raw));
    return std::unique_ptr<HandshakeEngine>(std::move(engine));
}

}  // namespace tls::handshake
