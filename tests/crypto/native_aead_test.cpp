// cordon's own AES-GCM (the native backend) against mbedTLS's, byte for byte,
// over every short length and some long ones: the native code has separate
// paths for the 8-block bulk loop, the tail under eight blocks and partial
// blocks, in both the data and the AAD, and each boundary gets crossed here.
#include <catch2/catch.hpp>

#include <algorithm>

#include "crypto/native/native_backend.hpp"
#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::ByteVec;

namespace {

ByteVec random_bytes(test::TestRng& rng, std::size_t n) {
    ByteVec v(n);
    if (n > 0) REQUIRE(rng.fill(v).ok());
    return v;
}

bool all_zero(const ByteVec& v) {
    return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

// Seals msg under both backends (must agree exactly), then opens each one's
// output with the other, and checks a flipped bit in the ciphertext is caught.
void compare_with_mbedtls(AeadAlgorithm algorithm, test::TestRng& rng, std::size_t size, std::size_t aad_size) {
    const AeadDescriptor* ours = native_provider().find(algorithm);
    const AeadDescriptor* reference = mbedtls_provider().find(algorithm);
    REQUIRE(ours != nullptr);
    REQUIRE(reference != nullptr);
    INFO(to_string(algorithm) << " data " << size << " aad " << aad_size);
    const ByteVec key = random_bytes(rng, ours->key_size), nonce = random_bytes(rng, aead_nonce_size),
                  aad = random_bytes(rng, aad_size), msg = random_bytes(rng, size);
    auto k_ours = ours->new_key(key);
    auto k_ref = reference->new_key(key);
    REQUIRE(k_ours.ok());
    REQUIRE(k_ref.ok());

    ByteVec ct_ours = msg, tag_ours(aead_tag_size), ct_ref = msg, tag_ref(aead_tag_size);
    REQUIRE((*k_ours)->seal(nonce, aad, ct_ours, tag_ours).ok());
    REQUIRE((*k_ref)->seal(nonce, aad, ct_ref, tag_ref).ok());
    REQUIRE(test::to_hex(ct_ours) == test::to_hex(ct_ref));
    REQUIRE(test::to_hex(tag_ours) == test::to_hex(tag_ref));

    ByteVec buf = ct_ref;
    REQUIRE((*k_ours)->open(nonce, aad, buf, tag_ref).ok());
    CHECK(buf == msg);
    buf = ct_ours;
    REQUIRE((*k_ref)->open(nonce, aad, buf, tag_ours).ok());
    CHECK(buf == msg);

    if (size > 0) {
        buf = ct_ours;
        buf[size - 1] ^= 0x80;  // the last byte: in the partial block or the last bulk batch
        auto r = (*k_ours)->open(nonce, aad, buf, tag_ours);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == tls::ErrorCode::bad_record_mac);
        CHECK(all_zero(buf));
    }
}

constexpr AeadAlgorithm gcm_algorithms[] = {AeadAlgorithm::aes128_gcm, AeadAlgorithm::aes256_gcm};

}  // namespace

TEST_CASE("The native provider offers AES-GCM exactly when the CPU can run it", "[aead][native]") {
    const auto& p = native_provider();
    CHECK(std::string(p.name) == "native");
    CHECK(p.hashes.empty());
    CHECK(p.key_exchanges.empty());
    CHECK(p.rng != nullptr);
    CHECK(p.find(AeadAlgorithm::chacha20_poly1305) == nullptr);
    if (native::aes_gcm_available()) {
        REQUIRE(p.aeads.size() == 2);
        CHECK(p.find(AeadAlgorithm::aes128_gcm) == &native::aes128_gcm);
        CHECK(p.find(AeadAlgorithm::aes256_gcm) == &native::aes256_gcm);
        CHECK(std::string(native::aes128_gcm.backend) == "native");
    } else {
        CHECK(p.aeads.empty());
        CHECK(native::aes128_gcm.new_key(ByteVec(16)).error().code == tls::ErrorCode::unsupported);
    }
}

