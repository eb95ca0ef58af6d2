#include "handshake/server_handshake.hpp"

#include <algorithm>
#include <cstdlib>
#include <variant>

#include "handshake/server_choices.hpp"
#include "handshake/tls12_server.hpp"
#include "handshake/extension_codecs.hpp"
#include "handshake/messages.hpp"
#include "handshake/post_handshake.hpp"
#include "handshake/psk.hpp"
#include "handshake/strike_register.hpp"
#include "handshake/ticket_state.hpp"
#include "handshake/ticketer.hpp"
#include "handshake/tls13_secrets.hpp"

namespace tls::handshake {
namespace {

using crypto::NamedGroup;
using crypto::SignatureScheme;

Error unexpected(const char* message) { return Error{ErrorCode::unexpected_message, message}; }

// Appends a handshake message to a flight that goes out as one write (a loop:
// GCC 12 -O3 warns falsely on vector::insert here).
void append(std::vector<std::uint8_t>& flight, const std::vector<std::uint8_t>& message) {
    flight.reserve(flight.size() + message.size());
    for (auto b : message) flight.push_back(b);
}

// Early data the server skips when it does not accept 0-RTT (RFC 8446 4.2.10).
constexpr std::uint32_t max_skipped_early_data = 1u << 16;

// How far a client's ticket age may stray from the server's count (RFC 8446
// 8.3): the clocks run in seconds, so a little more than the network's delay.
constexpr std::int64_t max_ticket_age_skew_ms = 10000;

// PSK identities tried per ClientHello (each costs an AEAD open).
constexpr std::size_t max_psk_identities_tried = 4;

// What the server settled from a ClientHello.
struct Choices {
    SuiteParams suite;
    NamedGroup group;
    std::optional<Bytes> client_share;  // none: HelloRetryRequest (unless psk_ke)
    std::optional<Tls13TicketState> resumed;  // an accepted ticket (RFC 8446 4.2.11)
    std::uint16_t psk_identity = 0;
    bool psk_ke = false;                      // resumption without (EC)DHE
    bool early_data = false;                  // the client's 0-RTT data is accepted
    std::shared_ptr<const CertifiedKey> certificate;
    SignatureScheme scheme;
    std::string alpn;
    std::string server_name;
};

class ServerHandshake final : public HandshakeEngine {
public:
    explicit ServerHandshake(const ServerConfig& config) : config_(config), settings_(config.settings()) {}

    Result<void> start(ConnectionCore&) override { return success(); }
    Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) override;
    bool accepts_application_data() const noexcept override {
        return std::holds_alternative<Connected>(state_) || std::holds_alternative<WaitEndOfEarlyData>(state_);
    }
    bool receiving_early_data() const noexcept override { return std::holds_alternative<WaitEndOfEarlyData>(state_); }
    Result<void> on_early_data(std::size_t size) override {
        auto& wait = std::get<WaitEndOfEarlyData>(state_);
        // RFC 8446 4.2.10: more than max_early_data_size is unexpected_message.
        if (size > wait.remaining) return unexpected("more early data than max_early_data_size");
        wait.remaining -= static_cast<std::uint32_t>(size);
        return success();
    }
    const char* state_name() const noexcept override;
    void on_application_data() noexcept override { post_handshake_.on_application_data(); }
    Result<void> update_keys(ConnectionCore& core, bool request_peer_update) override {
        if (!std::holds_alternative<Connected>(state_))
            return Error{ErrorCode::invalid_argument, "keys can be updated only after the handshake"};
        return post_handshake_.send_key_update(core, request_peer_update);
    }

private:
    struct WaitClientHello {};
    struct WaitSecondClientHello {  // after a HelloRetryRequest
        CipherSuite suite;
        NamedGroup group;
        std::vector<std::uint8_t> cookie;  // sent in the HelloRetryRequest (test hook only, so far)
    };
    struct WaitEndOfEarlyData {  // 0-RTT accepted: early data, then EndOfEarlyData
        std::uint32_t remaining;
    };
    struct WaitClientCertificate {  // after a CertificateRequest (mutual TLS)
        std::vector<SignatureScheme> schemes;  // what the request allowed
    };
    struct WaitClientCertificateVerify {
        std::vector<SignatureScheme> schemes;
    };
    struct WaitFinished {};
    struct Connected {};
    using State = std::variant<WaitClientHello, WaitSecondClientHello, WaitEndOfEarlyData, WaitClientCertificate,
                               WaitClientCertificateVerify, WaitFinished, Connected>;

