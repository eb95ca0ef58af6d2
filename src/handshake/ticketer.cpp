#include "handshake/ticketer.hpp"

#include <cstring>

namespace tls::handshake {

Ticketer::Ticketer(const crypto::CryptoProvider& provider, crypto::Rng& rng, std::uint32_t rotation_seconds) noexcept
    : aead_(provider.find(crypto::AeadAlgorithm::aes256_gcm)), rng_(rng), rotation_(rotation_seconds ? rotation_seconds : 1) {
    if (!aead_) aead_ = provider.find(crypto::AeadAlgorithm::chacha20_poly1305);
}

Result<void> Ticketer::rotate_locked(std::int64_t now) {
    if (current_ && now >= current_->created && now - current_->created < rotation_) return success();
    Key fresh;
    TLS_TRY(rng_.fill(fresh.name));
    TLS_TRY(rng_.fill(fresh.key.resize(aead_->key_size)));
    fresh.created = now;
    // The key that sealed until now still opens for one more period; older ones are gone.
    if (current_ && now >= current_->created && now - current_->created < 2 * std::int64_t{rotation_})
        previous_ = std::move(current_);
    else
        previous_.reset();
    current_ = std::move(fresh);
    return success();
}

Result<std::vector<std::uint8_t>> Ticketer::seal(crypto::Bytes state, std::int64_t now) {
    if (!aead_) return Error{ErrorCode::unsupported, "the provider has no AEAD for session tickets"};
    std::lock_guard lock(mutex_);
    TLS_TRY(rotate_locked(now));
    std::vector<std::uint8_t> ticket(overhead + state.size());
    std::uint8_t* p = ticket.data();
    std::memcpy(p, current_->name, key_name_size);
    crypto::MutableBytes nonce(p + key_name_size, crypto::aead_nonce_size);
    TLS_TRY(rng_.fill(nonce));
    crypto::MutableBytes body(p + key_name_size + crypto::aead_nonce_size, state.size());
    if (!state.empty()) std::memcpy(body.data(), state.data(), state.size());
    TLS_TRY_ASSIGN(key, aead_->new_key(current_->key.bytes()));
    TLS_TRY(key->seal(nonce, crypto::Bytes(p, key_name_size), body,
                      crypto::MutableBytes(body.data() + body.size(), crypto::aead_tag_size)));
    return ticket;
}

std::optional<crypto::SecretBuffer> Ticketer::open(crypto::Bytes ticket, std::int64_t now) {
    if (!aead_ || ticket.size() < overhead) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (!rotate_locked(now)) return std::nullopt;
    const Key* key = nullptr;
    for (const auto* candidate : {&current_, &previous_})
        if (*candidate && std::memcmp((*candidate)->name, ticket.data(), key_name_size) == 0) key = &**candidate;
    if (!key) return std::nullopt;
    auto aead_key = aead_->new_key(key->key.bytes());
    if (!aead_key) return std::nullopt;
    const std::size_t body_size = ticket.size() - overhead;
    crypto::SecretBuffer state(crypto::Bytes(ticket.data() + key_name_size + crypto::aead_nonce_size, body_size));
    auto opened = (*aead_key)->open(ticket.subspan(key_name_size, crypto::aead_nonce_size),
                                    ticket.first(key_name_size), state.mutable_bytes(),
                                    ticket.last(crypto::aead_tag_size));
    if (!opened) return std::nullopt;
    return state;
}

}  // namespace tls::handshake
