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

}  // namespace tls::handshake
