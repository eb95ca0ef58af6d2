// A tiny cursor that splits a fuzzer input into fields, shared by the targets.
// Reads past the end give zeros and empty fields (never an error), so every
// byte string is a valid input and the fuzzer wastes no time on framing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>

namespace cordon_fuzz {

using Bytes = std::span<const std::uint8_t>;

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) noexcept : data_(data, size) {}

    std::uint8_t u8() noexcept {
        if (pos_ >= data_.size()) return 0;
        return data_[pos_++];
    }
    std::uint16_t u16() noexcept {
        const std::uint16_t hi = u8();
        return static_cast<std::uint16_t>((hi << 8) | u8());
    }
    // A field: a 2-byte big-endian length, then that many bytes, cut to `max`
    // and to what is left (the length bytes are still consumed in full).
    Bytes field(std::size_t max) noexcept {
        std::size_t n = u16();
        if (n > max) n = max;
        return take(n);
    }
    // An empty field is a null span, as an empty std::vector's data() may be.
    Bytes take(std::size_t n) noexcept {
        if (n > remaining()) n = remaining();
        if (n == 0) return {};
        Bytes out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    Bytes rest() noexcept { return take(remaining()); }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool empty() const noexcept { return remaining() == 0; }

private:
    Bytes data_;
    std::size_t pos_ = 0;
};

// Whether a view a parser returned lies within the bytes it was given (an
// empty view may point anywhere).
inline bool inside(Bytes part, Bytes whole) noexcept {
    if (part.empty()) return true;
    return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

inline bool same_bytes(Bytes a, Bytes b) noexcept {
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

// An invariant the library promises does not hold: report and crash so libFuzzer
// saves the input.
[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line) noexcept {
    std::fprintf(stderr, "cordon fuzz: invariant failed at %s:%d: %s\n", file, line, what);
    std::abort();
}

}  // namespace cordon_fuzz

#define CORDON_FUZZ_CHECK(cond)                                                         \
    do {                                                                                \
        if (!(cond)) ::cordon_fuzz::invariant_failed(#cond, __FILE__, __LINE__);        \
    } while (0)
