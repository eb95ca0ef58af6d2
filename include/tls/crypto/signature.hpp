// Signatures: verification with public keys given as views of their raw
// components (the X.509 layer parses SubjectPublicKeyInfo into these), and
// signing keys loaded from private key components.
//
// Policy enforced here, for every caller: RSA moduli of 2048 to 8192 bits; ECDSA
// signatures in strict DER; no SHA-1 in any TLS signature scheme.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <variant>

#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/rng.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

inline constexpr std::size_t rsa_min_bits = 2048;
inline constexpr std::size_t rsa_max_bits = 8192;

// RSASSA-PSS with explicit parameters, as X.509 RSASSA-PSS-params can state them.
struct RsaPssParams {
    HashAlgorithm hash;
    HashAlgorithm mgf1_hash;
    std::size_t salt_size;
};

// Big-endian unsigned integers (leading zeros allowed).
//
// pss_only marks an id-RSASSA-PSS key (RFC 4055 1.2), as opposed to an
// rsaEncryption one: it makes RSASSA-PSS signatures only, so in TLS 1.3 the
// rsa_pss_pss_* schemes and never rsa_pss_rsae_* or rsa_pkcs1_* (RFC 8446 4.2.3).
// pss_params are the key's RSASSA-PSS-params when its AlgorithmIdentifier states
// them (RFC 4055 3.1): then only that hash and MGF1 hash, with a salt of at least
// salt_size bytes (RFC 4055 3.3). Both are set by the SPKI and key file parsers.
struct RsaPublicKey {
    Bytes modulus;
    Bytes exponent;
    bool pss_only = false;
    std::optional<RsaPssParams> pss_params = std::nullopt;
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
// verifier hashes it). Fails with bad_signature, invalid_public_key, weak_key,
// decode_error (a malformed ECDSA DER signature) or illegal_parameter (an RSA
// scheme that does not fit the key's type, see check_rsa_scheme()).
struct SignatureVerifier {
    SignatureScheme scheme;
    const char* backend;
    Result<void> (*verify)(const PublicKey& key, Bytes message, Bytes signature) noexcept;
};

// RSASSA-PSS with explicit parameters (X.509 signatures). An id-RSASSA-PSS key
// with parameters refuses others (check_rsa_pss_params()).
struct RsaPssVerifier {
    const char* backend;
    Result<void> (*verify)(const RsaPublicKey& key, const RsaPssParams& params, Bytes message,
                           Bytes signature) noexcept;
};

// ECDSA with the hash chosen apart from the curve: TLS 1.2's ecdsa_* code points
// name only the hash (RFC 8422 5.1.1; RFC 8446 4.2.3 binds the curve in TLS 1.3
// only), so a TLS 1.2 server may sign with a P-384 key and SHA-256. The curve
// is the key's; hash is SHA-256, SHA-384 or SHA-512.
struct EcdsaVerifier {
    const char* backend;
    Result<void> (*verify)(const EcPublicKey& key, HashAlgorithm hash, Bytes message, Bytes signature) noexcept;
};
// Private key components, as the key-file parsers produce them. pss_only and
// pss_params as in RsaPublicKey (a PKCS#8 key with the id-RSASSA-PSS algorithm).
struct RsaPrivateKey {
    Bytes modulus, public_exponent, private_exponent, prime1, prime2, exponent1, exponent2,
        coefficient;
    bool pss_only = false;
    std::optional<RsaPssParams> pss_params = std::nullopt;
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

// The key-type rule for the RSA schemes, for every verifier and signer of
// them: rsa_pss_pss_* need an id-RSASSA-PSS key (pss_only) whose parameters, if
// any, allow the scheme's hash as hash and MGF1 hash and its length as salt;
// rsa_pss_rsae_* and rsa_pkcs1_* need an rsaEncryption key (RFC 8446 4.2.3,
// 4.4.3). illegal_parameter "signature scheme does not match the key type"
// otherwise. Schemes that are not RSA ones pass (other checks cover them).
Result<void> check_rsa_scheme(const RsaPublicKey& key, SignatureScheme scheme) noexcept;

// Whether explicit RSASSA-PSS parameters are within the key's: any for an
// rsaEncryption key or an id-RSASSA-PSS key without parameters; otherwise the
// same hash and MGF1 hash and a salt no shorter (RFC 4055 3.3). illegal_parameter if not.
Result<void> check_rsa_pss_params(const RsaPublicKey& key, const RsaPssParams& params) noexcept;

}  // namespace tls::crypto
