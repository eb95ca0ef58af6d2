// AEAD ciphers (RFC 5116) as TLS uses them: 12-byte nonces, 16-byte tags.
//
// A key is expanded once into an AeadKey and then reused for every record of a
// direction. Seal and open work in place on the caller's buffer; the tag lives in
// a separate span so the record layer can place it wherever the wire format wants.
#pragma once

#include <cstddef>
#include <memory>

#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

inline constexpr std::size_t aead_nonce_size = 12;
inline constexpr std::size_t aead_tag_size = 16;

// An expanded AEAD key. Implementations wipe their key schedule on destruction.
class AeadKey {
public:
    virtual ~AeadKey() = default;

    // Encrypts data in place and writes the 16-byte tag.
    // nonce must be 12 bytes and tag 16 bytes (invalid_argument otherwise).
    virtual Result<void> seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) noexcept = 0;

    // Checks the tag (in constant time) and decrypts data in place. On failure
    // returns bad_record_mac and data holds zeros: no unauthenticated plaintext.
    virtual Result<void> open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) noexcept = 0;
};

struct AeadDescriptor {
    AeadAlgorithm algorithm;
    const char* backend;
    std::size_t key_size;
    // Expands key (key_size bytes) into a reusable AeadKey.
    Result<std::unique_ptr<AeadKey>> (*new_key)(Bytes key);
};

}  // namespace tls::crypto
