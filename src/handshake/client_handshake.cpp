#include "handshake/client_handshake.hpp"

#include <algorithm>
#include <variant>

#include "handshake/client_engine.hpp"
#include "handshake/extension_codecs.hpp"
#include "handshake/tls12_client.hpp"
#include "x509/name_matching.hpp"

namespace tls::handshake {
namespace tls13_client {

const char* ClientHandshake::state_name() const noexcept {
    static constexpr const char* names[] = {"WAIT_SH", "WAIT_EE", "WAIT_CERT_CR", "WAIT_CERT",
                                            "WAIT_CV", "WAIT_FINISHED", "CONNECTED"};
    return names[state_.index()];
}

// --- ClientHello ---------------------------------------------------------------

Result<void> ClientHandshake::start(ConnectionCore& core) {
    crypto::Rng& rng = config_.rng();
    TLS_TRY(rng.fill(random_));
    core.set_client_random(random_);
    offer_tls13_ = settings_.allows(ProtocolVersion::tls13);
    offer_tls12_ = settings_.allows(ProtocolVersion::tls12);
    // A TLS 1.2 session to resume: its ticket goes in session_ticket (RFC 5077),
    // with a session id whose echo tells the server accepted it.
    if (settings_.resumption && settings_.session_cache && !server_name_.empty()) {
        auto session = settings_.session_cache->find(server_name_);
        if (session && session->version == ProtocolVersion::tls13 && offer_tls13_) {
            // TLS 1.3 tickets are used once (RFC 8446 C.4): take it out of the cache.
            session = settings_.session_cache->take(server_name_);
            auto suite = session ? resolve_suite(config_.provider(), session->suite) : std::nullopt;
            if (session && suite && !session->expired(config_.now()) &&
                std::find(settings_.cipher_suites.begin(), settings_.cipher_suites.end(), session->suite) !=
                    settings_.cipher_suites.end()) {
                tls13_session_ = std::move(session);
                tls13_session_suite_ = suite;
            }
        } else if (session && session->version == ProtocolVersion::tls12 && offer_tls12_ &&
            !session->expired(config_.now()) &&
            std::find(settings_.cipher_suites.begin(), settings_.cipher_suites.end(), session->suite) !=
                settings_.cipher_suites.end() &&
            (session->extended_master_secret || !settings_.require_extended_master_secret))
            tls12_session_ = std::move(session);
    }
    if ((offer_tls13_ && settings_.middlebox_compatibility) || tls12_session_) {
        TLS_TRY(rng.fill(session_id_));
        session_id_size_ = sizeof session_id_;
    }
    // SNI carries DNS names only (RFC 6066 3: no IP literals).
    send_sni_ = settings_.send_sni && !x509::parse_ip_address(server_name_).has_value();
    early_offered_ = tls13_session_ && settings_.enable_early_data && tls13_session_->max_early_data > 0;

    WaitServerHello wait;
    const std::size_t shares = offer_tls13_ ? std::min(settings_.key_shares, settings_.groups.size()) : 0;
    for (std::size_t i = 0; i < shares; ++i) {
        const auto* kx = config_.provider().find(settings_.groups[i]);
        if (!kx) return Error{ErrorCode::internal_error, "configured group has no implementation"};
        TLS_TRY_ASSIGN(key, kx->generate(rng));
        wait.keys.push_back(std::move(key));
    }
    TLS_TRY_SET(wait.client_hello, build_client_hello(wait.keys, {}));
    TLS_TRY(add_psk_binder(wait.client_hello, nullptr));
    if (core.hooks().rewrite_client_hello) core.hooks().rewrite_client_hello(wait.client_hello);
    // RFC 8446 5.1: the record version of an initial ClientHello may be 0x0301
    // (what TLS 1.2 peers and middleboxes expect, and what RFC 8448 shows);
    // every later record says 0x0303.
    core.writer().set_plaintext_version(0x0301);
    TLS_TRY(core.send_handshake(wait.client_hello));
    core.writer().set_plaintext_version(0x0303);
    // RFC 8446 D.4: the server may answer with a change_cipher_spec from now on.
    core.reader().allow_compatibility_ccs(true);
    if (early_offered_) TLS_TRY(start_early_data(core, wait.client_hello));
    state_ = std::move(wait);
    return success();
}

Result<std::vector<std::uint8_t>> ClientHandshake::build_client_hello(
    const std::vector<std::unique_ptr<crypto::KeyExchangeKey>>& keys, Bytes cookie) const {
    ExtensionList ext;
    if (send_sni_) {
        TLS_TRY(ext.add(ExtensionType::server_name, [&](codec::Writer& w) {
            write_server_name(w, Bytes(reinterpret_cast<const std::uint8_t*>(server_name_.data()), server_name_.size()));
        }));
    }
    // The lists go through the extension writers in extension_codecs.hpp.
    std::vector<std::uint16_t> groups, schemes;
    for (auto g : settings_.groups) groups.push_back(static_cast<std::uint16_t>(g));
    for (auto s : settings_.signature_schemes) schemes.push_back(static_cast<std::uint16_t>(s));
    TLS_TRY(ext.add(ExtensionType::supported_groups, [&](codec::Writer& w) { write_u16_list(w, 2, groups); }));
    TLS_TRY(ext.add(ExtensionType::signature_algorithms, [&](codec::Writer& w) { write_u16_list(w, 2, schemes); }));
    if (!settings_.alpn.empty()) {
        std::vector<Bytes> protocols;
        for (const auto& p : settings_.alpn)
            protocols.emplace_back(reinterpret_cast<const std::uint8_t*>(p.data()), p.size());
        TLS_TRY(ext.add(ExtensionType::application_layer_protocol_negotiation,
                        [&](codec::Writer& w) { write_alpn_list(w, protocols); }));
    }
    if (offer_tls13_) {
        std::vector<KeyShareEntry> shares;
        for (const auto& key : keys) shares.push_back(KeyShareEntry{key->group(), key->public_key()});
        TLS_TRY(ext.add(ExtensionType::key_share, [&](codec::Writer& w) { write_client_key_shares(w, shares); }));
        std::vector<std::uint16_t> versions{static_cast<std::uint16_t>(ProtocolVersion::tls13)};
        if (offer_tls12_) versions.push_back(static_cast<std::uint16_t>(ProtocolVersion::tls12));
        TLS_TRY(ext.add(ExtensionType::supported_versions, [&](codec::Writer& w) { write_u16_list(w, 1, versions); }));
    }
    if (offer_tls12_) {
        // TLS 1.2's own: uncompressed points only (RFC 8422 5.1.2), the extended
        // master secret (RFC 7627), secure renegotiation (RFC 5746: empty on an
        // initial handshake), and a session ticket (RFC 5077: empty asks for one).
        static constexpr std::uint8_t uncompressed[1] = {ec_point_format_uncompressed};
        TLS_TRY(ext.add(ExtensionType::ec_point_formats, [&](codec::Writer& w) { write_ec_point_formats(w, uncompressed); }));
        ext.add_empty(ExtensionType::extended_master_secret);
        TLS_TRY(ext.add(ExtensionType::renegotiation_info, [&](codec::Writer& w) { write_renegotiation_info(w, {}); }));
        if (settings_.resumption) {
            const Bytes ticket = tls12_session_ ? Bytes(tls12_session_->ticket) : Bytes{};
            TLS_TRY(ext.add(ExtensionType::session_ticket, [&](codec::Writer& w) { w.bytes(ticket); }));
        }
    }
    if (!cookie.empty()) {
        TLS_TRY(ext.add(ExtensionType::cookie, [&](codec::Writer& w) {
            auto c = w.open_vector(2);
            w.bytes(cookie);
            w.close_vector(c);
        }));
    }
    if (offer_tls13_ && settings_.resumption) {
        // Sent whenever resumption is on: servers issue tickets only to clients that send it.
        const std::uint8_t mode = settings_.resume_without_key_exchange ? psk_ke : psk_dhe_ke;
        TLS_TRY(ext.add(ExtensionType::psk_key_exchange_modes, [&](codec::Writer& w) {
            w.u8(1);
            w.u8(mode);
        }));
    }
    if (early_offered_ && !retried_) ext.add_empty(ExtensionType::early_data);
    if (tls13_session_) {
        // RFC 8446 4.2.11: last; the binder is filled in once the message is whole.
        const auto& s = *tls13_session_;
        const auto age_ms = static_cast<std::uint32_t>((config_.now() - s.received_at) * 1000);
        const std::vector<PskIdentity> identities{PskIdentity{Bytes(s.ticket), age_ms + s.age_add}};
        const std::vector<std::uint8_t> placeholder(tls13_session_suite_->hash->output_size, 0);
        const std::vector<Bytes> binders{Bytes(placeholder)};
        TLS_TRY(ext.add(ExtensionType::pre_shared_key,
                        [&](codec::Writer& w) { write_offered_psks(w, identities, binders); }));
    }

    std::vector<std::uint8_t> suites;
    for (auto s : settings_.cipher_suites) {
        suites.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) >> 8));
        suites.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(s)));
    }
    static constexpr std::uint8_t null_compression[1] = {0};
    ClientHello ch;
    ch.legacy_version = 0x0303;
    ch.random = Bytes(random_, sizeof random_);
    ch.legacy_session_id = Bytes(session_id_, session_id_size_);
    ch.cipher_suites = suites;
    ch.compression_methods = null_compression;
    const auto list = ext.list();
    return write_to_vector(512, [&](codec::Writer& w) { write_client_hello(w, ch, list); });
}

