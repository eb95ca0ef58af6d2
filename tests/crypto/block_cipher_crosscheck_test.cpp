// The key-file CBC ciphers against OpenSSL's libcrypto: random keys, IVs and
// data encrypted by OpenSSL (without padding) must decrypt to the plaintext with
// every provider that lists the cipher. RC2 needs OpenSSL's legacy provider.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include <memory>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::to_hex;

namespace {

struct CipherFree {
    void operator()(EVP_CIPHER* c) const { EVP_CIPHER_free(c); }
};
struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

const char* openssl_name(BlockCipher c) {
    switch (c) {
        case BlockCipher::aes128_cbc: return "AES-128-CBC";
        case BlockCipher::aes256_cbc: return "AES-256-CBC";
        case BlockCipher::des_ede3_cbc: return "DES-EDE3-CBC";
        case BlockCipher::rc2_40_cbc: return "RC2-40-CBC";
    }
    return "";
}

std::vector<std::uint8_t> openssl_encrypt(EVP_CIPHER* cipher, const std::vector<std::uint8_t>& key,
                                          const std::vector<std::uint8_t>& iv, const std::vector<std::uint8_t>& in) {
    std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
    REQUIRE(EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), iv.data(), nullptr) == 1);
    REQUIRE(EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1);
    std::vector<std::uint8_t> out(in.size() + 16);
    int n = 0, m = 0;
    REQUIRE(EVP_EncryptUpdate(ctx.get(), out.data(), &n, in.data(), static_cast<int>(in.size())) == 1);
    REQUIRE(EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &m) == 1);
    out.resize(static_cast<std::size_t>(n + m));
    return out;
}

}  // namespace

TEST_CASE("CBC decryption agrees with OpenSSL for every key-file cipher", "[cipher][openssl]") {
    // RC2 lives in OpenSSL 3's legacy provider; loading it drops the implicit default, so load both.
    OSSL_PROVIDER* legacy = OSSL_PROVIDER_load(nullptr, "legacy");
    OSSL_PROVIDER* deflt = OSSL_PROVIDER_load(nullptr, "default");
    REQUIRE(legacy != nullptr);
    REQUIRE(deflt != nullptr);
    test::TestRng rng(12);
    int runs = 0;
    for (auto which : {BlockCipher::aes128_cbc, BlockCipher::aes256_cbc, BlockCipher::des_ede3_cbc,
                       BlockCipher::rc2_40_cbc}) {
        std::unique_ptr<EVP_CIPHER, CipherFree> cipher(EVP_CIPHER_fetch(nullptr, openssl_name(which), nullptr));
        REQUIRE(cipher);
        for (const auto& [name, provider] : test::all_providers()) {
            const BlockCipherDescriptor* d = provider->find(which);
            if (d == nullptr) continue;
            INFO(name << " " << to_string(which));
            REQUIRE(static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher.get())) == d->key_size);
            REQUIRE(static_cast<std::size_t>(EVP_CIPHER_get_iv_length(cipher.get())) == d->block_size);
            for (std::size_t blocks : {1u, 2u, 7u, 64u}) {
                std::vector<std::uint8_t> key(d->key_size), iv(d->block_size), plain(blocks * d->block_size);
                REQUIRE(rng.fill(key).ok());
                REQUIRE(rng.fill(iv).ok());
                REQUIRE(rng.fill(plain).ok());
                auto data = openssl_encrypt(cipher.get(), key, iv, plain);
                REQUIRE(d->cbc_decrypt(key, iv, data).ok());
                CHECK(to_hex(data) == to_hex(plain));
                ++runs;
            }
        }
    }
    CHECK(runs == 4 * (2 + 2 + 2 + 1));  // mbedtls and default have AES and 3DES; RC2 is default only
    OSSL_PROVIDER_unload(legacy);
    OSSL_PROVIDER_unload(deflt);
}
