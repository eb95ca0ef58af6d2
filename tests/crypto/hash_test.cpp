#include <catch2/catch.hpp>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::from_hex;
using test::to_hex;

namespace {
const std::uint8_t abc[] = {'a', 'b', 'c'};

const char* abc_digest(HashAlgorithm h) {
    switch (h) {
        case HashAlgorithm::sha1: return "a9993e364706816aba3e25717850c26c9cd0d89d";
        case HashAlgorithm::sha256: return "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        case HashAlgorithm::sha384:
            return "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
        case HashAlgorithm::sha512:
            return "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                   "454d4423643ce80e2a9ac94fa54ca49f";
    }
    return "";
}
}  // namespace

TEST_CASE("Every provider hash gives the FIPS 180 digest of \"abc\"", "[hash]") {
    int checked = 0;
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->hashes) {
            INFO(name << " " << to_string(d->algorithm));
            std::uint8_t out[64];
            Hash::digest(*d, abc, out);
            CHECK(to_hex({out, d->output_size}) == abc_digest(d->algorithm));
            ++checked;
        }
    }
    CHECK(checked >= 9);
}

TEST_CASE("Copying a Hash forks the running hash (transcripts)", "[hash]") {
    std::vector<std::uint8_t> data(1000);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->hashes) {
            INFO(name << " " << to_string(d->algorithm));
            std::uint8_t whole[64], prefix[64], forked[64], peeked[64];
            Hash::digest(*d, data, whole);
            Hash::digest(*d, Bytes(data).first(333), prefix);
            Hash h(*d);
            h.update(Bytes(data).first(100));
            h.update(Bytes(data).subspan(100, 233));
            h.peek(peeked);
            Hash fork = h;
            h.update(Bytes(data).subspan(333));
            h.finish(forked);
            CHECK(to_hex({forked, d->output_size}) == to_hex({whole, d->output_size}));
            fork.finish(forked);
            CHECK(to_hex({forked, d->output_size}) == to_hex({prefix, d->output_size}));
            CHECK(to_hex({peeked, d->output_size}) == to_hex({prefix, d->output_size}));
            // finish() rearms the hash.
            h.update(abc);
            h.finish(forked);
            CHECK(to_hex({forked, d->output_size}) == abc_digest(d->algorithm));
        }
    }
}

TEST_CASE("HKDF matches RFC 5869 test cases 1 and 3", "[hkdf]") {
    int providers_run = 0;
    for (const auto& [name, provider] : test::all_providers()) {
        const HashDescriptor* sha256 = provider->find(HashAlgorithm::sha256);
        if (sha256 == nullptr) continue;  // an AEAD-only provider (native)
        ++providers_run;
        INFO(name);
        auto ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        auto salt = from_hex("000102030405060708090a0b0c");
        auto info = from_hex("f0f1f2f3f4f5f6f7f8f9");
        std::uint8_t prk[32];
        hkdf_extract(*sha256, salt, ikm, prk);
        CHECK(to_hex(prk) == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
        std::vector<std::uint8_t> okm(42);
        REQUIRE(hkdf_expand(*sha256, prk, info, okm).ok());
        CHECK(to_hex(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        // Test case 3: empty salt and info.
        hkdf_extract(*sha256, {}, ikm, prk);
        CHECK(to_hex(prk) == "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
        REQUIRE(hkdf_expand(*sha256, prk, {}, okm).ok());
        CHECK(to_hex(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
        std::vector<std::uint8_t> too_long(255 * 32 + 1);
        CHECK(hkdf_expand(*sha256, prk, {}, too_long).error().code == tls::ErrorCode::invalid_argument);
    }
    CHECK(providers_run >= 3);  // sodium, mbedtls, default
}

TEST_CASE("HMAC matches RFC 4231 test case 6 (key longer than the block)", "[hmac]") {
    std::vector<std::uint8_t> key(131, 0xaa);
    const std::string msg = "Test Using Larger Than Block-Size Key - Hash Key First";
    Bytes m(reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size());
    int providers_run = 0;
    for (const auto& [name, provider] : test::all_providers()) {
        if (provider->find(HashAlgorithm::sha256) == nullptr) continue;  // an AEAD-only provider (native)
        ++providers_run;
        INFO(name);
        std::uint8_t out[64];
        Hmac::mac(*provider->find(HashAlgorithm::sha256), key, m, out);
        CHECK(to_hex({out, 32}) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        if (const auto* sha384 = provider->find(HashAlgorithm::sha384)) {
            Hmac::mac(*sha384, key, m, out);
            CHECK(to_hex({out, 48}) ==
                  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952");
        }
        // One Hmac object, many messages: each finish rearms with the same key.
        Hmac h(*provider->find(HashAlgorithm::sha256), key);
        for (int i = 0; i < 2; ++i) {
            h.update(m);
            h.finish(out);
            CHECK(to_hex({out, 32}) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
        }
    }
    CHECK(providers_run >= 3);  // sodium, mbedtls, default
}