// --- ServerHello and HelloRetryRequest ---------------------------------------------

Result<void> ClientHandshake::check_common_server_hello(const ServerHello& sh, const WaitServerHello& state) const {
    if (!offer_tls13_)
        return Error{ErrorCode::unsupported_extension, "supported_versions in a ServerHello, but TLS 1.3 was not offered"};
    // RFC 8446 4.1.3: legacy_version 0x0303; the real version is in supported_versions.
    if (sh.kind == MessageKind::server_hello_tls12 || sh.legacy_version != 0x0303)
        return Error{ErrorCode::protocol_version, "the server does not speak TLS 1.3"};
    TLS_TRY_ASSIGN(version, parse_selected_version(*sh.extensions.find(ExtensionType::supported_versions)));
    if (version != static_cast<std::uint16_t>(ProtocolVersion::tls13))
        return Error{ErrorCode::illegal_parameter, "the server selected a version the client did not offer"};
    if (!std::equal(sh.legacy_session_id_echo.begin(), sh.legacy_session_id_echo.end(), session_id_,
                    session_id_ + session_id_size_))
        return Error{ErrorCode::illegal_parameter, "legacy_session_id_echo differs from the session id sent"};
    if (sh.compression_method != 0) return Error{ErrorCode::illegal_parameter, "compression method is not null"};
    if (std::find(settings_.cipher_suites.begin(), settings_.cipher_suites.end(), sh.cipher_suite) ==
        settings_.cipher_suites.end())
        return Error{ErrorCode::illegal_parameter, "the server selected a cipher suite the client did not offer"};
    if (state.retry_suite && *state.retry_suite != sh.cipher_suite)
        return Error{ErrorCode::illegal_parameter, "the cipher suite changed after HelloRetryRequest"};
    // Extensions the client did not offer (RFC 8446 4.2).
    if (sh.extensions.contains(ExtensionType::pre_shared_key) && !tls13_session_)
        return Error{ErrorCode::unsupported_extension, "pre_shared_key in ServerHello without a PSK offered"};
    return success();
}

