// The libsodium backend's descriptors, assembled into sodium_provider().
#pragma once

#include "tls/crypto/provider.hpp"

namespace tls::crypto::sodium {

// sodium_init() once (thread-safe, idempotent); false if libsodium cannot start.
bool initialize() noexcept;

extern const AeadDescriptor chacha20_poly1305;
extern const AeadDescriptor aes256_gcm;  // usable only if aes256_gcm_available()
bool aes256_gcm_available() noexcept;    // CPU has AES-NI and PCLMUL (run-time check)

extern const HashDescriptor sha256;
extern const HashDescriptor sha512;

extern const KeyExchangeDescriptor x25519;

extern const SignatureVerifier ed25519_verifier;
extern const SigningKeyFactory ed25519_keys;

}  // namespace tls::crypto::sodium
