// The mbedTLS provider's tables.
#include "crypto/mbedtls/mbedtls_backend.hpp"

namespace tls::crypto {

const CryptoProvider& mbedtls_provider() noexcept {
    static const AeadDescriptor* const aeads[] = {&mbedtls::aes128_gcm, &mbedtls::aes256_gcm,
                                                  &mbedtls::chacha20_poly1305};
    static const HashDescriptor* const hashes[] = {&mbedtls::sha256, &mbedtls::sha384, &mbedtls::sha512,
                                                   &mbedtls::sha1};
    static const KeyExchangeDescriptor* const kx[] = {&mbedtls::x25519, &mbedtls::secp256r1, &mbedtls::secp384r1};
    static const SignatureVerifier* const verifiers[] = {
        &mbedtls::ecdsa_p256_sha256,   &mbedtls::ecdsa_p384_sha384,   &mbedtls::rsa_pss_rsae_sha256,
        &mbedtls::rsa_pss_rsae_sha384, &mbedtls::rsa_pss_rsae_sha512, &mbedtls::rsa_pkcs1_sha256,
        &mbedtls::rsa_pkcs1_sha384,    &mbedtls::rsa_pkcs1_sha512,    &mbedtls::rsa_pss_pss_sha256,
        &mbedtls::rsa_pss_pss_sha384,  &mbedtls::rsa_pss_pss_sha512,
    };
    static const SigningKeyFactory* const keys[] = {&mbedtls::ecdsa_keys, &mbedtls::rsa_keys};
    static const BlockCipherDescriptor* const ciphers[] = {&mbedtls::aes128_cbc, &mbedtls::aes256_cbc,
                                                           &mbedtls::des_ede3_cbc};
    static const CryptoProvider provider = [] {
        CryptoProvider p{};
        p.name = "mbedtls";
        p.aeads = aeads;
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
