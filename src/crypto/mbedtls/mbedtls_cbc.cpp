// AES-128/256-CBC and DES-EDE3-CBC decryption from mbedTLS, for key files only.
#include <mbedtls/aes.h>
#include <mbedtls/des.h>

#include <cstring>

#include "crypto/mbedtls/mbedtls_backend.hpp"

namespace tls::crypto::mbedtls {
namespace {

constexpr Error bad_sizes{ErrorCode::invalid_argument, "CBC key, IV or data size is wrong for the cipher"};
constexpr Error backend_failure{ErrorCode::crypto_backend, "mbedTLS CBC call failed"};

bool sizes_ok(Bytes key, std::size_t key_size, Bytes iv, std::size_t block, MutableBytes data) {
    return key.size() == key_size && iv.size() == block && data.size() % block == 0;
}

template <std::size_t KeySize>
Result<void> aes_cbc_decrypt(Bytes key, Bytes iv, MutableBytes data) noexcept {
    if (!sizes_ok(key, KeySize, iv, 16, data)) return bad_sizes;
    if (data.empty()) return success();
    unsigned char chain[16];  // mbedTLS advances the IV in place
    std::memcpy(chain, iv.data(), sizeof chain);
    mbedtls_aes_context ctx;
    mbedtls_aes_init(&ctx);
    // mbedTLS decrypts CBC in place (it saves each ciphertext block before overwriting it).
    const bool ok = mbedtls_aes_setkey_dec(&ctx, key.data(), static_cast<unsigned>(KeySize * 8)) == 0 &&
                    mbedtls_aes_crypt_cbc(&ctx, MBEDTLS_AES_DECRYPT, data.size(), chain, data.data(), data.data()) == 0;
    mbedtls_aes_free(&ctx);  // zeroizes the key schedule
    if (!ok) return backend_failure;
    return success();
}

Result<void> des_ede3_cbc_decrypt(Bytes key, Bytes iv, MutableBytes data) noexcept {
    if (!sizes_ok(key, 24, iv, 8, data)) return bad_sizes;
    if (data.empty()) return success();
    unsigned char chain[8];
    std::memcpy(chain, iv.data(), sizeof chain);
    mbedtls_des3_context ctx;
    mbedtls_des3_init(&ctx);
    // Parity bits are ignored, as every PKCS#12 and PKCS#8 producer expects.
    const bool ok =
        mbedtls_des3_set3key_dec(&ctx, key.data()) == 0 &&
        mbedtls_des3_crypt_cbc(&ctx, MBEDTLS_DES_DECRYPT, data.size(), chain, data.data(), data.data()) == 0;
    mbedtls_des3_free(&ctx);
    if (!ok) return backend_failure;
    return success();
}

}  // namespace

const BlockCipherDescriptor aes128_cbc{BlockCipher::aes128_cbc, "mbedtls", 16, 16, aes_cbc_decrypt<16>};
const BlockCipherDescriptor aes256_cbc{BlockCipher::aes256_cbc, "mbedtls", 32, 16, aes_cbc_decrypt<32>};
const BlockCipherDescriptor des_ede3_cbc{BlockCipher::des_ede3_cbc, "mbedtls", 24, 8, des_ede3_cbc_decrypt};

}  // namespace tls::crypto::mbedtls