Result<void> ClientHandshake::on_server_hello(ConnectionCore& core, WaitServerHello& state, Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(sh, ServerHello::parse(body));
    if (sh.kind == MessageKind::server_hello_tls12) return on_tls12_server_hello(core, state, sh, raw);
    TLS_TRY(check_common_server_hello(sh, state));
    if (sh.is_hello_retry_request()) return on_hello_retry_request(core, state, sh, raw);

    auto suite = resolve_suite(config_.provider(), sh.cipher_suite);
    if (!suite) return Error{ErrorCode::internal_error, "offered cipher suite has no implementation"};

    // Resumption (RFC 8446 4.2.11): the server chose the one identity offered,
    // with a suite of the PSK's hash.
    bool resumed = false;
    if (auto data = sh.extensions.find(ExtensionType::pre_shared_key)) {
        TLS_TRY_ASSIGN(selected, parse_selected_identity(*data));
        if (selected != 0) return Error{ErrorCode::illegal_parameter, "the server selected a PSK identity not offered"};
        if (suite->hash != tls13_session_suite_->hash)
            return Error{ErrorCode::illegal_parameter, "the server's cipher suite does not fit the PSK's hash"};
        resumed = true;
    }

    // (EC)DHE, unless the server resumed with psk_ke (then only if it was offered).
    crypto::Secret shared;
    std::optional<NamedGroup> group;
    if (auto share_data = sh.extensions.find(ExtensionType::key_share)) {
        TLS_TRY_ASSIGN(share, parse_server_key_share(*share_data));
        const crypto::KeyExchangeKey* key = nullptr;
        for (const auto& k : state.keys)
            if (k->group() == share.group) key = k.get();
        if (!key || (state.retry_group && share.group != *state.retry_group))
            return Error{ErrorCode::illegal_parameter, "key_share for a group the client sent no share for"};
        const auto* kx = config_.provider().find(share.group);
        TLS_TRY(key->agree(share.key_exchange, shared.resize(kx->shared_secret_size)));
        group = share.group;
    } else if (!resumed || !settings_.resume_without_key_exchange) {
        return Error{ErrorCode::missing_extension, "ServerHello has no key_share"};
    }

    if (!secrets_) {
        secrets_.emplace(*suite);
        secrets_->transcript.add(state.client_hello);
    }
    secrets_->transcript.add(raw);
    const auto hash = secrets_->transcript_hash();
    const Bytes psk = resumed ? tls13_session_->secret.bytes() : Bytes{};
    HandshakeSecret hs = EarlySecret(*suite->hash, psk).into_handshake(shared.bytes());
    secrets_->client_handshake = hs.client_handshake_traffic_secret(hash.bytes());
    secrets_->server_handshake = hs.server_handshake_traffic_secret(hash.bytes());
    secrets_->master.emplace(std::move(hs).into_master());
    TLS_TRY(core.set_read_secret(*suite, secrets_->server_handshake.bytes()));
    // With early data going out, the handshake write key waits for EndOfEarlyData.
    if (!early_pending(resumed)) {
        TLS_TRY(core.set_write_secret(*suite, secrets_->client_handshake.bytes()));
        if (early_offered_) core.negotiated().early_data = Connection::EarlyData::rejected;
    }
    core.log_secret(keylog_client_handshake, secrets_->client_handshake.bytes());
    core.log_secret(keylog_server_handshake, secrets_->server_handshake.bytes());

    auto& n = core.negotiated();
    n.version = ProtocolVersion::tls13;
    n.suite = sh.cipher_suite;
    n.group = group;
    if (send_sni_) n.server_name = server_name_;
    if (resumed) {
        // Nothing about certificates is checked again: the chain is the original handshake's.
        n.resumed = true;
        n.peer_chain = tls13_session_->peer_chain;
    }
    tls13_session_.reset();
    state_ = WaitEncryptedExtensions{resumed};
    return success();
}

