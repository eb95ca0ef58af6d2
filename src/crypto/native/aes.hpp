// AES-128 and AES-256 with the AES-NI instructions: the key schedule and the
// round helpers the GCM code interleaves with GHASH. Forward cipher only: GCM
// runs AES in counter mode, so no decryption key schedule is needed.
//
// x86-64 only. Nothing here may run before aes_gcm_available() said yes.
#pragma once

#include <immintrin.h>

#include <cstdint>

// The functions that use AES-NI, PCLMULQDQ, SSSE3 or SSE4.1 intrinsics carry
// this attribute rather than the whole build getting -maes: the library must
// still load and run on CPUs without them (the CPU check picks the backend).
// Declarations and definitions must carry the same one (g++ treats functions
// differing only in target as versions of each other).
#define CORDON_NATIVE_TARGET __attribute__((target("aes,pclmul,sse4.1,ssse3")))
// The small helpers must inline into the hot loops so their operands stay in registers.
#define CORDON_NATIVE_INLINE CORDON_NATIVE_TARGET __attribute__((always_inline)) inline

namespace tls::crypto::native {

inline constexpr int aes128_rounds = 10;
inline constexpr int aes256_rounds = 14;

// An expanded encryption key: rounds + 1 round keys (11 or 15).
struct alignas(16) AesKey {
    __m128i round_keys[aes256_rounds + 1];
};

// Expand a 16-byte (AES-128) or 32-byte (AES-256) key.
CORDON_NATIVE_TARGET void aes128_expand_key(AesKey& out, const std::uint8_t* key) noexcept;
CORDON_NATIVE_TARGET void aes256_expand_key(AesKey& out, const std::uint8_t* key) noexcept;

// One block, for the few single blocks GCM needs (H and the tag mask E(K, J0)).
template <int Rounds>
CORDON_NATIVE_INLINE __m128i aes_encrypt_block(const AesKey& key, __m128i block) noexcept {
    block = _mm_xor_si128(block, key.round_keys[0]);
#pragma GCC unroll 16
    for (int r = 1; r < Rounds; ++r) block = _mm_aesenc_si128(block, key.round_keys[r]);
    return _mm_aesenclast_si128(block, key.round_keys[Rounds]);
}

}  // namespace tls::crypto::native