    Result<Choices> negotiate(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                              const TestHooks& hooks) const;
    Result<void> choose_psk(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                            const TestHooks& hooks, Choices& c) const;
    Result<void> send_tickets(ConnectionCore& core);
    Result<void> on_client_hello(ConnectionCore& core, Bytes body, Bytes raw, const WaitSecondClientHello* retry);
    Result<void> send_hello_retry_request(ConnectionCore& core, const ClientHello& ch, const Choices& choices, Bytes raw);
    Result<void> send_server_flight(ConnectionCore& core, const ClientHello& ch, const Choices& choices, Bytes raw);
    Result<std::vector<std::uint8_t>> certificate_request(std::vector<SignatureScheme>& schemes) const;
    Result<void> on_client_certificate(ConnectionCore& core, std::vector<SignatureScheme> schemes, Bytes body, Bytes raw);
    Result<void> on_client_certificate_verify(ConnectionCore& core, const std::vector<SignatureScheme>& schemes,
                                              Bytes body, Bytes raw);
    Result<void> on_finished(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> send_compatibility_ccs(ConnectionCore& core, const ClientHello& ch);

    const ServerConfig& config_;
    const ServerSettings& settings_;
    State state_;
    bool ccs_sent_ = false;
    bool tickets_wanted_ = false;  // the client sent psk_key_exchange_modes (RFC 8446 4.2.9)
    std::optional<Tls13Secrets> secrets_;  // from the ServerHello to the end of the handshake
    crypto::Secret resumption_master_;     // derives the PSKs of the tickets
    std::optional<SuiteParams> suite_;     // after the handshake
    PostHandshake post_handshake_;
};

const char* ServerHandshake::state_name() const noexcept {
    static constexpr const char* names[] = {"RECVD_CH",  "RECVD_CH_2",    "WAIT_EOED", "WAIT_CERT",
                                            "WAIT_CV", "WAIT_FINISHED", "CONNECTED"};
    return names[state_.index()];
}

// --- Negotiation -------------------------------------------------------------------

// Resumption (RFC 8446 4.2.11): the first offered ticket this server sealed that
// is fresh, for this server name, with an age the client's count agrees with,
// whose suite hash fits (the ticket's own suite is taken when the client offers
// it); its binder must then verify, or the handshake fails (decrypt_error).
// Anything short of that is a full handshake.
Result<void> ServerHandshake::choose_psk(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                                         const TestHooks& hooks, Choices& c) const {
    const Extensions& ext = ch.extensions;
    auto psk_data = ext.find(ExtensionType::pre_shared_key);
    TicketProtector* ticketer = config_.ticketer();
    if (!psk_data || (!ticketer && !hooks.open_ticket)) return success();
    TLS_TRY_ASSIGN(modes, parse_psk_key_exchange_modes(*ext.find(ExtensionType::psk_key_exchange_modes)));
    const bool dhe = std::find(modes.begin(), modes.end(), psk_dhe_ke) != modes.end();
    const bool ke = std::find(modes.begin(), modes.end(), psk_ke) != modes.end();
    TLS_TRY_ASSIGN(offered, parse_offered_psks(*psk_data));
    if (!dhe && !ke) return success();
    const std::int64_t now = config_.now();
    for (std::size_t i = 0; i < offered.identities.size() && i < max_psk_identities_tried; ++i) {
        std::optional<Tls13TicketState> state;
        if (hooks.open_ticket) {
            state = hooks.open_ticket(offered.identities[i].identity);  // tests only
        } else if (auto sealed = ticketer->open(offered.identities[i].identity, now)) {
            state = decode_tls13_ticket_state(sealed->bytes());
        }
        if (!state || now < state->created || now - state->created >= std::int64_t{state->lifetime}) continue;
        auto params = resolve_suite(config_.provider(), state->suite);
        if (!params || state->server_name != c.server_name) continue;
        std::optional<SuiteParams> suite = c.suite;
        if (params->hash != c.suite.hash) {
            const bool allowed = std::find(settings_.cipher_suites.begin(), settings_.cipher_suites.end(),
                                           state->suite) != settings_.cipher_suites.end();
            if (retry || !allowed || !ch.offers_suite(state->suite)) continue;
            suite = params;
        }
        const std::uint32_t client_age_ms = offered.identities[i].obfuscated_ticket_age - state->age_add;
        const std::int64_t server_age_ms = (now - state->created) * 1000;
        if (std::abs(std::int64_t{client_age_ms} - server_age_ms) > max_ticket_age_skew_ms + 1000) continue;
        // The binder covers the ClientHello up to the binders (and, after a
        // HelloRetryRequest, the transcript before it).
        const Bytes truncated = raw.first(raw.size() - offered.binders_size);
        TLS_TRY(verify_psk_binder(*suite->hash, state->psk.bytes(), retry ? &secrets_->transcript : nullptr, truncated,
                                  offered.binders[i]));
        c.suite = *suite;
        c.psk_identity = static_cast<std::uint16_t>(i);
        c.psk_ke = !dhe;  // psk_dhe_ke whenever the client allows it
        // 0-RTT (RFC 8446 4.2.10, 8): the first identity, a first ClientHello, the
        // ticket's suite and ALPN, an age within the window, and a ClientHello
        // this server has not taken early data from before.
        auto* strikes = config_.strike_register();
        c.early_data = strikes && ext.contains(ExtensionType::early_data) && i == 0 && !retry &&
                       state->max_early_data > 0 && c.suite.suite == state->suite && c.alpn == state->alpn &&
                       std::abs(std::int64_t{client_age_ms} - server_age_ms) <=
                           std::int64_t{settings_.early_data_window} * 1000 &&
                       strikes->insert(offered.binders[i], now);
        c.resumed = std::move(state);
        return success();
    }
    return success();
}

Result<Choices> ServerHandshake::negotiate(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                                           const TestHooks& hooks) const {
    const Extensions& ext = ch.extensions;

    // Version (RFC 8446 4.2.1): the second ClientHello must still offer 1.3.
    TLS_TRY_ASSIGN(version, choose_version(settings_, ch));
    if (version != ProtocolVersion::tls13) return Error{ErrorCode::protocol_version, "the client does not offer TLS 1.3"};
    // RFC 8446 4.2.9: a PSK offer needs its key exchange modes.
    if (ext.contains(ExtensionType::pre_shared_key) && !ext.contains(ExtensionType::psk_key_exchange_modes))
        return Error{ErrorCode::missing_extension, "pre_shared_key without psk_key_exchange_modes"};
    // RFC 8446 4.1.2: exactly the null compression method.
    if (ch.compression_methods.size() != 1 || ch.compression_methods[0] != 0)
        return Error{ErrorCode::illegal_parameter, "TLS 1.3 ClientHello with compression methods"};

    Choices c{};
    // Cipher suite: the server's order unless configured otherwise.
    std::optional<CipherSuite> suite;
    if (settings_.prefer_client_cipher_order) {
        for (std::size_t i = 0; i + 1 < ch.cipher_suites.size() && !suite; i += 2) {
            const auto offered = static_cast<CipherSuite>(ch.cipher_suites[i] << 8 | ch.cipher_suites[i + 1]);
            if (std::find(settings_.cipher_suites.begin(), settings_.cipher_suites.end(), offered) !=
                settings_.cipher_suites.end())
                suite = offered;
        }
    } else {
        for (auto s : settings_.cipher_suites)
            if (ch.offers_suite(s)) {
                suite = s;
                break;
            }
    }
    if (!suite) return Error{ErrorCode::handshake_failure, "no cipher suite in common"};
    if (retry && *suite != retry->suite)
        return Error{ErrorCode::illegal_parameter, "the second ClientHello changed the cipher suite"};
    auto params = resolve_suite(config_.provider(), *suite);
    if (!params) return Error{ErrorCode::internal_error, "configured cipher suite has no implementation"};
    c.suite = *params;
    TLS_TRY_SET(c.server_name, choose_server_name(ch));
    TLS_TRY_SET(c.alpn, choose_alpn(settings_, ch));
    TLS_TRY(choose_psk(ch, raw, retry, hooks, c));
    if (c.psk_ke) return c;  // no key exchange, no certificate

    // Key exchange: supported_groups and key_share go together (RFC 8446 9.2).
    auto groups_data = ext.find(ExtensionType::supported_groups);
    auto shares_data = ext.find(ExtensionType::key_share);
    if (!groups_data || !shares_data)
        return Error{ErrorCode::missing_extension, "ClientHello without supported_groups and key_share"};
    TLS_TRY_ASSIGN(groups, parse_named_group_list(*groups_data));
    TLS_TRY_ASSIGN(shares, parse_client_key_shares(*shares_data));
    for (const auto& share : shares)
        if (std::find(groups.begin(), groups.end(), share.group) == groups.end())
            return Error{ErrorCode::illegal_parameter, "key_share for a group not in supported_groups"};
    if (retry) {
        // RFC 8446 4.1.2: exactly one share, for the group the HelloRetryRequest named.
        if (shares.size() != 1 || shares[0].group != retry->group)
            return Error{ErrorCode::illegal_parameter, "the second ClientHello has the wrong key_share"};
        c.group = retry->group;
        c.client_share = shares[0].key_exchange;
    } else {
        // Prefer a group the client sent a share for (no extra round trip), in the server's order.
        for (auto g : settings_.groups) {
            auto it = std::find_if(shares.begin(), shares.end(), [&](const auto& s) { return s.group == g; });
            if (it != shares.end()) {
                c.group = g;
                c.client_share = it->key_exchange;
                break;
            }
        }
        if (!c.client_share) {
            auto it = std::find_first_of(settings_.groups.begin(), settings_.groups.end(), groups.begin(), groups.end());
            if (it == settings_.groups.end()) return Error{ErrorCode::handshake_failure, "no key exchange group in common"};
            c.group = *it;
        }
    }

    // RFC 8446 4.2.10: a HelloRetryRequest rejects early data.
    if (!c.client_share) c.early_data = false;
    if (c.resumed) return c;  // the certificate was the original handshake's
    auto schemes_data = ext.find(ExtensionType::signature_algorithms);
    if (!schemes_data) return Error{ErrorCode::missing_extension, "ClientHello without signature_algorithms"};
    TLS_TRY_ASSIGN(schemes, parse_signature_scheme_list(*schemes_data));
    TLS_TRY_SET(c.certificate, choose_certificate(settings_, ch, c.server_name));
    std::optional<SignatureScheme> scheme;
    for (auto s : schemes) {
        if (allowed_in_certificate_verify(s) && c.certificate->key->supports(s) &&
            std::find(settings_.signature_schemes.begin(), settings_.signature_schemes.end(), s) !=
                settings_.signature_schemes.end()) {
            scheme = s;
            break;
        }
    }
    if (!scheme) return Error{ErrorCode::handshake_failure, "no signature scheme in common with the certificate's key"};
    c.scheme = *scheme;
    return c;
}

// --- ClientHello -------------------------------------------------------------------

Result<void> ServerHandshake::send_compatibility_ccs(ConnectionCore& core, const ClientHello& ch) {
    // RFC 8446 D.4: a client that sent a session id is in compatibility mode.
    if (ch.legacy_session_id.empty() || ccs_sent_) return success();
    ccs_sent_ = true;
    return core.send_change_cipher_spec();
}

Result<void> ServerHandshake::on_client_hello(ConnectionCore& core, Bytes body, Bytes raw,
                                              const WaitSecondClientHello* retry) {
    TLS_TRY_ASSIGN(ch, ClientHello::parse(body));
    if (!retry) {
        TLS_TRY_ASSIGN(version, choose_version(settings_, ch));
        if (version == ProtocolVersion::tls12) {
            TLS_TRY_ASSIGN(engine, start_tls12_server(core, config_, ch, raw));
            core.hand_over(std::move(engine));
            return success();
        }
    }
    TLS_TRY_ASSIGN(choices, negotiate(ch, raw, retry, core.hooks()));
    tickets_wanted_ = ch.extensions.contains(ExtensionType::psk_key_exchange_modes);
    if (!retry) {
        core.set_client_random(ch.random);
        core.reader().allow_compatibility_ccs(true);
    }
    // 0-RTT not accepted: skip what the client sends under the early key (by
    // trial decryption, or every application_data record until the second
    // ClientHello after a HelloRetryRequest).
    if (ch.extensions.contains(ExtensionType::early_data)) {
        if (retry) return Error{ErrorCode::illegal_parameter, "early_data in the ClientHello after HelloRetryRequest"};
        core.negotiated().early_data =
            choices.early_data ? Connection::EarlyData::accepted : Connection::EarlyData::rejected;
        const bool retrying = !choices.client_share && !choices.psk_ke;
        if (!choices.early_data)
            core.reader().skip_early_data(retrying ? record::RecordReader::EarlyDataSkip::skip_application_data
                                                   : record::RecordReader::EarlyDataSkip::trial_decrypt,
                                          max_skipped_early_data);
    }
    // RFC 8446 4.2.2: the second ClientHello echoes the HelloRetryRequest's cookie.
    if (retry && !retry->cookie.empty()) {
        auto data = ch.extensions.find(ExtensionType::cookie);
        if (!data) return Error{ErrorCode::missing_extension, "the second ClientHello has no cookie"};
        TLS_TRY_ASSIGN(cookie, parse_cookie(*data));
        if (!std::equal(cookie.begin(), cookie.end(), retry->cookie.begin(), retry->cookie.end()))
            return Error{ErrorCode::illegal_parameter, "the second ClientHello does not echo the cookie"};
    } else if (ch.extensions.contains(ExtensionType::cookie)) {
        // A cookie only ever echoes a HelloRetryRequest's; this server sent none.
        return Error{ErrorCode::illegal_parameter, "a ClientHello carries a cookie the server never sent"};
    }
    if (!choices.client_share && !choices.psk_ke) return send_hello_retry_request(core, ch, choices, raw);
    return send_server_flight(core, ch, choices, raw);
}

Result<void> ServerHandshake::send_hello_retry_request(ConnectionCore& core, const ClientHello& ch,
                                                       const Choices& choices, Bytes raw) {
    // key_share, cookie, supported_versions: the order RFC 8448 shows.
    const auto& cookie = core.hooks().hello_retry_cookie;
    ExtensionList ext;
    TLS_TRY(ext.add(ExtensionType::key_share, [&](codec::Writer& w) { w.u16(static_cast<std::uint16_t>(choices.group)); }));
    if (!cookie.empty()) {
        TLS_TRY(ext.add(ExtensionType::cookie, [&](codec::Writer& w) {
            auto c = w.open_vector(2);
            w.bytes(cookie);
            w.close_vector(c);
        }));
    }
    TLS_TRY(ext.add(ExtensionType::supported_versions,
                    [&](codec::Writer& w) { w.u16(static_cast<std::uint16_t>(ProtocolVersion::tls13)); }));
    ServerHello hrr;
    hrr.random = hello_retry_request_random;
    hrr.legacy_session_id_echo = ch.legacy_session_id;
    hrr.cipher_suite = choices.suite.suite;
    const auto list = ext.list();
    TLS_TRY_ASSIGN(message, write_to_vector(128, [&](codec::Writer& w) { write_server_hello(w, hrr, list); }));

    secrets_.emplace(choices.suite);
    secrets_->transcript.add(raw);
    secrets_->transcript.replace_with_message_hash();
    secrets_->transcript.add(message);
    TLS_TRY(core.send_handshake(message));
    TLS_TRY(send_compatibility_ccs(core, ch));
    core.negotiated().hello_retry_request = true;
    state_ = WaitSecondClientHello{choices.suite.suite, choices.group, cookie};
    return success();
}

Result<void> ServerHandshake::send_server_flight(ConnectionCore& core, const ClientHello& ch, const Choices& choices,
                                                 Bytes raw) {
    crypto::Rng& rng = config_.rng();
    std::uint8_t random[32];
    TLS_TRY(rng.fill(random));
    crypto::Secret shared;  // empty with psk_ke: the handshake secret extracts over zeros
    std::unique_ptr<crypto::KeyExchangeKey> key;
    if (!choices.psk_ke) {
        const auto* kx = config_.provider().find(choices.group);
        if (!kx) return Error{ErrorCode::internal_error, "configured group has no implementation"};
        TLS_TRY_SET(key, kx->generate(rng));
        TLS_TRY(key->agree(*choices.client_share, shared.resize(kx->shared_secret_size)));
    }

    // ServerHello: pre_shared_key, key_share, supported_versions (the order RFC 8448 shows).
    ExtensionList ext;
    if (choices.resumed)
        TLS_TRY(ext.add(ExtensionType::pre_shared_key, [&](codec::Writer& w) { w.u16(choices.psk_identity); }));
    if (key) {
        TLS_TRY(ext.add(ExtensionType::key_share, [&](codec::Writer& w) {
            w.u16(static_cast<std::uint16_t>(choices.group));
            auto share = w.open_vector(2);
            w.bytes(key->public_key());
            w.close_vector(share);
        }));
    }
    TLS_TRY(ext.add(ExtensionType::supported_versions,
                    [&](codec::Writer& w) { w.u16(static_cast<std::uint16_t>(ProtocolVersion::tls13)); }));
    ServerHello sh;
    sh.random = Bytes(random, sizeof random);
    sh.legacy_session_id_echo = ch.legacy_session_id;
    sh.cipher_suite = choices.suite.suite;
    const auto sh_list = ext.list();
    TLS_TRY_ASSIGN(server_hello, write_to_vector(256, [&](codec::Writer& w) { write_server_hello(w, sh, sh_list); }));

    if (!secrets_) secrets_.emplace(choices.suite);
    auto& s = *secrets_;
    s.transcript.add(raw);
    const auto hello_only_hash = s.transcript_hash();  // for the early secret
    s.transcript.add(server_hello);
    TLS_TRY(core.send_handshake(server_hello));
    TLS_TRY(send_compatibility_ccs(core, ch));

    const auto hello_hash = s.transcript_hash();
    const Bytes psk = choices.resumed ? choices.resumed->psk.bytes() : Bytes{};
    HandshakeSecret hs = EarlySecret(*choices.suite.hash, psk).into_handshake(shared.bytes());
    s.client_handshake = hs.client_handshake_traffic_secret(hello_hash.bytes());
    s.server_handshake = hs.server_handshake_traffic_secret(hello_hash.bytes());
    s.master.emplace(std::move(hs).into_master());
    TLS_TRY(core.set_write_secret(choices.suite, s.server_handshake.bytes()));
    // With 0-RTT accepted, the client's early data comes first, under the early
    // key of the ClientHello (RFC 8446 7.1); its handshake key follows EndOfEarlyData.
    if (choices.early_data) {
        const auto early = EarlySecret(*choices.suite.hash, psk).client_early_traffic_secret(hello_only_hash.bytes());
        TLS_TRY(core.set_read_secret(choices.suite, early.bytes()));
        core.log_secret(keylog_client_early, early.bytes());
    } else {
        TLS_TRY(core.set_read_secret(choices.suite, s.client_handshake.bytes()));
    }
    core.log_secret(keylog_client_handshake, s.client_handshake.bytes());
    core.log_secret(keylog_server_handshake, s.server_handshake.bytes());

    // EncryptedExtensions.
    ExtensionList ee;
    if (!choices.server_name.empty()) ee.add_empty(ExtensionType::server_name);
    if (choices.early_data) ee.add_empty(ExtensionType::early_data);
    if (!choices.alpn.empty()) {
        // RFC 7301 3.1: the reply is a ProtocolNameList of exactly one name.
        const std::vector<Bytes> selected{
            Bytes(reinterpret_cast<const std::uint8_t*>(choices.alpn.data()), choices.alpn.size())};
        TLS_TRY(ee.add(ExtensionType::application_layer_protocol_negotiation,
                       [&](codec::Writer& w) { write_alpn_list(w, selected); }));
    }
    const auto ee_list = ee.list();
    TLS_TRY_ASSIGN(encrypted_extensions, write_handshake_message(HandshakeType::encrypted_extensions, 64,
                                                                 [&](codec::Writer& w) { Extensions::write(w, ee_list); }));
    if (core.hooks().rewrite_encrypted_extensions) core.hooks().rewrite_encrypted_extensions(encrypted_extensions);
    s.transcript.add(encrypted_extensions);
    // EncryptedExtensions .. Finished go out as one flight: coalesced into as few
    // records as the fragment limit allows (one, usually), as NSS (RFC 8448),
    // BoringSSL and rustls send them, instead of one record (and AEAD call,
    // and 22 bytes of overhead) per message.
    std::vector<std::uint8_t> flight;
    append(flight, encrypted_extensions);

    // With a PSK, Finished follows EncryptedExtensions: no certificates either
    // way (RFC 8446 2.2; 4.3.2 forbids a CertificateRequest).
    std::vector<SignatureScheme> client_schemes;
    const bool ask_client = settings_.client_auth != ClientAuth::none && !choices.resumed;
    if (ask_client) {
        TLS_TRY_ASSIGN(request, certificate_request(client_schemes));
        if (core.hooks().rewrite_certificate_request) {
            // Tests only: the schemes allowed are the replacement's.
            core.hooks().rewrite_certificate_request(request);
            TLS_TRY_ASSIGN(parsed, parse_handshake_message(request));
            TLS_TRY_ASSIGN(cr, CertificateRequest::parse(parsed.body));
            TLS_TRY_SET(client_schemes,
                        parse_signature_scheme_list(*cr.extensions.find(ExtensionType::signature_algorithms)));
        }
        s.transcript.add(request);
        append(flight, request);
    }
    if (!choices.resumed) {
        // Certificate and CertificateVerify.
        std::vector<Bytes> chain;
        for (const auto& cert : choices.certificate->chain) chain.push_back(cert.der());
        TLS_TRY_ASSIGN(certificate, write_certificate({}, chain));
        s.transcript.add(certificate);
        append(flight, certificate);

        const auto cert_hash = s.transcript_hash();
        const auto content = certificate_verify_content(Signer::server, cert_hash.bytes());
        const auto& signing_key = *choices.certificate->key;
        std::vector<std::uint8_t> signature(signing_key.max_signature_size());
        TLS_TRY_ASSIGN(signature_size, signing_key.sign(choices.scheme, content, rng, signature));
        signature.resize(signature_size);
        TLS_TRY_ASSIGN(certificate_verify, write_certificate_verify(choices.scheme, signature));
        s.transcript.add(certificate_verify);
        append(flight, certificate_verify);
    }

    // Finished, then the application write key (RFC 8446 4.4.4).
    FinishedToSend finished(*choices.suite.hash, s.server_handshake.bytes(), s.transcript_hash().bytes());
    TLS_TRY_ASSIGN(finished_message, write_finished(finished.verify_data.bytes()));
    s.transcript.add(finished_message);
    append(flight, finished_message);
    TLS_TRY(core.send_handshake(flight));
    auto app = s.master->application_secrets(s.transcript_hash().bytes(), finished.sent);
    s.client_application = app.client;
    s.server_application = app.server;
    TLS_TRY(core.set_write_secret(choices.suite, app.server.bytes()));
    core.log_secret(keylog_client_traffic, app.client.bytes());
    core.log_secret(keylog_server_traffic, app.server.bytes());
    core.log_secret(keylog_exporter, app.exporter.bytes());

    auto& n = core.negotiated();
    n.version = ProtocolVersion::tls13;
    n.suite = choices.suite.suite;
    if (!choices.psk_ke) n.group = choices.group;
    if (!choices.resumed) n.signature_scheme = choices.scheme;
    n.alpn = choices.alpn;
    n.server_name = choices.server_name;
    if (choices.resumed) {
        // The client's chain, if the original handshake had one (mutual TLS).
        n.resumed = true;
        for (const auto& der : choices.resumed->client_chain) {
            auto cert = Certificate::from_der(der);
            if (!cert) return Error{ErrorCode::internal_error, "a ticket holds a certificate that does not parse"};
            n.peer_chain.push_back(std::move(*cert));
        }
    }
    if (choices.early_data) state_ = WaitEndOfEarlyData{settings_.max_early_data_size};
    else if (ask_client) state_ = WaitClientCertificate{std::move(client_schemes)};
    else state_ = WaitFinished{};
    return success();
}

// --- The client's certificate (mutual TLS) -------------------------------------------

Result<std::vector<std::uint8_t>> ServerHandshake::certificate_request(std::vector<SignatureScheme>& schemes) const {
    // The schemes the server can verify, in its order; the acceptable issuers.
    for (auto scheme : settings_.signature_schemes)
        if (allowed_in_certificate_verify(scheme) && config_.provider().find(scheme)) schemes.push_back(scheme);
    if (schemes.empty()) return Error{ErrorCode::internal_error, "no signature scheme to verify client certificates with"};
    std::vector<std::uint16_t> codes;
    for (auto scheme : schemes) codes.push_back(static_cast<std::uint16_t>(scheme));
    ExtensionList ext;
    TLS_TRY(ext.add(ExtensionType::signature_algorithms, [&](codec::Writer& w) { write_u16_list(w, 2, codes); }));
    if (settings_.send_client_ca_names) {
        const auto issuers = settings_.client_verifier->acceptable_issuers();
        std::vector<Bytes> names;
        std::size_t total = 0;
        for (const auto& issuer : issuers) {
            if (issuer.empty() || issuer.size() > 0xffff) continue;
            total += 2 + issuer.size();
            names.emplace_back(issuer);
        }
        // A list too long for its u16 length (thousands of roots) is left out:
        // the extension is a hint, not a rule.
        if (!names.empty() && total <= 0xffff)
            TLS_TRY(ext.add(ExtensionType::certificate_authorities,
                            [&](codec::Writer& w) { write_certificate_authorities(w, names); }));
    }
    const auto list = ext.list();
    return write_certificate_request({}, list);
}

Result<void> ServerHandshake::on_client_certificate(ConnectionCore& core, std::vector<SignatureScheme> schemes,
                                                    Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(msg, CertificateMessage::parse(body));
    // RFC 8446 4.4.2: the context echoes the request's, which is empty in the handshake.
    if (!msg.context.empty()) return Error{ErrorCode::illegal_parameter, "client Certificate context differs from the request's"};
    auto& s = *secrets_;
    if (msg.entries.empty()) {
        // RFC 8446 4.4.2.4: no certificate; the server decides.
        if (settings_.client_auth == ClientAuth::required)
            return Error{ErrorCode::certificate_required, "the client sent no certificate"};
        s.transcript.add(raw);
        state_ = WaitFinished{};
        return success();
    }
    std::vector<Certificate> chain;
    chain.reserve(msg.entries.size());
    for (const auto& entry : msg.entries) {
        // The server requested no OCSP or SCT, so any entry extension is unsolicited.
        if (!entry.extensions.all().empty())
            return Error{ErrorCode::unsupported_extension, "certificate entry extension the server did not request"};
        auto cert = Certificate::from_der(entry.cert_data);
        if (!cert) return Error{ErrorCode::bad_certificate, cert.error().message};
        chain.push_back(std::move(*cert));
    }
    TLS_TRY(settings_.client_verifier->verify_chain(chain, config_.now()));
    core.negotiated().peer_chain = std::move(chain);
    s.transcript.add(raw);
    state_ = WaitClientCertificateVerify{std::move(schemes)};
    return success();
}

Result<void> ServerHandshake::on_client_certificate_verify(ConnectionCore& core,
                                                           const std::vector<SignatureScheme>& schemes, Bytes body,
                                                           Bytes raw) {
    TLS_TRY_ASSIGN(cv, CertificateVerify::parse(body));
    if (std::find(schemes.begin(), schemes.end(), cv.scheme) == schemes.end())
        return Error{ErrorCode::illegal_parameter, "client CertificateVerify uses a scheme the server did not allow"};
    auto& s = *secrets_;
    const auto hash = s.transcript_hash();
    const auto content = certificate_verify_content(Signer::client, hash.bytes());
    TLS_TRY(settings_.client_verifier->verify_signature(cv.scheme, content, cv.signature,
                                                        core.negotiated().peer_chain.front(), config_.provider()));
    s.transcript.add(raw);
    state_ = WaitFinished{};
    return success();
}

// --- The client's Finished ---------------------------------------------------------

Result<void> ServerHandshake::on_finished(ConnectionCore& core, Bytes body, Bytes raw) {
    auto& s = *secrets_;
    const auto& hash = *s.suite.hash;
    TLS_TRY_ASSIGN(verify_data, parse_finished(body, hash.output_size));
    TLS_TRY_ASSIGN(verified, verify_finished(hash, s.client_handshake.bytes(), s.transcript_hash().bytes(), verify_data));
    s.transcript.add(raw);
    TLS_TRY(core.set_read_secret(s.suite, s.client_application.bytes()));
    core.reader().allow_compatibility_ccs(false);
    post_handshake_ = PostHandshake(s.suite, s.client_application, s.server_application, /*is_server=*/true);
    // The transcript and the handshake secrets are done with (and wiped as they
    // go): keep only what resumption will need, so an idle connection stays small.
    resumption_master_ = s.master->resumption_master_secret(s.transcript_hash().bytes(), verified);
    suite_ = s.suite;
    secrets_.reset();
    state_ = Connected{};
    TLS_TRY(send_tickets(core));
    return core.complete_handshake();
}

// Session tickets (RFC 8446 4.6.1): stateless, the session sealed inside under
// the rotating ticket keys; each with its own nonce (so its own PSK) and age_add.
Result<void> ServerHandshake::send_tickets(ConnectionCore& core) {
    TicketProtector* ticketer = config_.ticketer();
    if (!ticketer || !tickets_wanted_ || settings_.tickets_per_handshake == 0) return success();
    const std::int64_t now = config_.now();
    std::vector<std::uint8_t> flight;
    for (std::size_t i = 0; i < settings_.tickets_per_handshake; ++i) {
        Tls13TicketState state;
        state.suite = suite_->suite;
        state.created = now;
        state.lifetime = settings_.ticket_lifetime;
        state.max_early_data = config_.strike_register() ? settings_.max_early_data_size : 0;
        std::uint8_t age_add[4];
        TLS_TRY(config_.rng().fill(age_add));
        state.age_add = static_cast<std::uint32_t>(age_add[0]) << 24 | age_add[1] << 16 | age_add[2] << 8 | age_add[3];
        const std::uint8_t nonce[1] = {static_cast<std::uint8_t>(i)};
        state.psk = resumption_psk(*suite_->hash, resumption_master_.bytes(), nonce);
        state.alpn = core.negotiated().alpn;
        state.server_name = core.negotiated().server_name;
        for (const auto& cert : core.negotiated().peer_chain) {
            const auto der = cert.der();
            state.client_chain.emplace_back(der.begin(), der.end());
        }
        TLS_TRY_ASSIGN(plain, encode_ticket_state(state));
        auto ticket = ticketer->seal(plain.bytes(), now);
        if (!ticket) return success();  // no ticket is no failure: the client makes a full handshake next time
        ExtensionList ext;
        if (state.max_early_data > 0)
            TLS_TRY(ext.add(ExtensionType::early_data, [&](codec::Writer& w) { w.u32(state.max_early_data); }));
        const auto list = ext.list();
        TLS_TRY_ASSIGN(message, write_new_session_ticket(state.lifetime, state.age_add, nonce, *ticket, list));
        append(flight, message);
    }
    return core.send_handshake(flight);
}

Result<void> ServerHandshake::on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) {
    const HandshakeType type = message.type;
    return std::visit(
        [&](auto& state) -> Result<void> {
            using S = std::decay_t<decltype(state)>;
            if constexpr (std::is_same_v<S, WaitClientHello>) {
                if (type != HandshakeType::client_hello) return unexpected("expected ClientHello");
                return on_client_hello(core, message.body, raw, nullptr);
            } else if constexpr (std::is_same_v<S, WaitSecondClientHello>) {
                if (type != HandshakeType::client_hello) return unexpected("expected the second ClientHello");
                const WaitSecondClientHello retry = state;
                return on_client_hello(core, message.body, raw, &retry);
            } else if constexpr (std::is_same_v<S, WaitEndOfEarlyData>) {
                if (type != HandshakeType::end_of_early_data) return unexpected("expected EndOfEarlyData");
                TLS_TRY(parse_end_of_early_data(message.body));
                secrets_->transcript.add(raw);
                TLS_TRY(core.set_read_secret(secrets_->suite, secrets_->client_handshake.bytes()));
                state_ = WaitFinished{};
                return success();
            } else if constexpr (std::is_same_v<S, WaitClientCertificate>) {
                if (type != HandshakeType::certificate) return unexpected("expected the client's Certificate");
                return on_client_certificate(core, std::move(state.schemes), message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitClientCertificateVerify>) {
                if (type != HandshakeType::certificate_verify) return unexpected("expected the client's CertificateVerify");
                const auto schemes = std::move(state.schemes);
                return on_client_certificate_verify(core, schemes, message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitFinished>) {
                if (type != HandshakeType::finished) return unexpected("expected Finished");
                return on_finished(core, message.body, raw);
            } else {
                // RFC 8446 4.1.2 / 4.6: a ClientHello after the handshake (renegotiation) is unexpected.
                return post_handshake_.on_message(core, message);
            }
        },
        state_);
}

}  // namespace

std::unique_ptr<HandshakeEngine> make_server_engine(const ServerConfig& config) {
    return std::make_unique<ServerHandshake>(config);
}

}  // namespace tls::handshake
