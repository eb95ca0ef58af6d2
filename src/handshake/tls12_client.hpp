// The TLS 1.2 client (RFC 5246 7.3 with RFC 8422 ECDHE, RFC 7627, RFC 5746 and
// RFC 5077): one type per state, as the TLS 1.3 client has. The TLS 1.3 client
// sends the one ClientHello (offering both versions) and, when a ServerHello
// settles TLS 1.2, starts this engine with it and hands the connection over.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "handshake/client_session.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/messages.hpp"

namespace tls::handshake {

// What the ClientHello offered, for the TLS 1.2 engine.
struct Tls12ClientOffer {
    std::vector<std::uint8_t> client_hello;  // as sent: the transcript starts with it
    std::array<std::uint8_t, 32> random{};
    std::vector<std::uint8_t> session_id;    // as sent
    bool sent_sni = false;
    bool sent_session_ticket = false;        // the session_ticket extension was offered
    std::shared_ptr<const ClientSession> session;  // offered for resumption (its ticket was sent)
};

// Checks a TLS 1.2 ServerHello against the offer and returns the engine that
// continues from it (full or abbreviated handshake).
Result<std::unique_ptr<HandshakeEngine>> start_tls12_client(ConnectionCore& core, const ClientConfig& config,
                                                            std::string server_name, Tls12ClientOffer offer,
                                                            const ServerHello& server_hello, Bytes raw);

}  // namespace tls::handshake
