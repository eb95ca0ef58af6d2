// AES-GCM (NIST SP 800-38D) as TLS uses it: 12-byte nonces, 16-byte tags.
//
// The bulk of a record runs eight blocks at a time: AES-CTR on eight counters
// (AESENC has a latency of several cycles but issues every cycle or two, so
// eight independent blocks keep the AES unit busy) while GHASH absorbs eight
// ciphertext blocks with one aggregated reduction; AES and PCLMULQDQ run on
// different execution units, so the two are interleaved in one loop ("stitched").
// Sealing hashes the batch it encrypted on the previous pass; opening hashes
// the ciphertext it is about to decrypt.
#include <cstring>
#include <new>

#include "crypto/native/native_backend.hpp"

#if defined(__x86_64__)
#include "crypto/native/aes.hpp"
#include "crypto/native/ghash.hpp"
#endif

namespace tls::crypto::native {
namespace {

constexpr Error bad_sizes{ErrorCode::invalid_argument, "AEAD nonce must be 12 bytes and tag 16 bytes"};
constexpr Error too_long{ErrorCode::invalid_argument, "AES-GCM input longer than 2^36 - 32 bytes"};
constexpr Error tag_mismatch{ErrorCode::bad_record_mac, "AEAD authentication failed"};
constexpr Error no_cpu_support{ErrorCode::unsupported, "this CPU lacks AES-NI or PCLMULQDQ"};

// SP 800-38D 5.2.1.1: at most 2^39 - 256 bits of plaintext (the 32-bit block
// counter would wrap past that).
constexpr std::uint64_t max_data_size = (std::uint64_t{1} << 36) - 32;

bool sizes_ok(Bytes nonce, std::size_t tag_size) {
    return nonce.size() == aead_nonce_size && tag_size == aead_tag_size;
}

#if defined(__x86_64__)

constexpr int batch = 8;  // blocks per pass of the bulk loop
constexpr std::size_t batch_bytes = 16 * batch;

// Counter blocks are kept byte-reversed, which puts SP 800-38D's 32-bit
// big-endian block counter in lane 0 as a little-endian number: one PADDD
// increments it, wrapping modulo 2^32 as inc32 does. One PSHUFB turns it back.
CORDON_NATIVE_INLINE __m128i counter_add(__m128i counter, int n) noexcept {
    return _mm_add_epi32(counter, _mm_set_epi32(0, 0, 0, n));
}

// Eight blocks of AES-CTR keystream from `counter` on (advanced by eight).
// With Hash, absorbs the eight ciphertext blocks at `hash_in` into `state`
// meanwhile: the GHASH of block j is issued alongside AES round j + 1.
template <int Rounds, bool Hash>
CORDON_NATIVE_INLINE void ctr8_ghash8(const AesKey& aes, const GhashKey& gh, __m128i& counter, __m128i (&ks)[batch],
                                      __m128i& state, const std::uint8_t* hash_in) noexcept {
    const __m128i* rk = aes.round_keys;
#pragma GCC unroll 8
    for (int i = 0; i < batch; ++i) ks[i] = _mm_xor_si128(byte_reverse(counter_add(counter, i)), rk[0]);
    counter = counter_add(counter, batch);

    Product p = product_zero();
#pragma GCC unroll 16
    for (int r = 1; r < Rounds; ++r) {
        const __m128i round_key = rk[r];
#pragma GCC unroll 8
        for (int i = 0; i < batch; ++i) ks[i] = _mm_aesenc_si128(ks[i], round_key);
        if constexpr (Hash) {
            if (r <= batch) {
                const int j = r - 1;
                __m128i x = byte_reverse(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hash_in + 16 * j)));
                if (j == 0) x = _mm_xor_si128(x, state);
                multiply_add(p, x, gh.powers[batch - 1 - j], gh.karatsuba[batch - 1 - j]);
            }
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < batch; ++i) ks[i] = _mm_aesenclast_si128(ks[i], rk[Rounds]);
    if constexpr (Hash) state = reduce(p);
}

// data[0..128) ^= ks, in place.
CORDON_NATIVE_INLINE void xor_batch(std::uint8_t* data, const __m128i (&ks)[batch]) noexcept {
#pragma GCC unroll 8
    for (int i = 0; i < batch; ++i) {
        auto* p = reinterpret_cast<__m128i*>(data + 16 * i);
        _mm_storeu_si128(p, _mm_xor_si128(_mm_loadu_si128(p), ks[i]));
    }
}

// The shared frame of seal and open. Returns the tag block (byte order as sent).
template <int Rounds, bool Seal>
CORDON_NATIVE_TARGET __m128i gcm(const AesKey& aes, const GhashKey& gh, const std::uint8_t* nonce,
                                 const std::uint8_t* aad, std::size_t aad_size, std::uint8_t* data,
                                 std::size_t size) noexcept {
    // J0 = nonce || 0^31 || 1 (the 96-bit nonce case); E(K, J0) masks the tag.
    alignas(16) std::uint8_t j0_bytes[16] = {};
    std::memcpy(j0_bytes, nonce, aead_nonce_size);
    j0_bytes[15] = 1;
    const __m128i j0 = _mm_load_si128(reinterpret_cast<const __m128i*>(j0_bytes));
    const __m128i tag_mask = aes_encrypt_block<Rounds>(aes, j0);
    __m128i counter = counter_add(byte_reverse(j0), 1);  // data starts at counter 2

    __m128i state = ghash_padded(gh, _mm_setzero_si128(), aad, aad_size);
    __m128i ks[batch];
    std::size_t done = 0;
    if constexpr (Seal) {
        // Each pass hashes the ciphertext the pass before it wrote.
        if (size >= batch_bytes) {
            ctr8_ghash8<Rounds, false>(aes, gh, counter, ks, state, nullptr);
            xor_batch(data, ks);
            for (done = batch_bytes; size - done >= batch_bytes; done += batch_bytes) {
                ctr8_ghash8<Rounds, true>(aes, gh, counter, ks, state, data + done - batch_bytes);
                xor_batch(data + done, ks);
            }
            state = ghash_up_to_8(gh, state, data + done - batch_bytes, batch);
        }
    } else {
        // The ciphertext is all there: hash each batch as it is decrypted (all
        // of its loads come before the stores, so in place is fine).
        for (; size - done >= batch_bytes; done += batch_bytes) {
            ctr8_ghash8<Rounds, true>(aes, gh, counter, ks, state, data + done);
            xor_batch(data + done, ks);
        }
    }

    if (const std::size_t rest = size - done; rest > 0) {
        // Under eight blocks left: one more keystream batch, worked in a padded
        // copy so the partial block needs no special case.
        alignas(16) std::uint8_t tail[batch_bytes] = {};
        std::memcpy(tail, data + done, rest);
        const int blocks = static_cast<int>((rest + 15) / 16);
        if (!Seal) state = ghash_up_to_8(gh, state, tail, blocks);  // ciphertext, zero-padded
        ctr8_ghash8<Rounds, false>(aes, gh, counter, ks, state, nullptr);
        xor_batch(tail, ks);
        std::memcpy(data + done, tail, rest);
        if (Seal) {
            std::memset(tail + rest, 0, sizeof tail - rest);  // GHASH pads with zeros, not keystream
            state = ghash_up_to_8(gh, state, tail, blocks);
        }
        secure_wipe(tail, sizeof tail);  // plaintext and keystream
    }

    // The lengths block, [len(A)]64 || [len(C)]64 in bits, reflected: len(C) lands in the low qword.
    const __m128i lengths = _mm_set_epi64x(static_cast<long long>(std::uint64_t{aad_size} * 8),
                                           static_cast<long long>(std::uint64_t{size} * 8));
    state = ghash_multiply(_mm_xor_si128(state, lengths), gh.powers[0]);
    return _mm_xor_si128(byte_reverse(state), tag_mask);
}

template <int Rounds>
class GcmKey final : public AeadKey {
public:
    static constexpr std::size_t key_size = Rounds == aes128_rounds ? 16 : 32;

