// Record-layer vocabulary shared by the reader, the writer and the ciphers
// (RFC 8446 5, RFC 5246 6.2).
#pragma once

#include <cstddef>
#include <cstdint>

namespace tls::record {

enum class ContentType : std::uint8_t {
    invalid = 0,
    change_cipher_spec = 20,
    alert = 21,
    handshake = 22,
    application_data = 23,
};

// Which protocol's record rules apply (limits, CCS and alert handling).
enum class Protocol : std::uint8_t { tls12, tls13 };

inline constexpr std::size_t header_size = 5;
inline constexpr std::size_t max_plaintext = 1u << 14;                   // 2^14 (both versions)
inline constexpr std::size_t max_ciphertext_tls13 = max_plaintext + 256;  // RFC 8446 5.2
inline constexpr std::size_t max_ciphertext_tls12 = max_plaintext + 2048; // RFC 5246 6.2.3
inline constexpr std::uint16_t record_version_tls12 = 0x0303;

// The largest record either version allows on the wire, header included.
inline constexpr std::size_t max_record_size = header_size + max_ciphertext_tls12;

const char* to_string(ContentType type) noexcept;

}  // namespace tls::record
