// ClientHello / ServerHello codecs on every RFC 8448 hello (parse, check the
// fields, re-serialise byte for byte), and the extension rules on bad input.
#include <catch2/catch.hpp>

#include <vector>

#include "handshake/hello.hpp"
#include "support/rfc8448.hpp"

using namespace tls::handshake;
using test::ByteVec;
using test::field;

namespace {

ByteVec without_header(const ByteVec& record) { return ByteVec(record.begin() + 5, record.end()); }

ByteVec reserialize_client_hello(const ClientHello& ch) {
    ByteVec out(70000);
    tls::codec::Writer w(out);
    write_client_hello(w, ch, ch.extensions.all());
    out.resize(*w.finish());
    return out;
}

ByteVec reserialize_server_hello(const ServerHello& sh) {
    ByteVec out(70000);
    tls::codec::Writer w(out);
    write_server_hello(w, sh, sh.extensions.all());
    out.resize(*w.finish());
    return out;
}

// Byte-by-byte appends: GCC 12 at -O3 raises false -Warray-bounds errors on
// vector::insert into small vectors.
void append(ByteVec& out, std::initializer_list<std::uint8_t> bytes) {
    for (auto b : bytes) out.push_back(b);
}
void append(ByteVec& out, const ByteVec& bytes) {
    for (auto b : bytes) out.push_back(b);
}
void append_repeated(ByteVec& out, std::size_t n, std::uint8_t b) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(b);
}

ByteVec extension_block(const std::vector<std::pair<std::uint16_t, ByteVec>>& extensions) {
    ByteVec block;
    for (const auto& [type, data] : extensions) {
        append(block, {static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type),
                       static_cast<std::uint8_t>(data.size() >> 8), static_cast<std::uint8_t>(data.size())});
        append(block, data);
    }
    ByteVec out;
    append(out, {static_cast<std::uint8_t>(block.size() >> 8), static_cast<std::uint8_t>(block.size())});
    append(out, block);
    return out;
}

// Hellos with a chosen extension block, for negative tests.
ByteVec client_hello_with(const std::vector<std::pair<std::uint16_t, ByteVec>>& extensions) {
    ByteVec body;
    append(body, {0x03, 0x03});
    append_repeated(body, 32, 0x11);
    append(body, {0, 0, 2, 0x13, 0x01, 1, 0});  // no session id, one suite, null compression
    append(body, extension_block(extensions));
    return body;
}

ByteVec server_hello_with(const std::vector<std::pair<std::uint16_t, ByteVec>>& extensions) {
    ByteVec body;
    append(body, {0x03, 0x03});
    append_repeated(body, 32, 0x22);
    append(body, {0, 0x13, 0x01, 0});  // no session id, suite, compression
    append(body, extension_block(extensions));
    return body;
}

const ByteVec supported_versions_tls13_sh = {0x03, 0x04};

}  // namespace

TEST_CASE("Every RFC 8448 ClientHello and ServerHello parses and re-serialises byte for byte", "[handshake][hello]") {
    int hellos = 0;
    for (const auto& [name, s] : test::rfc8448_sections()) {
        INFO(name);
        for (const char* key : {"Record_ClientHello_1", "Record_ClientHello_2"}) {
            if (!s.count(key)) continue;
            const ByteVec message = without_header(field(s, key));
            auto parsed = parse_handshake_message(message);
            REQUIRE(parsed.ok());
            CHECK(parsed->type == HandshakeType::client_hello);
            auto ch = ClientHello::parse(parsed->body);
            REQUIRE(ch.ok());
            CHECK(ch->random.size() == 32);
            CHECK(ch->offers_suite(CipherSuite::tls_aes_128_gcm_sha256));
            CHECK(ch->extensions.contains(ExtensionType::supported_versions));
            CHECK(ch->extensions.contains(ExtensionType::key_share));
            CHECK(test::to_hex(reserialize_client_hello(*ch)) == test::to_hex(message));
            ++hellos;
        }
        for (const char* key : {"Message_ServerHello", "Record_HelloRetryRequest"}) {
            if (!s.count(key)) continue;
            ByteVec message = field(s, key);
            if (std::string(key).rfind("Record_", 0) == 0) message = without_header(message);
            auto parsed = parse_handshake_message(message);
            REQUIRE(parsed.ok());
            auto sh = ServerHello::parse(parsed->body);
            REQUIRE(sh.ok());
            CHECK(sh->cipher_suite == CipherSuite::tls_aes_128_gcm_sha256);
            CHECK(sh->is_hello_retry_request() == (std::string(key) == "Record_HelloRetryRequest"));
            CHECK(test::to_hex(reserialize_server_hello(*sh)) == test::to_hex(message));
            ++hellos;
        }
    }
    CHECK(hellos >= 15);
}

