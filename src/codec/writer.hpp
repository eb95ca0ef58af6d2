// The writer twin of Reader: appends big-endian integers, byte strings and
// length-prefixed vectors into a caller-provided buffer. Overflow is an error
// that sticks (and is reported by finish()), never a truncation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tls/result.hpp"

namespace tls::codec {

inline constexpr Error writer_overflow{ErrorCode::buffer_too_small, "output does not fit the buffer"};
inline constexpr Error vector_too_long{ErrorCode::internal_error, "vector longer than its length prefix allows"};

class Writer {
public:
    explicit Writer(std::span<std::uint8_t> buffer) noexcept : buffer_(buffer) {}

    void u8(std::uint8_t v) noexcept { uint_be(v, 1); }
    void u16(std::uint16_t v) noexcept { uint_be(v, 2); }
    void u24(std::uint32_t v) noexcept { uint_be(v, 3); }
    void u32(std::uint32_t v) noexcept { uint_be(v, 4); }
    void u64(std::uint64_t v) noexcept { uint_be(v, 8); }
    void bytes(std::span<const std::uint8_t> data) noexcept {
        if (!reserve(data.size())) return;
        if (!data.empty()) std::memcpy(buffer_.data() + pos_, data.data(), data.size());
        pos_ += data.size();
    }
    // Reserves n bytes and returns them for the caller to fill (empty on overflow).
    std::span<std::uint8_t> reserve_bytes(std::size_t n) noexcept {
        if (!reserve(n)) return {};
        auto out = buffer_.subspan(pos_, n);
        pos_ += n;
        return out;
    }

    // A length-prefixed vector: open() writes a placeholder prefix, close() fills it.
    // Usage: auto v = w.open_vector(2); ...writes...; w.close_vector(v);
    struct VectorMark {
        std::size_t prefix_pos;
        std::size_t prefix_size;
    };
    VectorMark open_vector(std::size_t prefix_size) noexcept {
        VectorMark mark{pos_, prefix_size};
        uint_be(0, prefix_size);
        return mark;
    }
    void close_vector(VectorMark mark) noexcept {
        if (failed_) return;
        std::size_t length = pos_ - mark.prefix_pos - mark.prefix_size;
        if (mark.prefix_size < sizeof(std::size_t) && (length >> (8 * mark.prefix_size)) != 0) {
            failed_ = true;
            error_ = vector_too_long;
            return;
        }
        for (std::size_t i = 0; i < mark.prefix_size; ++i)
            buffer_[mark.prefix_pos + i] = static_cast<std::uint8_t>(length >> (8 * (mark.prefix_size - 1 - i)));
    }

    std::size_t size() const noexcept { return pos_; }
    std::span<std::uint8_t> written() const noexcept { return buffer_.first(pos_); }
    // The number of bytes written, or the first error.
    Result<std::size_t> finish() const noexcept {
        if (failed_) return error_;
        return pos_;
    }

private:
    bool reserve(std::size_t n) noexcept {
        if (failed_) return false;
        if (n > buffer_.size() - pos_) {
            failed_ = true;
            error_ = writer_overflow;
            return false;
        }
        return true;
    }
    void uint_be(std::uint64_t v, std::size_t n) noexcept {
        if (!reserve(n)) return;
        for (std::size_t i = 0; i < n; ++i) buffer_[pos_ + i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
        pos_ += n;
    }

    std::span<std::uint8_t> buffer_;
    std::size_t pos_ = 0;
    bool failed_ = false;
    Error error_{ErrorCode::internal_error, ""};
};

}  // namespace tls::codec
