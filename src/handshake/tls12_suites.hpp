// The TLS 1.2 cipher suites cordon speaks (issue 7): ECDHE with ECDSA or RSA
// signatures and an AEAD (RFC 5289 for AES-GCM, RFC 7905 for ChaCha20-Poly1305).
// Each names its record AEAD, the hash of its PRF, the key type that signs the
// ServerKeyExchange, and the fixed IV length of its record nonce. The TLS 1.3
// table is in cipher_suites.hpp; the two never share a code point.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "tls/crypto/provider.hpp"
#include "tls/protocol.hpp"

namespace tls::handshake {

// The type of the server's certificate key, which signs the ServerKeyExchange.
enum class Tls12SignatureKey : std::uint8_t { ecdsa, rsa };

// The fixed (implicit) IV from the key block (RFC 5246 6.3): 4 bytes of salt for
// AES-GCM (RFC 5288 3), a full 12-byte IV for ChaCha20-Poly1305 (RFC 7905 2).
constexpr std::size_t tls12_fixed_iv_size(crypto::AeadAlgorithm aead) noexcept {
    return aead == crypto::AeadAlgorithm::chacha20_poly1305 ? 12 : 4;
}

struct Tls12SuiteAlgorithms {
    crypto::AeadAlgorithm aead;
    crypto::HashAlgorithm prf_hash;  // also the Finished handshake hash
    Tls12SignatureKey signature_key;
    std::size_t fixed_iv_size;
};
// The algorithms of a TLS 1.2 suite; nothing for TLS 1.3 suites and everything
// cordon refuses (CBC, RSA key transport, static DH, ...).
std::optional<Tls12SuiteAlgorithms> tls12_suite_algorithms(CipherSuite suite) noexcept;

// The suites in cordon's default preference order: ECDSA before RSA, and within
// each AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305.
std::span<const CipherSuite> tls12_default_suites() noexcept;

// Whether a signature scheme may sign the ServerKeyExchange of a suite whose
// certificate key is `key`: ECDSA or Ed25519 (RFC 8422) for ECDHE_ECDSA; RSA-PSS
// or PKCS#1 v1.5 with SHA-256 or better for ECDHE_RSA. Never SHA-1 or MD5.
bool tls12_scheme_fits(crypto::SignatureScheme scheme, Tls12SignatureKey key) noexcept;

// The TLS 1.2 suite family a signing key serves, or nothing (no such key type).
std::optional<Tls12SignatureKey> tls12_signature_key_of(const crypto::SigningKey& key) noexcept;

struct Tls12SuiteParams {
    CipherSuite suite;
    const crypto::AeadDescriptor* aead;
    const crypto::HashDescriptor* prf_hash;
    Tls12SignatureKey signature_key;
    std::size_t fixed_iv_size;
};
// The suite with the provider's implementations, or nothing when the suite is not a
// TLS 1.2 suite cordon speaks or the provider lacks its AEAD or hash.
std::optional<Tls12SuiteParams> resolve_tls12_suite(const crypto::CryptoProvider& provider, CipherSuite suite) noexcept;

}  // namespace tls::handshake
