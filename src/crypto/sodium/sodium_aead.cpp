// ChaCha20-Poly1305 (RFC 8439) and AES-256-GCM from libsodium.
#include <sodium.h>

#include <cstring>
#include <new>

#include "crypto/nonnull.hpp"

#include "crypto/sodium/sodium_backend.hpp"

namespace tls::crypto::sodium {
namespace {

constexpr Error bad_sizes{ErrorCode::invalid_argument, "AEAD nonce must be 12 bytes and tag 16 bytes"};
constexpr Error tag_mismatch{ErrorCode::bad_record_mac, "AEAD authentication failed"};
constexpr Error backend_failure{ErrorCode::crypto_backend, "libsodium AEAD call failed"};

bool sizes_ok(Bytes nonce, std::size_t tag_size) {
    return nonce.size() == aead_nonce_size && tag_size == aead_tag_size;
}

class ChaChaKey final : public AeadKey {
public:
    explicit ChaChaKey(Bytes key) noexcept { std::memcpy(key_, key.data(), sizeof key_); }
    ~ChaChaKey() override { secure_wipe(key_, sizeof key_); }

    Result<void> seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        unsigned long long tag_len = 0;
        if (crypto_aead_chacha20poly1305_ietf_encrypt_detached(nonnull(data), tag.data(), &tag_len, nonnull(data),
                                                               data.size(), nonnull(aad), aad.size(), nullptr,
                                                               nonce.data(), key_) != 0)
            return backend_failure;
        return success();
    }

    Result<void> open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        // libsodium verifies the tag before decrypting; on failure data is untouched
        // ciphertext, which we still wipe so a caller never sees a stale buffer.
        if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(nonnull(data), nullptr, nonnull(data), data.size(),
                                                               tag.data(), nonnull(aad), aad.size(),
                                                               nonce.data(), key_) != 0) {
            secure_wipe(data);
            return tag_mismatch;
        }
        return success();
    }

private:
    unsigned char key_[crypto_aead_chacha20poly1305_ietf_KEYBYTES];
};

class Aes256GcmKey final : public AeadKey {
public:
    explicit Aes256GcmKey(Bytes key) noexcept { crypto_aead_aes256gcm_beforenm(&state_, key.data()); }
    ~Aes256GcmKey() override { secure_wipe(&state_, sizeof state_); }

    Result<void> seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        unsigned long long tag_len = 0;
        if (crypto_aead_aes256gcm_encrypt_detached_afternm(nonnull(data), tag.data(), &tag_len, nonnull(data),
                                                           data.size(), nonnull(aad), aad.size(), nullptr,
                                                           nonce.data(), &state_) != 0)
            return backend_failure;
        return success();
    }

    Result<void> open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        if (crypto_aead_aes256gcm_decrypt_detached_afternm(nonnull(data), nullptr, nonnull(data), data.size(),
                                                           tag.data(), nonnull(aad), aad.size(), nonce.data(),
                                                           &state_) != 0) {
            secure_wipe(data);
            return tag_mismatch;
        }
        return success();
    }

private:
    crypto_aead_aes256gcm_state state_;
};

template <class Key, std::size_t KeySize>
Result<std::unique_ptr<AeadKey>> new_key(Bytes key) {
    if (key.size() != KeySize) return Error{ErrorCode::invalid_argument, "wrong AEAD key size"};
    if (!initialize()) return backend_failure;
    auto* k = new (std::nothrow) Key(key);
    if (k == nullptr) return Error{ErrorCode::internal_error, "out of memory"};
    return std::unique_ptr<AeadKey>(k);
}

}  // namespace

bool aes256_gcm_available() noexcept { return initialize() && crypto_aead_aes256gcm_is_available() == 1; }

const AeadDescriptor chacha20_poly1305{AeadAlgorithm::chacha20_poly1305, "sodium", 32,
                                       &new_key<ChaChaKey, 32>};
const AeadDescriptor aes256_gcm{AeadAlgorithm::aes256_gcm, "sodium", 32, &new_key<Aes256GcmKey, 32>};

}  // namespace tls::crypto::sodium
