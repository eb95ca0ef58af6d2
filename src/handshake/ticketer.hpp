// Server-side session tickets (RFC 5077 4's recommended layout): the server
// seals its session state with a key only it knows, so it keeps nothing per
// client. A ticket is key_name(16) || nonce(12) || AEAD(state) || tag(16), with
// key_name as the associated data.
//
// Keys rotate: a key seals for one rotation period and still opens for one
// more, so a ticket outlives a rotation. The period is the ticket lifetime, so
// a stolen ticket key exposes at most two periods of sessions (forward secrecy
// for resumed sessions is bounded by it).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "tls/crypto/provider.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/session.hpp"

namespace tls::handshake {

class Ticketer final : public TicketProtector {
public:
    // Picks AES-256-GCM, else ChaCha20-Poly1305, from the provider; the first
    // key is drawn on first use.
    Ticketer(const crypto::CryptoProvider& provider, crypto::Rng& rng, std::uint32_t rotation_seconds) noexcept;

    bool available() const noexcept { return aead_ != nullptr; }
    std::uint32_t rotation_seconds() const noexcept { return rotation_; }

    Result<std::vector<std::uint8_t>> seal(crypto::Bytes state, std::int64_t now) override;
    // The state, or nothing for a ticket this server did not seal, or sealed with
    // a retired key, or tampered with. Never an error: an unusable ticket means
    // a full handshake.
    std::optional<crypto::SecretBuffer> open(crypto::Bytes ticket, std::int64_t now) override;

    static constexpr std::size_t key_name_size = 16;
    static constexpr std::size_t overhead = key_name_size + crypto::aead_nonce_size + crypto::aead_tag_size;

private:
    struct Key {
        std::uint8_t name[key_name_size] = {};
        crypto::Secret key;
        std::int64_t created = 0;
    };
    Result<void> rotate_locked(std::int64_t now);

    const crypto::AeadDescriptor* aead_;
    crypto::Rng& rng_;
    std::uint32_t rotation_;
    std::mutex mutex_;
    std::optional<Key> current_, previous_;
};

}  // namespace tls::handshake
