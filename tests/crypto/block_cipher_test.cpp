// CBC block ciphers for key files: AES-CBC against NIST SP 800-38A F.2 on every
// provider that lists it, cordon's RC2 against RFC 2268 section 5, and the
// descriptors' size checks. (3DES and RC2-CBC are also checked against OpenSSL
// in test_openssl_crosscheck.)
#include <catch2/catch.hpp>

#include "crypto/rc2.hpp"
#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::from_hex;
using test::to_hex;

namespace {

// NIST SP 800-38A F.2.1/F.2.2 and F.2.5/F.2.6: the same four plaintext blocks.
constexpr const char* sp800_38a_iv = "000102030405060708090a0b0c0d0e0f";
constexpr const char* sp800_38a_plaintext =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

struct CbcVector {
    BlockCipher cipher;
    const char* key;
    const char* ciphertext;
};

const CbcVector cbc_vectors[] = {
    {BlockCipher::aes128_cbc, "2b7e151628aed2a6abf7158809cf4f3c",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
    {BlockCipher::aes256_cbc, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
     "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

// RFC 2268 section 5: key, effective key bits, plaintext, ciphertext.
struct Rc2Vector {
    const char* key;
    std::size_t effective_bits;
    const char* plaintext;
    const char* ciphertext;
};

const Rc2Vector rc2_vectors[] = {
    {"0000000000000000", 63, "0000000000000000", "ebb773f993278eff"},
    {"ffffffffffffffff", 64, "ffffffffffffffff", "278b27e42e2f0d49"},
    {"3000000000000000", 64, "1000000000000001", "30649edf9be7d2c2"},
    {"88", 64, "0000000000000000", "61a8a244adacccf0"},
    {"88bca90e90875a", 64, "0000000000000000", "6ccf4308974c267f"},
    {"88bca90e90875a7f0f79c384627bafb2", 64, "0000000000000000", "1a807d272bbe5db1"},
    {"88bca90e90875a7f0f79c384627bafb2", 128, "0000000000000000", "2269552ab0f85ca6"},
    {"88bca90e90875a7f0f79c384627bafb216f80a6f85920584c42fceb0be255daf1e", 129, "0000000000000000",
     "5b78d3a43dfff1f1"},
};

}  // namespace

TEST_CASE("AES-CBC decryption matches NIST SP 800-38A on every provider", "[cipher]") {
    int runs = 0;
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto& v : cbc_vectors) {
            const BlockCipherDescriptor* d = provider->find(v.cipher);
            if (d == nullptr) continue;
            INFO(name << " " << to_string(v.cipher) << " (" << d->backend << ")");
            auto data = from_hex(v.ciphertext);
            REQUIRE(d->cbc_decrypt(from_hex(v.key), from_hex(sp800_38a_iv), data).ok());
            CHECK(to_hex(data) == sp800_38a_plaintext);
            ++runs;
        }
    }
    CHECK(runs == 4);  // mbedtls and default
}

TEST_CASE("RC2 matches the RFC 2268 test vectors both ways", "[cipher][rc2]") {
    for (const auto& v : rc2_vectors) {
        INFO("key " << v.key << ", " << v.effective_bits << " effective bits");
        const Rc2 rc2(from_hex(v.key), v.effective_bits);
        REQUIRE(rc2.ok());
        std::uint8_t out[8], back[8];
        rc2.encrypt_block(from_hex(v.plaintext).data(), out);
        CHECK(to_hex(out) == v.ciphertext);
        rc2.decrypt_block(out, back);
        CHECK(to_hex(back) == v.plaintext);
    }
}

TEST_CASE("RC2 decryption inverts encryption for every key length and bit count", "[cipher][rc2]") {
    test::TestRng rng(7);
    for (std::size_t key_size = 1; key_size <= 128; key_size += 9) {
        for (std::size_t bits : {1u, 40u, 64u, 127u, 128u, 1024u}) {
            std::vector<std::uint8_t> key(key_size);
            std::uint8_t block[8], enc[8], dec[8];
            REQUIRE(rng.fill(key).ok());
            REQUIRE(rng.fill(block).ok());
            const Rc2 rc2(key, bits);
            REQUIRE(rc2.ok());
            rc2.encrypt_block(block, enc);
            rc2.decrypt_block(enc, dec);
            CHECK(to_hex(dec) == to_hex(block));
        }
    }
    CHECK_FALSE(Rc2(Bytes(), 40).ok());
    CHECK_FALSE(Rc2(from_hex("0102030405"), 0).ok());
    CHECK_FALSE(Rc2(from_hex("0102030405"), 1025).ok());
}

TEST_CASE("CBC descriptors refuse wrong key, IV and data sizes", "[cipher]") {
    const auto& p = default_provider();
    for (auto c :
         {BlockCipher::aes128_cbc, BlockCipher::aes256_cbc, BlockCipher::des_ede3_cbc, BlockCipher::rc2_40_cbc}) {
        const BlockCipherDescriptor* d = p.find(c);
        REQUIRE(d != nullptr);
        INFO(to_string(c));
        std::vector<std::uint8_t> key(d->key_size), iv(d->block_size), data(2 * d->block_size);
        CHECK(d->cbc_decrypt(key, iv, data).ok());
        std::vector<std::uint8_t> short_key(d->key_size - 1), long_iv(d->block_size + 1), ragged(d->block_size + 1);
        CHECK(d->cbc_decrypt(short_key, iv, data).error().code == tls::ErrorCode::invalid_argument);
        CHECK(d->cbc_decrypt(key, long_iv, data).error().code == tls::ErrorCode::invalid_argument);
        CHECK(d->cbc_decrypt(key, iv, ragged).error().code == tls::ErrorCode::invalid_argument);
    }
    // Only the default provider carries cordon's RC2; mbedTLS has no RC2 and libsodium no CBC at all.
    CHECK(p.find(BlockCipher::rc2_40_cbc)->backend == std::string("cordon"));
    CHECK(mbedtls_provider().find(BlockCipher::rc2_40_cbc) == nullptr);
    CHECK(sodium_provider().find(BlockCipher::aes256_cbc) == nullptr);
    CHECK(describe(p).find("RC2-40-CBC") != std::string::npos);
}
