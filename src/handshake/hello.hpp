// ClientHello and ServerHello (RFC 8446 4.1.2, 4.1.3; RFC 5246 7.4.1), with the
// HelloRetryRequest form of ServerHello. Parsing keeps views into the message;
// serialising writes the handshake header too. Extension contents are decoded
// by their own codecs; here they are checked against the one extension table.
#pragma once

#include <array>
#include <cstdint>

#include "handshake/extensions.hpp"

namespace tls::handshake {

inline constexpr std::size_t random_size = 32;

// SHA-256("HelloRetryRequest"): the ServerHello.random that marks an HRR.
extern const std::array<std::uint8_t, random_size> hello_retry_request_random;
// RFC 8446 4.1.3: the last 8 bytes of the random of a server that speaks TLS 1.3
// but negotiates TLS 1.2 ("DOWNGRD" 01) or an older version ("DOWNGRD" 00).
extern const std::array<std::uint8_t, 8> downgrade_sentinel_tls12;
bool has_downgrade_sentinel(codec::Bytes server_random) noexcept;

struct ClientHello {
    std::uint16_t legacy_version = 0x0303;
    codec::Bytes random;              // 32 bytes
    codec::Bytes legacy_session_id;   // 0..32 bytes
    codec::Bytes cipher_suites;       // pairs of bytes, in preference order
    codec::Bytes compression_methods;
    bool has_extensions = true;       // a TLS 1.2 ClientHello may omit the block
    Extensions extensions;

    // body: the message without its 4-byte header.
    static Result<ClientHello> parse(codec::Bytes body);
    bool offers_suite(CipherSuite suite) const noexcept;
};

struct ServerHello {
    std::uint16_t legacy_version = 0x0303;
    codec::Bytes random;
    codec::Bytes legacy_session_id_echo;
    CipherSuite cipher_suite{};
    std::uint8_t compression_method = 0;
    bool has_extensions = true;  // a TLS 1.2 ServerHello may omit the block
    Extensions extensions;
    MessageKind kind = MessageKind::server_hello;  // server_hello, hello_retry_request or server_hello_tls12

    bool is_hello_retry_request() const noexcept { return kind == MessageKind::hello_retry_request; }
    static Result<ServerHello> parse(codec::Bytes body);
};

// Writes a whole handshake message: type, u24 length, then the body.
void write_client_hello(codec::Writer& w, const ClientHello& hello, std::span<const Extension> extensions) noexcept;
void write_server_hello(codec::Writer& w, const ServerHello& hello, std::span<const Extension> extensions) noexcept;

// A handshake message's header: its type, and its body.
struct HandshakeMessage {
    HandshakeType type;
    codec::Bytes body;
};
// Splits a whole message (as the joiner delivers it) into type and body.
Result<HandshakeMessage> parse_handshake_message(codec::Bytes message) noexcept;

}  // namespace tls::handshake
