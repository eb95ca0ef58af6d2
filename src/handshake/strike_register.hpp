// 0-RTT anti-replay (RFC 8446 8.2): a bounded register of the ClientHellos
// whose early data this server accepted, kept for the acceptance window. The
// ticket-age check rejects a ClientHello replayed after the window; this
// register rejects one replayed within it. Thread-safe; shared by every
// connection of a server configuration (one process: a fleet of servers needs
// a shared store, which this is not).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_set>

#include "tls/crypto/secret.hpp"

namespace tls::handshake {

class StrikeRegister {
public:
    // Entries live window_seconds; at most capacity of them at once.
    explicit StrikeRegister(std::uint32_t window_seconds, std::size_t capacity = 1u << 16)
        : window_(window_seconds), capacity_(capacity) {}

    // Records `id` (a ClientHello's PSK binder) at `now`. False when it was
    // seen within the window (a replay), or when the register is full (early
    // data is then refused rather than risked).
    bool insert(crypto::Bytes id, std::int64_t now);
    std::size_t size() const;

private:
    using Key = std::array<std::uint8_t, 16>;
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    void expire(std::int64_t now);

    std::uint32_t window_;
    std::size_t capacity_;
    mutable std::mutex mutex_;
    std::unordered_set<Key, KeyHash> seen_;
    std::deque<std::pair<std::int64_t, Key>> order_;  // oldest first
};

}  // namespace tls::handshake
