// What a client keeps of a session to resume it (tls/session.hpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tls/certificate.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/protocol.hpp"
#include "tls/session.hpp"

namespace tls {

class ClientSession {
public:
    ProtocolVersion version = ProtocolVersion::tls12;
    CipherSuite suite{};
    bool extended_master_secret = false;
    crypto::Secret secret;                  // TLS 1.2: the master secret; TLS 1.3: the resumption PSK
    std::vector<std::uint8_t> ticket;       // opaque to the client
    std::int64_t received_at = 0;           // the client's clock, seconds
    std::uint32_t lifetime = 0;             // seconds the server allows (0: unknown)
    std::uint32_t age_add = 0;              // TLS 1.3: obfuscates the ticket age (RFC 8446 4.6.1)
    std::uint32_t max_early_data = 0;       // TLS 1.3: 0-RTT allowance of the ticket
    std::string alpn;
    std::vector<Certificate> peer_chain;    // validated in the original handshake

    bool expired(std::int64_t now) const noexcept {
        // A ticket without a lifetime hint is kept for a day at most.
        const std::int64_t lifetime_limit = lifetime != 0 ? lifetime : 24 * 3600;
        return now < received_at || now - received_at >= lifetime_limit;
    }
};

}  // namespace tls
