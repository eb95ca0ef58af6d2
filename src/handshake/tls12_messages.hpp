// The TLS 1.2 handshake messages (RFC 5246 7.4 with the ECDHE forms of RFC 8422
// and the tickets of RFC 5077), one type per message with its parse and its
// serialise side by side, as messages.hpp does for TLS 1.3. ClientHello and
// ServerHello of TLS 1.2 are in hello.hpp. Parsing takes a message body (no
// 4-byte header), checks every bound and that nothing trails, and returns views
// into the body. Serialising writes the whole message (header included) and
// refuses values the parser would refuse (invalid_argument).
#pragma once

#include <cstdint>
#include <vector>

#include "handshake/messages.hpp"
#include "handshake/tls12_key_schedule.hpp"  // tls12_verify_data_size
#include "tls/crypto/algorithms.hpp"

namespace tls::handshake {

// ServerKeyExchange for ECDHE (RFC 8422 5.4; RFC 5246 7.4.3 with TLS 1.2's
// DigitallySigned):
//   struct { ECCurveType curve_type = named_curve(3); NamedCurve namedcurve;
//            opaque point<1..2^8-1>; } ServerECDHParams;
//   struct { SignatureScheme algorithm; opaque signature<0..2^16-1>; } DigitallySigned;
// A curve_type other than named_curve is illegal_parameter. Which groups and
// schemes are acceptable, and the point's form, are the key exchange's checks.
inline constexpr std::uint8_t ec_curve_type_named_curve = 3;
struct ServerKeyExchange {
    crypto::NamedGroup group{};
    Bytes public_key;  // the point
    Bytes params;      // the whole ServerECDHParams: what the signature covers
    crypto::SignatureScheme scheme{};
    Bytes signature;
    static Result<ServerKeyExchange> parse(Bytes body);
};
// The ServerECDHParams bytes (for signing before the message is written).
Result<std::vector<std::uint8_t>> write_server_ecdh_params(crypto::NamedGroup group, Bytes public_key);
Result<std::vector<std::uint8_t>> write_server_key_exchange(crypto::NamedGroup group, Bytes public_key,
                                                            crypto::SignatureScheme scheme, Bytes signature);
// What a ServerKeyExchange signs: client_random || server_random || params.
std::vector<std::uint8_t> server_key_exchange_signed_content(Bytes client_random, Bytes server_random,
                                                             Bytes params);

// ClientKeyExchange for ECDHE (RFC 8422 5.7): opaque point<1..2^8-1>. That the
// point is uncompressed and on the curve is the key exchange's check.
struct ClientKeyExchange {
    Bytes public_key;
    static Result<ClientKeyExchange> parse(Bytes body);
};
Result<std::vector<std::uint8_t>> write_client_key_exchange(Bytes public_key);

// ServerHelloDone (RFC 5246 7.4.5) and HelloRequest (7.4.1.1): empty bodies.
Result<void> parse_server_hello_done(Bytes body);
Result<std::vector<std::uint8_t>> write_server_hello_done();
Result<void> parse_hello_request(Bytes body);
Result<std::vector<std::uint8_t>> write_hello_request();

// Finished (RFC 5246 7.4.9): verify_data of exactly 12 bytes (every cipher suite
// cordon speaks keeps the default verify_data_length).
Result<Bytes> parse_tls12_finished(Bytes body);
Result<std::vector<std::uint8_t>> write_tls12_finished(Bytes verify_data);

// CertificateRequest of TLS 1.2 (RFC 5246 7.4.4):
//   ClientCertificateType certificate_types<1..2^8-1>;
//   SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
//   DistinguishedName certificate_authorities<0..2^16-1>;  each opaque <1..2^16-1>
struct Tls12CertificateRequest {
    Bytes certificate_types;
    std::vector<crypto::SignatureScheme> signature_algorithms;
    std::vector<Bytes> certificate_authorities;  // DER Names, not parsed here
    static Result<Tls12CertificateRequest> parse(Bytes body);
};
Result<std::vector<std::uint8_t>> write_tls12_certificate_request(
    Bytes certificate_types, const std::vector<crypto::SignatureScheme>& signature_algorithms,
    const std::vector<Bytes>& certificate_authorities);

// Certificate of TLS 1.2 (RFC 5246 7.4.2): ASN.1Cert certificate_list<0..2^24-1>,
// each opaque <1..2^24-1>; no request context, no per-entry extensions.
// max_entries bounds the work a hostile peer can cause (bad_certificate beyond).
struct Tls12CertificateMessage {
    std::vector<Bytes> certificates;
    static Result<Tls12CertificateMessage> parse(Bytes body, std::size_t max_entries = 16);
};
Result<std::vector<std::uint8_t>> write_tls12_certificate(const std::vector<Bytes>& chain_der);

// NewSessionTicket of RFC 5077 3.3: uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>.
// (An empty ticket is how a server that announced one then declines.)
struct Tls12NewSessionTicket {
    std::uint32_t lifetime_hint = 0;
    Bytes ticket;
    static Result<Tls12NewSessionTicket> parse(Bytes body);
};
Result<std::vector<std::uint8_t>> write_tls12_new_session_ticket(std::uint32_t lifetime_hint, Bytes ticket);

}  // namespace tls::handshake
