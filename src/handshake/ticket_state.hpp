// What a server seals into a session ticket (ticketer.hpp), one layout per
// version, each starting with its version so a ticket is never read as the
// other's. The decoders read only what this server sealed (the ticket
// authenticated), yet still check every bound.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls/crypto/secret.hpp"
#include "tls/protocol.hpp"
#include "tls/result.hpp"

namespace tls::handshake {

// version 0x0303 | suite u16 | extended_master_secret u8 | created u64 |
// master_secret<48> | alpn<0..255> | server_name<0..255>
struct Tls12TicketState {
    CipherSuite suite{};
    bool extended_master_secret = false;
    std::int64_t created = 0;  // the server's clock, seconds
    crypto::Secret master_secret;
    std::string alpn;
    std::string server_name;
};
Result<crypto::SecretBuffer> encode_ticket_state(const Tls12TicketState& state);
std::optional<Tls12TicketState> decode_tls12_ticket_state(crypto::Bytes data);

// version 0x0304 | suite u16 | created u64 | lifetime u32 | age_add u32 |
// max_early_data u32 | psk<32..48> | alpn<0..255> | server_name<0..255> |
// client_chain<0..2^24-1> of certificates <1..2^24-1> (mutual TLS)
struct Tls13TicketState {
    CipherSuite suite{};
    std::int64_t created = 0;  // the server's clock, seconds
    std::uint32_t lifetime = 0;
    std::uint32_t age_add = 0;
    std::uint32_t max_early_data = 0;
    crypto::Secret psk;  // the resumption PSK (RFC 8446 4.6.1)
    std::string alpn;
    std::string server_name;
    std::vector<std::vector<std::uint8_t>> client_chain;  // DER, leaf first
};
Result<crypto::SecretBuffer> encode_ticket_state(const Tls13TicketState& state);
std::optional<Tls13TicketState> decode_tls13_ticket_state(crypto::Bytes data);

}  // namespace tls::handshake
