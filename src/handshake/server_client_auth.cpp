// The TLS 1.3 server's side of mutual TLS (RFC 8446 4.3.2, 4.4.2, 4.4.3): the
// CertificateRequest, then the client's Certificate and CertificateVerify.
#include <algorithm>
#include <cstdlib>

#include "handshake/extension_codecs.hpp"
#include "handshake/server_engine.hpp"

namespace tls::handshake::tls13_server {

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

}  // namespace tls::handshake::tls13_server
