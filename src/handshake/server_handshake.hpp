// The TLS 1.3 server (RFC 8446 A.2): one type per state. The server chooses by
// its own preferences (suite, group, ALPN), asks for another key share with a
// HelloRetryRequest when the client sent none it can use, and answers with its
// whole first flight at once.
#pragma once

#include <memory>

#include "handshake/connection_core.hpp"

namespace tls::handshake {

std::unique_ptr<HandshakeEngine> make_server_engine(const ServerConfig& config);

}  // namespace tls::handshake
