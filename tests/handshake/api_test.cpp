// The public API around the handshake: configuration validation, SNI-based
// certificate choice, the ClientHello peek, the key log, queued writes, and
// feed()'s back-pressure while plaintext waits to be read.
#include <catch2/catch.hpp>

#include <cstring>
#include <map>

#include "handshake/connection_test_support.hpp"
#include "handshake/hello.hpp"

using tls::Connection;
using tls::crypto::Bytes;

namespace {

Bytes text(const char* s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)); }

std::string describe(const Connection& c) {
    if (auto* e = c.error()) return e->message + " (" + tls::to_string(e->code) + ")";
    return tls::to_string(c.state());
}

}  // namespace

TEST_CASE("configurations are validated when built", "[api]") {
    auto cs = test::client_settings();
    SECTION("versions before TLS 1.2 are refused") {
        cs.versions = {tls::ProtocolVersion::tls11, tls::ProtocolVersion::tls12};
        CHECK(tls::ClientConfig::build(cs).error().code == tls::ErrorCode::unsupported);
    }
    SECTION("a version needs a suite of its own: a TLS 1.2 suite is not a TLS 1.3 suite") {
        cs.versions = {tls::ProtocolVersion::tls13};
        cs.cipher_suites = {tls::CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256};
        CHECK(tls::ClientConfig::build(cs).error().code == tls::ErrorCode::unsupported);
    }
    SECTION("by default both versions, and suites listed without versions choose them") {
        auto both = tls::ClientConfig::build(cs);
        REQUIRE(both);
        CHECK((*both)->settings().versions ==
              std::vector<tls::ProtocolVersion>{tls::ProtocolVersion::tls13, tls::ProtocolVersion::tls12});
        cs.cipher_suites = {tls::CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256};
        auto only12 = tls::ClientConfig::build(cs);
        REQUIRE(only12);
        CHECK((*only12)->settings().versions == std::vector<tls::ProtocolVersion>{tls::ProtocolVersion::tls12});
        cs.cipher_suites = {tls::CipherSuite::tls_aes_128_gcm_sha256};
        auto only13 = tls::ClientConfig::build(cs);
        REQUIRE(only13);
        CHECK((*only13)->settings().versions == std::vector<tls::ProtocolVersion>{tls::ProtocolVersion::tls13});
    }
    SECTION("an empty ALPN name") {
        cs.alpn = {""};
        CHECK(tls::ClientConfig::build(cs).error().code == tls::ErrorCode::invalid_argument);
    }
    SECTION("an unknown group") {
        cs.groups = {static_cast<tls::crypto::NamedGroup>(0x0a0a)};
        CHECK(tls::ClientConfig::build(cs).error().code == tls::ErrorCode::invalid_argument);
    }
    SECTION("a server without a certificate") {
        tls::ServerSettings ss;
        CHECK(tls::ServerConfig::build(ss).error().code == tls::ErrorCode::invalid_argument);
    }
    SECTION("a server name that is neither a host name nor an address") {
        auto config = test::client_config(cs);
        CHECK(Connection::client(config, "bad name!").error().code == tls::ErrorCode::invalid_argument);
        CHECK(Connection::client(config, "").error().code == tls::ErrorCode::invalid_argument);
    }
}

TEST_CASE("a certificate resolver chooses by SNI; an unknown name is unrecognized_name", "[api]") {
    auto p256 = test::server_settings("leaf-p256").certificate;
    auto other = test::server_settings("leaf-other").certificate;
    std::vector<tls::ClientHelloInfo> seen;
    auto ss = test::server_settings();
    ss.certificate = nullptr;
    ss.resolver = [&](const tls::ClientHelloInfo& info) -> std::shared_ptr<const tls::CertifiedKey> {
        seen.push_back(info);
        if (info.server_name == "other.test") return other;
        if (info.server_name == "localhost") return p256;
        return nullptr;
    };
    auto server_config = test::server_config(ss);
    auto client_config = test::client_config();

    for (const char* name : {"other.test", "localhost"}) {
        auto client = Connection::client(client_config, name);
        auto server = Connection::server(server_config);
        REQUIRE(client);
        REQUIRE(server);
        test::pump(*client, *server);
        INFO(name << ": " << describe(*client) << " / " << describe(*server));
        REQUIRE(client->state() == Connection::State::established);
        CHECK(server->server_name() == name);
        CHECK(client->peer_certificates().front().dns_names() ==
              (std::string(name) == "other.test" ? std::vector<std::string>{"other.test"}
                                                 : std::vector<std::string>{"localhost", "cordon.test"}));
    }
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].cipher_suites.size() == 3);
    CHECK(seen[0].versions == std::vector<tls::ProtocolVersion>{tls::ProtocolVersion::tls13});

    auto client = Connection::client(client_config, "unknown.test");
    auto server = Connection::server(server_config);
    test::pump(*client, *server);
    REQUIRE(server->state() == Connection::State::failed);
    CHECK(server->error()->code == tls::ErrorCode::unrecognized_name);
    CHECK(client->error()->alert_received == tls::AlertDescription::unrecognized_name);
}

