#include "handshake/client_hello_info.hpp"

#include "handshake/extension_codecs.hpp"
#include "record/handshake_joiner.hpp"
#include "record/record_types.hpp"

namespace tls::handshake {

Result<ClientHelloInfo> client_hello_info(const ClientHello& hello) {
    ClientHelloInfo info;
    const Extensions& ext = hello.extensions;
    if (auto data = ext.find(ExtensionType::server_name)) {
        TLS_TRY_ASSIGN(name, parse_server_name(*data));
        if (name) info.server_name.assign(name->begin(), name->end());
    }
    if (auto data = ext.find(ExtensionType::application_layer_protocol_negotiation)) {
        TLS_TRY_ASSIGN(list, parse_alpn_list(*data));
        for (auto p : list) info.alpn.emplace_back(p.begin(), p.end());
    }
    if (auto data = ext.find(ExtensionType::supported_versions)) {
        TLS_TRY_ASSIGN(list, parse_supported_versions_list(*data));
        for (auto v : list) info.versions.push_back(static_cast<ProtocolVersion>(v));
    } else {
        info.versions.push_back(static_cast<ProtocolVersion>(hello.legacy_version));
    }
    for (std::size_t i = 0; i + 1 < hello.cipher_suites.size(); i += 2)
        info.cipher_suites.push_back(static_cast<CipherSuite>(hello.cipher_suites[i] << 8 | hello.cipher_suites[i + 1]));
    if (auto data = ext.find(ExtensionType::supported_groups)) {
        TLS_TRY_SET(info.groups, parse_named_group_list(*data));
    }
    if (auto data = ext.find(ExtensionType::signature_algorithms)) {
        TLS_TRY_SET(info.signature_schemes, parse_signature_scheme_list(*data));
    }
    return info;
}

}  // namespace tls::handshake

namespace tls {

Result<std::optional<ClientHelloInfo>> peek_client_hello(crypto::Bytes first_bytes) {
    // Plaintext handshake records, joined until the ClientHello is whole. Only
    // the headers are trusted as far as they are checked here.
    record::HandshakeJoiner joiner;
    codec::Reader records(first_bytes);
    while (records.remaining() >= record::header_size) {
        TLS_TRY_ASSIGN(type, records.u8());
        TLS_TRY_ASSIGN(version, records.u16());
        TLS_TRY_ASSIGN(length, records.u16());
        if (type != static_cast<std::uint8_t>(record::ContentType::handshake))
            return Error{ErrorCode::unexpected_message, "the first record is not a handshake record"};
        if ((version >> 8) != 0x03) return Error{ErrorCode::protocol_version, "not a TLS record"};
        if (length == 0 || length > record::max_plaintext)
            return Error{ErrorCode::record_overflow, "bad handshake record length"};
        if (records.remaining() < length) return std::optional<ClientHelloInfo>();
        TLS_TRY_ASSIGN(fragment, records.take(length));
        TLS_TRY(joiner.push(fragment));
        if (auto message = joiner.next_message()) {
            TLS_TRY_ASSIGN(parsed, handshake::parse_handshake_message(*message));
            if (parsed.type != handshake::HandshakeType::client_hello)
                return Error{ErrorCode::unexpected_message, "the first message is not a ClientHello"};
            TLS_TRY_ASSIGN(hello, handshake::ClientHello::parse(parsed.body));
            TLS_TRY_ASSIGN(info, handshake::client_hello_info(hello));
            return std::optional<ClientHelloInfo>(std::move(info));
        }
    }
    return std::optional<ClientHelloInfo>();
}

}  // namespace tls
