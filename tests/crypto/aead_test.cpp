#include <catch2/catch.hpp>

#include <algorithm>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::ByteVec;

namespace {
constexpr AeadAlgorithm all_aeads[] = {AeadAlgorithm::aes128_gcm, AeadAlgorithm::aes256_gcm,
                                       AeadAlgorithm::chacha20_poly1305};

ByteVec random_bytes(test::TestRng& rng, std::size_t n) {
    ByteVec v(n);
    REQUIRE(rng.fill(v).ok());
    return v;
}
}  // namespace

TEST_CASE("AEAD seal/open round-trips in place on every provider", "[aead]") {
    test::TestRng rng(1);
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->aeads) {
            INFO(name << " " << to_string(d->algorithm));
            auto key = random_bytes(rng, d->key_size);
            auto k = d->new_key(key);
            REQUIRE(k.ok());
            for (std::size_t len : {0u, 1u, 15u, 16u, 17u, 1024u, 16384u + 1}) {
                auto nonce = random_bytes(rng, 12), aad = random_bytes(rng, 13), msg = random_bytes(rng, len);
                ByteVec buf = msg, tag(16);
                REQUIRE((*k)->seal(nonce, aad, buf, tag).ok());
                if (len > 0) CHECK(buf != msg);
                REQUIRE((*k)->open(nonce, aad, buf, tag).ok());
                CHECK(buf == msg);
            }
        }
    }
}

TEST_CASE("AEAD open rejects every single-bit flip and leaves no plaintext", "[aead]") {
    test::TestRng rng(2);
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->aeads) {
            INFO(name << " " << to_string(d->algorithm));
            auto k = d->new_key(random_bytes(rng, d->key_size));
            REQUIRE(k.ok());
            auto nonce = random_bytes(rng, 12), aad = random_bytes(rng, 5), msg = random_bytes(rng, 24);
            ByteVec ct = msg, tag(16);
            REQUIRE((*k)->seal(nonce, aad, ct, tag).ok());
            // Flip each bit of nonce, AAD, ciphertext and tag in turn.
            ByteVec* parts[] = {&nonce, &aad, &ct, &tag};
            for (ByteVec* part : parts) {
                for (std::size_t bit = 0; bit < part->size() * 8; ++bit) {
                    (*part)[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
                    ByteVec buf = ct;
                    auto r = (*k)->open(nonce, aad, buf, tag);
                    (*part)[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
                    REQUIRE_FALSE(r.ok());
                    CHECK(r.error().code == tls::ErrorCode::bad_record_mac);
                    CHECK(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0; }));
                }
            }
        }
    }
}

TEST_CASE("AEAD refuses wrong key, nonce and tag sizes", "[aead]") {
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->aeads) {
            INFO(name << " " << to_string(d->algorithm));
            ByteVec short_key(d->key_size - 1);
            CHECK(d->new_key(short_key).error().code == tls::ErrorCode::invalid_argument);
            ByteVec key(d->key_size), data(10), tag(16), nonce8(8), tag15(15), nonce(12);
            auto k = d->new_key(key);
            REQUIRE(k.ok());
            CHECK((*k)->seal(nonce8, {}, data, tag).error().code == tls::ErrorCode::invalid_argument);
            CHECK((*k)->seal(nonce, {}, data, tag15).error().code == tls::ErrorCode::invalid_argument);
            CHECK((*k)->open(nonce8, {}, data, tag).error().code == tls::ErrorCode::invalid_argument);
        }
    }
}

TEST_CASE("What one backend seals, the other opens", "[aead][cross]") {
    test::TestRng rng(3);
    const auto& a = sodium_provider();
    const auto& b = mbedtls_provider();
    int pairs = 0;
    for (auto alg : all_aeads) {
        const auto* da = a.find(alg);
        const auto* db = b.find(alg);
        if (da == nullptr || db == nullptr) continue;
        ++pairs;
        INFO(to_string(alg));
        for (int i = 0; i < 50; ++i) {
            auto key = random_bytes(rng, da->key_size);
            auto ka = da->new_key(key);
            auto kb = db->new_key(key);
            REQUIRE(ka.ok());
            REQUIRE(kb.ok());
            auto nonce = random_bytes(rng, 12), aad = random_bytes(rng, static_cast<std::size_t>(i)),
                 msg = random_bytes(rng, static_cast<std::size_t>(i * 37));
            ByteVec ca = msg, ta(16), cb = msg, tb(16);
            REQUIRE((*ka)->seal(nonce, aad, ca, ta).ok());
            REQUIRE((*kb)->seal(nonce, aad, cb, tb).ok());
            CHECK(ca == cb);
            CHECK(ta == tb);
            REQUIRE((*kb)->open(nonce, aad, ca, ta).ok());
            CHECK(ca == msg);
            REQUIRE((*ka)->open(nonce, aad, cb, tb).ok());
            CHECK(cb == msg);
        }
    }
    CHECK(pairs >= 1);  // ChaCha20-Poly1305 always; AES-256-GCM where the CPU has AES-NI
}
