#include "handshake/tls12_server.hpp"

#include <algorithm>
#include <variant>

#include "handshake/extension_codecs.hpp"
#include "handshake/server_choices.hpp"
#include "handshake/ticket_state.hpp"
#include "handshake/ticketer.hpp"
#include "handshake/tls12_epoch.hpp"
#include "handshake/tls12_key_schedule.hpp"
#include "handshake/tls12_messages.hpp"
#include "handshake/tls12_suites.hpp"
#include "handshake/transcript.hpp"

namespace tls::handshake {
namespace {

using crypto::NamedGroup;
using crypto::SignatureScheme;

Error unexpected(const char* message) { return Error{ErrorCode::unexpected_message, message}; }

// RFC 5746 3.3: the signalling cipher suite value, an alternative to the empty extension.
constexpr CipherSuite empty_renegotiation_info_scsv = CipherSuite::tls_empty_renegotiation_info_scsv;

// Renegotiating ClientHellos answered with no_renegotiation before the server
// gives up on a client that keeps asking.
constexpr int max_renegotiation_attempts = 2;

void append(std::vector<std::uint8_t>& flight, const std::vector<std::uint8_t>& message) {
    flight.reserve(flight.size() + message.size());
    for (auto b : message) flight.push_back(b);  // a loop: GCC 12 -O3 warns falsely on insert
}

// --- What the server settles from the ClientHello --------------------------------

struct Tls12Choices {
    Tls12SuiteParams suite;
    std::string server_name;
    std::string alpn;
    bool extended_master_secret = false;
    bool secure_renegotiation = false;   // the client sent renegotiation_info or the SCSV
    bool client_sent_point_formats = false;
    bool issue_ticket = false;            // the client sent session_ticket and tickets are on
    std::optional<Tls12TicketState> resumed;   // a ticket that resumes
    // Full handshakes only:
    std::shared_ptr<const CertifiedKey> certificate;
    SignatureScheme scheme{};
    NamedGroup group{};
};

class Tls12ServerHandshake final : public HandshakeEngine {
public:
    Tls12ServerHandshake(const ServerConfig& config, Tls12Choices choices)
        : config_(config), settings_(config.settings()), choices_(std::move(choices)), transcript_(std::in_place, *choices_.suite.prf_hash) {}

    Result<void> on_client_hello(ConnectionCore& core, const ClientHello& ch, Bytes raw);

    Result<void> start(ConnectionCore&) override { return success(); }
    Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) override;
    Result<void> on_change_cipher_spec(ConnectionCore& core) override;
    bool accepts_application_data() const noexcept override { return std::holds_alternative<Connected>(state_); }
    void on_application_data() noexcept override { renegotiation_attempts_ = 0; }
    const char* state_name() const noexcept override;

private:
    struct WaitClientKeyExchange {
        std::unique_ptr<crypto::KeyExchangeKey> key;
    };
    struct WaitChangeCipherSpec {};
    struct WaitFinished {};
    struct Connected {};
    using State = std::variant<WaitClientKeyExchange, WaitChangeCipherSpec, WaitFinished, Connected>;

