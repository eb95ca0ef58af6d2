#include "handshake/hello.hpp"

#include <algorithm>

namespace tls::handshake {

const std::array<std::uint8_t, 8> downgrade_sentinel_tls12 = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};

bool has_downgrade_sentinel(codec::Bytes server_random) noexcept {
    if (server_random.size() != random_size) return false;
    const auto tail = server_random.last(8);
    return std::equal(tail.begin(), tail.begin() + 7, downgrade_sentinel_tls12.begin()) && tail[7] <= 1;
}

const std::array<std::uint8_t, random_size> hello_retry_request_random = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

Result<ClientHello> ClientHello::parse(codec::Bytes body) {
    codec::Reader r(body);
    ClientHello ch;
    auto version = r.u16();
    if (!version) return version.error();
    ch.legacy_version = *version;
    auto random = r.take(random_size);
    if (!random) return random.error();
    ch.random = *random;
    auto session_id = r.vector(1, 0, 32);
    if (!session_id) return session_id.error();
    ch.legacy_session_id = *session_id;
    auto suites = r.vector(2, 2, 0xfffe);
    if (!suites) return suites.error();
    if (suites->size() % 2 != 0) return Error{ErrorCode::decode_error, "odd-length cipher_suites"};
    ch.cipher_suites = *suites;
    auto compression = r.vector(1, 1, 0xff);
    if (!compression) return compression.error();
    ch.compression_methods = *compression;
    if (r.empty()) {
        ch.has_extensions = false;  // RFC 5246 7.4.1.2: extensions may be absent in TLS 1.2
        return ch;
    }
    auto extensions = Extensions::parse(r, MessageKind::client_hello);
    if (!extensions) return extensions.error();
    ch.extensions = std::move(*extensions);
    TLS_TRY(r.expect_end());
    return ch;
}

bool ClientHello::offers_suite(CipherSuite suite) const noexcept {
    for (std::size_t i = 0; i + 1 < cipher_suites.size(); i += 2)
        if (static_cast<CipherSuite>(cipher_suites[i] << 8 | cipher_suites[i + 1]) == suite) return true;
    return false;
}

Result<ServerHello> ServerHello::parse(codec::Bytes body) {
    codec::Reader r(body);
    ServerHello sh;
    auto version = r.u16();
    if (!version) return version.error();
    sh.legacy_version = *version;
    auto random = r.take(random_size);
    if (!random) return random.error();
    sh.random = *random;
    auto session_id = r.vector(1, 0, 32);
    if (!session_id) return session_id.error();
    sh.legacy_session_id_echo = *session_id;
    auto suite = r.u16();
    if (!suite) return suite.error();
    sh.cipher_suite = static_cast<CipherSuite>(*suite);
    auto compression = r.u8();
    if (!compression) return compression.error();
    sh.compression_method = *compression;
    if (r.empty()) {
        sh.kind = MessageKind::server_hello_tls12;  // TLS 1.2 without extensions
        sh.has_extensions = false;
        return sh;
    }
    auto extensions = Extensions::parse_unchecked(r);
    if (!extensions) return extensions.error();
    TLS_TRY(r.expect_end());
    // supported_versions says TLS 1.3 (RFC 8446 4.1.3); the special random says HRR.
    const bool tls13 = extensions->contains(ExtensionType::supported_versions);
    const bool hrr = std::equal(sh.random.begin(), sh.random.end(), hello_retry_request_random.begin(),
                                hello_retry_request_random.end());
    sh.kind = !tls13 ? MessageKind::server_hello_tls12
              : hrr  ? MessageKind::hello_retry_request
                     : MessageKind::server_hello;
    TLS_TRY(extensions->check(sh.kind));
    sh.extensions = std::move(*extensions);
    return sh;
}

void write_client_hello(codec::Writer& w, const ClientHello& ch, std::span<const Extension> extensions) noexcept {
    w.u8(static_cast<std::uint8_t>(HandshakeType::client_hello));
    auto body = w.open_vector(3);
    w.u16(ch.legacy_version);
    w.bytes(ch.random);
    auto sid = w.open_vector(1);
    w.bytes(ch.legacy_session_id);
    w.close_vector(sid);
    auto suites = w.open_vector(2);
    w.bytes(ch.cipher_suites);
    w.close_vector(suites);
    auto compression = w.open_vector(1);
    w.bytes(ch.compression_methods);
    w.close_vector(compression);
    if (ch.has_extensions) Extensions::write(w, extensions);
    w.close_vector(body);
}

void write_server_hello(codec::Writer& w, const ServerHello& sh, std::span<const Extension> extensions) noexcept {
    w.u8(static_cast<std::uint8_t>(HandshakeType::server_hello));
    auto body = w.open_vector(3);
    w.u16(sh.legacy_version);
    w.bytes(sh.random);
    auto sid = w.open_vector(1);
    w.bytes(sh.legacy_session_id_echo);
    w.close_vector(sid);
    w.u16(static_cast<std::uint16_t>(sh.cipher_suite));
    w.u8(sh.compression_method);
    if (sh.has_extensions) Extensions::write(w, extensions);
    w.close_vector(body);
}

Result<HandshakeMessage> parse_handshake_message(codec::Bytes message) noexcept {
    codec::Reader r(message);
    auto type = r.u8();
    if (!type) return type.error();
    auto body = r.vector(3, 0, 0xffffff);
    if (!body) return body.error();
    TLS_TRY(r.expect_end());
    return HandshakeMessage{static_cast<HandshakeType>(*type), *body};
}

}  // namespace tls::handshake