    explicit GcmKey(const std::uint8_t* key) noexcept { expand(key); }
    ~GcmKey() override { secure_wipe(&keys_, sizeof keys_); }

    Result<void> seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        if (data.size() > max_data_size) return too_long;
        const __m128i t = gcm<Rounds, true>(keys_.aes, keys_.ghash, nonce.data(), aad.data(), aad.size(),
                                            data.data(), data.size());
        _mm_storeu_si128(reinterpret_cast<__m128i*>(tag.data()), t);
        return success();
    }

    Result<void> open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        if (data.size() > max_data_size) {
            secure_wipe(data);
            return too_long;
        }
        // Decrypts and authenticates in one pass; on a mismatch the plaintext is
        // wiped before anyone sees it. The comparison takes the same time for any tag.
        alignas(16) std::uint8_t expected[aead_tag_size];
        _mm_store_si128(reinterpret_cast<__m128i*>(expected),
                        gcm<Rounds, false>(keys_.aes, keys_.ghash, nonce.data(), aad.data(), aad.size(),
                                           data.data(), data.size()));
        if (!ct_equal(Bytes(expected, sizeof expected), tag)) {
            secure_wipe(data);
            return tag_mismatch;
        }
        return success();
    }

private:
    // E(K, 0^128) is H; everything else is derived once per key.
    CORDON_NATIVE_TARGET void expand(const std::uint8_t* key) noexcept {
        if constexpr (Rounds == aes128_rounds) aes128_expand_key(keys_.aes, key);
        else aes256_expand_key(keys_.aes, key);
        ghash_init(keys_.ghash, aes_encrypt_block<Rounds>(keys_.aes, _mm_setzero_si128()));
    }

    struct alignas(16) Keys {
        AesKey aes;
        GhashKey ghash;
    } keys_;
};

