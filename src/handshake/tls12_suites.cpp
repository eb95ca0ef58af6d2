#include "handshake/tls12_suites.hpp"

namespace tls::handshake {

std::optional<Tls12SuiteAlgorithms> tls12_suite_algorithms(CipherSuite suite) noexcept {
    using crypto::AeadAlgorithm;
    using crypto::HashAlgorithm;
    auto make = [](AeadAlgorithm aead, HashAlgorithm hash, Tls12SignatureKey key) {
        return Tls12SuiteAlgorithms{aead, hash, key, tls12_fixed_iv_size(aead)};
    };
    switch (suite) {
        case CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256:
            return make(AeadAlgorithm::aes128_gcm, HashAlgorithm::sha256, Tls12SignatureKey::ecdsa);
        case CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384:
            return make(AeadAlgorithm::aes256_gcm, HashAlgorithm::sha384, Tls12SignatureKey::ecdsa);
        case CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256:
            return make(AeadAlgorithm::chacha20_poly1305, HashAlgorithm::sha256, Tls12SignatureKey::ecdsa);
        case CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256:
            return make(AeadAlgorithm::aes128_gcm, HashAlgorithm::sha256, Tls12SignatureKey::rsa);
        case CipherSuite::tls_ecdhe_rsa_with_aes_256_gcm_sha384:
            return make(AeadAlgorithm::aes256_gcm, HashAlgorithm::sha384, Tls12SignatureKey::rsa);
        case CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256:
            return make(AeadAlgorithm::chacha20_poly1305, HashAlgorithm::sha256, Tls12SignatureKey::rsa);
        default: return std::nullopt;
    }
}

std::span<const CipherSuite> tls12_default_suites() noexcept {
    static constexpr CipherSuite suites[] = {
        CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
        CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384,
        CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
        CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256,
        CipherSuite::tls_ecdhe_rsa_with_aes_256_gcm_sha384,
        CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256,
    };
    return suites;
}

std::optional<Tls12SuiteParams> resolve_tls12_suite(const crypto::CryptoProvider& provider, CipherSuite suite) noexcept {
    auto algorithms = tls12_suite_algorithms(suite);
    if (!algorithms) return std::nullopt;
    const auto* aead = provider.find(algorithms->aead);
    const auto* hash = provider.find(algorithms->prf_hash);
    if (!aead || !hash) return std::nullopt;
    return Tls12SuiteParams{suite, aead, hash, algorithms->signature_key, algorithms->fixed_iv_size};
}

bool tls12_scheme_fits(crypto::SignatureScheme scheme, Tls12SignatureKey key) noexcept {
    using crypto::SignatureScheme;
    switch (scheme) {
        case SignatureScheme::ecdsa_secp256r1_sha256:
        case SignatureScheme::ecdsa_secp384r1_sha384:
        case SignatureScheme::ecdsa_secp521r1_sha512:
        case SignatureScheme::ed25519: return key == Tls12SignatureKey::ecdsa;
        case SignatureScheme::rsa_pss_rsae_sha256:
        case SignatureScheme::rsa_pss_rsae_sha384:
        case SignatureScheme::rsa_pss_rsae_sha512:
        case SignatureScheme::rsa_pss_pss_sha256:
        case SignatureScheme::rsa_pss_pss_sha384:
        case SignatureScheme::rsa_pss_pss_sha512:
        case SignatureScheme::rsa_pkcs1_sha256:
        case SignatureScheme::rsa_pkcs1_sha384:
        case SignatureScheme::rsa_pkcs1_sha512: return key == Tls12SignatureKey::rsa;
        default: return false;
    }
}

std::optional<Tls12SignatureKey> tls12_signature_key_of(const crypto::SigningKey& key) noexcept {
    using crypto::SignatureScheme;
    for (auto s : {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
                   SignatureScheme::ecdsa_secp521r1_sha512, SignatureScheme::ed25519})
        if (key.supports(s)) return Tls12SignatureKey::ecdsa;
    for (auto s : {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_pss_sha256,
                   SignatureScheme::rsa_pkcs1_sha256})
        if (key.supports(s)) return Tls12SignatureKey::rsa;
    return std::nullopt;
}

}  // namespace tls::handshake
