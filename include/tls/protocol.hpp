// Protocol vocabulary shared by the public API and the handshake: cipher suites
// and protocol versions with their IANA code points. Each enum spans its whole
// integer type, so values cordon does not know (GREASE, RFC 8701) round-trip.
#pragma once

#include <cstdint>

namespace tls {

enum class CipherSuite : std::uint16_t {
    tls_aes_128_gcm_sha256 = 0x1301,
    tls_aes_256_gcm_sha384 = 0x1302,
    tls_chacha20_poly1305_sha256 = 0x1303,
    tls_ecdhe_ecdsa_with_aes_128_gcm_sha256 = 0xc02b,
    tls_ecdhe_ecdsa_with_aes_256_gcm_sha384 = 0xc02c,
    tls_ecdhe_rsa_with_aes_128_gcm_sha256 = 0xc02f,
    tls_ecdhe_rsa_with_aes_256_gcm_sha384 = 0xc030,
    tls_ecdhe_rsa_with_chacha20_poly1305_sha256 = 0xcca8,
    tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256 = 0xcca9,
    tls_empty_renegotiation_info_scsv = 0x00ff,
};

enum class ProtocolVersion : std::uint16_t {
    tls10 = 0x0301,
    tls11 = 0x0302,
    tls12 = 0x0303,
    tls13 = 0x0304,
};

// "TLS_AES_128_GCM_SHA256", "TLSv1.3"; "unknown" for values cordon does not know.
const char* to_string(CipherSuite suite) noexcept;
const char* to_string(ProtocolVersion version) noexcept;

}  // namespace tls
