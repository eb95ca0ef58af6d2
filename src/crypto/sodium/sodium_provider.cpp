// The libsodium provider's tables.
#include <sodium.h>

#include "crypto/sodium/sodium_backend.hpp"

namespace tls::crypto {
namespace sodium {

bool initialize() noexcept {
    static const bool ok = sodium_init() >= 0;  // 1 = already initialised, still fine
    return ok;
}

}  // namespace sodium

const CryptoProvider& sodium_provider() noexcept {
    // Built once; AES-256-GCM is listed only on CPUs that run libsodium's AES-NI code.
    static const AeadDescriptor* const with_aes[] = {&sodium::chacha20_poly1305, &sodium::aes256_gcm};
    static const AeadDescriptor* const without_aes[] = {&sodium::chacha20_poly1305};
    static const HashDescriptor* const hashes[] = {&sodium::sha256, &sodium::sha512};
    static const KeyExchangeDescriptor* const kx[] = {&sodium::x25519};
    static const SignatureVerifier* const verifiers[] = {&sodium::ed25519_verifier};
    static const SigningKeyFactory* const keys[] = {&sodium::ed25519_keys};
    static const CryptoProvider provider = [] {
        CryptoProvider p{};
        p.name = "sodium";
        if (sodium::aes256_gcm_available()) p.aeads = with_aes;
        else p.aeads = without_aes;
        p.hashes = hashes;
        p.key_exchanges = kx;
        p.verifiers = verifiers;
        p.signing_keys = keys;
        p.rng = &system_rng();
        return p;
    }();
    return provider;
}

}  // namespace tls::crypto
