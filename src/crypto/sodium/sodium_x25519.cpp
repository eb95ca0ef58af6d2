// X25519 (RFC 7748) from libsodium.
#include <sodium.h>

#include <cstring>
#include <new>

#include "crypto/sodium/sodium_backend.hpp"

namespace tls::crypto::sodium {
namespace {

class X25519Key final : public KeyExchangeKey {
public:
    explicit X25519Key(Bytes scalar) noexcept { std::memcpy(private_, scalar.data(), sizeof private_); }
    ~X25519Key() override { secure_wipe(private_, sizeof private_); }

    bool derive_public() noexcept { return crypto_scalarmult_curve25519_base(public_, private_) == 0; }

    NamedGroup group() const noexcept override { return NamedGroup::x25519; }
    Bytes public_key() const noexcept override { return {public_, sizeof public_}; }

    Result<void> agree(Bytes peer, MutableBytes out) const noexcept override {
        if (peer.size() != 32) return Error{ErrorCode::invalid_public_key, "X25519 public key must be 32 bytes"};
        if (out.size() != 32) return Error{ErrorCode::invalid_argument, "X25519 shared secret is 32 bytes"};
        // libsodium returns -1 exactly when the result is all zeros (a low-order
        // peer point), which RFC 8446 7.4.2 says to reject.
        if (crypto_scalarmult_curve25519(out.data(), private_, peer.data()) != 0) {
            secure_wipe(out);
            return Error{ErrorCode::zero_shared_secret, "X25519 shared secret is all zeros"};
        }
        return success();
    }

private:
    std::uint8_t private_[32];
    std::uint8_t public_[32];
};

Result<std::unique_ptr<KeyExchangeKey>> from_private(Bytes scalar) noexcept {
    if (scalar.size() != 32) return Error{ErrorCode::invalid_argument, "X25519 private key must be 32 bytes"};
    if (!initialize()) return Error{ErrorCode::crypto_backend, "libsodium failed to initialise"};
    auto key = std::unique_ptr<X25519Key>(new (std::nothrow) X25519Key(scalar));
    if (!key) return Error{ErrorCode::internal_error, "out of memory"};
    if (!key->derive_public()) return Error{ErrorCode::invalid_argument, "X25519 private key gives a degenerate public key"};
    return std::unique_ptr<KeyExchangeKey>(std::move(key));
}

Result<std::unique_ptr<KeyExchangeKey>> generate(Rng& rng) noexcept {
    std::uint8_t scalar[32];
    TLS_TRY(rng.fill(scalar));
    auto key = from_private(scalar);
    secure_wipe(scalar, sizeof scalar);
    return key;
}

}  // namespace

const KeyExchangeDescriptor x25519{NamedGroup::x25519, "sodium", 32, 32, 32, generate, from_private};

}  // namespace tls::crypto::sodium
