// Every AEAD of every provider against each other (libsodium, mbedTLS and
// cordon's own AES-GCM), on fuzzer-chosen keys, nonces, AADs and records.
//
// Input layout (see fuzz_input.hpp: short input reads as zeros / empty fields):
//   32 bytes  key (each AEAD uses its first key_size bytes)
//   12 bytes  nonce
//   16 bytes  tag, for opening the record as received
//   u16+      aad (at most 1024 bytes)
//   ...       record: the rest (at most 8192 bytes)
//
// For each algorithm, all backends offering it must:
//   - seal the record to the same ciphertext and tag, and open that back;
//   - refuse the sealed record with a flipped tag bit (bad_record_mac, zeroed data);
//   - give the same verdict and plaintext when opening the record with the input's
//     tag, and zeros in the buffer on failure (no unauthenticated plaintext);
//   - refuse nonces that are not 12 bytes with invalid_argument.
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "tls/crypto/provider.hpp"

namespace {

using namespace tls;
using namespace tls::crypto;

constexpr std::size_t max_aad = 1024;
constexpr std::size_t max_record = 8192;

// The AEAD descriptors of every provider, each one once.
const std::vector<const AeadDescriptor*>& all_aeads() {
    static const std::vector<const AeadDescriptor*> all = [] {
        std::vector<const AeadDescriptor*> out;
        for (const CryptoProvider* p :
             {&sodium_provider(), &mbedtls_provider(), &native_provider(), &default_provider()})
            for (const AeadDescriptor* d : p->aeads) {
                bool seen = false;
                for (const AeadDescriptor* o : out) seen = seen || o == d;
                if (!seen) out.push_back(d);
            }
        return out;
    }();
    return all;
}

bool all_zero(const std::vector<std::uint8_t>& v) {
    std::uint8_t acc = 0;
    for (auto b : v) acc |= b;
    return acc == 0;
}

struct Outcome {
    std::vector<std::uint8_t> sealed;
    std::uint8_t tag[aead_tag_size];
    bool opened;
    std::vector<std::uint8_t> plaintext;
};

Outcome run(const AeadDescriptor& d, Bytes key, Bytes nonce, Bytes tag, Bytes aad, Bytes record) {
    auto k = d.new_key(key.first(d.key_size));
    CORDON_FUZZ_CHECK(k.ok());
    AeadKey& aead = **k;
    Outcome out{};

    // Seal, then open what was sealed. Exactly sized buffers, so ASan sees overruns.
    out.sealed.assign(record.begin(), record.end());
    CORDON_FUZZ_CHECK(aead.seal(nonce, aad, out.sealed, out.tag).ok());
    {
        std::vector<std::uint8_t> buf = out.sealed;
        CORDON_FUZZ_CHECK(aead.open(nonce, aad, buf, out.tag).ok());
        CORDON_FUZZ_CHECK(buf.size() == record.size() &&
                          (record.empty() || std::memcmp(buf.data(), record.data(), record.size()) == 0));
    }
    {
        std::vector<std::uint8_t> buf = out.sealed;
        std::uint8_t bad_tag[aead_tag_size];
        std::memcpy(bad_tag, out.tag, sizeof bad_tag);
        bad_tag[record.size() % aead_tag_size] ^= static_cast<std::uint8_t>(1u << (record.size() % 8));
        auto r = aead.open(nonce, aad, buf, bad_tag);
        CORDON_FUZZ_CHECK(!r.ok() && r.error().code == ErrorCode::bad_record_mac);
        CORDON_FUZZ_CHECK(all_zero(buf));
    }

    // Open the record as received, with the input's tag.
    out.plaintext.assign(record.begin(), record.end());
    auto r = aead.open(nonce, aad, out.plaintext, tag);
    out.opened = r.ok();
    if (!r) {
        CORDON_FUZZ_CHECK(r.error().code == ErrorCode::bad_record_mac);
        CORDON_FUZZ_CHECK(all_zero(out.plaintext));
    }

    // Wrong nonce and tag sizes are refused.
    {
        std::vector<std::uint8_t> buf(record.begin(), record.end());
        std::uint8_t t[aead_tag_size];
        auto s = aead.seal(nonce.first(aead_nonce_size - 1), aad, buf, t);
        CORDON_FUZZ_CHECK(!s.ok() && s.error().code == ErrorCode::invalid_argument);
        auto o = aead.open(nonce, aad, buf, tag.first(aead_tag_size - 1));
        CORDON_FUZZ_CHECK(!o.ok());
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cordon_fuzz::Input in(data, size);
    std::uint8_t key[32] = {}, nonce[aead_nonce_size] = {}, tag[aead_tag_size] = {};
    const Bytes k = in.take(sizeof key), n = in.take(sizeof nonce), t = in.take(sizeof tag);
    if (!k.empty()) std::memcpy(key, k.data(), k.size());
    if (!n.empty()) std::memcpy(nonce, n.data(), n.size());
    if (!t.empty()) std::memcpy(tag, t.data(), t.size());
    const Bytes aad = in.field(max_aad);
    Bytes record = in.rest();
    if (record.size() > max_record) record = record.first(max_record);

    const auto& aeads = all_aeads();
    std::vector<Outcome> outcomes;
    outcomes.reserve(aeads.size());
    for (std::size_t i = 0; i < aeads.size(); ++i) {
        Outcome o = run(*aeads[i], key, nonce, tag, aad, record);
        // The first backend with this algorithm is the reference.
        for (std::size_t j = 0; j < i; ++j) {
            if (aeads[j]->algorithm != aeads[i]->algorithm) continue;
            const Outcome& ref = outcomes[j];
            CORDON_FUZZ_CHECK(o.sealed == ref.sealed);
            CORDON_FUZZ_CHECK(std::memcmp(o.tag, ref.tag, aead_tag_size) == 0);
            CORDON_FUZZ_CHECK(o.opened == ref.opened);
            CORDON_FUZZ_CHECK(o.plaintext == ref.plaintext);
            break;
        }
        outcomes.push_back(std::move(o));
    }
    return 0;
}
