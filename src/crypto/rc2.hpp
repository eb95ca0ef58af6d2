// RC2 (RFC 2268), cordon's own: mbedTLS does not offer it, and PKCS#12 files
// written by `openssl pkcs12 -export -legacy` (and by older Windows and Java)
// encrypt their certificates with pbeWithSHAAnd40BitRC2-CBC (RFC 7292 C).
// RC2 is a weak, legacy cipher: cordon only decrypts with it, and only there.
// Not constant-time (RFC 2268's mashing rounds index the key table by data).
#pragma once

#include <cstddef>
#include <cstdint>

#include "tls/crypto/cipher.hpp"

namespace tls::crypto {

class Rc2 {
public:
    static constexpr std::size_t block_size = 8;

    // key: 1..128 bytes; effective_bits: 1..1024 (RFC 2268 2, "T1").
    // Out-of-range arguments give an all-zero schedule and ok() == false.
    Rc2(Bytes key, std::size_t effective_bits) noexcept;
    ~Rc2();
    Rc2(const Rc2&) = delete;
    Rc2& operator=(const Rc2&) = delete;

    bool ok() const noexcept { return ok_; }
    void encrypt_block(const std::uint8_t in[block_size], std::uint8_t out[block_size]) const noexcept;
    void decrypt_block(const std::uint8_t in[block_size], std::uint8_t out[block_size]) const noexcept;

private:
    std::uint16_t k_[64] = {};  // the expanded key K[0..63]
    bool ok_ = false;
};

// RC2-CBC with a 5-byte key and 40 effective bits, backend "cordon".
extern const BlockCipherDescriptor rc2_40_cbc;

}  // namespace tls::crypto