TEST_CASE("a client connecting to an IP address sends no SNI and checks the IP SAN", "[api]") {
    auto client = Connection::client(test::client_config(), "127.0.0.1");
    auto server = Connection::server(test::server_config());
    test::pump(*client, *server);
    INFO(describe(*client) << " / " << describe(*server));
    REQUIRE(client->state() == Connection::State::established);
    CHECK(server->server_name().empty());
}

TEST_CASE("peek_client_hello reads SNI, ALPN, versions and suites from the first bytes", "[api]") {
    auto cs = test::client_settings();
    cs.alpn = {"h2", "http/1.1"};
    auto client = Connection::client(test::client_config(cs), "cordon.test");
    REQUIRE(client);
    auto out = client->pending_output();
    std::vector<std::uint8_t> hello(out.begin(), out.end());
    // Every strict prefix needs more bytes; the whole flight gives the answer.
    for (std::size_t n = 0; n < hello.size(); ++n) {
        auto partial = tls::peek_client_hello(Bytes(hello.data(), n));
        REQUIRE(partial);
        REQUIRE_FALSE(partial->has_value());
    }
    auto info = tls::peek_client_hello(hello);
    REQUIRE(info);
    REQUIRE(info->has_value());
    CHECK((*info)->server_name == "cordon.test");
    CHECK((*info)->alpn == std::vector<std::string>{"h2", "http/1.1"});
    CHECK((*info)->versions ==
          std::vector<tls::ProtocolVersion>{tls::ProtocolVersion::tls13, tls::ProtocolVersion::tls12});
    CHECK((*info)->groups.front() == tls::crypto::NamedGroup::x25519);

    const std::uint8_t http[] = {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'};
    CHECK_FALSE(tls::peek_client_hello(http));
}

TEST_CASE("the key log gets the five TLS 1.3 secrets, the same on both sides", "[api]") {
    std::map<std::string, std::string> client_lines, server_lines;
    auto cs = test::client_settings();
    cs.key_log = [&](std::string_view label, Bytes random, Bytes secret) {
        client_lines[std::string(label)] = tls::format_key_log_line(label, random, secret);
    };
    auto ss = test::server_settings();
    ss.key_log = [&](std::string_view label, Bytes random, Bytes secret) {
        server_lines[std::string(label)] = tls::format_key_log_line(label, random, secret);
    };
    auto client = Connection::client(test::client_config(cs), "localhost");
    auto server = Connection::server(test::server_config(ss));
    test::pump(*client, *server);
    REQUIRE(client->state() == Connection::State::established);
    CHECK(client_lines.size() == 5);
    CHECK(client_lines == server_lines);
    const std::string& line = client_lines["CLIENT_HANDSHAKE_TRAFFIC_SECRET"];
    // "LABEL <64 hex client random> <64 hex secret>" for a SHA-256 suite.
    CHECK(line.size() == std::strlen("CLIENT_HANDSHAKE_TRAFFIC_SECRET") + 1 + 64 + 1 + 64);
}

TEST_CASE("data written before the handshake completes is sent after it", "[api]") {
    auto client = Connection::client(test::client_config(), "localhost");
    auto server = Connection::server(test::server_config());
    REQUIRE(client->write(text("early bird")));
    test::pump(*client, *server);
    REQUIRE(server->state() == Connection::State::established);
    CHECK(test::take_received(*server) == "early bird");
}

TEST_CASE("feed() takes no more while decrypted data waits to be read", "[api]") {
    auto client = Connection::client(test::client_config(), "localhost");
    auto server = Connection::server(test::server_config());
    test::pump(*client, *server);
    REQUIRE(client->write(text("one")));
    REQUIRE(client->write(text("two")));
    auto out = client->pending_output();
    std::vector<std::uint8_t> records(out.begin(), out.end());
    client->consume_output(records.size());

    const std::size_t taken = server->feed(records);
    CHECK(taken == records.size());  // both records fit the receive buffer
    REQUIRE(server->readable().size() == 3);
    CHECK(server->feed(text("x")) == 0);  // back-pressure: read first
    CHECK(server->input_space().empty());
    server->consume_readable(3);  // the second record is processed now
    auto second = server->readable();
    CHECK(std::string(second.begin(), second.end()) == "two");
}

TEST_CASE("a fatal alert from the peer fails the connection with alert_received", "[api]") {
    auto client = Connection::client(test::client_config(), "localhost");
    auto server = Connection::server(test::server_config());
    test::transfer(*client, *server);  // ClientHello
    const std::uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    server->feed(alert);
    REQUIRE(server->state() == Connection::State::failed);
    CHECK(server->error()->code == tls::ErrorCode::alert_received);
    CHECK(server->error()->alert_received == tls::AlertDescription::handshake_failure);
    CHECK_FALSE(server->error()->alert_sent);
}

TEST_CASE("a TLS 1.2 ServerHello is protocol_version to a TLS 1.3-only client, and illegal_parameter with a downgrade sentinel",
          "[api]") {
    const bool sentinel = GENERATE(false, true);
    auto cs = test::client_settings();
    if (!sentinel) cs.versions = {tls::ProtocolVersion::tls13};
    auto client = Connection::client(test::client_config(cs), "localhost");
    REQUIRE(client);
    auto out = client->pending_output();
    std::vector<std::uint8_t> ch_record(out.begin(), out.end());
    client->consume_output(ch_record.size());
    auto ch = tls::handshake::ClientHello::parse(
        Bytes(ch_record.data() + 9, ch_record.size() - 9));  // record header 5 + handshake header 4
    REQUIRE(ch);

    std::vector<std::uint8_t> random(32, 0x42);
    if (sentinel) {
        const std::uint8_t downgrade[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
        std::copy(downgrade, downgrade + 8, random.begin() + 24);
    }
    tls::handshake::ServerHello sh;
    sh.random = random;
    sh.legacy_session_id_echo = ch->legacy_session_id;
    sh.cipher_suite = tls::CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256;
    sh.has_extensions = false;
    std::vector<std::uint8_t> message(256);
    tls::codec::Writer w(message);
    tls::handshake::write_server_hello(w, sh, {});
    message.resize(*w.finish());
    std::vector<std::uint8_t> record = {0x16, 0x03, 0x03, 0x00, static_cast<std::uint8_t>(message.size())};
    for (auto b : message) record.push_back(b);

    client->feed(record);
    REQUIRE(client->state() == Connection::State::failed);
    CHECK(client->error()->code == (sentinel ? tls::ErrorCode::illegal_parameter : tls::ErrorCode::protocol_version));
    // The alert goes out in plaintext: the client has no keys yet.
    auto alert = client->pending_output();
    REQUIRE(alert.size() == 7);
    CHECK(alert[0] == 0x15);
    CHECK(alert[6] == (sentinel ? 47 : 70));
}

TEST_CASE("a first ClientHello with a cookie the server never sent is illegal_parameter", "[api]") {
    auto client = Connection::client(test::client_config(), "localhost");
    REQUIRE(client);
    auto out = client->pending_output();
    std::vector<std::uint8_t> ch_record(out.begin(), out.end());
    auto ch = tls::handshake::ClientHello::parse(Bytes(ch_record.data() + 9, ch_record.size() - 9));
    REQUIRE(ch);
    std::vector<tls::handshake::Extension> extensions(ch->extensions.all().begin(), ch->extensions.all().end());
    const std::uint8_t cookie[] = {0x00, 0x03, 'a', 'b', 'c'};
    extensions.push_back({tls::handshake::ExtensionType::cookie, Bytes(cookie, sizeof cookie)});
    std::vector<std::uint8_t> message(1024);
    tls::codec::Writer w(message);
    tls::handshake::write_client_hello(w, *ch, extensions);
    message.resize(*w.finish());
    std::vector<std::uint8_t> record = {0x16, 0x03, 0x01, static_cast<std::uint8_t>(message.size() >> 8),
                                        static_cast<std::uint8_t>(message.size())};
    for (auto b : message) record.push_back(b);

    auto server = Connection::server(test::server_config());
    REQUIRE(server);
    server->feed(record);
    REQUIRE(server->state() == Connection::State::failed);
    CHECK(server->error()->code == tls::ErrorCode::illegal_parameter);
}
