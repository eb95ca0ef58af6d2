// Record protection for one direction: an AEAD key expanded once, the IV, and
// the sequence number (RFC 8446 5.2-5.5; RFC 5246 6.2.3.3 with RFC 5288 for
// AES-GCM and RFC 7905 for ChaCha20-Poly1305). Seal and open work in place on
// the record buffer; one AEAD call per record, no allocation.
#pragma once

#include <memory>

#include "record/record_types.hpp"
#include "tls/crypto/aead.hpp"

namespace tls::record {

class RecordCipher {
public:
    // TLS 1.3: the traffic key and the 12-byte IV from HKDF-Expand-Label.
    static Result<RecordCipher> tls13(const crypto::AeadDescriptor& aead, crypto::Bytes key, crypto::Bytes iv) noexcept;
    // TLS 1.2: the write key and fixed IV from the key block (4 bytes for AES-GCM,
    // 12 bytes for ChaCha20-Poly1305).
    static Result<RecordCipher> tls12(const crypto::AeadDescriptor& aead, crypto::Bytes key, crypto::Bytes fixed_iv) noexcept;

    RecordCipher(RecordCipher&&) noexcept = default;
    RecordCipher& operator=(RecordCipher&&) noexcept = default;
    ~RecordCipher();

    Protocol protocol() const noexcept { return protocol_; }
    // Bytes between the header and the plaintext (the TLS 1.2 GCM explicit nonce).
    std::size_t prefix_size() const noexcept { return explicit_nonce_ ? 8 : 0; }
    // Bytes a protected record adds to its plaintext besides padding (nonce, inner type, tag).
    std::size_t overhead() const noexcept {
        return prefix_size() + crypto::aead_tag_size + (protocol_ == Protocol::tls13 ? 1 : 0);
    }

    // Seals the record in `record`: on entry, record[header_size + prefix_size(), +plaintext_size)
    // holds the plaintext; the buffer must have room for overhead() + padding more bytes.
    // Writes the header, the TLS 1.3 inner type and padding, and the tag; returns the
    // whole record's size. `padding` is TLS 1.3 zero padding (ignored for TLS 1.2).
    Result<std::size_t> seal(ContentType type, crypto::MutableBytes record, std::size_t plaintext_size,
                             std::size_t padding) noexcept;

    struct Opened {
        ContentType type;            // the real content type (inner type in TLS 1.3)
        crypto::MutableBytes payload;  // view into the fragment
    };
    // Opens a record in place: header is its 5-byte header, fragment its body.
    // bad_record_mac on authentication failure (fragment then holds zeros);
    // record_overflow for an oversized plaintext; unexpected_message for an
    // all-zero TLS 1.3 inner plaintext (RFC 8446 5.4).
    Result<Opened> open(crypto::Bytes header, crypto::MutableBytes fragment) noexcept;

    // Records sealed or opened with this key so far (the next sequence number).
    std::uint64_t sequence() const noexcept { return sequence_; }
    // True once this key has protected enough records that it should be replaced
    // (RFC 8446 5.5: AES-GCM is good for 2^24.5 full records; we ask at 2^24).
    bool key_update_due() const noexcept { return sequence_ >= usage_limit_; }
    // For tests of exhaustion: continue from a given sequence number.
    void set_sequence_for_testing(std::uint64_t sequence) noexcept { sequence_ = sequence; }

private:
    RecordCipher() = default;
    Result<void> current_nonce(std::uint8_t nonce[12]) const noexcept;

    std::unique_ptr<crypto::AeadKey> key_;
    std::uint8_t iv_[12] = {};
    Protocol protocol_ = Protocol::tls13;
    bool explicit_nonce_ = false;  // TLS 1.2 AES-GCM
    std::uint64_t sequence_ = 0;
    std::uint64_t usage_limit_ = 0;
};

}  // namespace tls::record
