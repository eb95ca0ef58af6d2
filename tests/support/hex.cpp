#include "support/hex.hpp"

#include <stdexcept>

namespace test {

ByteVec from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) throw std::invalid_argument("odd-length hex");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        throw std::invalid_argument("bad hex digit");
    };
    ByteVec out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    return out;
}

std::string to_hex(tls::crypto::Bytes bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

const std::vector<NamedProvider>& all_providers() {
    static const std::vector<NamedProvider> providers = {
        {"sodium", &tls::crypto::sodium_provider()},
        {"mbedtls", &tls::crypto::mbedtls_provider()},
        {"default", &tls::crypto::default_provider()},
        {"native", &tls::crypto::native_provider()},
    };
    return providers;
}

tls::Result<void> TestRng::fill(tls::crypto::MutableBytes out) noexcept {
    const auto& sha256 = *tls::crypto::mbedtls_provider().find(tls::crypto::HashAlgorithm::sha256);
    std::size_t done = 0;
    while (done < out.size()) {
        std::uint8_t block[32];
        std::uint8_t counter_bytes[8];
        for (int i = 0; i < 8; ++i) counter_bytes[i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
        ++counter_;
        tls::crypto::Hash::digest(sha256, counter_bytes, block);
        for (std::size_t i = 0; i < 32 && done < out.size(); ++i) out[done++] = block[i];
    }
    return tls::success();
}

}  // namespace test
