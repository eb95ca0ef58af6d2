// Hex helpers and provider lists shared by the tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tls/crypto.hpp"

namespace test {

using ByteVec = std::vector<std::uint8_t>;

ByteVec from_hex(std::string_view hex);  // throws std::invalid_argument on bad hex (tests only)
std::string to_hex(tls::crypto::Bytes bytes);

struct NamedProvider {
    const char* name;
    const tls::crypto::CryptoProvider* provider;
};
// sodium, mbedtls, default and native (AES-GCM only): every test that exercises an
// algorithm runs on each provider that offers it.
const std::vector<NamedProvider>& all_providers();

// A deterministic RNG (a counter hashed with SHA-256), for reproducible tests.
class TestRng final : public tls::crypto::Rng {
public:
    explicit TestRng(std::uint64_t seed = 0) : counter_(seed) {}
    tls::Result<void> fill(tls::crypto::MutableBytes out) noexcept override;

private:
    std::uint64_t counter_;
};

}  // namespace test