template <int Rounds>
Result<std::unique_ptr<AeadKey>> new_key(Bytes key) {
    if (key.size() != GcmKey<Rounds>::key_size) return Error{ErrorCode::invalid_argument, "wrong AEAD key size"};
    if (!aes_gcm_available()) return no_cpu_support;
    auto* k = new (std::nothrow) GcmKey<Rounds>(key.data());
    if (k == nullptr) return Error{ErrorCode::internal_error, "out of memory"};
    return std::unique_ptr<AeadKey>(k);
}

Result<std::unique_ptr<AeadKey>> new_aes128_key(Bytes key) { return new_key<aes128_rounds>(key); }
Result<std::unique_ptr<AeadKey>> new_aes256_key(Bytes key) { return new_key<aes256_rounds>(key); }

#else  // not x86-64: the descriptors exist, the keys do not

template <std::size_t KeySize>
Result<std::unique_ptr<AeadKey>> new_key(Bytes key) {
    if (key.size() != KeySize) return Error{ErrorCode::invalid_argument, "wrong AEAD key size"};
    return no_cpu_support;
}

Result<std::unique_ptr<AeadKey>> new_aes128_key(Bytes key) { return new_key<16>(key); }
Result<std::unique_ptr<AeadKey>> new_aes256_key(Bytes key) { return new_key<32>(key); }

#endif

}  // namespace

bool aes_gcm_available() noexcept {
#if defined(__x86_64__)
    static const bool available = [] {
        __builtin_cpu_init();  // in case the first call comes from a static initialiser
        return __builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul") &&
               __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
    }();
    return available;
#else
    return false;
#endif
}

const AeadDescriptor aes128_gcm{AeadAlgorithm::aes128_gcm, "native", 16, &new_aes128_key};
const AeadDescriptor aes256_gcm{AeadAlgorithm::aes256_gcm, "native", 32, &new_aes256_key};

}  // namespace tls::crypto::native
