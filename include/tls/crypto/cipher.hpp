// Block ciphers in CBC mode, for decrypting password-protected key files
// (PKCS#8 EncryptedPrivateKeyInfo, PKCS#12). TLS itself never uses them: its
// records are AEAD-only. Decryption only, in place, without padding: the file
// formats own their padding (RFC 8018 6.1.1 step 4) and check it themselves.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

enum class BlockCipher : std::uint8_t {
    aes128_cbc,    // RFC 8018 B.2.5 (PBES2 aes128-CBC-Pad)
    aes256_cbc,    // RFC 8018 B.2.5 (PBES2 aes256-CBC-Pad)
    des_ede3_cbc,  // RFC 8018 B.2.2 and RFC 7292 C (pbeWithSHAAnd3-KeyTripleDES-CBC)
    rc2_40_cbc,    // RFC 2268 with 40 effective key bits (RFC 7292 C, pbeWithSHAAnd40BitRC2-CBC)
};

const char* to_string(BlockCipher) noexcept;

struct BlockCipherDescriptor {
    BlockCipher algorithm;
    const char* backend;
    std::size_t key_size;    // bytes
    std::size_t block_size;  // bytes, also the IV size
    // Decrypts data in place in CBC mode. key must be key_size bytes, iv
    // block_size bytes and data a whole number of blocks (invalid_argument
    // otherwise). Key schedules are wiped before returning.
    Result<void> (*cbc_decrypt)(Bytes key, Bytes iv, MutableBytes data) noexcept;
};

}  // namespace tls::crypto
