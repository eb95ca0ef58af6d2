// What the TLS 1.3 and TLS 1.2 servers settle from a ClientHello the same way:
// the version, the server name, the ALPN protocol and the certificate. Each
// returns the error (and so the alert) the RFCs give for a refusal.
#pragma once

#include <memory>
#include <string>

#include "handshake/hello.hpp"
#include "tls/config.hpp"

namespace tls::handshake {

// The version for this ClientHello: TLS 1.3 whenever both speak it (RFC 8446
// 4.2.1), else TLS 1.2; protocol_version when there is none in common.
Result<ProtocolVersion> choose_version(const ServerSettings& settings, const ClientHello& hello);

// The SNI host name (RFC 6066 3), lower-cased without a trailing dot; empty
// when none was sent. An IP literal or a malformed name is illegal_parameter.
Result<std::string> choose_server_name(const ClientHello& hello);

// The server's most preferred protocol the client offers (RFC 7301 3.2); empty
// when either side has none. No overlap is no_application_protocol.
Result<std::string> choose_alpn(const ServerSettings& settings, const ClientHello& hello);

// The certificate for this hello: the resolver's answer, else the configured
// one. None is unrecognized_name when SNI was sent, else handshake_failure.
Result<std::shared_ptr<const CertifiedKey>> choose_certificate(const ServerSettings& settings, const ClientHello& hello,
                                                              const std::string& server_name);

}  // namespace tls::handshake
