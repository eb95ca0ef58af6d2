// Ed25519 (RFC 8032) from libsodium: verification and signing.
#include <sodium.h>

#include <cstring>
#include <new>

#include "crypto/nonnull.hpp"

#include "crypto/sodium/sodium_backend.hpp"

namespace tls::crypto::sodium {
namespace {

Result<void> verify(const PublicKey& key, Bytes message, Bytes signature) noexcept {
    const auto* ed = std::get_if<Ed25519PublicKey>(&key);
    if (ed == nullptr) return Error{ErrorCode::invalid_public_key, "ed25519 needs an Ed25519 public key"};
    if (ed->key.size() != crypto_sign_ed25519_PUBLICKEYBYTES)
        return Error{ErrorCode::invalid_public_key, "Ed25519 public key must be 32 bytes"};
    if (signature.size() != crypto_sign_ed25519_BYTES)
        return Error{ErrorCode::bad_signature, "Ed25519 signature must be 64 bytes"};
    if (!initialize()) return Error{ErrorCode::crypto_backend, "libsodium failed to initialise"};
    // libsodium rejects non-canonical S (malleability), small-order R and A.
    if (crypto_sign_ed25519_verify_detached(signature.data(), nonnull(message), message.size(), ed->key.data()) != 0)
        return Error{ErrorCode::bad_signature, "Ed25519 signature does not verify"};
    return success();
}

class Ed25519SigningKey final : public SigningKey {
public:
    explicit Ed25519SigningKey(Bytes seed) noexcept {
        crypto_sign_ed25519_seed_keypair(public_, secret_, seed.data());
    }
    ~Ed25519SigningKey() override { secure_wipe(secret_, sizeof secret_); }

    bool supports(SignatureScheme scheme) const noexcept override { return scheme == SignatureScheme::ed25519; }
    std::size_t max_signature_size() const noexcept override { return crypto_sign_ed25519_BYTES; }

    Result<std::size_t> sign(SignatureScheme scheme, Bytes message, Rng&, MutableBytes out) const noexcept override {
        if (scheme != SignatureScheme::ed25519) return Error{ErrorCode::unsupported, "Ed25519 key signs only ed25519"};
        if (out.size() < crypto_sign_ed25519_BYTES) return Error{ErrorCode::buffer_too_small, "signature buffer too small"};
        unsigned long long len = 0;
        if (crypto_sign_ed25519_detached(out.data(), &len, nonnull(message), message.size(), secret_) != 0)
            return Error{ErrorCode::crypto_backend, "Ed25519 signing failed"};
        return static_cast<std::size_t>(len);
    }

    PublicKey public_key() const noexcept override { return Ed25519PublicKey{Bytes(public_, sizeof public_)}; }

private:
    unsigned char public_[crypto_sign_ed25519_PUBLICKEYBYTES];
    unsigned char secret_[crypto_sign_ed25519_SECRETKEYBYTES];
};

bool can_load(const PrivateKey& key) noexcept { return std::holds_alternative<Ed25519PrivateKey>(key); }

Result<std::unique_ptr<SigningKey>> load(const PrivateKey& key) noexcept {
    const auto* ed = std::get_if<Ed25519PrivateKey>(&key);
    if (ed == nullptr) return Error{ErrorCode::unsupported, "libsodium loads only Ed25519 private keys"};
    if (ed->seed.size() != crypto_sign_ed25519_SEEDBYTES)
        return Error{ErrorCode::invalid_argument, "Ed25519 private key must be 32 bytes"};
    if (!initialize()) return Error{ErrorCode::crypto_backend, "libsodium failed to initialise"};
    auto* k = new (std::nothrow) Ed25519SigningKey(ed->seed);
    if (k == nullptr) return Error{ErrorCode::internal_error, "out of memory"};
    return std::unique_ptr<SigningKey>(k);
}

}  // namespace

const SignatureVerifier ed25519_verifier{SignatureScheme::ed25519, "sodium", verify};
const SigningKeyFactory ed25519_keys{"sodium", "Ed25519", can_load, load};

}  // namespace tls::crypto::sodium
