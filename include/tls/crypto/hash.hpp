// Hashes and HMAC.
//
// A backend describes each hash it offers with a HashDescriptor: plain function
// pointers over a state that lives inline in the Hash object. Backend states are
// trivially copyable, so a Hash is a value: copying it forks the running hash
// (what a TLS transcript needs), with no allocation anywhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

// Room for any backend's hash state (mbedTLS' SHA-512 state is the largest, ~216 bytes).
inline constexpr std::size_t hash_state_size = 256;

struct HashDescriptor {
    HashAlgorithm algorithm;
    const char* backend;       // "sodium", "mbedtls", ...
    std::size_t output_size;   // bytes
    std::size_t block_size;    // bytes (64 or 128), for HMAC
    // The state is hash_state_size bytes, 16-aligned, owned by the Hash object.
    void (*init)(void* state) noexcept;
    void (*update)(void* state, const std::uint8_t* data, std::size_t size) noexcept;
    // Writes output_size bytes. The state is dead afterwards (init again to reuse).
    void (*finish)(void* state, std::uint8_t* out) noexcept;
};

// A running hash. Copy it to fork the computation (transcript hashes).
class Hash {
public:
    explicit Hash(const HashDescriptor& descriptor) noexcept;
    Hash(const Hash&) noexcept = default;
    Hash& operator=(const Hash&) noexcept = default;
    ~Hash();

    void update(Bytes data) noexcept;
    // Writes the digest to out[0, output_size) and resets the hash for reuse.
    // Precondition: out.size() >= output_size().
    void finish(MutableBytes out) noexcept;
    // The digest so far, leaving this hash running (copies the state).
    void peek(MutableBytes out) const noexcept;

    std::size_t output_size() const noexcept { return descriptor_->output_size; }
    const HashDescriptor& descriptor() const noexcept { return *descriptor_; }

    // One-shot convenience.
    static void digest(const HashDescriptor& d, Bytes data, MutableBytes out) noexcept;

private:
    const HashDescriptor* descriptor_;
    alignas(16) unsigned char state_[hash_state_size];
};

// HMAC (RFC 2104) over any provider hash. The keyed inner and outer states are
// computed once, so one Hmac object can MAC many messages (TLS 1.2 PRF, HKDF).
class Hmac {
public:
    Hmac(const HashDescriptor& hash, Bytes key) noexcept;
    Hmac(const Hmac&) noexcept = default;
    Hmac& operator=(const Hmac&) noexcept = default;

    void update(Bytes data) noexcept;
    // Writes the tag (output_size bytes) and rearms for a new message with the same key.
    void finish(MutableBytes out) noexcept;
    std::size_t output_size() const noexcept { return inner_.output_size(); }

    static void mac(const HashDescriptor& hash, Bytes key, Bytes data, MutableBytes out) noexcept;

private:
    Hash keyed_inner_;  // state after absorbing key ^ ipad
    Hash keyed_outer_;  // state after absorbing key ^ opad
    Hash inner_;        // the running inner hash
};

// HKDF (RFC 5869) over any provider hash.
// extract writes hash.output_size bytes; an empty salt means a string of zeros.
void hkdf_extract(const HashDescriptor& hash, Bytes salt, Bytes ikm, MutableBytes prk) noexcept;
// expand fills okm; fails with invalid_argument if okm.size() > 255 * output_size.
Result<void> hkdf_expand(const HashDescriptor& hash, Bytes prk, Bytes info, MutableBytes okm) noexcept;

}  // namespace tls::crypto
