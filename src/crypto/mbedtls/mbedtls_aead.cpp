// AES-GCM and ChaCha20-Poly1305 from mbedTLS.
#include <mbedtls/chachapoly.h>
#include <mbedtls/gcm.h>

#include <new>

#include "crypto/nonnull.hpp"

#include "crypto/mbedtls/mbedtls_backend.hpp"

namespace tls::crypto::mbedtls {
namespace {

constexpr Error bad_sizes{ErrorCode::invalid_argument, "AEAD nonce must be 12 bytes and tag 16 bytes"};
constexpr Error tag_mismatch{ErrorCode::bad_record_mac, "AEAD authentication failed"};
constexpr Error backend_failure{ErrorCode::crypto_backend, "mbedTLS AEAD call failed"};

bool sizes_ok(Bytes nonce, std::size_t tag_size) {
    return nonce.size() == aead_nonce_size && tag_size == aead_tag_size;
}

class GcmKey final : public AeadKey {
public:
    GcmKey() noexcept { mbedtls_gcm_init(&ctx_); }
    ~GcmKey() override { mbedtls_gcm_free(&ctx_); }  // zeroizes the key schedule

    bool set_key(Bytes key) noexcept {
        return mbedtls_gcm_setkey(&ctx_, MBEDTLS_CIPHER_ID_AES, key.data(),
                                  static_cast<unsigned>(key.size() * 8)) == 0;
    }

    Result<void> seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        if (mbedtls_gcm_crypt_and_tag(&ctx_, MBEDTLS_GCM_ENCRYPT, data.size(), nonce.data(), nonce.size(),
                                      nonnull(aad), aad.size(), nonnull(data), nonnull(data), tag.size(),
                                      tag.data()) != 0)
            return backend_failure;
        return success();
    }

    Result<void> open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        // mbedTLS compares the tag in constant time and zeroizes the output on mismatch.
        int rc = mbedtls_gcm_auth_decrypt(&ctx_, data.size(), nonce.data(), nonce.size(), nonnull(aad), aad.size(),
                                          tag.data(), tag.size(), nonnull(data), nonnull(data));
        if (rc != 0) {
            secure_wipe(data);
            return rc == MBEDTLS_ERR_GCM_AUTH_FAILED ? tag_mismatch : backend_failure;
        }
        return success();
    }

private:
    mbedtls_gcm_context ctx_;
};

class ChaChaPolyKey final : public AeadKey {
public:
    ChaChaPolyKey() noexcept { mbedtls_chachapoly_init(&ctx_); }
    ~ChaChaPolyKey() override { mbedtls_chachapoly_free(&ctx_); }

    bool set_key(Bytes key) noexcept { return mbedtls_chachapoly_setkey(&ctx_, key.data()) == 0; }

    Result<void> seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        if (mbedtls_chachapoly_encrypt_and_tag(&ctx_, data.size(), nonce.data(), nonnull(aad), aad.size(),
                                               nonnull(data), nonnull(data), tag.data()) != 0)
            return backend_failure;
        return success();
    }

    Result<void> open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) noexcept override {
        if (!sizes_ok(nonce, tag.size())) return bad_sizes;
        int rc = mbedtls_chachapoly_auth_decrypt(&ctx_, data.size(), nonce.data(), nonnull(aad), aad.size(),
                                                 tag.data(), nonnull(data), nonnull(data));
        if (rc != 0) {
            secure_wipe(data);
            return rc == MBEDTLS_ERR_CHACHAPOLY_AUTH_FAILED ? tag_mismatch : backend_failure;
        }
        return success();
    }

private:
    mbedtls_chachapoly_context ctx_;
};

template <class Key, std::size_t KeySize>
Result<std::unique_ptr<AeadKey>> new_key(Bytes key) {
    if (key.size() != KeySize) return Error{ErrorCode::invalid_argument, "wrong AEAD key size"};
    std::unique_ptr<Key> k(new (std::nothrow) Key());
    if (!k) return Error{ErrorCode::internal_error, "out of memory"};
    if (!k->set_key(key)) return backend_failure;
    return std::unique_ptr<AeadKey>(std::move(k));
}

}  // namespace

const AeadDescriptor aes128_gcm{AeadAlgorithm::aes128_gcm, "mbedtls", 16, &new_key<GcmKey, 16>};
const AeadDescriptor aes256_gcm{AeadAlgorithm::aes256_gcm, "mbedtls", 32, &new_key<GcmKey, 32>};
const AeadDescriptor chacha20_poly1305{AeadAlgorithm::chacha20_poly1305, "mbedtls", 32,
                                       &new_key<ChaChaPolyKey, 32>};

}  // namespace tls::crypto::mbedtls
