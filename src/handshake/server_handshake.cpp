#include "handshake/server_handshake.hpp"

#include <algorithm>
#include <variant>

#include "handshake/extension_codecs.hpp"
#include "handshake/server_choices.hpp"
#include "handshake/server_engine.hpp"
#include "handshake/tls12_server.hpp"

namespace tls::handshake {
namespace tls13_server {

const char* ServerHandshake::state_name() const noexcept {
    static constexpr const char* names[] = {"RECVD_CH",  "RECVD_CH_2",    "WAIT_EOED", "WAIT_CERT",
                                            "WAIT_CV", "WAIT_FINISHED", "CONNECTED"};
    return names[state_.index()];
}

// --- Negotiation -------------------------------------------------------------------

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

}  // namespace tls13_server

std::unique_ptr<HandshakeEngine> make_server_engine(const ServerConfig& config) {
    return std::make_unique<tls13_server::ServerHandshake>(config);
}

}  // namespace tls::handshake
