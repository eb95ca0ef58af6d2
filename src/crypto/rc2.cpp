// RC2 (RFC 2268): key expansion (section 2), encryption (3) and decryption (4),
// written from the RFC's description. Words are 16 bits, little-endian in the block.
#include "crypto/rc2.hpp"

#include <cstring>

namespace tls::crypto {
namespace {

// RFC 2268 2: PITABLE, a permutation of 0..255 derived from the digits of pi.
constexpr std::uint8_t pitable[256] = {
    0xd9, 0x78, 0xf9, 0xc4, 0x19, 0xdd, 0xb5, 0xed, 0x28, 0xe9, 0xfd, 0x79, 0x4a, 0xa0, 0xd8, 0x9d,
    0xc6, 0x7e, 0x37, 0x83, 0x2b, 0x76, 0x53, 0x8e, 0x62, 0x4c, 0x64, 0x88, 0x44, 0x8b, 0xfb, 0xa2,
    0x17, 0x9a, 0x59, 0xf5, 0x87, 0xb3, 0x4f, 0x13, 0x61, 0x45, 0x6d, 0x8d, 0x09, 0x81, 0x7d, 0x32,
    0xbd, 0x8f, 0x40, 0xeb, 0x86, 0xb7, 0x7b, 0x0b, 0xf0, 0x95, 0x21, 0x22, 0x5c, 0x6b, 0x4e, 0x82,
    0x54, 0xd6, 0x65, 0x93, 0xce, 0x60, 0xb2, 0x1c, 0x73, 0x56, 0xc0, 0x14, 0xa7, 0x8c, 0xf1, 0xdc,
    0x12, 0x75, 0xca, 0x1f, 0x3b, 0xbe, 0xe4, 0xd1, 0x42, 0x3d, 0xd4, 0x30, 0xa3, 0x3c, 0xb6, 0x26,
    0x6f, 0xbf, 0x0e, 0xda, 0x46, 0x69, 0x07, 0x57, 0x27, 0xf2, 0x1d, 0x9b, 0xbc, 0x94, 0x43, 0x03,
    0xf8, 0x11, 0xc7, 0xf6, 0x90, 0xef, 0x3e, 0xe7, 0x06, 0xc3, 0xd5, 0x2f, 0xc8, 0x66, 0x1e, 0xd7,
    0x08, 0xe8, 0xea, 0xde, 0x80, 0x52, 0xee, 0xf7, 0x84, 0xaa, 0x72, 0xac, 0x35, 0x4d, 0x6a, 0x2a,
    0x96, 0x1a, 0xd2, 0x71, 0x5a, 0x15, 0x49, 0x74, 0x4b, 0x9f, 0xd0, 0x5e, 0x04, 0x18, 0xa4, 0xec,
    0xc2, 0xe0, 0x41, 0x6e, 0x0f, 0x51, 0xcb, 0xcc, 0x24, 0x91, 0xaf, 0x50, 0xa1, 0xf4, 0x70, 0x39,
    0x99, 0x7c, 0x3a, 0x85, 0x23, 0xb8, 0xb4, 0x7a, 0xfc, 0x02, 0x36, 0x5b, 0x25, 0x55, 0x97, 0x31,
    0x2d, 0x5d, 0xfa, 0x98, 0xe3, 0x8a, 0x92, 0xae, 0x05, 0xdf, 0x29, 0x10, 0x67, 0x6c, 0xba, 0xc9,
    0xd3, 0x00, 0xe6, 0xcf, 0xe1, 0x9e, 0xa8, 0x2c, 0x63, 0x16, 0x01, 0x3f, 0x58, 0xe2, 0x89, 0xa9,
    0x0d, 0x38, 0x34, 0x1b, 0xab, 0x33, 0xff, 0xb0, 0xbb, 0x48, 0x0c, 0x5f, 0xb9, 0xb1, 0xcd, 0x2e,
    0xc5, 0xf3, 0xdb, 0x47, 0xe5, 0xa5, 0x9c, 0x77, 0x0a, 0xa6, 0x20, 0x68, 0xfe, 0x7f, 0xc1, 0xad,
};

// The rotation amounts s[0..3] of the mixing rounds (RFC 2268 3.1).
constexpr unsigned rotation[4] = {1, 2, 3, 5};

std::uint16_t rotl(std::uint16_t x, unsigned s) { return static_cast<std::uint16_t>((x << s) | (x >> (16 - s))); }
std::uint16_t rotr(std::uint16_t x, unsigned s) { return static_cast<std::uint16_t>((x >> s) | (x << (16 - s))); }

void load_words(const std::uint8_t in[8], std::uint16_t r[4]) {
    for (int i = 0; i < 4; ++i) r[i] = static_cast<std::uint16_t>(in[2 * i] | (in[2 * i + 1] << 8));
}

void store_words(const std::uint16_t r[4], std::uint8_t out[8]) {
    for (int i = 0; i < 4; ++i) {
        out[2 * i] = static_cast<std::uint8_t>(r[i]);
        out[2 * i + 1] = static_cast<std::uint8_t>(r[i] >> 8);
    }
}

}  // namespace

Rc2::Rc2(Bytes key, std::size_t effective_bits) noexcept {
    const std::size_t t = key.size();
    if (t < 1 || t > 128 || effective_bits < 1 || effective_bits > 1024) return;
    std::uint8_t l[128] = {};
    std::memcpy(l, key.data(), t);
    // Stretch the key to 128 bytes ...
    for (std::size_t i = t; i < 128; ++i) l[i] = pitable[static_cast<std::uint8_t>(l[i - 1] + l[i - t])];
    // ... then cut it to T1 effective bits: T8 bytes, the top one masked by TM.
    const std::size_t t8 = (effective_bits + 7) / 8;
    const unsigned tm = 0xffu >> (8 * t8 - effective_bits);
    l[128 - t8] = pitable[l[128 - t8] & tm];
    for (std::size_t i = 128 - t8; i-- > 0;) l[i] = pitable[l[i + 1] ^ l[i + t8]];
    for (std::size_t i = 0; i < 64; ++i) k_[i] = static_cast<std::uint16_t>(l[2 * i] | (l[2 * i + 1] << 8));
    secure_wipe(l, sizeof l);
    ok_ = true;
}

Rc2::~Rc2() { secure_wipe(k_, sizeof k_); }

void Rc2::encrypt_block(const std::uint8_t in[8], std::uint8_t out[8]) const noexcept {
    std::uint16_t r[4];
    load_words(in, r);
    std::size_t j = 0;
    // RFC 2268 3.1: R[i] += K[j] + (R[i-1] & R[i-2]) + (~R[i-1] & R[i-3]); R[i] <<<= s[i].
    auto mixing_round = [&] {
        for (int i = 0; i < 4; ++i) {
            const std::uint16_t a = r[(i + 3) & 3], b = r[(i + 2) & 3], c = r[(i + 1) & 3];
            r[i] = static_cast<std::uint16_t>(r[i] + k_[j++] + (a & b) + (~a & c));
            r[i] = rotl(r[i], rotation[i]);
        }
    };
    // RFC 2268 3.2: R[i] += K[R[i-1] & 63].
    auto mashing_round = [&] {
        for (int i = 0; i < 4; ++i) r[i] = static_cast<std::uint16_t>(r[i] + k_[r[(i + 3) & 3] & 63]);
    };
    // RFC 2268 3.3: five mixing rounds, one mashing, six mixing, one mashing, five mixing.
    for (int n = 0; n < 5; ++n) mixing_round();
    mashing_round();
    for (int n = 0; n < 6; ++n) mixing_round();
    mashing_round();
    for (int n = 0; n < 5; ++n) mixing_round();
    store_words(r, out);
}

void Rc2::decrypt_block(const std::uint8_t in[8], std::uint8_t out[8]) const noexcept {
    std::uint16_t r[4];
    load_words(in, r);
    std::size_t j = 64;
    // RFC 2268 4.1: the mixing step undone, words in the order 3, 2, 1, 0.
    auto r_mixing_round = [&] {
        for (int i = 3; i >= 0; --i) {
            r[i] = rotr(r[i], rotation[i]);
            const std::uint16_t a = r[(i + 3) & 3], b = r[(i + 2) & 3], c = r[(i + 1) & 3];
            r[i] = static_cast<std::uint16_t>(r[i] - k_[--j] - (a & b) - (~a & c));
        }
    };
    // RFC 2268 4.2: R[i] -= K[R[i-1] & 63], words in the order 3, 2, 1, 0.
    auto r_mashing_round = [&] {
        for (int i = 3; i >= 0; --i) r[i] = static_cast<std::uint16_t>(r[i] - k_[r[(i + 3) & 3] & 63]);
    };
    for (int n = 0; n < 5; ++n) r_mixing_round();
    r_mashing_round();
    for (int n = 0; n < 6; ++n) r_mixing_round();
    r_mashing_round();
    for (int n = 0; n < 5; ++n) r_mixing_round();
    store_words(r, out);
}

namespace {

Result<void> rc2_40_cbc_decrypt(Bytes key, Bytes iv, MutableBytes data) noexcept {
    if (key.size() != 5 || iv.size() != Rc2::block_size || data.size() % Rc2::block_size != 0)
        return Error{ErrorCode::invalid_argument, "CBC key, IV or data size is wrong for the cipher"};
    const Rc2 rc2(key, 40);
    std::uint8_t chain[Rc2::block_size], saved[Rc2::block_size];
    std::memcpy(chain, iv.data(), sizeof chain);
    for (std::size_t off = 0; off < data.size(); off += Rc2::block_size) {
        std::uint8_t* block = data.data() + off;
        std::memcpy(saved, block, sizeof saved);  // the next block's chaining value
        rc2.decrypt_block(block, block);
        for (std::size_t i = 0; i < Rc2::block_size; ++i) block[i] ^= chain[i];
        std::memcpy(chain, saved, sizeof chain);
    }
    return success();
}

}  // namespace

const BlockCipherDescriptor rc2_40_cbc{BlockCipher::rc2_40_cbc, "cordon", 5, Rc2::block_size, rc2_40_cbc_decrypt};

}  // namespace tls::crypto
