// The TLS 1.3 client's side of mutual TLS (RFC 8446 4.3.2, 4.4.2, 4.4.3): what
// a CertificateRequest asks for, and the Certificate and CertificateVerify that answer it.
#include "handshake/client_engine.hpp"
#include "handshake/extension_codecs.hpp"

namespace tls::handshake::tls13_client {

Result<void> ClientHandshake::on_certificate_request(Bytes body, Bytes raw) {
    TLS_TRY_ASSIGN(cr, CertificateRequest::parse(body));
    // RFC 8446 4.3.2: the context is empty in the handshake; signature_algorithms is mandatory.
    if (!cr.context.empty()) return Error{ErrorCode::illegal_parameter, "CertificateRequest context is not empty"};
    if (!cr.extensions.contains(ExtensionType::signature_algorithms))
        return Error{ErrorCode::missing_extension, "CertificateRequest without signature_algorithms"};
    CertificateRequested request;
    request.context.assign(cr.context.begin(), cr.context.end());
    TLS_TRY_SET(request.schemes, parse_signature_scheme_list(*cr.extensions.find(ExtensionType::signature_algorithms)));
    if (auto data = cr.extensions.find(ExtensionType::certificate_authorities)) {
        TLS_TRY_ASSIGN(names, parse_certificate_authorities(*data));
        for (auto name : names) request.issuers.emplace_back(name.begin(), name.end());
    }
    secrets_->transcript.add(raw);
    state_ = WaitCertificate{std::move(request)};
    return success();
}

// Certificate and CertificateVerify for a server that asked (RFC 8446 4.4.2,
// 4.4.3): the configured or resolved certificate if its key can sign one of the
// server's schemes, else an empty Certificate and nothing more.
Result<std::vector<std::uint8_t>> ClientHandshake::client_certificate_flight(const CertificateRequested& request) {
    std::shared_ptr<const CertifiedKey> certificate = settings_.client_certificate;
    if (settings_.client_certificate_resolver) {
        CertificateRequestInfo info;
        info.server_name = server_name_;
        info.acceptable_issuers = request.issuers;
        info.signature_schemes = request.schemes;
        certificate = settings_.client_certificate_resolver(info);
    }
    std::optional<SignatureScheme> scheme;
    if (certificate && certificate->key) {
        for (auto s : request.schemes)
            if (allowed_in_certificate_verify(s) && certificate->key->supports(s)) {
                scheme = s;
                break;
            }
    }
    std::vector<Bytes> chain;
    if (scheme)
        for (const auto& cert : certificate->chain) chain.push_back(cert.der());
    TLS_TRY_ASSIGN(flight, write_certificate(request.context, chain));
    secrets_->transcript.add(flight);
    if (!scheme) return flight;

    const auto hash = secrets_->transcript_hash();
    const auto content = certificate_verify_content(Signer::client, hash.bytes());
    std::vector<std::uint8_t> signature(certificate->key->max_signature_size());
    TLS_TRY_ASSIGN(size, certificate->key->sign(*scheme, content, config_.rng(), signature));
    signature.resize(size);
    TLS_TRY_ASSIGN(certificate_verify, write_certificate_verify(*scheme, signature));
    secrets_->transcript.add(certificate_verify);
    flight.reserve(flight.size() + certificate_verify.size());
    for (auto b : certificate_verify) flight.push_back(b);  // a loop: GCC 12 -O3 warns falsely on insert
    return flight;
}

}  // namespace tls::handshake::tls13_client
