// SHA-256 and SHA-512 from libsodium (it has no SHA-384: SHA-384 is SHA-512 with
// other initial values, which libsodium's API does not expose).
#include <sodium.h>

#include <type_traits>

#include "crypto/sodium/sodium_backend.hpp"

namespace tls::crypto::sodium {
namespace {

static_assert(sizeof(crypto_hash_sha256_state) <= hash_state_size);
static_assert(sizeof(crypto_hash_sha512_state) <= hash_state_size);
static_assert(std::is_trivially_copyable_v<crypto_hash_sha512_state>);

void sha256_init(void* s) noexcept { crypto_hash_sha256_init(static_cast<crypto_hash_sha256_state*>(s)); }
void sha256_update(void* s, const std::uint8_t* d, std::size_t n) noexcept {
    crypto_hash_sha256_update(static_cast<crypto_hash_sha256_state*>(s), d, n);
}
void sha256_finish(void* s, std::uint8_t* out) noexcept {
    crypto_hash_sha256_final(static_cast<crypto_hash_sha256_state*>(s), out);
}
void sha512_init(void* s) noexcept { crypto_hash_sha512_init(static_cast<crypto_hash_sha512_state*>(s)); }
void sha512_update(void* s, const std::uint8_t* d, std::size_t n) noexcept {
    crypto_hash_sha512_update(static_cast<crypto_hash_sha512_state*>(s), d, n);
}
void sha512_finish(void* s, std::uint8_t* out) noexcept {
    crypto_hash_sha512_final(static_cast<crypto_hash_sha512_state*>(s), out);
}

}  // namespace

const HashDescriptor sha256{HashAlgorithm::sha256, "sodium", 32, 64, sha256_init, sha256_update, sha256_finish};
const HashDescriptor sha512{HashAlgorithm::sha512, "sodium", 64, 128, sha512_init, sha512_update, sha512_finish};

}  // namespace tls::crypto::sodium
