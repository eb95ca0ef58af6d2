// The crypto provider: tables of algorithm implementations (after picotls'
// descriptor tables and rustls' CryptoProvider). A provider is a plain value the
// user can copy, trim or extend with their own entries (a hardware backend, say);
// nothing in cordon reaches a crypto library except through one.
#pragma once

#include <span>
#include <string>

#include "tls/crypto/aead.hpp"
#include "tls/crypto/cipher.hpp"
#include "tls/crypto/hash.hpp"
#include "tls/crypto/key_exchange.hpp"
#include "tls/crypto/rng.hpp"
#include "tls/crypto/signature.hpp"

namespace tls::crypto {

struct CryptoProvider {
    const char* name;
    std::span<const AeadDescriptor* const> aeads;
    std::span<const HashDescriptor* const> hashes;
    std::span<const KeyExchangeDescriptor* const> key_exchanges;
    std::span<const SignatureVerifier* const> verifiers;
    const RsaPssVerifier* rsa_pss = nullptr;  // explicit-parameter PSS (X.509); may be null
    const EcdsaVerifier* ecdsa = nullptr;     // any hash on the key's curve (TLS 1.2); may be null
    std::span<const SigningKeyFactory* const> signing_keys;
    Rng* rng = nullptr;  // the randomness source; configurations may override it
    // CBC block ciphers for password-protected key files (PKCS#8, PKCS#12); never TLS.
    std::span<const BlockCipherDescriptor* const> block_ciphers;

    // Look-ups; nullptr when this provider does not offer the algorithm.
    const AeadDescriptor* find(AeadAlgorithm algorithm) const noexcept;
    const HashDescriptor* find(HashAlgorithm algorithm) const noexcept;
    const KeyExchangeDescriptor* find(NamedGroup group) const noexcept;
    const SignatureVerifier* find(SignatureScheme scheme) const noexcept;
    const BlockCipherDescriptor* find(BlockCipher cipher) const noexcept;
    // Loads a private key with the first factory that takes its kind.
    Result<std::unique_ptr<SigningKey>> load_signing_key(const PrivateKey& key) const noexcept;
};

// libsodium: X25519, Ed25519, ChaCha20-Poly1305, AES-256-GCM (only on CPUs with
// AES-NI and PCLMUL, checked at run time), SHA-256/512 (SHA-384 is not in libsodium).
const CryptoProvider& sodium_provider() noexcept;

// mbedTLS 2.28 crypto primitives: everything TLS needs except Ed25519.
const CryptoProvider& mbedtls_provider() noexcept;

// cordon's own AES-128-GCM and AES-256-GCM (x86-64 AES-NI + PCLMULQDQ), and
// nothing else: no hashes, key exchanges or signatures. The AEAD table is empty
// on CPUs without those instructions (checked at run time).
const CryptoProvider& native_provider() noexcept;

// The default: for each algorithm, the faster of the two as measured by bench/.
const CryptoProvider& default_provider() noexcept;

// A table with one line per algorithm and the backend serving it, for the demo and logs.
std::string describe(const CryptoProvider& provider);

}  // namespace tls::crypto
