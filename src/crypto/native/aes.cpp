// The AES key schedule (FIPS 197 5.2) with AESKEYGENASSIST, which computes
// SubWord/RotWord and the round constant for us; the rest is XOR of words.
#include "crypto/native/aes.hpp"

#if defined(__x86_64__)

namespace tls::crypto::native {
namespace {

// The next four key words from the previous four (w0..w3) and the word the
// assist instruction produced, broadcast to all lanes: w'i = t ^ w0 ^ ... ^ wi.
// Two shifted XORs compute that prefix XOR of the four lanes.
CORDON_NATIVE_INLINE __m128i next_words(__m128i prev, __m128i t) noexcept {
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 8));
    return _mm_xor_si128(prev, t);
}

// RotWord(SubWord(w3)) ^ Rcon: lane 3 of AESKEYGENASSIST, broadcast.
// (The round constant is an instruction immediate, hence the template.)
template <int Rcon>
CORDON_NATIVE_INLINE __m128i rot_sub_rcon(__m128i words) noexcept {
    return _mm_shuffle_epi32(_mm_aeskeygenassist_si128(words, Rcon), 0xff);
}

// SubWord(w3) without rotation or constant (AES-256's extra step): lane 2, broadcast.
CORDON_NATIVE_INLINE __m128i sub_only(__m128i words) noexcept {
    return _mm_shuffle_epi32(_mm_aeskeygenassist_si128(words, 0), 0xaa);
}

template <int Rcon>
CORDON_NATIVE_INLINE void aes128_step(__m128i* rk, int i) noexcept {
    rk[i] = next_words(rk[i - 1], rot_sub_rcon<Rcon>(rk[i - 1]));
}

// AES-256 makes two round keys per round constant: one from the previous
// round key with RotWord/Rcon, the next with SubWord only.
template <int Rcon>
CORDON_NATIVE_INLINE void aes256_step(__m128i* rk, int i) noexcept {
    rk[i] = next_words(rk[i - 2], rot_sub_rcon<Rcon>(rk[i - 1]));
    if (i + 1 <= aes256_rounds) rk[i + 1] = next_words(rk[i - 1], sub_only(rk[i]));
}

}  // namespace

CORDON_NATIVE_TARGET void aes128_expand_key(AesKey& out, const std::uint8_t* key) noexcept {
    __m128i* rk = out.round_keys;
    rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
    aes128_step<0x01>(rk, 1);
    aes128_step<0x02>(rk, 2);
    aes128_step<0x04>(rk, 3);
    aes128_step<0x08>(rk, 4);
    aes128_step<0x10>(rk, 5);
    aes128_step<0x20>(rk, 6);
    aes128_step<0x40>(rk, 7);
    aes128_step<0x80>(rk, 8);
    aes128_step<0x1b>(rk, 9);
    aes128_step<0x36>(rk, 10);
}

CORDON_NATIVE_TARGET void aes256_expand_key(AesKey& out, const std::uint8_t* key) noexcept {
    __m128i* rk = out.round_keys;
    rk[0] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
    rk[1] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
    aes256_step<0x01>(rk, 2);
    aes256_step<0x02>(rk, 4);
    aes256_step<0x04>(rk, 6);
    aes256_step<0x08>(rk, 8);
    aes256_step<0x10>(rk, 10);
    aes256_step<0x20>(rk, 12);
    aes256_step<0x40>(rk, 14);  // the last: round key 15 does not exist
}

}  // namespace tls::crypto::native

#endif  // __x86_64__