Result<void> ClientHandshake::on_tls12_server_hello(ConnectionCore& core, WaitServerHello& state,
                                                    const ServerHello& sh, Bytes raw) {
    // RFC 8446 4.1.3: a client offering 1.3 refuses a 1.2 answer whose random
    // says the server speaks 1.3: an attacker removed it from the ClientHello.
    if (offer_tls13_ && has_downgrade_sentinel(sh.random))
        return Error{ErrorCode::illegal_parameter, "ServerHello.random carries a TLS 1.3 downgrade sentinel"};
    if (state.retry_suite) return Error{ErrorCode::protocol_version, "a TLS 1.2 ServerHello after a HelloRetryRequest"};
    Tls12ClientOffer offer;
    offer.client_hello = std::move(state.client_hello);
    std::copy(random_, random_ + sizeof random_, offer.random.begin());
    offer.session_id.assign(session_id_, session_id_ + session_id_size_);
    offer.sent_sni = send_sni_;
    offer.sent_session_ticket = offer_tls12_ && settings_.resumption;
    offer.session = tls12_session_;
    TLS_TRY_ASSIGN(engine, start_tls12_client(core, config_, server_name_, std::move(offer), sh, raw));
    core.hand_over(std::move(engine));
    return success();
}

Result<void> ClientHandshake::on_hello_retry_request(ConnectionCore& core, WaitServerHello& state,
                                                     const ServerHello& hrr, Bytes raw) {
    if (state.retry_suite) return unexpected("a second HelloRetryRequest");
    auto suite = resolve_suite(config_.provider(), hrr.cipher_suite);
    if (!suite) return Error{ErrorCode::internal_error, "offered cipher suite has no implementation"};

    std::optional<NamedGroup> group;
    if (auto data = hrr.extensions.find(ExtensionType::key_share)) {
        TLS_TRY_ASSIGN(selected, parse_hello_retry_key_share(*data));
        const bool supported = std::find(settings_.groups.begin(), settings_.groups.end(), selected) != settings_.groups.end();
        const bool already_sent = std::any_of(state.keys.begin(), state.keys.end(),
                                              [&](const auto& k) { return k->group() == selected; });
        // RFC 8446 4.1.4: a group not offered, or one a share was already sent for.
        if (!supported || already_sent)
            return Error{ErrorCode::illegal_parameter, "HelloRetryRequest asks for a group the client cannot use"};
        group = selected;
    }
    std::optional<Bytes> cookie;
    if (auto data = hrr.extensions.find(ExtensionType::cookie)) {
        TLS_TRY_ASSIGN(c, parse_cookie(*data));
        cookie = c;
    }
    if (!group && !cookie)
        return Error{ErrorCode::illegal_parameter, "HelloRetryRequest that would not change the ClientHello"};

    // Transcript: message_hash(ClientHello1) || HelloRetryRequest (RFC 8446 4.4.1).
    secrets_.emplace(*suite);
    secrets_->transcript.add(state.client_hello);
    secrets_->transcript.replace_with_message_hash();
    secrets_->transcript.add(raw);

    if (group) {
        const auto* kx = config_.provider().find(*group);
        if (!kx) return Error{ErrorCode::internal_error, "configured group has no implementation"};
        TLS_TRY_ASSIGN(key, kx->generate(config_.rng()));
        state.keys.clear();
        state.keys.push_back(std::move(key));
    }
    if (cookie) cookie_.assign(cookie->begin(), cookie->end());
    state.retry_suite = hrr.cipher_suite;
    state.retry_group = group ? group : std::optional<NamedGroup>(state.keys.front()->group());
    // RFC 8446 4.1.2: no early data after a HelloRetryRequest; the second
    // ClientHello goes out unprotected.
    retried_ = true;
    if (early_offered_) {
        core.writer().clear_cipher();
        core.negotiated().early_data = Connection::EarlyData::rejected;
    }
    // A PSK whose hash the HelloRetryRequest's suite does not share cannot be used (RFC 8446 4.1.4).
    if (tls13_session_ && tls13_session_suite_->hash != suite->hash) tls13_session_.reset();
    TLS_TRY_SET(state.client_hello, build_client_hello(state.keys, cookie_));
    TLS_TRY(add_psk_binder(state.client_hello, &secrets_->transcript));
    if (core.hooks().rewrite_second_client_hello) core.hooks().rewrite_second_client_hello(state.client_hello);
    if (session_id_size_ != 0 && !ccs_sent_) {
        TLS_TRY(core.send_change_cipher_spec());
        ccs_sent_ = true;
    }
    TLS_TRY(core.send_handshake(state.client_hello));
    secrets_->transcript.add(state.client_hello);
    core.negotiated().hello_retry_request = true;
    return success();
}

