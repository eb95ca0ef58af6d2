#include "handshake/messages.hpp"

namespace tls::handshake {

Result<EncryptedExtensions> EncryptedExtensions::parse(Bytes body) {
    codec::Reader r(body);
    EncryptedExtensions ee;
    TLS_TRY_SET(ee.extensions, Extensions::parse(r, MessageKind::encrypted_extensions));
    TLS_TRY(r.expect_end());
    return ee;
}

Result<CertificateRequest> CertificateRequest::parse(Bytes body) {
    codec::Reader r(body);
    CertificateRequest cr;
    TLS_TRY_SET(cr.context, r.vector(1, 0, 255));
    // extensions<2..2^16-1>: signature_algorithms is mandatory (checked by the client).
    TLS_TRY_SET(cr.extensions, Extensions::parse(r, MessageKind::certificate_request));
    TLS_TRY(r.expect_end());
    return cr;
}

Result<std::vector<std::uint8_t>> write_certificate_request(Bytes context, std::span<const Extension> extensions) {
    if (context.size() > 255) return Error{ErrorCode::invalid_argument, "certificate_request_context too long"};
    return write_handshake_message(HandshakeType::certificate_request, 64, [&](codec::Writer& w) {
        auto ctx = w.open_vector(1);
        w.bytes(context);
        w.close_vector(ctx);
        Extensions::write(w, extensions);
    });
}

Result<CertificateMessage> CertificateMessage::parse(Bytes body, std::size_t max_entries) {
    codec::Reader r(body);
    CertificateMessage msg;
    TLS_TRY_SET(msg.context, r.vector(1, 0, 255));
    TLS_TRY_ASSIGN(list, r.sub(3, 0, 0xffffff));
    TLS_TRY(r.expect_end());
    while (!list.empty()) {
        if (msg.entries.size() == max_entries)
            return Error{ErrorCode::bad_certificate, "certificate chain longer than cordon accepts"};
        Entry entry;
        TLS_TRY_SET(entry.cert_data, list.vector(3, 1, 0xffffff));
        TLS_TRY_SET(entry.extensions, Extensions::parse(list, MessageKind::certificate_entry));
        msg.entries.push_back(std::move(entry));
    }
    return msg;
}

Result<std::vector<std::uint8_t>> write_certificate(Bytes context, const std::vector<Bytes>& chain_der) {
    std::size_t size = 8 + context.size();
    for (auto der : chain_der) size += der.size() + 5;
    return write_handshake_message(HandshakeType::certificate, size, [&](codec::Writer& w) {
        auto ctx = w.open_vector(1);
        w.bytes(context);
        w.close_vector(ctx);
        auto list = w.open_vector(3);
        for (auto der : chain_der) {
            auto cert = w.open_vector(3);
            w.bytes(der);
            w.close_vector(cert);
            w.u16(0);  // no per-certificate extensions
        }
        w.close_vector(list);
    });
}

Result<CertificateVerify> CertificateVerify::parse(Bytes body) {
    codec::Reader r(body);
    CertificateVerify cv{};
    TLS_TRY_ASSIGN(scheme, r.u16());
    cv.scheme = static_cast<crypto::SignatureScheme>(scheme);
    TLS_TRY_SET(cv.signature, r.vector(2, 1, 0xffff));
    TLS_TRY(r.expect_end());
    return cv;
}

Result<std::vector<std::uint8_t>> write_certificate_verify(crypto::SignatureScheme scheme, Bytes signature) {
    return write_handshake_message(HandshakeType::certificate_verify, signature.size() + 4, [&](codec::Writer& w) {
        w.u16(static_cast<std::uint16_t>(scheme));
        auto sig = w.open_vector(2);
        w.bytes(signature);
        w.close_vector(sig);
    });
}

bool allowed_in_certificate_verify(crypto::SignatureScheme scheme) noexcept {
    using crypto::SignatureScheme;
    switch (scheme) {
        case SignatureScheme::ecdsa_secp256r1_sha256:
        case SignatureScheme::ecdsa_secp384r1_sha384:
        case SignatureScheme::ecdsa_secp521r1_sha512:
        case SignatureScheme::rsa_pss_rsae_sha256:
        case SignatureScheme::rsa_pss_rsae_sha384:
        case SignatureScheme::rsa_pss_rsae_sha512:
        case SignatureScheme::rsa_pss_pss_sha256:
        case SignatureScheme::rsa_pss_pss_sha384:
        case SignatureScheme::rsa_pss_pss_sha512:
        case SignatureScheme::ed25519:
        case SignatureScheme::ed448: return true;
        default: return false;
    }
}

std::vector<std::uint8_t> certificate_verify_content(Signer signer, Bytes transcript_hash) {
    static constexpr char server_context[] = "TLS 1.3, server CertificateVerify";
    static constexpr char client_context[] = "TLS 1.3, client CertificateVerify";
    const char* context = signer == Signer::server ? server_context : client_context;
    const std::size_t context_size = sizeof(server_context) - 1;
    std::vector<std::uint8_t> content;
    content.reserve(64 + context_size + 1 + transcript_hash.size());
    content.resize(64, 0x20);
    for (std::size_t i = 0; i < context_size; ++i) content.push_back(static_cast<std::uint8_t>(context[i]));
    content.push_back(0);
    for (auto b : transcript_hash) content.push_back(b);
    return content;
}

Result<Bytes> parse_finished(Bytes body, std::size_t hash_size) {
    if (body.size() != hash_size) return Error{ErrorCode::decode_error, "Finished of the wrong length"};
    return body;
}

Result<std::vector<std::uint8_t>> write_finished(Bytes verify_data) {
    return write_handshake_message(HandshakeType::finished, verify_data.size(),
                                   [&](codec::Writer& w) { w.bytes(verify_data); });
}

Result<NewSessionTicket> NewSessionTicket::parse(Bytes body) {
    codec::Reader r(body);
    NewSessionTicket t;
    TLS_TRY_SET(t.lifetime, r.u32());
    TLS_TRY_SET(t.age_add, r.u32());
    TLS_TRY_SET(t.nonce, r.vector(1, 0, 255));
    TLS_TRY_SET(t.ticket, r.vector(2, 1, 0xffff));
    TLS_TRY_SET(t.extensions, Extensions::parse(r, MessageKind::new_session_ticket));
    TLS_TRY(r.expect_end());
    // RFC 8446 4.6.1: servers MUST NOT use any value greater than 604800 seconds (7 days).
    if (t.lifetime > 604800) return Error{ErrorCode::illegal_parameter, "ticket lifetime over seven days"};
    return t;
}

Result<std::vector<std::uint8_t>> write_new_session_ticket(std::uint32_t lifetime, std::uint32_t age_add, Bytes nonce,
                                                           Bytes ticket, std::span<const Extension> extensions) {
    if (lifetime > 604800 || nonce.size() > 255 || ticket.empty() || ticket.size() > 0xffff)
        return Error{ErrorCode::invalid_argument, "NewSessionTicket field out of range"};
    return write_handshake_message(HandshakeType::new_session_ticket, 16 + nonce.size() + ticket.size(),
                                   [&](codec::Writer& w) {
                                       w.u32(lifetime);
                                       w.u32(age_add);
                                       auto n = w.open_vector(1);
                                       w.bytes(nonce);
                                       w.close_vector(n);
                                       auto t = w.open_vector(2);
                                       w.bytes(ticket);
                                       w.close_vector(t);
                                       Extensions::write(w, extensions);
                                   });
}

Result<std::uint32_t> parse_max_early_data_size(Bytes data) {
    codec::Reader r(data);
    TLS_TRY_ASSIGN(size, r.u32());
    TLS_TRY(r.expect_end());
    return size;
}

Result<KeyUpdateRequest> parse_key_update(Bytes body) {
    codec::Reader r(body);
    TLS_TRY_ASSIGN(value, r.u8());
    TLS_TRY(r.expect_end());
    if (value > 1) return Error{ErrorCode::illegal_parameter, "KeyUpdate request is neither 0 nor 1"};
    return static_cast<KeyUpdateRequest>(value);
}

Result<std::vector<std::uint8_t>> write_key_update(KeyUpdateRequest request) {
    return write_handshake_message(HandshakeType::key_update, 1,
                                   [&](codec::Writer& w) { w.u8(static_cast<std::uint8_t>(request)); });
}

Result<void> parse_end_of_early_data(Bytes body) {
    if (!body.empty()) return Error{ErrorCode::decode_error, "EndOfEarlyData is not empty"};
    return success();
}

}  // namespace tls::handshake
