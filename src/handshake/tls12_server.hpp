// The TLS 1.2 server (RFC 5246 7.3 with RFC 8422 ECDHE, RFC 7627, RFC 5746 and
// RFC 5077 tickets): one type per state. The TLS 1.3 server reads the
// ClientHello, and when the version settles on TLS 1.2 starts this engine with
// it and hands the connection over.
#pragma once

#include <memory>

#include "handshake/connection_core.hpp"
#include "handshake/messages.hpp"

namespace tls::handshake {

// Negotiates from a ClientHello that settled TLS 1.2, sends the server's first
// flight (full or abbreviated handshake) and returns the engine that continues.
Result<std::unique_ptr<HandshakeEngine>> start_tls12_server(ConnectionCore& core, const ServerConfig& config,
                                                            const ClientHello& client_hello, Bytes raw);

}  // namespace tls::handshake
