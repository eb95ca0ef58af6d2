// The PKCS#12 key derivation function (RFC 7292 appendix B): the MAC key of
// classic PKCS#12 files and the keys and IVs of the PKCS#12 PBEs (3DES, RC2).
// It is only ever used with the password as a BMPString, so the conversion
// from UTF-8 lives here too.
#pragma once

#include <cstdint>
#include <string_view>

#include "tls/crypto/hash.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::x509 {

// RFC 7292 B.3: what the derived bytes are for ("ID").
enum class Pkcs12Purpose : std::uint8_t { key = 1, iv = 2, mac = 3 };

// RFC 7292 B.2: fills out from the BMPString password (already encoded, with its
// terminator), salt and iteration count. iterations >= 1 (invalid_argument
// otherwise); the caller bounds it.
Result<void> pkcs12_kdf(const crypto::HashDescriptor& hash, crypto::Bytes bmp_password, crypto::Bytes salt,
                        std::uint32_t iterations, Pkcs12Purpose purpose, crypto::MutableBytes out);

// RFC 7292 B.1: the password as a BMPString: UTF-16 big-endian (characters
// beyond U+FFFF as surrogate pairs, as OpenSSL and Java write them) followed by
// two zero bytes. An empty password gives just the two zero bytes.
// Malformed UTF-8 is invalid_argument.
Result<crypto::SecretBuffer> pkcs12_bmp_password(std::string_view utf8);

}  // namespace tls::x509
