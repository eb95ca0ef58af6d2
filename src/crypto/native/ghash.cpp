#include "crypto/native/ghash.hpp"

#if defined(__x86_64__)

#include <cstring>

namespace tls::crypto::native {

CORDON_NATIVE_TARGET void ghash_init(GhashKey& key, __m128i h_block) noexcept {
    // H * x^-1: in the reflected form multiplying by x^-1 is a left shift by one.
    // The bit shifted out (the x^0 coefficient) comes back as x^-1 = x^127 + x^6 + x + 1,
    // reflected 0xC2000000'00000000'00000000'00000001. Masks, not a branch: H is secret.
    const __m128i h = byte_reverse(h_block);
    auto lo = static_cast<std::uint64_t>(_mm_cvtsi128_si64(h));
    auto hi = static_cast<std::uint64_t>(_mm_extract_epi64(h, 1));
    const std::uint64_t carry_mask = 0 - (hi >> 63);
    hi = (hi << 1 | lo >> 63) ^ (carry_mask & 0xc200000000000000ULL);
    lo = (lo << 1) ^ (carry_mask & 1);
    key.powers[0] = _mm_set_epi64x(static_cast<long long>(hi), static_cast<long long>(lo));
    // (H^i x^-1)(H x^-1) reduces to H^(i+1) x^-1: the product's lost factor x cancels one x^-1.
    for (int i = 1; i < ghash_batch; ++i) key.powers[i] = ghash_multiply(key.powers[i - 1], key.powers[0]);
    for (int i = 0; i < ghash_batch; ++i)
        key.karatsuba[i] = _mm_xor_si128(key.powers[i], _mm_shuffle_epi32(key.powers[i], 0x4e));
}

CORDON_NATIVE_TARGET __m128i ghash_blocks(const GhashKey& key, __m128i state, const std::uint8_t* in,
                                          std::size_t n) noexcept {
    for (; n >= ghash_batch; n -= ghash_batch, in += 16 * ghash_batch) state = ghash_up_to_8(key, state, in, 8);
    if (n > 0) state = ghash_up_to_8(key, state, in, static_cast<int>(n));
    return state;
}

CORDON_NATIVE_TARGET __m128i ghash_padded(const GhashKey& key, __m128i state, const std::uint8_t* in,
                                          std::size_t size) noexcept {
    if (size == 0) return state;  // in may be null
    state = ghash_blocks(key, state, in, size / 16);
    if (const std::size_t rest = size % 16; rest != 0) {
        std::uint8_t last[16] = {};
        std::memcpy(last, in + (size - rest), rest);
        state = ghash_up_to_8(key, state, last, 1);
    }
    return state;
}

}  // namespace tls::crypto::native

#endif  // __x86_64__
