// The client's default check of a server's certificates (include/tls/config.hpp):
// RFC 5280 path validation to the configured roots and RFC 6125 name checks,
// both in src/x509/verify.cpp, plus the default CertificateVerify signature check.
#include <memory>
#include <utility>
#include <vector>

#include "tls/config.hpp"
#include "x509/name_matching.hpp"
#include "x509/verify.hpp"

namespace tls {

// The CertificateVerify check both verifier interfaces default to (client_verifier.cpp too).
Result<void> verify_with_provider(crypto::SignatureScheme scheme, crypto::Bytes message, crypto::Bytes signature,
                                  const Certificate& leaf, const crypto::CryptoProvider& provider);

Result<void> verify_with_provider(crypto::SignatureScheme scheme, crypto::Bytes message, crypto::Bytes signature,
                                  const Certificate& leaf, const crypto::CryptoProvider& provider) {
    // RFC 8446 4.4.3: the scheme must be one this side offered; cordon offers
    // only what its provider verifies, so a scheme without a verifier is illegal.
    const crypto::SignatureVerifier* verifier = provider.find(scheme);
    if (verifier == nullptr)
        return Error{ErrorCode::illegal_parameter,
                     "the peer signed with a signature scheme this provider does not verify"};
    if (!leaf.parsed() || !leaf.parsed()->public_key)
        return Error{ErrorCode::unsupported_certificate, "the certificate's public key type is not supported"};
    // The verifier checks that the key fits the scheme (type, curve, size).
    return verifier->verify(*leaf.parsed()->public_key, message, signature);
}

Result<void> ServerCertificateVerifier::verify_signature(crypto::SignatureScheme scheme, crypto::Bytes message,
                                                         crypto::Bytes signature, const Certificate& leaf,
                                                         const crypto::CryptoProvider& provider) const {
    return verify_with_provider(scheme, message, signature, leaf, provider);
}

Result<void> ServerCertificateVerifier::verify_tls12_signature(crypto::SignatureScheme scheme, crypto::Bytes message,
                                                               crypto::Bytes signature, const Certificate& leaf,
                                                               const crypto::CryptoProvider& provider) const {
    using crypto::SignatureScheme;
    std::optional<crypto::HashAlgorithm> ecdsa_hash;
    if (scheme == SignatureScheme::ecdsa_secp256r1_sha256) ecdsa_hash = crypto::HashAlgorithm::sha256;
    if (scheme == SignatureScheme::ecdsa_secp384r1_sha384) ecdsa_hash = crypto::HashAlgorithm::sha384;
    if (scheme == SignatureScheme::ecdsa_secp521r1_sha512) ecdsa_hash = crypto::HashAlgorithm::sha512;
    const auto* ec = leaf.parsed() && leaf.parsed()->public_key
                         ? std::get_if<crypto::EcPublicKey>(&*leaf.parsed()->public_key)
                         : nullptr;
    if (!ecdsa_hash || ec == nullptr || provider.ecdsa == nullptr)
        return verify_signature(scheme, message, signature, leaf, provider);
    return provider.ecdsa->verify(*ec, *ecdsa_hash, message, signature);
}

namespace {

class WebPkiServerVerifier final : public ServerCertificateVerifier {
public:
    WebPkiServerVerifier(TrustStore roots, const crypto::CryptoProvider* provider)
        : roots_(std::move(roots)), provider_(provider) {}

    Result<void> verify_chain(std::span<const Certificate> chain, std::string_view server_name,
                              std::int64_t now) const override {
        if (chain.empty()) return Error{ErrorCode::bad_certificate, "the server sent no certificate"};
        // A client always knows whom it wanted to reach; without a name there is nothing to check against.
        if (server_name.empty())
            return Error{ErrorCode::invalid_argument, "no server name to check the certificate against"};
        for (const auto& certificate : chain)
            if (!certificate.parsed()) return Error{ErrorCode::invalid_argument, "an empty certificate in the chain"};

        std::vector<x509::CertificatePtr> intermediates;
        intermediates.reserve(chain.size() - 1);
        for (std::size_t i = 1; i < chain.size(); ++i) intermediates.push_back(chain[i].parsed());

        x509::VerifyOptions options;
        options.now = now;
        options.purpose = x509::Purpose::server_auth;
        const auto kind = x509::parse_ip_address(server_name) ? x509::PeerName::Kind::ip : x509::PeerName::Kind::dns;
        options.peer_name = x509::PeerName{kind, std::string(server_name)};
        options.provider = provider_;

        auto path = x509::verify_certificate(chain.front().parsed(), intermediates, roots_.store(), options);
        if (!path) return path.error();
        return success();
    }

private:
    TrustStore roots_;
    const crypto::CryptoProvider* provider_;
};

}  // namespace

std::shared_ptr<const ServerCertificateVerifier> webpki_server_verifier(TrustStore roots,
                                                                       const crypto::CryptoProvider* provider) {
    return std::make_shared<const WebPkiServerVerifier>(std::move(roots), provider);
}

}  // namespace tls
