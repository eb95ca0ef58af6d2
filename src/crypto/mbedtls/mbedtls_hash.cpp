// SHA-1, SHA-256, SHA-384 and SHA-512 from mbedTLS.
#include <mbedtls/sha1.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

#include <type_traits>

#include "crypto/mbedtls/mbedtls_backend.hpp"

namespace tls::crypto::mbedtls {
namespace {

// The Hash wrapper copies states by value: they must be plain structs that fit.
static_assert(sizeof(mbedtls_sha512_context) <= hash_state_size);
static_assert(std::is_trivially_copyable_v<mbedtls_sha1_context>);
static_assert(std::is_trivially_copyable_v<mbedtls_sha256_context>);
static_assert(std::is_trivially_copyable_v<mbedtls_sha512_context>);

// The *_ret functions only fail on bad arguments, which these wrappers never pass.
void sha1_init(void* s) noexcept {
    auto* c = static_cast<mbedtls_sha1_context*>(s);
    mbedtls_sha1_init(c);
    (void)mbedtls_sha1_starts_ret(c);
}
void sha1_update(void* s, const std::uint8_t* d, std::size_t n) noexcept {
    (void)mbedtls_sha1_update_ret(static_cast<mbedtls_sha1_context*>(s), d, n);
}
void sha1_finish(void* s, std::uint8_t* out) noexcept {
    (void)mbedtls_sha1_finish_ret(static_cast<mbedtls_sha1_context*>(s), out);
}

template <int Is224>
void sha256_init(void* s) noexcept {
    auto* c = static_cast<mbedtls_sha256_context*>(s);
    mbedtls_sha256_init(c);
    (void)mbedtls_sha256_starts_ret(c, Is224);
}
void sha256_update(void* s, const std::uint8_t* d, std::size_t n) noexcept {
    (void)mbedtls_sha256_update_ret(static_cast<mbedtls_sha256_context*>(s), d, n);
}
void sha256_finish(void* s, std::uint8_t* out) noexcept {
    (void)mbedtls_sha256_finish_ret(static_cast<mbedtls_sha256_context*>(s), out);
}

template <int Is384>
void sha512_init(void* s) noexcept {
    auto* c = static_cast<mbedtls_sha512_context*>(s);
    mbedtls_sha512_init(c);
    (void)mbedtls_sha512_starts_ret(c, Is384);
}
void sha512_update(void* s, const std::uint8_t* d, std::size_t n) noexcept {
    (void)mbedtls_sha512_update_ret(static_cast<mbedtls_sha512_context*>(s), d, n);
}
void sha512_finish(void* s, std::uint8_t* out) noexcept {
    (void)mbedtls_sha512_finish_ret(static_cast<mbedtls_sha512_context*>(s), out);
}

}  // namespace

const HashDescriptor sha1{HashAlgorithm::sha1, "mbedtls", 20, 64, sha1_init, sha1_update, sha1_finish};
const HashDescriptor sha256{HashAlgorithm::sha256, "mbedtls", 32, 64, sha256_init<0>, sha256_update, sha256_finish};
const HashDescriptor sha384{HashAlgorithm::sha384, "mbedtls", 48, 128, sha512_init<1>, sha512_update, sha512_finish};
const HashDescriptor sha512{HashAlgorithm::sha512, "mbedtls", 64, 128, sha512_init<0>, sha512_update, sha512_finish};

}  // namespace tls::crypto::mbedtls
