// Printable names for error codes and algorithm identifiers.
#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/cipher.hpp"
#include "tls/result.hpp"

namespace tls {

const char* to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::decode_error: return "decode_error";
        case ErrorCode::unexpected_message: return "unexpected_message";
        case ErrorCode::record_overflow: return "record_overflow";
        case ErrorCode::protocol_version: return "protocol_version";
        case ErrorCode::illegal_parameter: return "illegal_parameter";
        case ErrorCode::unsupported_extension: return "unsupported_extension";
        case ErrorCode::missing_extension: return "missing_extension";
        case ErrorCode::handshake_failure: return "handshake_failure";
        case ErrorCode::no_application_protocol: return "no_application_protocol";
        case ErrorCode::certificate_required: return "certificate_required";
        case ErrorCode::unrecognized_name: return "unrecognized_name";
        case ErrorCode::alert_received: return "alert_received";
        case ErrorCode::peer_closed: return "peer_closed";
        case ErrorCode::bad_record_mac: return "bad_record_mac";
        case ErrorCode::bad_signature: return "bad_signature";
        case ErrorCode::invalid_public_key: return "invalid_public_key";
        case ErrorCode::weak_key: return "weak_key";
        case ErrorCode::zero_shared_secret: return "zero_shared_secret";
        case ErrorCode::certificate_expired: return "certificate_expired";
        case ErrorCode::unknown_issuer: return "unknown_issuer";
        case ErrorCode::certificate_name_mismatch: return "certificate_name_mismatch";
        case ErrorCode::bad_certificate: return "bad_certificate";
        case ErrorCode::unsupported_certificate: return "unsupported_certificate";
        case ErrorCode::invalid_argument: return "invalid_argument";
        case ErrorCode::unsupported: return "unsupported";
        case ErrorCode::buffer_too_small: return "buffer_too_small";
        case ErrorCode::rng_failure: return "rng_failure";
        case ErrorCode::sequence_exhausted: return "sequence_exhausted";
        case ErrorCode::crypto_backend: return "crypto_backend";
        case ErrorCode::internal_error: return "internal_error";
        case ErrorCode::bad_password: return "bad_password";
    }
    return "unknown";
}

namespace crypto {

const char* to_string(HashAlgorithm h) noexcept {
    switch (h) {
        case HashAlgorithm::sha1: return "SHA-1";
        case HashAlgorithm::sha256: return "SHA-256";
        case HashAlgorithm::sha384: return "SHA-384";
        case HashAlgorithm::sha512: return "SHA-512";
    }
    return "unknown";
}

const char* to_string(AeadAlgorithm a) noexcept {
    switch (a) {
        case AeadAlgorithm::aes128_gcm: return "AES-128-GCM";
        case AeadAlgorithm::aes256_gcm: return "AES-256-GCM";
        case AeadAlgorithm::chacha20_poly1305: return "ChaCha20-Poly1305";
    }
    return "unknown";
}

const char* to_string(NamedGroup g) noexcept {
    switch (g) {
        case NamedGroup::secp256r1: return "secp256r1";
        case NamedGroup::secp384r1: return "secp384r1";
        case NamedGroup::secp521r1: return "secp521r1";
        case NamedGroup::x25519: return "x25519";
        case NamedGroup::x448: return "x448";
    }
    return "unknown";
}

const char* to_string(SignatureScheme s) noexcept {
    switch (s) {
        case SignatureScheme::rsa_pkcs1_sha1: return "rsa_pkcs1_sha1";
        case SignatureScheme::ecdsa_sha1: return "ecdsa_sha1";
        case SignatureScheme::rsa_pkcs1_sha256: return "rsa_pkcs1_sha256";
        case SignatureScheme::rsa_pkcs1_sha384: return "rsa_pkcs1_sha384";
        case SignatureScheme::rsa_pkcs1_sha512: return "rsa_pkcs1_sha512";
        case SignatureScheme::ecdsa_secp256r1_sha256: return "ecdsa_secp256r1_sha256";
        case SignatureScheme::ecdsa_secp384r1_sha384: return "ecdsa_secp384r1_sha384";
        case SignatureScheme::ecdsa_secp521r1_sha512: return "ecdsa_secp521r1_sha512";
        case SignatureScheme::rsa_pss_rsae_sha256: return "rsa_pss_rsae_sha256";
        case SignatureScheme::rsa_pss_rsae_sha384: return "rsa_pss_rsae_sha384";
        case SignatureScheme::rsa_pss_rsae_sha512: return "rsa_pss_rsae_sha512";
        case SignatureScheme::ed25519: return "ed25519";
        case SignatureScheme::ed448: return "ed448";
        case SignatureScheme::rsa_pss_pss_sha256: return "rsa_pss_pss_sha256";
        case SignatureScheme::rsa_pss_pss_sha384: return "rsa_pss_pss_sha384";
        case SignatureScheme::rsa_pss_pss_sha512: return "rsa_pss_pss_sha512";
    }
    return "unknown";
}

const char* to_string(BlockCipher c) noexcept {
    switch (c) {
        case BlockCipher::aes128_cbc: return "AES-128-CBC";
        case BlockCipher::aes256_cbc: return "AES-256-CBC";
        case BlockCipher::des_ede3_cbc: return "DES-EDE3-CBC";
        case BlockCipher::rc2_40_cbc: return "RC2-40-CBC";
    }
    return "unknown";
}

}  // namespace crypto
}  // namespace tls
