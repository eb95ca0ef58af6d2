#include "tls/crypto/secret.hpp"

#include <cstring>
#include <new>

namespace tls::crypto {

bool ct_equal(Bytes a, Bytes b) noexcept {
    if (a.size() != b.size()) return false;
    // Accumulate differences; a volatile sink keeps the loop from exiting early.
    volatile std::uint8_t diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<std::uint8_t>(a[i] ^ b[i]);
    return diff == 0;
}

void secure_wipe(void* data, std::size_t size) noexcept {
    if (data == nullptr || size == 0) return;
    // explicit_bzero (glibc >= 2.25) is guaranteed not to be optimised away.
    explicit_bzero(data, size);
}

void Secret::assign(Bytes bytes) noexcept {
    std::size_t n = bytes.size() < max_size ? bytes.size() : max_size;
    secure_wipe(data_, sizeof data_);
    if (n != 0) std::memcpy(data_, bytes.data(), n);
    size_ = n;
}

MutableBytes Secret::resize(std::size_t size) noexcept {
    size_ = size < max_size ? size : max_size;
    return {data_, size_};
}

SecretBuffer::SecretBuffer(std::size_t size) : data_(size ? new std::uint8_t[size]() : nullptr), size_(size) {}

SecretBuffer::SecretBuffer(Bytes bytes) : SecretBuffer(bytes.size()) {
    if (size_ != 0) std::memcpy(data_, bytes.data(), size_);
}

SecretBuffer::SecretBuffer(SecretBuffer&& other) noexcept : data_(other.data_), size_(other.size_) {
    other.data_ = nullptr;
    other.size_ = 0;
}

SecretBuffer& SecretBuffer::operator=(SecretBuffer&& other) noexcept {
    if (this != &other) {
        release();
        data_ = other.data_;
        size_ = other.size_;
        other.data_ = nullptr;
        other.size_ = 0;
    }
    return *this;
}

SecretBuffer::~SecretBuffer() { release(); }

void SecretBuffer::release() noexcept {
    secure_wipe(data_, size_);
    delete[] data_;
    data_ = nullptr;
    size_ = 0;
}

}  // namespace tls::crypto
