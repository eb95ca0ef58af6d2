#include "record/record_writer.hpp"

#include <cstring>

namespace tls::record {

PaddingPolicy pad_to_block(std::size_t block) noexcept {
    return [block](std::size_t content_size) -> std::size_t {
        if (block <= 1) return 0;
        const std::size_t inner = content_size + 1;  // TLSInnerPlaintext includes the type byte
        return (block - inner % block) % block;
    };
}

void SendBuffer::resize(std::size_t size) {
    if (size > capacity_) {
        std::size_t capacity = capacity_ ? capacity_ : 256;
        while (capacity < size) capacity *= 2;
        std::unique_ptr<std::uint8_t[]> grown(new std::uint8_t[capacity]);  // default-initialised: not zeroed
        if (size_) std::memcpy(grown.get(), data_.get(), size_);
        data_ = std::move(grown);
        capacity_ = capacity;
    }
    size_ = size;
}

void RecordWriter::set_max_fragment(std::size_t size) noexcept {
    max_fragment_ = size == 0 ? 1 : size > max_plaintext ? max_plaintext : size;
}

void RecordWriter::consume(std::size_t n) noexcept {
    start_ += n < buffer_.size() - start_ ? n : buffer_.size() - start_;
    if (start_ == buffer_.size()) {
        buffer_.clear();  // keeps capacity: no allocation for the next flight
        start_ = 0;
    }
}

void RecordWriter::release_buffer_if_empty() noexcept {
    if (start_ == buffer_.size()) {
        buffer_.release();
        start_ = 0;
    }
}

Result<void> RecordWriter::write(ContentType type, crypto::Bytes data) noexcept {
    if (data.empty()) {
        // RFC 8446 5.1: only application data may be sent as a zero-length fragment.
        if (type == ContentType::application_data) return write_record(type, data);
        return success();
    }
    while (!data.empty()) {
        const std::size_t n = data.size() < max_fragment_ ? data.size() : max_fragment_;
        TLS_TRY(write_record(type, data.first(n)));
        data = data.subspan(n);
    }
    return success();
}

Result<void> RecordWriter::write_alert(Alert alert) noexcept {
    const std::uint8_t body[2] = {static_cast<std::uint8_t>(alert.level), static_cast<std::uint8_t>(alert.description)};
    return write_record(ContentType::alert, body);
}

void RecordWriter::write_change_cipher_spec() {
    const std::size_t offset = buffer_.size();
    buffer_.resize(offset + header_size + 1);
    std::uint8_t* r = buffer_.data() + offset;
    r[0] = static_cast<std::uint8_t>(ContentType::change_cipher_spec);
    r[1] = static_cast<std::uint8_t>(plaintext_version_ >> 8);
    r[2] = static_cast<std::uint8_t>(plaintext_version_);
    r[3] = 0;
    r[4] = 1;
    r[5] = 1;
}

Result<void> RecordWriter::write_record(ContentType type, crypto::Bytes fragment) noexcept {
    crypto::MutableBytes room = begin_record(fragment.size());
    if (!fragment.empty()) std::memcpy(room.data(), fragment.data(), fragment.size());
    return commit_record(type, fragment.size());
}

crypto::MutableBytes RecordWriter::begin_record(std::size_t size) {
    if (size > max_fragment_) size = max_fragment_;
    const std::size_t prefix = cipher_ ? cipher_->prefix_size() : 0;
    open_record_ = buffer_.size();
    // Grows the buffer once per flight; within a flight capacity is reused.
    buffer_.resize(open_record_ + header_size + prefix + size);
    return {buffer_.data() + open_record_ + header_size + prefix, size};
}

Result<void> RecordWriter::commit_record(ContentType type, std::size_t n) noexcept {
    const std::size_t offset = open_record_;
    const std::size_t prefix = cipher_ ? cipher_->prefix_size() : 0;
    if (offset == SIZE_MAX || offset + header_size + prefix + n > buffer_.size())
        return Error{ErrorCode::internal_error, "commit_record without a matching begin_record"};
    open_record_ = SIZE_MAX;
    std::size_t padding = 0;
    if (cipher_ && cipher_->protocol() == Protocol::tls13 && padding_) {
        padding = padding_(n);
        // Keep TLSInnerPlaintext within 2^14 + 1 bytes.
        const std::size_t room = max_plaintext - n;
        if (padding > room) padding = room;
    }
    const std::size_t overhead = cipher_ ? cipher_->overhead() + padding : 0;
    const std::size_t record_size = header_size + prefix + n + (cipher_ ? overhead - prefix : 0);
    buffer_.resize(offset + record_size);
    std::uint8_t* record = buffer_.data() + offset;
    if (!cipher_) {
        record[0] = static_cast<std::uint8_t>(type);
        record[1] = static_cast<std::uint8_t>(plaintext_version_ >> 8);
        record[2] = static_cast<std::uint8_t>(plaintext_version_);
        record[3] = static_cast<std::uint8_t>(n >> 8);
        record[4] = static_cast<std::uint8_t>(n);
        return success();
    }
    auto sealed = cipher_->seal(type, {record, record_size}, n, padding);
    if (!sealed) {
        buffer_.resize(offset);  // drop the half-written record
        return sealed.error();
    }
    return success();
}

}  // namespace tls::record
