// Client and server connections against each other in memory: the full TLS 1.3
// handshake for each suite, group and certificate type, data both ways,
// close_notify, and the negotiated parameters.
#include <catch2/catch.hpp>

#include <cstring>

#include "handshake/connection_test_support.hpp"

using tls::Connection;
using tls::crypto::Bytes;
using tls::crypto::NamedGroup;
using tls::crypto::SignatureScheme;

namespace {

Bytes text(const char* s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)); }

std::string readable_text(Connection& c) { return test::take_received(c); }

struct Pair {
    Connection client;
    Connection server;
};

Pair connect(tls::ClientSettings cs, tls::ServerSettings ss, const char* name = "localhost") {
    auto client = Connection::client(test::client_config(std::move(cs)), name);
    REQUIRE(client);
    auto server = Connection::server(test::server_config(std::move(ss)));
    REQUIRE(server);
    Pair p{std::move(*client), std::move(*server)};
    test::pump(p.client, p.server);
    return p;
}

std::string describe(const Connection& c) {
    if (auto* e = c.error()) return e->message + " (" + tls::to_string(e->code) + ")";
    return tls::to_string(c.state());
}

}  // namespace

TEST_CASE("TLS 1.3 handshake and data exchange in memory", "[connection]") {
    auto p = connect(test::client_settings(), test::server_settings());
    INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    REQUIRE(p.server.state() == Connection::State::established);
    CHECK(p.client.version() == tls::ProtocolVersion::tls13);
    CHECK(p.client.cipher_suite() == tls::CipherSuite::tls_aes_128_gcm_sha256);
    CHECK(p.server.cipher_suite() == tls::CipherSuite::tls_aes_128_gcm_sha256);
    CHECK(p.client.group() == NamedGroup::x25519);
    CHECK(p.client.signature_scheme() == SignatureScheme::ecdsa_secp256r1_sha256);
    CHECK(p.server.server_name() == "localhost");
    REQUIRE(p.client.peer_certificates().size() == 2);
    CHECK_FALSE(p.client.hello_retry_request());

    REQUIRE(p.client.write(text("ping")));
    test::pump(p.client, p.server);
    CHECK(readable_text(p.server) == "ping");
    REQUIRE(p.server.write(text("pong")));
    test::pump(p.client, p.server);
    CHECK(readable_text(p.client) == "pong");

    p.client.close();
    test::pump(p.client, p.server);
    CHECK(p.server.state() == Connection::State::closed);
    p.server.close();
    test::pump(p.client, p.server);
    CHECK(p.client.state() == Connection::State::closed);
}