TEST_CASE("Extension rules: duplicates, placement, pre_shared_key last, unsolicited replies", "[handshake][extensions]") {
    // Duplicates are illegal_parameter in any message.
    auto dup = ClientHello::parse(client_hello_with({{0, {}}, {0, {}}}));
    CHECK(dup.error().code == tls::ErrorCode::illegal_parameter);
    // pre_shared_key (41) must be the last ClientHello extension.
    CHECK(ClientHello::parse(client_hello_with({{41, {0}}, {43, {2, 3, 4}}})).error().code ==
          tls::ErrorCode::illegal_parameter);
    CHECK(ClientHello::parse(client_hello_with({{43, {2, 3, 4}}, {41, {0}}})).ok());
    // Unknown (GREASE) extensions in a ClientHello are ignored, not refused.
    auto grease = ClientHello::parse(client_hello_with({{0x0a0a, {}}, {43, {2, 3, 4}}}));
    REQUIRE(grease.ok());
    CHECK(grease->extensions.all().size() == 2);
    // A known extension a ServerHello may not carry: illegal_parameter (server_name, 0).
    CHECK(ServerHello::parse(server_hello_with({{43, supported_versions_tls13_sh}, {0, {}}})).error().code ==
          tls::ErrorCode::illegal_parameter);
    // An unknown extension in a server's reply: unsupported_extension.
    CHECK(ServerHello::parse(server_hello_with({{43, supported_versions_tls13_sh}, {0x0a0a, {}}})).error().code ==
          tls::ErrorCode::unsupported_extension);
    // A TLS 1.2 ServerHello (no supported_versions) may carry TLS 1.2 extensions.
    auto v12 = ServerHello::parse(server_hello_with({{23, {}}, {0xff01, {0}}}));
    REQUIRE(v12.ok());
    CHECK(v12->kind == MessageKind::server_hello_tls12);
    // ...but not TLS 1.3 ones such as key_share.
    CHECK(ServerHello::parse(server_hello_with({{51, {0, 0x1d, 0, 0}}})).error().code ==
          tls::ErrorCode::illegal_parameter);
}

TEST_CASE("Hello framing errors are decode_error", "[handshake][hello]") {
    ByteVec ok = client_hello_with({{43, {2, 3, 4}}});
    REQUIRE(ClientHello::parse(ok).ok());
    // Truncation at every length.
    for (std::size_t n = 0; n < ok.size(); ++n) {
        auto r = ClientHello::parse(tls::codec::Bytes(ok).first(n));
        // Cutting exactly after compression methods leaves a valid TLS 1.2 hello without extensions.
        if (n == 2 + 32 + 1 + 4 + 2) {
            CHECK(r.ok());
            continue;
        }
        INFO("length " << n);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == tls::ErrorCode::decode_error);
    }
    ByteVec trailing = ok;
    trailing.push_back(0);  // one byte past the extensions
    CHECK(ClientHello::parse(trailing).error().code == tls::ErrorCode::decode_error);
    ByteVec odd_suites = ok;
    odd_suites[2 + 32 + 1 + 1] = 3;  // cipher_suites length 3
    CHECK_FALSE(ClientHello::parse(odd_suites).ok());
    CHECK(parse_handshake_message(ByteVec{1, 0, 0, 5, 0}).error().code == tls::ErrorCode::decode_error);
}
