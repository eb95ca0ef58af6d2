// Messages after the handshake (RFC 8446 4.6): KeyUpdate both ways, and
// NewSessionTicket, which a client accepts and (until resumption lands) drops.
// Anything else is unexpected_message.
#pragma once

#include "handshake/cipher_suites.hpp"
#include "handshake/connection_core.hpp"

namespace tls::handshake {

class PostHandshake {
public:
    PostHandshake() = default;
    PostHandshake(const SuiteParams& suite, const crypto::Secret& client_secret, const crypto::Secret& server_secret,
                  bool is_server) noexcept
        : suite_(suite), client_secret_(client_secret), server_secret_(server_secret), is_server_(is_server) {}

    Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message);
    // Application data arrived: the peer is not flooding us with KeyUpdates.
    void on_application_data() noexcept { key_updates_in_a_row_ = 0; }
    // Sends a KeyUpdate and moves the write key forward.
    Result<void> send_key_update(ConnectionCore& core, bool request_peer_update);

private:
    crypto::Secret& read_secret() noexcept { return is_server_ ? client_secret_ : server_secret_; }
    crypto::Secret& write_secret() noexcept { return is_server_ ? server_secret_ : client_secret_; }

    std::optional<SuiteParams> suite_;
    crypto::Secret client_secret_, server_secret_;
    bool is_server_ = false;
    std::uint32_t key_updates_in_a_row_ = 0;  // bounds a KeyUpdate flood
};

}  // namespace tls::handshake