TEST_CASE("every suite, group and certificate type", "[connection]") {
    const auto suite = GENERATE(tls::CipherSuite::tls_aes_128_gcm_sha256, tls::CipherSuite::tls_aes_256_gcm_sha384,
                                tls::CipherSuite::tls_chacha20_poly1305_sha256);
    const auto group = GENERATE(NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1);
    const auto leaf = GENERATE(std::string("leaf-p256"), std::string("leaf-p384"), std::string("leaf-ed25519"),
                               std::string("leaf-rsa2048"));
    auto cs = test::client_settings();
    cs.cipher_suites = {suite};
    cs.groups = {group};
    auto p = connect(std::move(cs), test::server_settings(leaf));
    INFO(leaf << " client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    CHECK(p.client.cipher_suite() == suite);
    CHECK(p.server.group() == group);
    REQUIRE(p.client.write(text("hello")));
    test::pump(p.client, p.server);
    CHECK(readable_text(p.server) == "hello");
}

TEST_CASE("HelloRetryRequest when the client's share is for a group the server does not take", "[connection]") {
    auto cs = test::client_settings();
    cs.groups = {NamedGroup::x25519, NamedGroup::secp256r1};
    auto ss = test::server_settings();
    ss.groups = {NamedGroup::secp256r1};
    auto p = connect(std::move(cs), std::move(ss));
    INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    CHECK(p.client.hello_retry_request());
    CHECK(p.server.hello_retry_request());
    CHECK(p.client.group() == NamedGroup::secp256r1);
}

TEST_CASE("ALPN: agreement, and no overlap gives no_application_protocol", "[connection]") {
    auto cs = test::client_settings();
    cs.alpn = {"h2", "http/1.1"};
    auto ss = test::server_settings();
    ss.alpn = {"http/1.1"};
    auto p = connect(cs, ss);
    REQUIRE(p.client.state() == Connection::State::established);
    CHECK(p.client.alpn_protocol() == "http/1.1");
    CHECK(p.server.alpn_protocol() == "http/1.1");

    ss.alpn = {"imap"};
    auto q = connect(cs, ss);
    REQUIRE(q.server.state() == Connection::State::failed);
    CHECK(q.server.error()->code == tls::ErrorCode::no_application_protocol);
    REQUIRE(q.client.state() == Connection::State::failed);
    CHECK(q.client.error()->alert_received == tls::AlertDescription::no_application_protocol);
}

TEST_CASE("certificate failures reach both sides as the right alert", "[connection]") {
    SECTION("wrong host name") {
        auto p = connect(test::client_settings(), test::server_settings(), "example.com");
        REQUIRE(p.client.state() == Connection::State::failed);
        CHECK(p.client.error()->code == tls::ErrorCode::certificate_name_mismatch);
        CHECK(p.server.error()->alert_received == tls::AlertDescription::bad_certificate);
    }
    SECTION("expired") {
        auto p = connect(test::client_settings(), test::server_settings("expired"));
        REQUIRE(p.client.state() == Connection::State::failed);
        CHECK(p.client.error()->code == tls::ErrorCode::certificate_expired);
        CHECK(p.server.error()->alert_received == tls::AlertDescription::certificate_expired);
    }
    SECTION("unknown CA") {
        auto p = connect(test::client_settings(), test::server_settings("untrusted-leaf"));
        REQUIRE(p.client.state() == Connection::State::failed);
        CHECK(p.client.error()->code == tls::ErrorCode::unknown_issuer);
        CHECK(p.server.error()->alert_received == tls::AlertDescription::unknown_ca);
    }
}

TEST_CASE("no common suite or group is handshake_failure", "[connection]") {
    auto cs = test::client_settings();
    auto ss = test::server_settings();
    SECTION("suite") {
        cs.cipher_suites = {tls::CipherSuite::tls_aes_128_gcm_sha256};
        ss.cipher_suites = {tls::CipherSuite::tls_chacha20_poly1305_sha256};
    }
    SECTION("group") {
        cs.groups = {NamedGroup::x25519};
        ss.groups = {NamedGroup::secp384r1};
    }
    auto p = connect(cs, ss);
    REQUIRE(p.server.state() == Connection::State::failed);
    CHECK(p.server.error()->code == tls::ErrorCode::handshake_failure);
    CHECK(p.client.error()->alert_received == tls::AlertDescription::handshake_failure);
}

TEST_CASE("a plaintext alert before the peer's first protected record is the peer's reason", "[connection][alert]") {
    // OpenSSL's TLS 1.3 client rejects a server certificate before it switches to its
    // handshake keys, so its alert arrives as a plaintext record (seen in the interop
    // tests: `openssl s_client` against `cordon server` with an untrusted chain).
    const std::uint8_t unknown_ca[] = {21, 3, 3, 0, 2, 2, 48};  // alert, TLS 1.2 header, fatal unknown_ca
    const Bytes alert(unknown_ca, sizeof unknown_ca);
    auto client = Connection::client(test::client_config(), "localhost");
    REQUIRE(client);
    auto server = Connection::server(test::server_config());
    REQUIRE(server);
    test::transfer(*client, *server);  // ClientHello; the server now reads with the client's handshake key

    SECTION("server") {
        REQUIRE(server->state() == Connection::State::handshaking);
        server->feed(alert);
        INFO(describe(*server));
        REQUIRE(server->state() == Connection::State::failed);
        CHECK(server->error()->code == tls::ErrorCode::alert_received);
        CHECK(server->error()->alert_received == tls::AlertDescription::unknown_ca);
        CHECK_FALSE(server->error()->alert_sent);
    }
    SECTION("client") {
        // Only the ServerHello: the client has installed the server's handshake key
        // but has not opened a protected record yet.
        Bytes flight = server->pending_output();
        REQUIRE(flight.size() > 5);
        REQUIRE(flight[0] == 22);
        const std::size_t hello = 5 + (static_cast<std::size_t>(flight[3]) << 8 | flight[4]);
        REQUIRE(client->feed(flight.first(hello)) == hello);
        REQUIRE(client->state() == Connection::State::handshaking);
        client->feed(alert);
        INFO(describe(*client));
        REQUIRE(client->state() == Connection::State::failed);
        CHECK(client->error()->alert_received == tls::AlertDescription::unknown_ca);
    }
    SECTION("after a protected record has opened, plaintext is unexpected_message") {
        test::pump(*client, *server);
        REQUIRE(server->state() == Connection::State::established);
        server->feed(alert);
        REQUIRE(server->state() == Connection::State::failed);
        CHECK(server->error()->code == tls::ErrorCode::unexpected_message);
        CHECK_FALSE(server->error()->alert_received);
        CHECK(server->error()->alert_sent == tls::AlertDescription::unexpected_message);
    }
}
