// Joins handshake records into whole handshake messages using only the 4-byte
// handshake header (type, 24-bit length): framing, not parsing. It also owns the
// rule that keys change only at a message boundary (RFC 8446 5.1: handshake
// messages MUST NOT span key changes).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "record/record_reader.hpp"

namespace tls::record {

class HandshakeJoiner {
public:
    // Largest handshake message accepted (certificate chains are the big ones).
    explicit HandshakeJoiner(std::size_t max_message_size = 64 * 1024) noexcept : max_message_size_(max_message_size) {}

    // Appends a handshake record's payload. Fails (decode_error, unexpected_message)
    // on a message longer than the limit.
    Result<void> push(crypto::Bytes fragment);

    // The next complete message (header included), or nothing yet. The view is
    // valid until the next push() or next_message().
    std::optional<crypto::Bytes> next_message() noexcept;

    // Frees the buffer when it holds no partial message (small idle connections).
    void release_buffer_if_empty() noexcept {
        if (!at_boundary()) return;
        std::vector<std::uint8_t>().swap(buffer_);
        consumed_ = 0;
    }

    // True when no partial message is buffered.
    bool at_boundary() const noexcept { return consumed_ == buffer_.size(); }

private:
    std::vector<std::uint8_t> buffer_;
    std::size_t consumed_ = 0;
    std::size_t max_message_size_;
};

// The one way to change read keys: refuses (unexpected_message) when a
// handshake message is split across the key change.
Result<void> install_read_cipher(RecordReader& reader, const HandshakeJoiner& joiner, RecordCipher cipher) noexcept;

}  // namespace tls::record