// --- The server's encrypted flight ---------------------------------------------

Result<void> ClientHandshake::on_encrypted_extensions(ConnectionCore& core, Bytes body, Bytes raw, bool resumed) {
    TLS_TRY_ASSIGN(ee, EncryptedExtensions::parse(body));
    for (const auto& e : ee.extensions.all()) {
        switch (e.type) {
            case ExtensionType::server_name: {
                // RFC 6066 3: an acknowledgement is empty, and only answers an SNI sent.
                if (!send_sni_) return Error{ErrorCode::unsupported_extension, "server_name acknowledged but not sent"};
                if (!e.data.empty()) return Error{ErrorCode::decode_error, "server_name acknowledgement is not empty"};
                break;
            }
            case ExtensionType::supported_groups: break;  // the server's preferences: informational
            case ExtensionType::early_data: {
                // RFC 8446 4.2.10: accepts the early data of a resumed first ClientHello.
                if (!early_pending(resumed))
                    return Error{ErrorCode::unsupported_extension, "early_data accepted but not offered"};
                if (!e.data.empty()) return Error{ErrorCode::decode_error, "early_data in EncryptedExtensions is not empty"};
                core.negotiated().early_data = Connection::EarlyData::accepted;
                break;
            }
            case ExtensionType::application_layer_protocol_negotiation:
                TLS_TRY_SET(core.negotiated().alpn, parse_selected_alpn(e.data, settings_.alpn));
                break;
            default: {
                const auto& accepted = core.hooks().accept_in_encrypted_extensions;  // tests only
                if (std::find(accepted.begin(), accepted.end(), e.type) != accepted.end()) break;
                return Error{ErrorCode::unsupported_extension,
                             "EncryptedExtensions answers an extension the client did not send"};
            }
        }
    }
    if (early_pending(resumed) && core.negotiated().early_data != Connection::EarlyData::accepted)
        core.negotiated().early_data = Connection::EarlyData::rejected;
    secrets_->transcript.add(raw);
    // RFC 8446 A.1: with a PSK, Finished comes next.
    if (resumed) state_ = WaitFinished{};
    else state_ = WaitCertificateOrRequest{};
    return success();
}