    Result<std::vector<std::uint8_t>> server_hello(Bytes session_id_echo);
    Result<void> send_full_flight(ConnectionCore& core, Bytes raw);
    Result<void> send_abbreviated_flight(ConnectionCore& core, const ClientHello& ch, Bytes raw);
    Result<void> on_client_key_exchange(ConnectionCore& core, WaitClientKeyExchange& state, Bytes body, Bytes raw);
    Result<void> on_finished(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> derive_keys() {
        TLS_TRY_SET(pending_, tls12_pending_ciphers(*master_, *choices_.suite.aead, client_random(), server_random(),
                                                    Tls12Sender::server));
        return success();
    }
    Result<std::vector<std::uint8_t>> new_session_ticket();
    Result<void> send_change_cipher_spec_and_finished(ConnectionCore& core, std::vector<std::uint8_t> flight) {
        return send_tls12_change_cipher_spec_and_finished(core, std::move(flight), pending_, *master_,
                                                          Tls12Sender::server, *transcript_);
    }
    void record_negotiated(ConnectionCore& core) const;

    Bytes client_random() const noexcept { return Bytes(client_random_, sizeof client_random_); }
    Bytes server_random() const noexcept { return Bytes(server_random_, sizeof server_random_); }

    const ServerConfig& config_;
    const ServerSettings& settings_;
    Tls12Choices choices_;
    State state_;
    std::optional<Transcript> transcript_;  // until the handshake ends
    std::uint8_t client_random_[32] = {};
    std::uint8_t server_random_[32] = {};
    std::optional<Tls12MasterSecret> master_;
    Tls12PendingCiphers pending_;
    int renegotiation_attempts_ = 0;
};

const char* Tls12ServerHandshake::state_name() const noexcept {
    static constexpr const char* names[] = {"TLS12_WAIT_CKE", "TLS12_WAIT_CCS", "TLS12_WAIT_FINISHED",
                                            "TLS12_CONNECTED"};
    return names[state_.index()];
}

// --- Negotiation -------------------------------------------------------------------

bool offered(const ClientHello& ch, CipherSuite suite) { return ch.offers_suite(suite); }

// The suite: the server's order (or the client's), among the TLS 1.2 suites
// whose signature key type matches the certificate (none for a resumption).
std::optional<Tls12SuiteParams> choose_suite(const ServerConfig& config, const ClientHello& ch,
                                             std::optional<Tls12SignatureKey> key_type) {
    const auto& settings = config.settings();
    const auto usable = [&](CipherSuite s) -> std::optional<Tls12SuiteParams> {
        if (std::find(settings.cipher_suites.begin(), settings.cipher_suites.end(), s) == settings.cipher_suites.end())
            return std::nullopt;
        auto params = resolve_tls12_suite(config.provider(), s);
        if (!params || (key_type && params->signature_key != *key_type)) return std::nullopt;
        return params;
    };
    if (settings.prefer_client_cipher_order) {
        for (std::size_t i = 0; i + 1 < ch.cipher_suites.size(); i += 2)
            if (auto p = usable(static_cast<CipherSuite>(ch.cipher_suites[i] << 8 | ch.cipher_suites[i + 1]))) return p;
    } else {
        for (auto s : settings.cipher_suites)
            if (offered(ch, s))
                if (auto p = usable(s)) return p;
    }
    return std::nullopt;
}

// A ticket that can resume: it opens, it is fresh, and the client could still
// pick its suite, server name and master-secret kind now.
std::optional<Tls12TicketState> try_resume(const ServerConfig& config, const ClientHello& ch, Bytes ticket,
                                      const std::string& server_name, bool extended_master_secret) {
    TicketProtector* ticketer = config.ticketer();
    if (!ticketer || ticket.empty() || ch.legacy_session_id.empty()) return std::nullopt;
    const std::int64_t now = config.now();
    auto sealed = ticketer->open(ticket, now);
    if (!sealed) return std::nullopt;
    auto state = decode_tls12_ticket_state(sealed->bytes());
    if (!state) return std::nullopt;
    if (now < state->created || now - state->created >= std::int64_t{config.settings().ticket_lifetime}) return std::nullopt;
    if (!offered(ch, state->suite)) return std::nullopt;
    const auto& suites = config.settings().cipher_suites;
    if (std::find(suites.begin(), suites.end(), state->suite) == suites.end()) return std::nullopt;
    if (state->server_name != server_name) return std::nullopt;  // RFC 6066 3: never across names
    if (state->extended_master_secret != extended_master_secret) return std::nullopt;
    return state;
}

Result<Tls12Choices> negotiate(const ServerConfig& config, const ClientHello& ch) {
    const ServerSettings& settings = config.settings();
    const Extensions& ext = ch.extensions;
    Tls12Choices c;

    // RFC 5246 7.4.1.2: null compression must be offered, and is the only one used.
    if (std::find(ch.compression_methods.begin(), ch.compression_methods.end(), 0) == ch.compression_methods.end())
        return Error{ErrorCode::illegal_parameter, "the ClientHello does not offer null compression"};
    if (auto data = ext.find(ExtensionType::renegotiation_info)) {
        TLS_TRY_ASSIGN(connection, parse_renegotiation_info(*data));
        if (!connection.empty())
            return Error{ErrorCode::handshake_failure, "renegotiation_info is not empty on an initial handshake"};
        c.secure_renegotiation = true;
    }
    if (ch.offers_suite(empty_renegotiation_info_scsv)) c.secure_renegotiation = true;
    if (auto data = ext.find(ExtensionType::extended_master_secret)) {
        if (!data->empty()) return Error{ErrorCode::decode_error, "extended_master_secret is not empty"};
        c.extended_master_secret = true;
    }
    if (!c.extended_master_secret && settings.require_extended_master_secret)
        return Error{ErrorCode::handshake_failure, "the client does not support the extended master secret (RFC 7627)"};
    if (auto data = ext.find(ExtensionType::ec_point_formats)) {
        TLS_TRY_ASSIGN(formats, parse_ec_point_formats(*data));
        (void)formats;  // the parser refuses a list without uncompressed
        c.client_sent_point_formats = true;
    }
    TLS_TRY_SET(c.server_name, choose_server_name(ch));
    TLS_TRY_SET(c.alpn, choose_alpn(settings, ch));

    // Resumption first: it needs no certificate.
    auto ticket_data = ext.find(ExtensionType::session_ticket);
    c.issue_ticket = ticket_data.has_value() && config.ticketer() != nullptr;
    if (ticket_data) {
        c.resumed = try_resume(config, ch, *ticket_data, c.server_name, c.extended_master_secret);
        if (c.resumed) {
            auto params = resolve_tls12_suite(config.provider(), c.resumed->suite);
            if (!params) return Error{ErrorCode::internal_error, "a ticket's suite has no implementation"};
            c.suite = *params;
            return c;
        }
    }

    // A full handshake: certificate, then a suite its key can sign for.
    auto schemes_data = ext.find(ExtensionType::signature_algorithms);
    // RFC 5246 7.4.1.4.1: without the extension the client means SHA-1, which cordon never signs with.
    if (!schemes_data) return Error{ErrorCode::handshake_failure, "ClientHello without signature_algorithms"};
    TLS_TRY_ASSIGN(schemes, parse_signature_scheme_list(*schemes_data));
    TLS_TRY_SET(c.certificate, choose_certificate(settings, ch, c.server_name));
    const auto key_type = tls12_signature_key_of(*c.certificate->key);
    if (!key_type) return Error{ErrorCode::handshake_failure, "the certificate's key cannot sign for a TLS 1.2 suite"};

    // RFC 8422 4: the curves the client named (in the server's order); a client
    // that names none gets P-256, the curve every ECDHE client has. An ECDSA
    // certificate must be on one of them too (RFC 8422 5.1, 5.3).
    std::vector<NamedGroup> groups{NamedGroup::secp256r1};
    if (auto data = ext.find(ExtensionType::supported_groups)) TLS_TRY_SET(groups, parse_named_group_list(*data));
    const auto client_has = [&](NamedGroup g) { return std::find(groups.begin(), groups.end(), g) != groups.end(); };
    const auto& key = *c.certificate->key;
    if ((key.supports(SignatureScheme::ecdsa_secp256r1_sha256) && !client_has(NamedGroup::secp256r1)) ||
        (key.supports(SignatureScheme::ecdsa_secp384r1_sha384) && !client_has(NamedGroup::secp384r1)))
        return Error{ErrorCode::handshake_failure, "the certificate's curve is not one the client supports"};
    auto suite = choose_suite(config, ch, key_type);
    if (!suite) return Error{ErrorCode::handshake_failure, "no cipher suite in common"};
    c.suite = *suite;

    std::optional<SignatureScheme> scheme;
    for (auto s : schemes)
        if (tls12_scheme_fits(s, *key_type) && c.certificate->key->supports(s) &&
            std::find(settings.signature_schemes.begin(), settings.signature_schemes.end(), s) !=
                settings.signature_schemes.end()) {
            scheme = s;
            break;
        }
    if (!scheme) return Error{ErrorCode::handshake_failure, "no signature scheme in common with the certificate's key"};
    c.scheme = *scheme;

    auto group = std::find_first_of(settings.groups.begin(), settings.groups.end(), groups.begin(), groups.end());
    if (group == settings.groups.end()) return Error{ErrorCode::handshake_failure, "no key exchange group in common"};
    c.group = *group;
    return c;
}

// --- The server's first flight -----------------------------------------------------

Result<std::vector<std::uint8_t>> Tls12ServerHandshake::server_hello(Bytes session_id_echo) {
    ExtensionList ext;
    if (choices_.secure_renegotiation)
        TLS_TRY(ext.add(ExtensionType::renegotiation_info, [&](codec::Writer& w) { write_renegotiation_info(w, {}); }));
    if (choices_.extended_master_secret) ext.add_empty(ExtensionType::extended_master_secret);
    if (!choices_.resumed && choices_.client_sent_point_formats) {
        static constexpr std::uint8_t uncompressed[1] = {ec_point_format_uncompressed};
        TLS_TRY(ext.add(ExtensionType::ec_point_formats, [&](codec::Writer& w) { write_ec_point_formats(w, uncompressed); }));
    }
    if (!choices_.resumed && !choices_.server_name.empty()) ext.add_empty(ExtensionType::server_name);
    if (!choices_.alpn.empty()) {
        const std::vector<Bytes> selected{
            Bytes(reinterpret_cast<const std::uint8_t*>(choices_.alpn.data()), choices_.alpn.size())};
        TLS_TRY(ext.add(ExtensionType::application_layer_protocol_negotiation,
                        [&](codec::Writer& w) { write_alpn_list(w, selected); }));
    }
    if (choices_.issue_ticket) ext.add_empty(ExtensionType::session_ticket);

    ServerHello sh;
    sh.legacy_version = static_cast<std::uint16_t>(ProtocolVersion::tls12);
    sh.random = server_random();
    sh.legacy_session_id_echo = session_id_echo;
    sh.cipher_suite = choices_.suite.suite;
    const auto list = ext.list();
    return write_to_vector(128, [&](codec::Writer& w) { write_server_hello(w, sh, list); });
}

Result<void> Tls12ServerHandshake::on_client_hello(ConnectionCore& core, const ClientHello& ch, Bytes raw) {
    std::copy(ch.random.begin(), ch.random.end(), client_random_);
    TLS_TRY(config_.rng().fill(server_random_));
    // RFC 8446 4.1.3: a server that speaks 1.3 marks a 1.2 answer, so a client
    // that offered 1.3 notices an attacker removed it.
    if (settings_.allows(ProtocolVersion::tls13))
        std::copy(downgrade_sentinel_tls12.begin(), downgrade_sentinel_tls12.end(), server_random_ + 24);
    if (choices_.resumed) return send_abbreviated_flight(core, ch, raw);
    return send_full_flight(core, raw);
}

Result<void> Tls12ServerHandshake::send_full_flight(ConnectionCore& core, Bytes raw) {
    crypto::Rng& rng = config_.rng();
    transcript_->add(raw);
    // ServerHello, Certificate, ServerKeyExchange, ServerHelloDone: one write.
    TLS_TRY_ASSIGN(flight, server_hello({}));
    transcript_->add(flight);

    std::vector<Bytes> chain;
    for (const auto& cert : choices_.certificate->chain) chain.push_back(cert.der());
    TLS_TRY_ASSIGN(certificate, write_tls12_certificate(chain));
    transcript_->add(certificate);
    append(flight, certificate);

    const auto* kx = config_.provider().find(choices_.group);
    if (!kx) return Error{ErrorCode::internal_error, "configured group has no implementation"};
    TLS_TRY_ASSIGN(key, kx->generate(rng));
    TLS_TRY_ASSIGN(params, write_server_ecdh_params(choices_.group, key->public_key()));
    const auto content = server_key_exchange_signed_content(client_random(), server_random(), params);
    const auto& signing_key = *choices_.certificate->key;
    std::vector<std::uint8_t> signature(signing_key.max_signature_size());
    TLS_TRY_ASSIGN(signature_size, signing_key.sign(choices_.scheme, content, rng, signature));
    signature.resize(signature_size);
    TLS_TRY_ASSIGN(server_key_exchange,
                   write_server_key_exchange(choices_.group, key->public_key(), choices_.scheme, signature));
    transcript_->add(server_key_exchange);
    append(flight, server_key_exchange);

    TLS_TRY_ASSIGN(done, write_server_hello_done());
    transcript_->add(done);
    append(flight, done);
    TLS_TRY(core.send_handshake(flight));
    record_negotiated(core);
    state_ = WaitClientKeyExchange{std::move(key)};
    return success();
}

Result<void> Tls12ServerHandshake::send_abbreviated_flight(ConnectionCore& core, const ClientHello& ch, Bytes raw) {
    transcript_->add(raw);
    // RFC 5077 3.4: echoing the client's session id says the ticket was accepted.
    TLS_TRY_ASSIGN(hello, server_hello(ch.legacy_session_id));
    transcript_->add(hello);
    TLS_TRY_SET(master_, Tls12MasterSecret::resumed(*choices_.suite.prf_hash, choices_.resumed->master_secret.bytes()));
    core.log_secret("CLIENT_RANDOM", master_->secret_bytes());
    TLS_TRY(derive_keys());
    // ServerHello [NewSessionTicket], change_cipher_spec, Finished.
    std::vector<std::uint8_t> flight = std::move(hello);
    if (choices_.issue_ticket) {
        TLS_TRY_ASSIGN(ticket, new_session_ticket());
        transcript_->add(ticket);
        append(flight, ticket);
    }
    TLS_TRY(send_change_cipher_spec_and_finished(core, std::move(flight)));
    record_negotiated(core);
    state_ = WaitChangeCipherSpec{};
    return success();
}

void Tls12ServerHandshake::record_negotiated(ConnectionCore& core) const {
    auto& n = core.negotiated();
    n.version = ProtocolVersion::tls12;
    n.suite = choices_.suite.suite;
    n.alpn = choices_.alpn;
    n.server_name = choices_.server_name;
    n.resumed = choices_.resumed.has_value();
    if (!choices_.resumed) {
        n.group = choices_.group;
        n.signature_scheme = choices_.scheme;
    }
}

// --- The client's flight -----------------------------------------------------------

Result<void> Tls12ServerHandshake::on_client_key_exchange(ConnectionCore& core, WaitClientKeyExchange& state, Bytes body,
                                                          Bytes raw) {
    TLS_TRY_ASSIGN(cke, ClientKeyExchange::parse(body));
    const auto* kx = config_.provider().find(choices_.group);
    crypto::Secret pre_master;
    TLS_TRY(state.key->agree(cke.public_key, pre_master.resize(kx->shared_secret_size)));
    transcript_->add(raw);
    TLS_TRY_SET(master_, tls12_master_from_pre_master(*choices_.suite.prf_hash, pre_master.bytes(),
                                                      choices_.extended_master_secret, *transcript_, client_random(),
                                                      server_random()));
    core.log_secret("CLIENT_RANDOM", master_->secret_bytes());
    TLS_TRY(derive_keys());
    state_ = WaitChangeCipherSpec{};
    return success();
}

Result<void> Tls12ServerHandshake::on_change_cipher_spec(ConnectionCore& core) {
    if (!std::holds_alternative<WaitChangeCipherSpec>(state_)) return unexpected("unexpected change_cipher_spec");
    TLS_TRY(install_tls12_read_cipher(core, pending_));
    state_ = WaitFinished{};
    return success();
}

Result<std::vector<std::uint8_t>> Tls12ServerHandshake::new_session_ticket() {
    Tls12TicketState t;
    t.suite = choices_.suite.suite;
    t.extended_master_secret = choices_.extended_master_secret;
    t.created = config_.now();
    t.master_secret.assign(master_->secret_bytes());
    t.alpn = choices_.alpn;
    t.server_name = choices_.server_name;
    TLS_TRY_ASSIGN(state, encode_ticket_state(t));
    auto ticket = config_.ticketer()->seal(state.bytes(), t.created);
    // A ticket that cannot be sealed is not worth failing the handshake: an
    // empty one says "none this time" (RFC 5077 3.3).
    const Bytes sealed = ticket ? Bytes(*ticket) : Bytes{};
    return write_tls12_new_session_ticket(ticket ? settings_.ticket_lifetime : 0, sealed);
}

Result<void> Tls12ServerHandshake::on_finished(ConnectionCore& core, Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(verify_data, parse_tls12_finished(body));
    const auto hash = transcript_->current();
    TLS_TRY_ASSIGN(verified, master_->verify_finished(Tls12Sender::client, hash.bytes(), verify_data));
    (void)verified;  // the proof that application data may flow
    transcript_->add(raw);
    if (!choices_.resumed) {
        // Full handshake: [NewSessionTicket], change_cipher_spec, Finished.
        std::vector<std::uint8_t> flight;
        if (choices_.issue_ticket) {
            TLS_TRY_SET(flight, new_session_ticket());
            transcript_->add(flight);
        }
        TLS_TRY(send_change_cipher_spec_and_finished(core, std::move(flight)));
    }
    // What the handshake needed is done with (the master secret is wiped as it
    // goes): an idle connection keeps only its record keys.
    master_.reset();
    transcript_.reset();
    choices_.resumed.reset();
    choices_.certificate.reset();
    state_ = Connected{};
    return core.complete_handshake();
}

// --- Dispatch ----------------------------------------------------------------------

Result<void> Tls12ServerHandshake::on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) {
    const HandshakeType type = message.type;
    return std::visit(
        [&](auto& state) -> Result<void> {
            using S = std::decay_t<decltype(state)>;
            if constexpr (std::is_same_v<S, WaitClientKeyExchange>) {
                // No client certificate is requested, so the client sends none.
                if (type != HandshakeType::client_key_exchange) return unexpected("expected ClientKeyExchange");
                return on_client_key_exchange(core, state, message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitChangeCipherSpec>) {
                return unexpected("expected change_cipher_spec");
            } else if constexpr (std::is_same_v<S, WaitFinished>) {
                if (type != HandshakeType::finished) return unexpected("expected Finished");
                return on_finished(core, message.body, raw);
            } else {
                // RFC 5746 4.4: renegotiation is refused with a no_renegotiation
                // warning; a client that insists is cut off.
                if (type != HandshakeType::client_hello) return unexpected("handshake message after the handshake");
                if (++renegotiation_attempts_ > max_renegotiation_attempts)
                    return unexpected("the client keeps trying to renegotiate");
                return core.send_warning_alert(AlertDescription::no_renegotiation);
            }
        },
        state_);
}

}  // namespace

Result<std::unique_ptr<HandshakeEngine>> start_tls12_server(ConnectionCore& core, const ServerConfig& config,
                                                            const ClientHello& ch, Bytes raw) {
    core.use_tls12_records();
    core.set_client_random(ch.random);
    TLS_TRY_ASSIGN(choices, negotiate(config, ch));
    auto engine = std::make_unique<Tls12ServerHandshake>(config, std::move(choices));
    TLS_TRY(engine->on_client_hello(core, ch, raw));
    return std::unique_ptr<HandshakeEngine>(std::move(engine));
}

}  // namespace tls::handshake
