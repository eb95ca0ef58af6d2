// Arbitrary peer public keys into `agree` of every key exchange of every provider.
//
// The whole input is the peer's public key. Each (provider, group) holds a fixed
// private key made once with from_private from a constant scalar. Checks:
//   - agree never crashes and fails only with invalid_public_key or zero_shared_secret;
//   - every provider offering a group gives the same verdict and the same secret
//     (libsodium's X25519 against mbedTLS' X25519, for instance);
//   - an X25519 secret is never all zeros (RFC 8446 7.4.2);
//   - a too-small output buffer is refused, not overrun.
// An input of 0xff followed by exactly a private key's size of bytes (32 or 48)
// is also used as a private scalar: from_private must agree across providers,
// and both directions of the exchange with the fixed key must give the same
// secret. (The marker keeps this slow path off ordinary 32-byte X25519 inputs;
// no peer key of any group starts with 0xff.)
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "tls/crypto/provider.hpp"

namespace {

using cordon_fuzz::same_bytes;

using namespace tls;
using namespace tls::crypto;

struct Party {
    const CryptoProvider* provider;
    const KeyExchangeDescriptor* kx;
    std::unique_ptr<KeyExchangeKey> key;
};

const std::vector<Party>& parties() {
    static const std::vector<Party> all = [] {
        std::vector<Party> out;
        for (const CryptoProvider* p :
             {&sodium_provider(), &mbedtls_provider(), &native_provider(), &default_provider()}) {
            for (const KeyExchangeDescriptor* kx : p->key_exchanges) {
                std::vector<std::uint8_t> scalar(kx->private_key_size);
                for (std::size_t i = 0; i < scalar.size(); ++i) scalar[i] = static_cast<std::uint8_t>(0x10 + i);
                auto key = kx->from_private(scalar);
                CORDON_FUZZ_CHECK(key.ok());
                CORDON_FUZZ_CHECK((*key)->group() == kx->group);
                CORDON_FUZZ_CHECK((*key)->public_key().size() == kx->public_key_size);
                out.push_back(Party{p, kx, std::move(*key)});
            }
        }
        // The same scalar gives the same public key in every backend.
        for (const Party& a : out)
            for (const Party& b : out)
                if (a.kx->group == b.kx->group) CORDON_FUZZ_CHECK(same_bytes(a.key->public_key(), b.key->public_key()));
        return out;
    }();
    return all;
}

// agree into an exactly sized heap buffer (so ASan sees any overrun).
struct Agreement {
    bool ok;
    std::vector<std::uint8_t> secret;
};

Agreement agree(const KeyExchangeKey& key, std::size_t secret_size, Bytes peer) {
    std::unique_ptr<std::uint8_t[]> out(new std::uint8_t[secret_size]);
    auto r = key.agree(peer, MutableBytes(out.get(), secret_size));
    if (!r) {
        CORDON_FUZZ_CHECK(r.error().code == ErrorCode::invalid_public_key ||
                          r.error().code == ErrorCode::zero_shared_secret);
        return {false, {}};
    }
    return {true, std::vector<std::uint8_t>(out.get(), out.get() + secret_size)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes peer(data, size);
    const auto& all = parties();

    std::vector<Agreement> results;
    results.reserve(all.size());
    for (const Party& party : all) {
        const std::size_t n = party.kx->shared_secret_size;
        Agreement a = agree(*party.key, n, peer);
        if (a.ok && party.kx->group == NamedGroup::x25519) {
            std::uint8_t acc = 0;
            for (auto b : a.secret) acc |= b;
            CORDON_FUZZ_CHECK(acc != 0);
        }
        // The first party with this group is the reference for the others.
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (all[i].kx->group != party.kx->group) continue;
            CORDON_FUZZ_CHECK(results[i].ok == a.ok);
            CORDON_FUZZ_CHECK(results[i].secret == a.secret);
            break;
        }
        results.push_back(std::move(a));

        // One byte short: refused without writing past the end.
        std::unique_ptr<std::uint8_t[]> small(new std::uint8_t[n - 1]);
        CORDON_FUZZ_CHECK(!party.key->agree(peer, MutableBytes(small.get(), n - 1)).ok());
    }

    // The input as a private scalar.
    if (size == 0 || data[0] != 0xff) return 0;
    const Bytes scalar = peer.subspan(1);
    std::vector<std::unique_ptr<KeyExchangeKey>> mine(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Party& party = all[i];
        if (scalar.size() != party.kx->private_key_size) continue;
        auto key = party.kx->from_private(scalar);
        if (!key) {
            CORDON_FUZZ_CHECK(key.error().code == ErrorCode::invalid_argument);
        } else {
            mine[i] = std::move(*key);
            CORDON_FUZZ_CHECK(mine[i]->public_key().size() == party.kx->public_key_size);
            const std::size_t n = party.kx->shared_secret_size;
            Agreement ours = agree(*mine[i], n, party.key->public_key());
            Agreement theirs = agree(*party.key, n, mine[i]->public_key());
            CORDON_FUZZ_CHECK(ours.ok == theirs.ok);
            CORDON_FUZZ_CHECK(ours.secret == theirs.secret);
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (scalar.size() != all[j].kx->private_key_size || all[j].kx->group != party.kx->group) continue;
            CORDON_FUZZ_CHECK((mine[j] != nullptr) == (mine[i] != nullptr));
            if (mine[i]) CORDON_FUZZ_CHECK(same_bytes(mine[j]->public_key(), mine[i]->public_key()));
            break;
        }
    }
    return 0;
}
