// GHASH (NIST SP 800-38D 6.4) with PCLMULQDQ, after the method of Gueron and
// Kounavis ("Intel Carry-Less Multiplication Instruction and its Usage for
// Computing the GCM Mode"); the code is cordon's own.
//
// Representation. GCM numbers the bits of a block from the most significant bit
// of byte 0 (the coefficient of x^0) onwards. Reversing the 16 bytes (one PSHUFB)
// turns a block into a 128-bit integer whose bit k is the coefficient of
// x^(127-k): the polynomial bit-reflected. A carry-less product of two reflected
// values is then the reflected 255-bit product, one bit short of a 256-bit
// reflection; that lost factor of x is paid once, by keeping H as H*x^-1
// (a one-bit left shift, reduced), so no per-block shift is needed. Reduction
// modulo P = x^128 + x^7 + x^2 + x + 1 folds the low (high-degree) half back up
// with two multiplications by 0xC2 << 56, the reflection of x^7 + x^2 + x.
//
// Speed. Eight blocks are multiplied by H^8..H^1, their unreduced products summed
// and reduced once (aggregated reduction), and each product takes three PCLMULs
// instead of four (Karatsuba), with the H halves' XOR precomputed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/native/aes.hpp"

namespace tls::crypto::native {

inline constexpr int ghash_batch = 8;  // blocks per aggregated reduction

struct alignas(16) GhashKey {
    __m128i powers[ghash_batch];     // powers[i] = H^(i+1) * x^-1, reflected
    __m128i karatsuba[ghash_batch];  // low qword: high ^ low qword of powers[i]
};

// Derives the powers of H from the block E(K, 0^128).
CORDON_NATIVE_TARGET void ghash_init(GhashKey& key, __m128i h_block) noexcept;

// Absorbs n 16-byte blocks into the (reflected) GHASH state.
CORDON_NATIVE_TARGET __m128i ghash_blocks(const GhashKey& key, __m128i state, const std::uint8_t* in,
                                          std::size_t n) noexcept;

// Absorbs size bytes, the last partial block padded with zeros (for the AAD).
CORDON_NATIVE_TARGET __m128i ghash_padded(const GhashKey& key, __m128i state, const std::uint8_t* in,
                                          std::size_t size) noexcept;

// ------------------------------------------------------------ inline helpers

// Reverses the 16 bytes of a block: GCM's byte order <-> the reflected integer.
CORDON_NATIVE_INLINE __m128i byte_reverse(__m128i block) noexcept {
    const __m128i reverse = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    return _mm_shuffle_epi8(block, reverse);
}

// An unreduced sum of 256-bit Karatsuba products: lo and hi halves, and the middle term.
struct Product {
    __m128i lo, hi, mid;
};

CORDON_NATIVE_INLINE Product product_zero() noexcept {
    return {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128()};
}

// acc += x * power (x reflected), with power's Karatsuba word precomputed.
CORDON_NATIVE_INLINE void multiply_add(Product& acc, __m128i x, __m128i power, __m128i power_karatsuba) noexcept {
    const __m128i x_folded = _mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4e));  // low qword: x.hi ^ x.lo
    acc.lo = _mm_xor_si128(acc.lo, _mm_clmulepi64_si128(x, power, 0x00));
    acc.hi = _mm_xor_si128(acc.hi, _mm_clmulepi64_si128(x, power, 0x11));
    acc.mid = _mm_xor_si128(acc.mid, _mm_clmulepi64_si128(x_folded, power_karatsuba, 0x00));
}

// The 256-bit sum reduced modulo P, back to a reflected 128-bit value.
CORDON_NATIVE_INLINE __m128i reduce(const Product& p) noexcept {
    // Karatsuba: middle = (a.lo^a.hi)(b.lo^b.hi) ^ lo ^ hi, straddling the two halves.
    const __m128i mid = _mm_xor_si128(p.mid, _mm_xor_si128(p.lo, p.hi));
    const __m128i hi = _mm_xor_si128(p.hi, _mm_srli_si128(mid, 8));
    const __m128i lo = _mm_xor_si128(p.lo, _mm_slli_si128(mid, 8));
    // lo holds degrees 128..255 (bit k is x^(255-k)); x^128 = x^7 + x^2 + x + 1 mod P.
    // Fold it in two 64-bit steps: the low qword first (its product spills into
    // the high qword of lo), then that high qword into hi.
    const __m128i poly = _mm_set_epi64x(0, static_cast<long long>(0xc200000000000000ULL));
    const __m128i t = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), _mm_clmulepi64_si128(lo, poly, 0x00));
    return _mm_xor_si128(_mm_xor_si128(hi, _mm_shuffle_epi32(t, 0x4e)), _mm_clmulepi64_si128(t, poly, 0x00));
}

// a * b for reflected a and b (b one of the stored H powers' form).
CORDON_NATIVE_INLINE __m128i ghash_multiply(__m128i a, __m128i b) noexcept {
    Product p = product_zero();
    multiply_add(p, a, b, _mm_xor_si128(b, _mm_shuffle_epi32(b, 0x4e)));
    return reduce(p);
}

// Absorbs n <= 8 blocks: (state ^ X1) * H^n ^ X2 * H^(n-1) ^ ... ^ Xn * H, one reduction.
CORDON_NATIVE_INLINE __m128i ghash_up_to_8(const GhashKey& key, __m128i state, const std::uint8_t* in,
                                           int n) noexcept {
    Product p = product_zero();
    for (int j = 0; j < n; ++j) {
        __m128i x = byte_reverse(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + 16 * j)));
        if (j == 0) x = _mm_xor_si128(x, state);
        multiply_add(p, x, key.powers[n - 1 - j], key.karatsuba[n - 1 - j]);
    }
    return reduce(p);
}

}  // namespace tls::crypto::native
