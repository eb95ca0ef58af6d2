// The mbedTLS 2.28 backend's descriptors, assembled into mbedtls_provider().
// Only mbedTLS' crypto primitives are used (ciphers, hashes, bignum/ECP/RSA
// arithmetic): every encoding (DER signatures, PKCS#1 DigestInfo, points) is
// parsed or built by cordon itself.
#pragma once

#include "tls/crypto/provider.hpp"

namespace tls::crypto::mbedtls {

extern const AeadDescriptor aes128_gcm;
extern const AeadDescriptor aes256_gcm;
extern const AeadDescriptor chacha20_poly1305;

extern const HashDescriptor sha1;
extern const HashDescriptor sha256;
extern const HashDescriptor sha384;
extern const HashDescriptor sha512;

extern const KeyExchangeDescriptor x25519;
extern const KeyExchangeDescriptor secp256r1;
extern const KeyExchangeDescriptor secp384r1;

extern const SignatureVerifier ecdsa_p256_sha256;
extern const SignatureVerifier ecdsa_p384_sha384;
extern const SignatureVerifier rsa_pkcs1_sha256;
extern const SignatureVerifier rsa_pkcs1_sha384;
extern const SignatureVerifier rsa_pkcs1_sha512;
extern const SignatureVerifier rsa_pss_rsae_sha256;
extern const SignatureVerifier rsa_pss_rsae_sha384;
extern const SignatureVerifier rsa_pss_rsae_sha512;
extern const SignatureVerifier rsa_pss_pss_sha256;  // id-RSASSA-PSS keys only
extern const SignatureVerifier rsa_pss_pss_sha384;
extern const SignatureVerifier rsa_pss_pss_sha512;
extern const RsaPssVerifier rsa_pss_with_params;
extern const EcdsaVerifier ecdsa_any_hash;

extern const BlockCipherDescriptor aes128_cbc;
extern const BlockCipherDescriptor aes256_cbc;
extern const BlockCipherDescriptor des_ede3_cbc;

extern const SigningKeyFactory ecdsa_keys;
extern const SigningKeyFactory rsa_keys;

// Generates an RSA private key (for tests and tools; exponent 65537), an
// id-RSASSA-PSS one without parameters if pss_only.
Result<std::unique_ptr<SigningKey>> generate_rsa_key(std::size_t bits, Rng& rng, bool pss_only = false) noexcept;

// mbedTLS-style RNG callback over a cordon Rng (p_rng is an Rng*).
int rng_callback(void* p_rng, unsigned char* out, std::size_t size);

}  // namespace tls::crypto::mbedtls
