// The TLS 1.3 client (RFC 8446 A.1): one type per state, named as the RFC's
// state diagram names them. A state accepts only the messages the RFC allows
// there; anything else is unexpected_message.
#pragma once

#include <memory>
#include <string>

#include "handshake/connection_core.hpp"

namespace tls::handshake {

std::unique_ptr<HandshakeEngine> make_client_engine(const ClientConfig& config, std::string server_name);

}  // namespace tls::handshake
