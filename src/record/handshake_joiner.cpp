#include "record/handshake_joiner.hpp"

namespace tls::record {
namespace {
constexpr std::size_t handshake_header_size = 4;

std::size_t message_length(const std::uint8_t* h) {
    return static_cast<std::size_t>(h[1]) << 16 | static_cast<std::size_t>(h[2]) << 8 | h[3];
}
}  // namespace

Result<void> HandshakeJoiner::push(crypto::Bytes fragment) {
    if (consumed_ == buffer_.size()) {
        buffer_.clear();
        consumed_ = 0;
    } else if (consumed_ > 0) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
        consumed_ = 0;
    }
    // Refuse oversized messages as soon as their header is visible, and never
    // buffer more than one maximal message plus one record.
    if (buffer_.size() + fragment.size() > max_message_size_ + handshake_header_size + max_plaintext)
        return Error{ErrorCode::unexpected_message, "handshake message exceeds the size limit"};
    buffer_.insert(buffer_.end(), fragment.begin(), fragment.end());
    std::size_t pos = 0;
    while (buffer_.size() - pos >= handshake_header_size) {
        const std::size_t len = message_length(buffer_.data() + pos);
        if (len > max_message_size_) return Error{ErrorCode::unexpected_message, "handshake message exceeds the size limit"};
        if (buffer_.size() - pos < handshake_header_size + len) break;
        pos += handshake_header_size + len;
    }
    return success();
}

std::optional<crypto::Bytes> HandshakeJoiner::next_message() noexcept {
    const std::size_t available = buffer_.size() - consumed_;
    if (available < handshake_header_size) return std::nullopt;
    const std::size_t len = message_length(buffer_.data() + consumed_);
    if (available < handshake_header_size + len) return std::nullopt;
    crypto::Bytes message(buffer_.data() + consumed_, handshake_header_size + len);
    consumed_ += handshake_header_size + len;
    return message;
}

Result<void> install_read_cipher(RecordReader& reader, const HandshakeJoiner& joiner, RecordCipher cipher) noexcept {
    if (!joiner.at_boundary())
        return Error{ErrorCode::unexpected_message, "handshake message spans a key change"};
    reader.set_cipher(std::move(cipher));
    return success();
}

}  // namespace tls::record
