#include <catch2/catch.hpp>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::ByteVec;

TEST_CASE("Both sides of every key exchange agree, across backends", "[kx][cross]") {
    test::TestRng rng(10);
    const NamedGroup groups[] = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
    for (auto g : groups) {
        for (const auto& [na, pa] : test::all_providers()) {
            for (const auto& [nb, pb] : test::all_providers()) {
                const auto* da = pa->find(g);
                const auto* db = pb->find(g);
                if (da == nullptr || db == nullptr) continue;
                INFO(to_string(g) << " " << na << " x " << nb);
                auto ka = da->generate(rng);
                auto kb = db->generate(rng);
                REQUIRE(ka.ok());
                REQUIRE(kb.ok());
                CHECK((*ka)->public_key().size() == da->public_key_size);
                ByteVec sa(da->shared_secret_size), sb(db->shared_secret_size);
                REQUIRE((*ka)->agree((*kb)->public_key(), sa).ok());
                REQUIRE((*kb)->agree((*ka)->public_key(), sb).ok());
                CHECK(sa == sb);
            }
        }
    }
}

TEST_CASE("Key generation is a function of the RNG alone, on every backend", "[kx]") {
    for (auto g : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1}) {
        std::vector<ByteVec> publics;
        for (const auto& [name, provider] : test::all_providers()) {
            const auto* d = provider->find(g);
            if (d == nullptr) continue;
            test::TestRng rng(77);
            auto k = d->generate(rng);
            REQUIRE(k.ok());
            auto pub = (*k)->public_key();
            publics.emplace_back(pub.begin(), pub.end());
        }
        for (const auto& p : publics) CHECK(p == publics.front());
    }
}

TEST_CASE("Key exchange rejects malformed peer keys", "[kx]") {
    test::TestRng rng(11);
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->key_exchanges) {
            INFO(name << " " << to_string(d->group));
            auto k = d->generate(rng);
            REQUIRE(k.ok());
            ByteVec out(d->shared_secret_size);
            ByteVec empty;
            CHECK_FALSE((*k)->agree(empty, out).ok());
            ByteVec pub((*k)->public_key().begin(), (*k)->public_key().end());
            ByteVec longer = pub;
            longer.push_back(0);
            CHECK_FALSE((*k)->agree(longer, out).ok());
            if (d->group == NamedGroup::x25519) {
                // The identity (u = 0) and u = 1 are low order: all-zero result.
                ByteVec zero(32, 0), one(32, 0);
                one[0] = 1;
                CHECK((*k)->agree(zero, out).error().code == tls::ErrorCode::zero_shared_secret);
                CHECK_FALSE((*k)->agree(one, out).ok());
            } else {
                // Compressed form, and a point off the curve.
                ByteVec compressed(pub.begin(), pub.begin() + 1 + (pub.size() - 1) / 2);
                compressed[0] = static_cast<std::uint8_t>(0x02 | (pub.back() & 1));
                CHECK((*k)->agree(compressed, out).error().code == tls::ErrorCode::invalid_public_key);
                ByteVec off = pub;
                off.back() ^= 1;
                CHECK((*k)->agree(off, out).error().code == tls::ErrorCode::invalid_public_key);
            }
        }
    }
}

TEST_CASE("Key exchange private keys must be in range", "[kx]") {
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->key_exchanges) {
            if (d->group == NamedGroup::x25519) continue;  // every 32-byte string is a valid X25519 key
            INFO(name << " " << to_string(d->group));
            ByteVec zero(d->private_key_size, 0), ff(d->private_key_size, 0xff);
            CHECK_FALSE(d->from_private(zero).ok());
            CHECK_FALSE(d->from_private(ff).ok());  // >= the group order
        }
    }
}
