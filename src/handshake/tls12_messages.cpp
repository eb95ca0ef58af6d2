#include "handshake/tls12_messages.hpp"

namespace tls::handshake {
namespace {

constexpr Error bad_argument(const char* what) { return Error{ErrorCode::invalid_argument, what}; }

void write_vector(codec::Writer& w, std::size_t prefix, Bytes data) noexcept {
    auto mark = w.open_vector(prefix);
    w.bytes(data);
    w.close_vector(mark);
}

Result<void> expect_empty(Bytes body, const char* what) {
    if (!body.empty()) return Error{ErrorCode::decode_error, what};
    return success();
}

}  // namespace

// ServerKeyExchange

Result<ServerKeyExchange> ServerKeyExchange::parse(Bytes body) {
    codec::Reader r(body);
    ServerKeyExchange ske;
    TLS_TRY_ASSIGN(curve_type, r.u8());
    if (curve_type != ec_curve_type_named_curve)
        return Error{ErrorCode::illegal_parameter, "ServerKeyExchange curve_type is not named_curve"};
    TLS_TRY_ASSIGN(group, r.u16());
    ske.group = static_cast<crypto::NamedGroup>(group);
    TLS_TRY_SET(ske.public_key, r.vector(1, 1, 255));
    ske.params = body.first(r.position());
    TLS_TRY_ASSIGN(scheme, r.u16());
    ske.scheme = static_cast<crypto::SignatureScheme>(scheme);
    TLS_TRY_SET(ske.signature, r.vector(2, 0, 0xffff));
    TLS_TRY(r.expect_end());
    return ske;
}

Result<std::vector<std::uint8_t>> write_server_ecdh_params(crypto::NamedGroup group, Bytes public_key) {
    if (public_key.empty() || public_key.size() > 255) return bad_argument("ECDH point of a size TLS cannot carry");
    return write_to_vector(public_key.size() + 4, [&](codec::Writer& w) {
        w.u8(ec_curve_type_named_curve);
        w.u16(static_cast<std::uint16_t>(group));
        write_vector(w, 1, public_key);
    });
}

Result<std::vector<std::uint8_t>> write_server_key_exchange(crypto::NamedGroup group, Bytes public_key,
                                                            crypto::SignatureScheme scheme, Bytes signature) {
    if (public_key.empty() || public_key.size() > 255) return bad_argument("ECDH point of a size TLS cannot carry");
    if (signature.size() > 0xffff) return bad_argument("signature longer than TLS can carry");
    return write_handshake_message(HandshakeType::server_key_exchange, public_key.size() + signature.size() + 8,
                                   [&](codec::Writer& w) {
                                       w.u8(ec_curve_type_named_curve);
                                       w.u16(static_cast<std::uint16_t>(group));
                                       write_vector(w, 1, public_key);
                                       w.u16(static_cast<std::uint16_t>(scheme));
                                       write_vector(w, 2, signature);
                                   });
}

std::vector<std::uint8_t> server_key_exchange_signed_content(Bytes client_random, Bytes server_random,
                                                             Bytes params) {
    std::vector<std::uint8_t> content;
    content.reserve(client_random.size() + server_random.size() + params.size());
    for (auto b : client_random) content.push_back(b);
    for (auto b : server_random) content.push_back(b);
    for (auto b : params) content.push_back(b);
    return content;
}

// ClientKeyExchange

Result<ClientKeyExchange> ClientKeyExchange::parse(Bytes body) {
    codec::Reader r(body);
    ClientKeyExchange cke;
    TLS_TRY_SET(cke.public_key, r.vector(1, 1, 255));
    TLS_TRY(r.expect_end());
    return cke;
}

Result<std::vector<std::uint8_t>> write_client_key_exchange(Bytes public_key) {
    if (public_key.empty() || public_key.size() > 255) return bad_argument("ECDH point of a size TLS cannot carry");
    return write_handshake_message(HandshakeType::client_key_exchange, public_key.size() + 1,
                                   [&](codec::Writer& w) { write_vector(w, 1, public_key); });
}

// ServerHelloDone, HelloRequest

Result<void> parse_server_hello_done(Bytes body) { return expect_empty(body, "ServerHelloDone is not empty"); }

Result<std::vector<std::uint8_t>> write_server_hello_done() {
    return write_handshake_message(HandshakeType::server_hello_done, 0, [](codec::Writer&) {});
}

Result<void> parse_hello_request(Bytes body) { return expect_empty(body, "HelloRequest is not empty"); }

Result<std::vector<std::uint8_t>> write_hello_request() {
    return write_handshake_message(HandshakeType::hello_request, 0, [](codec::Writer&) {});
}

// Finished

Result<Bytes> parse_tls12_finished(Bytes body) {
    if (body.size() != tls12_verify_data_size) return Error{ErrorCode::decode_error, "Finished of the wrong length"};
    return body;
}

Result<std::vector<std::uint8_t>> write_tls12_finished(Bytes verify_data) {
    if (verify_data.size() != tls12_verify_data_size) return bad_argument("TLS 1.2 verify_data is not 12 bytes");
    return write_handshake_message(HandshakeType::finished, verify_data.size(),
                                   [&](codec::Writer& w) { w.bytes(verify_data); });
}

// CertificateRequest

Result<Tls12CertificateRequest> Tls12CertificateRequest::parse(Bytes body) {
    codec::Reader r(body);
    Tls12CertificateRequest cr;
    TLS_TRY_SET(cr.certificate_types, r.vector(1, 1, 255));
    TLS_TRY_ASSIGN(schemes, r.sub(2, 2, 0xfffe));
    if (schemes.remaining() % 2 != 0)
        return Error{ErrorCode::decode_error, "odd-length supported_signature_algorithms"};
    cr.signature_algorithms.reserve(schemes.remaining() / 2);
    while (!schemes.empty()) {
        TLS_TRY_ASSIGN(scheme, schemes.u16());
        cr.signature_algorithms.push_back(static_cast<crypto::SignatureScheme>(scheme));
    }
    TLS_TRY_ASSIGN(authorities, r.sub(2, 0, 0xffff));
    TLS_TRY(r.expect_end());
    while (!authorities.empty()) {
        TLS_TRY_ASSIGN(name, authorities.vector(2, 1, 0xffff));
        cr.certificate_authorities.push_back(name);
    }
    return cr;
}

Result<std::vector<std::uint8_t>> write_tls12_certificate_request(
    Bytes certificate_types, const std::vector<crypto::SignatureScheme>& signature_algorithms,
    const std::vector<Bytes>& certificate_authorities) {
    if (certificate_types.empty() || certificate_types.size() > 255)
        return bad_argument("certificate_types must hold 1 to 255 entries");
    if (signature_algorithms.empty() || signature_algorithms.size() > 0x7fff)
        return bad_argument("supported_signature_algorithms must hold 1 to 32767 entries");
    std::size_t size = 8 + certificate_types.size() + 2 * signature_algorithms.size();
    for (auto name : certificate_authorities) {
        if (name.empty() || name.size() > 0xffff) return bad_argument("DistinguishedName of a size TLS cannot carry");
        size += name.size() + 2;
    }
    return write_handshake_message(HandshakeType::certificate_request, size, [&](codec::Writer& w) {
        write_vector(w, 1, certificate_types);
        auto schemes = w.open_vector(2);
        for (auto s : signature_algorithms) w.u16(static_cast<std::uint16_t>(s));
        w.close_vector(schemes);
        auto list = w.open_vector(2);
        for (auto name : certificate_authorities) write_vector(w, 2, name);
        w.close_vector(list);
    });
}

// Certificate

Result<Tls12CertificateMessage> Tls12CertificateMessage::parse(Bytes body, std::size_t max_entries) {
    codec::Reader r(body);
    Tls12CertificateMessage msg;
    TLS_TRY_ASSIGN(list, r.sub(3, 0, 0xffffff));
    TLS_TRY(r.expect_end());
    while (!list.empty()) {
        if (msg.certificates.size() == max_entries)
            return Error{ErrorCode::bad_certificate, "certificate chain longer than cordon accepts"};
        TLS_TRY_ASSIGN(cert, list.vector(3, 1, 0xffffff));
        msg.certificates.push_back(cert);
    }
    return msg;
}

Result<std::vector<std::uint8_t>> write_tls12_certificate(const std::vector<Bytes>& chain_der) {
    std::size_t size = 3;
    for (auto der : chain_der) {
        if (der.empty() || der.size() > 0xffffff) return bad_argument("certificate of a size TLS cannot carry");
        size += der.size() + 3;
    }
    return write_handshake_message(HandshakeType::certificate, size, [&](codec::Writer& w) {
        auto list = w.open_vector(3);
        for (auto der : chain_der) write_vector(w, 3, der);
        w.close_vector(list);
    });
}

// NewSessionTicket

Result<Tls12NewSessionTicket> Tls12NewSessionTicket::parse(Bytes body) {
    codec::Reader r(body);
    Tls12NewSessionTicket t;
    TLS_TRY_SET(t.lifetime_hint, r.u32());
    TLS_TRY_SET(t.ticket, r.vector(2, 0, 0xffff));
    TLS_TRY(r.expect_end());
    return t;
}

Result<std::vector<std::uint8_t>> write_tls12_new_session_ticket(std::uint32_t lifetime_hint, Bytes ticket) {
    if (ticket.size() > 0xffff) return bad_argument("ticket longer than TLS can carry");
    return write_handshake_message(HandshakeType::new_session_ticket, ticket.size() + 6, [&](codec::Writer& w) {
        w.u32(lifetime_hint);
        write_vector(w, 2, ticket);
    });
}

}  // namespace tls::handshake
