// Helpers for secret material: constant-time comparison, wiping, and buffers
// that wipe themselves when they die.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tls::crypto {

using Bytes = std::span<const std::uint8_t>;
using MutableBytes = std::span<std::uint8_t>;

// True when a and b have the same length and contents. Time depends only on the
// lengths, never on the contents (for tags, MACs, Finished values, binders).
bool ct_equal(Bytes a, Bytes b) noexcept;

// Overwrites memory with zeros in a way the compiler may not elide.
void secure_wipe(void* data, std::size_t size) noexcept;
inline void secure_wipe(MutableBytes bytes) noexcept { secure_wipe(bytes.data(), bytes.size()); }

// A secret of at most 64 bytes (any hash output or traffic secret cordon uses),
// held inline: no allocation, wiped on destruction and on reassignment.
class Secret {
public:
    static constexpr std::size_t max_size = 64;

    Secret() noexcept = default;
    // Precondition: bytes.size() <= max_size (longer input is truncated to max_size
    // and size() tells; callers size secrets from hash lengths, never from peer data).
    explicit Secret(Bytes bytes) noexcept { assign(bytes); }
    Secret(const Secret& other) noexcept { assign(other.bytes()); }
    Secret& operator=(const Secret& other) noexcept {
        if (this != &other) assign(other.bytes());
        return *this;
    }
    ~Secret() { secure_wipe(data_, sizeof data_); }

    void assign(Bytes bytes) noexcept;
    // Sets the size and returns the writable bytes (for "derive into" calls).
    MutableBytes resize(std::size_t size) noexcept;

    Bytes bytes() const noexcept { return {data_, size_}; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

private:
    std::uint8_t data_[max_size] = {};
    std::size_t size_ = 0;
};

// A heap buffer of secret bytes (private keys, key blocks), wiped before release.
// Move-only, so a secret never gets an accidental copy.
class SecretBuffer {
public:
    SecretBuffer() noexcept = default;
    explicit SecretBuffer(std::size_t size);
    explicit SecretBuffer(Bytes bytes);
    SecretBuffer(SecretBuffer&& other) noexcept;
    SecretBuffer& operator=(SecretBuffer&& other) noexcept;
    SecretBuffer(const SecretBuffer&) = delete;
    SecretBuffer& operator=(const SecretBuffer&) = delete;
    ~SecretBuffer();

    Bytes bytes() const noexcept { return {data_, size_}; }
    MutableBytes mutable_bytes() noexcept { return {data_, size_}; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

private:
    void release() noexcept;
    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tls::crypto
