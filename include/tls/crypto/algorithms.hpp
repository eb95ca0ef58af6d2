// Algorithm identifiers. The TLS ones carry their IANA code points and, being
// enums over the full integer type, also hold values cordon does not know
// (a peer's GREASE or future entries round-trip unchanged).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tls::crypto {

// Hash functions. SHA-1 exists only for X.509/PKCS#12 needs, never TLS signatures.
enum class HashAlgorithm : std::uint8_t { sha1, sha256, sha384, sha512 };

// AEAD algorithms used by TLS 1.3 and TLS 1.2 AEAD suites.
enum class AeadAlgorithm : std::uint8_t { aes128_gcm, aes256_gcm, chacha20_poly1305 };

// TLS NamedGroup (RFC 8446 4.2.7): key exchange groups.
enum class NamedGroup : std::uint16_t {
    secp256r1 = 0x0017,
    secp384r1 = 0x0018,
    secp521r1 = 0x0019,
    x25519 = 0x001d,
    x448 = 0x001e,
};

// TLS SignatureScheme (RFC 8446 4.2.3).
enum class SignatureScheme : std::uint16_t {
    rsa_pkcs1_sha1 = 0x0201,  // legacy: never accepted by cordon
    ecdsa_sha1 = 0x0203,      // legacy: never accepted by cordon
    rsa_pkcs1_sha256 = 0x0401,
    rsa_pkcs1_sha384 = 0x0501,
    rsa_pkcs1_sha512 = 0x0601,
    ecdsa_secp256r1_sha256 = 0x0403,
    ecdsa_secp384r1_sha384 = 0x0503,
    ecdsa_secp521r1_sha512 = 0x0603,
    rsa_pss_rsae_sha256 = 0x0804,
    rsa_pss_rsae_sha384 = 0x0805,
    rsa_pss_rsae_sha512 = 0x0806,
    ed25519 = 0x0807,
    ed448 = 0x0808,
    rsa_pss_pss_sha256 = 0x0809,
    rsa_pss_pss_sha384 = 0x080a,
    rsa_pss_pss_sha512 = 0x080b,
};

// Names for logs and tables ("AES-128-GCM", "x25519", "ecdsa_secp256r1_sha256").
// Unknown values give "unknown".
const char* to_string(HashAlgorithm) noexcept;
const char* to_string(AeadAlgorithm) noexcept;
const char* to_string(NamedGroup) noexcept;
const char* to_string(SignatureScheme) noexcept;

// Output size of a hash in bytes (20, 32, 48, 64).
constexpr std::size_t hash_output_size(HashAlgorithm h) noexcept {
    switch (h) {
        case HashAlgorithm::sha1: return 20;
        case HashAlgorithm::sha256: return 32;
        case HashAlgorithm::sha384: return 48;
        case HashAlgorithm::sha512: return 64;
    }
    return 0;
}

// Key size of an AEAD in bytes.
constexpr std::size_t aead_key_size(AeadAlgorithm a) noexcept {
    switch (a) {
        case AeadAlgorithm::aes128_gcm: return 16;
        case AeadAlgorithm::aes256_gcm: return 32;
        case AeadAlgorithm::chacha20_poly1305: return 32;
    }
    return 0;
}

}  // namespace tls::crypto