Result<void> ClientHandshake::on_certificate(ConnectionCore& core, Bytes body, Bytes raw,
                                             std::optional<CertificateRequested> request) {
    TLS_TRY_ASSIGN(msg, CertificateMessage::parse(body));
    if (!msg.context.empty()) return Error{ErrorCode::illegal_parameter, "server Certificate has a request context"};
    // RFC 8446 4.4.2.4: an empty server Certificate is a decode_error.
    if (msg.entries.empty()) return Error{ErrorCode::decode_error, "the server sent no certificate"};
    std::vector<Certificate> chain;
    chain.reserve(msg.entries.size());
    for (const auto& entry : msg.entries) {
        // The client requests no OCSP or SCT, so any entry extension is unsolicited.
        if (!entry.extensions.all().empty())
            return Error{ErrorCode::unsupported_extension, "certificate entry extension the client did not request"};
        auto cert = Certificate::from_der(entry.cert_data);
        if (!cert) return Error{ErrorCode::bad_certificate, cert.error().message};
        chain.push_back(std::move(*cert));
    }
    TLS_TRY(settings_.verifier->verify_chain(chain, server_name_, config_.now()));
    core.negotiated().peer_chain = std::move(chain);
    secrets_->transcript.add(raw);
    state_ = WaitCertificateVerify{std::move(request)};
    return success();
}

Result<void> ClientHandshake::on_certificate_verify(ConnectionCore& core, Bytes body, Bytes raw,
                                                    std::optional<CertificateRequested> request) {
    TLS_TRY_ASSIGN(cv, CertificateVerify::parse(body));
    if (!offered_signature_scheme(cv.scheme) || !allowed_in_certificate_verify(cv.scheme))
        return Error{ErrorCode::illegal_parameter, "CertificateVerify uses a signature scheme the client did not offer"};
    const auto hash = secrets_->transcript_hash();
    const auto content = certificate_verify_content(Signer::server, hash.bytes());
    TLS_TRY(settings_.verifier->verify_signature(cv.scheme, content, cv.signature, core.negotiated().peer_chain.front(),
                                                 config_.provider()));
    core.negotiated().signature_scheme = cv.scheme;
    secrets_->transcript.add(raw);
    state_ = WaitFinished{std::move(request)};
    return success();
}

