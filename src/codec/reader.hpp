// The one reader for bytes from a peer (after rustls' codec::Reader and s2n's
// stuffer): a cursor over a borrowed span. Every read is bounds-checked and
// returns a Result; length-prefixed vectors open a sub-reader whose <min..max>
// bounds (RFC 8446 3.4 notation) are arguments, so the check cannot be forgotten.
// Reads return views into the input, never copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tls/result.hpp"

namespace tls::codec {

using Bytes = std::span<const std::uint8_t>;

inline constexpr Error truncated{ErrorCode::decode_error, "message truncated"};
inline constexpr Error trailing_bytes{ErrorCode::decode_error, "unexpected bytes after the end of a structure"};
inline constexpr Error length_out_of_range{ErrorCode::decode_error, "vector length outside its allowed range"};

class Reader {
public:
    constexpr Reader() noexcept = default;
    constexpr explicit Reader(Bytes data) noexcept : data_(data) {}

    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool empty() const noexcept { return remaining() == 0; }
    // Everything not yet read (does not consume).
    Bytes rest() const noexcept { return data_.subspan(pos_); }
    // How many bytes have been consumed.
    std::size_t position() const noexcept { return pos_; }

    Result<Bytes> take(std::size_t n) noexcept {
        if (n > remaining()) return truncated;
        Bytes out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    Result<void> skip(std::size_t n) noexcept {
        if (n > remaining()) return truncated;
        pos_ += n;
        return success();
    }
    Result<std::uint8_t> u8() noexcept { return uint_be<std::uint8_t>(1); }
    Result<std::uint16_t> u16() noexcept { return uint_be<std::uint16_t>(2); }
    Result<std::uint32_t> u24() noexcept { return uint_be<std::uint32_t>(3); }
    Result<std::uint32_t> u32() noexcept { return uint_be<std::uint32_t>(4); }
    Result<std::uint64_t> u64() noexcept { return uint_be<std::uint64_t>(8); }

    // A vector with a prefix_size-byte big-endian length (1, 2 or 3), whose length
    // must lie in [min, max]. Returns its contents.
    Result<Bytes> vector(std::size_t prefix_size, std::size_t min, std::size_t max) noexcept {
        std::uint32_t length = 0;
        for (std::size_t i = 0; i < prefix_size; ++i) {
            auto b = u8();
            if (!b) return b.error();
            length = (length << 8) | *b;
        }
        if (length < min || length > max) return length_out_of_range;
        return take(length);
    }
    // The same vector, as a sub-reader to be consumed to its end.
    Result<Reader> sub(std::size_t prefix_size, std::size_t min, std::size_t max) noexcept {
        auto contents = vector(prefix_size, min, max);
        if (!contents) return contents.error();
        return Reader(*contents);
    }

    // decode_error unless every byte was consumed.
    Result<void> expect_end() const noexcept {
        if (!empty()) return trailing_bytes;
        return success();
    }

private:
    template <class T>
    Result<T> uint_be(std::size_t n) noexcept {
        if (n > remaining()) return truncated;
        T value = 0;
        for (std::size_t i = 0; i < n; ++i) value = static_cast<T>((value << 8) | data_[pos_ + i]);
        pos_ += n;
        return value;
    }

    Bytes data_{};
    std::size_t pos_ = 0;
};

}  // namespace tls::codec
