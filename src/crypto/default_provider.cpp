// The default provider: for each algorithm, the faster backend on this machine
// kind, as measured by bench/ (cordon-bench; `bench/ratios.py --winners` prints
// the comparison). The measurement behind each choice is written next to it
// (Release build, AMD EPYC 2 cores, 2026-11-23); re-measure before changing one.
#include "crypto/mbedtls/mbedtls_backend.hpp"
#include "crypto/rc2.hpp"
#include "crypto/native/native_backend.hpp"
#include "crypto/sodium/sodium_backend.hpp"

namespace tls::crypto {

const CryptoProvider& default_provider() noexcept {
    // AES-GCM, best first: cordon's own AES-NI/PCLMUL code (AES-128-GCM 16 KiB:
    // 4.2 GB/s, OpenSSL 4.0, mbedTLS 0.16; AES-256-GCM: 3.7 GB/s, libsodium 1.7),
    // then libsodium's AES-256-GCM, then mbedTLS everywhere else. CPU features are
    // checked at run time.
    static const AeadDescriptor* const aeads_native[] = {
        &native::aes128_gcm,
        &native::aes256_gcm,
        &sodium::chacha20_poly1305,  // sodium 1.3 GB/s vs mbedTLS 0.3 GB/s (3.8x)
    };
    static const AeadDescriptor* const aeads_sodium_aes[] = {
        &mbedtls::aes128_gcm,  // only mbedTLS offers AES-128-GCM without the native code
        &sodium::aes256_gcm,   // sodium 1.5-1.7 GB/s vs mbedTLS 0.18 GB/s (8x)
        &sodium::chacha20_poly1305,
    };
    static const AeadDescriptor* const aeads_portable[] = {
        &mbedtls::aes128_gcm,
        &mbedtls::aes256_gcm,
        &sodium::chacha20_poly1305,
    };
    static const HashDescriptor* const hashes[] = {
        &sodium::sha256,   // sodium 15-20% faster (16 KiB: 307 vs 241 MB/s; HMAC, HKDF alike)
        &mbedtls::sha384,  // only mbedTLS offers SHA-384
        &sodium::sha512,   // sodium ~15% faster (16 KiB: 490 vs 422 MB/s)
        &mbedtls::sha1,    // X.509/PKCS#12 only
    };
    static const KeyExchangeDescriptor* const kx[] = {
        &sodium::x25519,      // sodium 67 us vs mbedTLS 1.41 ms per keygen+agree (20x)
        &mbedtls::secp256r1,  // only mbedTLS offers the NIST curves
        &mbedtls::secp384r1,
    };
    static const SignatureVerifier* const verifiers[] = {
        &sodium::ed25519_verifier,  // only libsodium offers Ed25519
        &mbedtls::ecdsa_p256_sha256,   &mbedtls::ecdsa_p384_sha384,   &mbedtls::rsa_pss_rsae_sha256,
        &mbedtls::rsa_pss_rsae_sha384, &mbedtls::rsa_pss_rsae_sha512, &mbedtls::rsa_pkcs1_sha256,
        &mbedtls::rsa_pkcs1_sha384,    &mbedtls::rsa_pkcs1_sha512,    &mbedtls::rsa_pss_pss_sha256,
        &mbedtls::rsa_pss_pss_sha384,  &mbedtls::rsa_pss_pss_sha512,
    };
    static const SigningKeyFactory* const keys[] = {&sodium::ed25519_keys, &mbedtls::ecdsa_keys, &mbedtls::rsa_keys};
    // Key files only, never on a hot path: mbedTLS' AES and 3DES, and cordon's own
    // RC2 (not in mbedTLS) for `openssl pkcs12 -export -legacy` certificate bags.
    static const BlockCipherDescriptor* const ciphers[] = {&mbedtls::aes128_cbc, &mbedtls::aes256_cbc,
                                                           &mbedtls::des_ede3_cbc, &rc2_40_cbc};
    static const CryptoProvider provider = [] {
        CryptoProvider p{};
        p.name = "default";
        if (native::aes_gcm_available()) p.aeads = aeads_native;
        else if (sodium::aes256_gcm_available()) p.aeads = aeads_sodium_aes;
        else p.aeads = aeads_portable;
        p.hashes = hashes;
        p.key_exchanges = kx;
        p.verifiers = verifiers;
        p.rsa_pss = &mbedtls::rsa_pss_with_params;
        p.ecdsa = &mbedtls::ecdsa_any_hash;
        p.signing_keys = keys;
        p.rng = &system_rng();
        p.block_ciphers = ciphers;
        return p;
    }();
    return provider;
}

}  // namespace tls::crypto
