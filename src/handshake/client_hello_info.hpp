// ClientHelloInfo from a parsed ClientHello: what certificate resolvers and
// peek_client_hello() report.
#pragma once

#include "handshake/hello.hpp"
#include "tls/config.hpp"

namespace tls::handshake {

Result<ClientHelloInfo> client_hello_info(const ClientHello& hello);

}  // namespace tls::handshake
