// The server's default check of a client's certificates (mutual TLS,
// include/tls/config.hpp): RFC 5280 path validation to the client roots for the
// clientAuth purpose (src/x509/verify.cpp). There is no name to check: who the
// client is, is for the application to read from peer_certificates().
#include <memory>
#include <utility>
#include <vector>

#include "tls/config.hpp"
#include "x509/verify.hpp"

namespace tls {

Result<void> verify_with_provider(crypto::SignatureScheme scheme, crypto::Bytes message, crypto::Bytes signature,
                                  const Certificate& leaf, const crypto::CryptoProvider& provider);

Result<void> ClientCertificateVerifier::verify_signature(crypto::SignatureScheme scheme, crypto::Bytes message,
                                                         crypto::Bytes signature, const Certificate& leaf,
                                                         const crypto::CryptoProvider& provider) const {
    return verify_with_provider(scheme, message, signature, leaf, provider);
}

namespace {

class WebPkiClientVerifier final : public ClientCertificateVerifier {
public:
    WebPkiClientVerifier(TrustStore roots, const crypto::CryptoProvider* provider)
        : roots_(std::move(roots)), provider_(provider) {
        for (const auto& anchor : roots_.store().anchors()) {
            const auto der = anchor->subject.der;
            issuers_.emplace_back(der.begin(), der.end());
        }
    }

    Result<void> verify_chain(std::span<const Certificate> chain, std::int64_t now) const override {
        if (chain.empty()) return Error{ErrorCode::bad_certificate, "the client sent no certificate"};
        for (const auto& certificate : chain)
            if (!certificate.parsed()) return Error{ErrorCode::invalid_argument, "an empty certificate in the chain"};
        std::vector<x509::CertificatePtr> intermediates;
        intermediates.reserve(chain.size() - 1);
        for (std::size_t i = 1; i < chain.size(); ++i) intermediates.push_back(chain[i].parsed());
        x509::VerifyOptions options;
        options.now = now;
        options.purpose = x509::Purpose::client_auth;
        options.provider = provider_;
        auto path = x509::verify_certificate(chain.front().parsed(), intermediates, roots_.store(), options);
        if (!path) return path.error();
        return success();
    }

    std::vector<std::vector<std::uint8_t>> acceptable_issuers() const override { return issuers_; }

private:
    TrustStore roots_;
    const crypto::CryptoProvider* provider_;
    std::vector<std::vector<std::uint8_t>> issuers_;
};

}  // namespace

std::shared_ptr<const ClientCertificateVerifier> webpki_client_verifier(TrustStore roots,
                                                                       const crypto::CryptoProvider* provider) {
    return std::make_shared<const WebPkiClientVerifier>(std::move(roots), provider);
}

}  // namespace tls