TEST_CASE("Native AES-GCM equals mbedTLS for every length 0..300 and long records", "[aead][native][cross]") {
    if (!native::aes_gcm_available()) {
        WARN("this CPU lacks AES-NI or PCLMULQDQ: native AES-GCM not tested");
        return;
    }
    test::TestRng rng(40);
    for (auto algorithm : gcm_algorithms) {
        ByteVec aad_sizes = random_bytes(rng, 301);
        for (std::size_t size = 0; size <= 300; ++size) compare_with_mbedtls(algorithm, rng, size, aad_sizes[size] % 41);
        for (std::size_t size : {16383u, 16384u, 16385u, 16384u + 256u, 16384u + 255u + 1u, 65536u + 17u,
                                 (1u << 20) + 5u})
            compare_with_mbedtls(algorithm, rng, size, aad_sizes[size % 301] % 41);
        // Long AAD crosses GHASH's 8-block batches too.
        for (std::size_t aad_size : {127u, 128u, 129u, 255u, 256u, 1000u, 4096u + 3u})
            compare_with_mbedtls(algorithm, rng, aad_size % 200, aad_size);
    }
}

TEST_CASE("Native AES-GCM handles empty spans holding nullptr and unaligned buffers", "[aead][native]") {
    if (!native::aes_gcm_available()) return;
    test::TestRng rng(41);
    for (auto algorithm : gcm_algorithms) {
        INFO(to_string(algorithm));
        const auto* ours = native_provider().find(algorithm);
        const auto* reference = mbedtls_provider().find(algorithm);
        const ByteVec key = random_bytes(rng, ours->key_size), nonce = random_bytes(rng, aead_nonce_size);
        auto k = ours->new_key(key);
        auto r = reference->new_key(key);
        REQUIRE(k.ok());
        REQUIRE(r.ok());

        // No AAD and no data, both as default-constructed (null) spans: the tag alone.
        ByteVec tag(aead_tag_size), ref_tag(aead_tag_size);
        REQUIRE((*k)->seal(nonce, Bytes{}, MutableBytes{}, tag).ok());
        REQUIRE((*r)->seal(nonce, Bytes{}, MutableBytes{}, ref_tag).ok());
        CHECK(tag == ref_tag);
        CHECK((*k)->open(nonce, Bytes{}, MutableBytes{}, tag).ok());
        tag[15] ^= 1;
        CHECK((*k)->open(nonce, Bytes{}, MutableBytes{}, tag).error().code == tls::ErrorCode::bad_record_mac);

        // Data and AAD at odd addresses.
        ByteVec storage = random_bytes(rng, 1 + 1000), aad_storage = random_bytes(rng, 3 + 13);
        const ByteVec msg(storage.begin() + 1, storage.end());
        MutableBytes data(storage.data() + 1, 1000);
        Bytes aad(aad_storage.data() + 3, 13);
        ByteVec expected = msg;
        REQUIRE((*r)->seal(nonce, aad, expected, ref_tag).ok());
        REQUIRE((*k)->seal(nonce, aad, data, tag).ok());
        CHECK(ByteVec(data.begin(), data.end()) == expected);
        CHECK(tag == ref_tag);
        REQUIRE((*k)->open(nonce, aad, data, tag).ok());
        CHECK(ByteVec(data.begin(), data.end()) == msg);
    }
}

TEST_CASE("Native AES-GCM matches the GCM specification's test cases", "[aead][native]") {
    if (!native::aes_gcm_available()) return;
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 4 and 16
    // (60-byte plaintext: a partial last block; 20-byte AAD: a partial AAD block).
    struct Case {
        AeadAlgorithm algorithm;
        const char *key, *ciphertext, *tag;
    };
    const char* plaintext =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    const char* aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    const char* iv = "cafebabefacedbaddecaf888";
    const Case cases[] = {
        {AeadAlgorithm::aes128_gcm, "feffe9928665731c6d6a8f9467308308",
         "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
         "5bc94fbc3221a5db94fae95ae7121a47"},
        {AeadAlgorithm::aes256_gcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
         "76fc6ece0f4e1768cddf8853bb2d551b"},
    };
    for (const auto& c : cases) {
        INFO(to_string(c.algorithm));
        auto k = native_provider().find(c.algorithm)->new_key(test::from_hex(c.key));
        REQUIRE(k.ok());
        ByteVec data = test::from_hex(plaintext), tag(aead_tag_size);
        REQUIRE((*k)->seal(test::from_hex(iv), test::from_hex(aad), data, tag).ok());
        CHECK(test::to_hex(data) == c.ciphertext);
        CHECK(test::to_hex(tag) == c.tag);
        REQUIRE((*k)->open(test::from_hex(iv), test::from_hex(aad), data, tag).ok());
        CHECK(test::to_hex(data) == plaintext);
    }
}
