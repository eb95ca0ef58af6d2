// Signatures: verification with public keys given as views of their raw
// components (the X.509 layer parses SubjectPublicKeyInfo into these), and
// signing keys loaded from private key components.
//
// Policy enforced here, for every caller: RSA moduli of 2048 to 8192 bits; ECDSA
// signatures in strict DER; no SHA-1 in any TLS signature scheme.
#pragma once

#include <cstddef>
#include <memory>
#include <variant>

#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/rng.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

inline constexpr std::size_t rsa_min_bits = 2048;
inline constexpr std::size_t rsa_max_bits = 8192;

// Big-endian unsigned integers (leading zeros allowed).
struct RsaPublicKey {
    Bytes modulus;
    Bytes exponent;
};
// curve is secp256r1 or secp384r1; point is the uncompressed X9.62 encoding.
struct EcPublicKey {
    NamedGroup curve;
    Bytes point;
};
struct Ed25519PublicKey {
    Bytes key;  // 32 bytes
};
using PublicKey = std::variant<RsaPublicKey, EcPublicKey, Ed25519PublicKey>;

// Verifies one TLS signature scheme. message is the whole signed content (the
// verifier hashes it). Fails with bad_signature, invalid_public_key, weak_key or
// decode_error (a malformed ECDSA DER signature).
struct SignatureVerifier {
    SignatureScheme scheme;
    const char* backend;
    Result<void> (*verify)(const PublicKey& key, Bytes message, Bytes signature) noexcept;
};

// RSASSA-PSS with explicit parameters, as X.509 RSASSA-PSS-params can state them.
struct RsaPssParams {
    HashAlgorithm hash;
    HashAlgorithm mgf1_hash;
    std::size_t salt_size;
};
struct RsaPssVerifier {
    const char* backend;
    Result<void> (*verify)(const RsaPublicKey& key, const RsaPssParams& params, Bytes message,
                           Bytes signature) noexcept;
};

// Private key components, as the key-file parsers produce them.
struct RsaPrivateKey {
    Bytes modulus, public_exponent, private_exponent, prime1, prime2, exponent1, exponent2,
        coefficient;
};
struct EcPrivateKey {
    NamedGroup curve;
    Bytes scalar;  // big-endian, curve order size
};
struct Ed25519PrivateKey {
    Bytes seed;  // the 32-byte RFC 8032 private key
};
using PrivateKey = std::variant<RsaPrivateKey, EcPrivateKey, Ed25519PrivateKey>;

// A loaded private key. Wiped on destruction.
class SigningKey {
public:
    virtual ~SigningKey() = default;
    // Whether this key can produce the scheme (key type, curve and size match).
    virtual bool supports(SignatureScheme scheme) const noexcept = 0;
    // An upper bound on the signature size, for sizing buffers.
    virtual std::size_t max_signature_size() const noexcept = 0;
    // Signs message with scheme into out; returns the signature size.
    virtual Result<std::size_t> sign(SignatureScheme scheme, Bytes message, Rng& rng,
                                     MutableBytes out) const noexcept = 0;
    // The matching public key (views into this object).
    virtual PublicKey public_key() const noexcept = 0;
};

struct SigningKeyFactory {
    const char* backend;
    const char* key_kinds;  // for describe(): "RSA, ECDSA P-256/P-384"
    // Which private key kinds this backend loads.
    bool (*can_load)(const PrivateKey& key) noexcept;
    Result<std::unique_ptr<SigningKey>> (*load)(const PrivateKey& key) noexcept;
};

}  // namespace tls::crypto
