#include "handshake/cipher_suites.hpp"

namespace tls::handshake {

std::optional<Tls13SuiteAlgorithms> tls13_suite_algorithms(CipherSuite suite) noexcept {
    using crypto::AeadAlgorithm;
    using crypto::HashAlgorithm;
    switch (suite) {
        case CipherSuite::tls_aes_128_gcm_sha256: return Tls13SuiteAlgorithms{AeadAlgorithm::aes128_gcm, HashAlgorithm::sha256};
        case CipherSuite::tls_aes_256_gcm_sha384: return Tls13SuiteAlgorithms{AeadAlgorithm::aes256_gcm, HashAlgorithm::sha384};
        case CipherSuite::tls_chacha20_poly1305_sha256:
            return Tls13SuiteAlgorithms{AeadAlgorithm::chacha20_poly1305, HashAlgorithm::sha256};
        default: return std::nullopt;
    }
}

std::optional<SuiteParams> resolve_suite(const crypto::CryptoProvider& provider, CipherSuite suite) noexcept {
    auto algorithms = tls13_suite_algorithms(suite);
    if (!algorithms) return std::nullopt;
    const auto* aead = provider.find(algorithms->aead);
    const auto* hash = provider.find(algorithms->hash);
    if (!aead || !hash) return std::nullopt;
    return SuiteParams{suite, aead, hash};
}

}  // namespace tls::handshake
