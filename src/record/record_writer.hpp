// The sending half of the record layer: splits messages into records of at most
// the fragment limit, protects them in place in the send buffer, and queues them
// back to back so one send can carry several records (coalescing).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "record/record_cipher.hpp"
#include "record/record_types.hpp"
#include "tls/alert.hpp"

namespace tls::record {

// TLS 1.3 padding policy: given a record's content size, how many zero bytes to
// add. None by default; pad_to_block(n) rounds TLSInnerPlaintext up to n bytes.
using PaddingPolicy = std::function<std::size_t(std::size_t content_size)>;
PaddingPolicy pad_to_block(std::size_t block) noexcept;

// A growable byte buffer that, unlike std::vector, does not zero the bytes it
// adds: records are written over them at once, and zeroing 16 KiB per record
// costs several percent of a fast AEAD.
class SendBuffer {
public:
    std::uint8_t* data() noexcept { return data_.get(); }
    const std::uint8_t* data() const noexcept { return data_.get(); }
    std::size_t size() const noexcept { return size_; }
    // New bytes are uninitialised; existing ones are kept.
    void resize(std::size_t size);
    void clear() noexcept { size_ = 0; }
    void release() noexcept {
        data_.reset();
        size_ = capacity_ = 0;
    }

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
};

class RecordWriter {
public:
    RecordWriter() = default;

    // Appends `data` as records of `type` (split at the fragment limit; an empty
    // application_data write gives one empty record, other types none).
    Result<void> write(ContentType type, crypto::Bytes data) noexcept;
    Result<void> write_alert(Alert alert) noexcept;
    // A change_cipher_spec record (one byte 0x01), never protected: TLS 1.3
    // middlebox compatibility (RFC 8446 D.4) sends it while keys are installed.
    void write_change_cipher_spec();

    // Zero-copy writing: room for up to `size` bytes of plaintext (at most the
    // fragment limit) inside the send buffer, to be filled by the caller, then
    // commit_record() seals the first n bytes of it in place as one record.
    // The view is valid until commit_record().
    crypto::MutableBytes begin_record(std::size_t size);
    Result<void> commit_record(ContentType type, std::size_t n) noexcept;

    // The bytes waiting to be sent (a view into the send buffer) and the
    // acknowledgement that n of them went out.
    crypto::Bytes pending() const noexcept { return {buffer_.data() + start_, buffer_.size() - start_}; }
    void consume(std::size_t n) noexcept;

    // --- Called by the handshake layer -------------------------------------
    void set_cipher(RecordCipher cipher) noexcept { cipher_.emplace(std::move(cipher)); }
    // Back to plaintext records: a 0-RTT client answered with a HelloRetryRequest
    // sends its second ClientHello unprotected (RFC 8446 4.1.2).
    void clear_cipher() noexcept { cipher_.reset(); }
    const RecordCipher* cipher() const noexcept { return cipher_ ? &*cipher_ : nullptr; }
    // For tests and benchmarks that move the sequence number on.
    RecordCipher* mutable_cipher_for_testing() noexcept { return cipher_ ? &*cipher_ : nullptr; }
    // Largest plaintext per record: 2^14, or less after record_size_limit (RFC 8449).
    void set_max_fragment(std::size_t size) noexcept;
    void set_padding(PaddingPolicy policy) noexcept { padding_ = std::move(policy); }
    // The version in plaintext record headers (0x0301 is usual for a first ClientHello).
    void set_plaintext_version(std::uint16_t version) noexcept { plaintext_version_ = version; }
    // True when the write key should be replaced before more records (AEAD limits).
    bool key_update_due() const noexcept { return cipher_ && cipher_->key_update_due(); }
    // Frees the send buffer once everything went out (small idle connections).
    void release_buffer_if_empty() noexcept;

private:
    Result<void> write_record(ContentType type, crypto::Bytes fragment) noexcept;

    std::size_t open_record_ = SIZE_MAX;  // offset of a begun, uncommitted record

    SendBuffer buffer_;
    std::size_t start_ = 0;
    std::optional<RecordCipher> cipher_;
    std::size_t max_fragment_ = max_plaintext;
    PaddingPolicy padding_;
    std::uint16_t plaintext_version_ = record_version_tls12;
};

}  // namespace tls::record