Result<void> ClientHandshake::on_finished(ConnectionCore& core, Bytes body, Bytes raw,
                                          const std::optional<CertificateRequested>& request) {
    const auto& hash = *secrets_->suite.hash;
    TLS_TRY_ASSIGN(verify_data, parse_finished(body, hash.output_size));
    TLS_TRY_ASSIGN(verified, verify_finished(hash, secrets_->server_handshake.bytes(),
                                             secrets_->transcript_hash().bytes(), verify_data));
    secrets_->transcript.add(raw);
    const auto server_finished_hash = secrets_->transcript_hash();
    auto app = secrets_->master->application_secrets(server_finished_hash.bytes(), verified);
    secrets_->client_application = app.client;
    secrets_->server_application = app.server;
    TLS_TRY(core.set_read_secret(secrets_->suite, app.server.bytes()));
    core.reader().allow_compatibility_ccs(false);
    core.log_secret(keylog_client_traffic, app.client.bytes());
    core.log_secret(keylog_server_traffic, app.server.bytes());
    core.log_secret(keylog_exporter, app.exporter.bytes());

    // 0-RTT: EndOfEarlyData under the early key if the server took the early
    // data (RFC 8446 4.5); either way the handshake key protects the rest.
    if (early_offered_ && !retried_ && core.negotiated().resumed) {
        if (core.negotiated().early_data == Connection::EarlyData::accepted) {
            TLS_TRY_ASSIGN(eoed, write_handshake_message(HandshakeType::end_of_early_data, 0, [](codec::Writer&) {}));
            TLS_TRY(core.send_handshake(eoed));
            secrets_->transcript.add(eoed);
        }
        TLS_TRY(core.set_write_secret(secrets_->suite, secrets_->client_handshake.bytes()));
    }
    client_early_ = crypto::Secret();
    // The client's second flight: [change_cipher_spec] [Certificate [CertificateVerify]] Finished.
    if (session_id_size_ != 0 && !ccs_sent_) {
        TLS_TRY(core.send_change_cipher_spec());
        ccs_sent_ = true;
    }
    // The flight's handshake messages go out in one write, coalesced into one
    // record (as the server's flight is; RFC 8448 6 shows them so).
    std::vector<std::uint8_t> flight;
    if (request) TLS_TRY_SET(flight, client_certificate_flight(*request));
    FinishedToSend finished(hash, secrets_->client_handshake.bytes(), secrets_->transcript_hash().bytes());
    TLS_TRY_ASSIGN(message, write_finished(finished.verify_data.bytes()));
    secrets_->transcript.add(message);
    flight.reserve(flight.size() + message.size());
    for (auto b : message) flight.push_back(b);  // a loop: GCC 12 -O3 warns falsely on insert
    TLS_TRY(core.send_handshake(flight));
    TLS_TRY(core.set_write_secret(secrets_->suite, app.client.bytes()));
    post_handshake_ = PostHandshake(secrets_->suite, secrets_->client_application, secrets_->server_application,
                                    /*is_server=*/false);
    // The transcript and the handshake secrets are done with (and wiped as they
    // go): keep only what resumption will need, so an idle connection stays small.
    resumption_master_ = secrets_->master->resumption_master_secret(secrets_->transcript_hash().bytes(), verified);
    suite_ = secrets_->suite;
    secrets_.reset();
    state_ = Connected{};
    return core.complete_handshake();
}

// --- Dispatch ----------------------------------------------------------------------

Result<void> ClientHandshake::on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) {
    const HandshakeType type = message.type;
    return std::visit(
        [&](auto& state) -> Result<void> {
            using S = std::decay_t<decltype(state)>;
            if constexpr (std::is_same_v<S, WaitServerHello>) {
                if (type != HandshakeType::server_hello) return unexpected("expected ServerHello");
                return on_server_hello(core, state, message.body, raw);
            } else if constexpr (std::is_same_v<S, WaitEncryptedExtensions>) {
                if (type != HandshakeType::encrypted_extensions) return unexpected("expected EncryptedExtensions");
                return on_encrypted_extensions(core, message.body, raw, state.resumed);
            } else if constexpr (std::is_same_v<S, WaitCertificateOrRequest>) {
                if (type == HandshakeType::certificate_request) return on_certificate_request(message.body, raw);
                if (type != HandshakeType::certificate) return unexpected("expected Certificate or CertificateRequest");
                return on_certificate(core, message.body, raw, std::nullopt);
            } else if constexpr (std::is_same_v<S, WaitCertificate>) {
                if (type != HandshakeType::certificate) return unexpected("expected Certificate");
                return on_certificate(core, message.body, raw, std::move(state.request));
            } else if constexpr (std::is_same_v<S, WaitCertificateVerify>) {
                if (type != HandshakeType::certificate_verify) return unexpected("expected CertificateVerify");
                return on_certificate_verify(core, message.body, raw, std::move(state.request));
            } else if constexpr (std::is_same_v<S, WaitFinished>) {
                if (type != HandshakeType::finished) return unexpected("expected Finished");
                auto context = std::move(state.request);
                return on_finished(core, message.body, raw, context);
            } else {
                if (type == HandshakeType::new_session_ticket) return on_new_session_ticket(core, message.body);
                return post_handshake_.on_message(core, message);
            }
        },
        state_);
}

}  // namespace tls13_client

std::unique_ptr<HandshakeEngine> make_client_engine(const ClientConfig& config, std::string server_name) {
    return std::make_unique<tls13_client::ClientHandshake>(config, std::move(server_name));
}

}  // namespace tls::handshake
