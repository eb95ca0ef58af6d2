// IANA registries of the handshake protocol (RFC 8446 4, B.3; RFC 5246 7.4;
// RFC 8422; RFC 5289/7905). Each enum spans its whole integer type, so values
// cordon does not know (GREASE, RFC 8701, or newer code points) round-trip.
#pragma once

#include <cstdint>

#include "tls/protocol.hpp"

namespace tls::handshake {

enum class HandshakeType : std::uint8_t {
    hello_request = 0,  // TLS 1.2
    client_hello = 1,
    server_hello = 2,
    new_session_ticket = 4,
    end_of_early_data = 5,
    encrypted_extensions = 8,
    certificate = 11,
    server_key_exchange = 12,  // TLS 1.2
    certificate_request = 13,
    server_hello_done = 14,    // TLS 1.2
    certificate_verify = 15,
    client_key_exchange = 16,  // TLS 1.2
    finished = 20,
    key_update = 24,
    message_hash = 254,
};

enum class ExtensionType : std::uint16_t {
    server_name = 0,
    max_fragment_length = 1,
    status_request = 5,
    supported_groups = 10,
    ec_point_formats = 11,
    signature_algorithms = 13,
    use_srtp = 14,
    heartbeat = 15,
    application_layer_protocol_negotiation = 16,
    signed_certificate_timestamp = 18,
    client_certificate_type = 19,
    server_certificate_type = 20,
    padding = 21,
    extended_master_secret = 23,
    record_size_limit = 28,
    session_ticket = 35,
    pre_shared_key = 41,
    early_data = 42,
    supported_versions = 43,
    cookie = 44,
    psk_key_exchange_modes = 45,
    certificate_authorities = 47,
    oid_filters = 48,
    post_handshake_auth = 49,
    signature_algorithms_cert = 50,
    key_share = 51,
    renegotiation_info = 0xff01,
};

// Cipher suites and protocol versions are public vocabulary (tls/protocol.hpp).
using tls::CipherSuite;
using tls::ProtocolVersion;

const char* to_string(HandshakeType type) noexcept;
const char* to_string(ExtensionType type) noexcept;

}  // namespace tls::handshake
