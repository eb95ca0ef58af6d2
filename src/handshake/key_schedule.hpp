// TLS 1.3 key schedule primitives (RFC 8446 7.1 and 7.3): HKDF-Expand-Label,
// Derive-Secret and traffic key derivation. The staged schedule built on these
// (early -> handshake -> application secrets) comes with the handshake engine.
#pragma once

#include <string_view>

#include "tls/crypto/aead.hpp"
#include "tls/crypto/hash.hpp"

namespace tls::handshake {

// HKDF-Expand-Label(Secret, Label, Context, Length), with Length = out.size().
Result<void> hkdf_expand_label(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                               crypto::Bytes context, crypto::MutableBytes out) noexcept;

// Derive-Secret(Secret, Label, Messages) given the transcript hash of Messages;
// writes hash.output_size bytes.
Result<void> derive_secret(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                           crypto::Bytes transcript_hash, crypto::MutableBytes out) noexcept;

// The write key and IV for a traffic secret (RFC 8446 7.3).
struct TrafficKeys {
    crypto::Secret key;  // aead key_size bytes
    crypto::Secret iv;   // 12 bytes
};
Result<TrafficKeys> derive_traffic_keys(const crypto::HashDescriptor& hash, const crypto::AeadDescriptor& aead,
                                        crypto::Bytes traffic_secret) noexcept;

}  // namespace tls::handshake
