// KeyUpdate on the application's request and at the AEAD usage limit (RFC 8446
// 4.6.3, 5.5): the write key moves on, the peer follows, data keeps flowing.
#include <catch2/catch.hpp>

#include <cstring>

#include "handshake/connection_core.hpp"
#include "handshake/connection_test_support.hpp"

using tls::Connection;
using tls::ErrorCode;
using tls::crypto::Bytes;

namespace {

Bytes text(const char* s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)); }

struct Pair {
    Connection client;
    Connection server;
};

Pair connect(tls::ClientSettings cs = test::client_settings(), tls::ServerSettings ss = test::server_settings()) {
    auto client = Connection::client(test::client_config(std::move(cs)), "localhost");
    auto server = Connection::server(test::server_config(std::move(ss)));
    REQUIRE(client);
    REQUIRE(server);
    Pair p{std::move(*client), std::move(*server)};
    test::pump(p.client, p.server);
    REQUIRE(p.client.state() == Connection::State::established);
    REQUIRE(p.server.state() == Connection::State::established);
    return p;
}

void exchange(Pair& p, const char* from_client, const char* from_server) {
    REQUIRE(p.client.write(text(from_client)));
    REQUIRE(p.server.write(text(from_server)));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.server) == from_client);
    CHECK(test::take_received(p.client) == from_server);
}

std::uint64_t write_sequence(Connection& c) { return c.core_for_testing().writer().cipher()->sequence(); }

}  // namespace

TEST_CASE("update_keys moves the write key on; with a request the peer's follows", "[key-update]") {
    auto p = connect();
    exchange(p, "before", "before");
    const bool request = GENERATE(false, true);
    Connection& updater = GENERATE(0, 1) == 0 ? p.client : p.server;
    Connection& other = &updater == &p.client ? p.server : p.client;
    const auto other_sequence = write_sequence(other);
    REQUIRE(updater.update_keys(request));
    CHECK(write_sequence(updater) == 0);  // a new key starts at zero
    test::pump(p.client, p.server);
    // The peer answered update_requested with its own KeyUpdate (a new key at zero).
    if (request) CHECK(write_sequence(other) == 0);
    else CHECK(write_sequence(other) == other_sequence);
    exchange(p, "after", "after");
    CHECK(p.client.state() == Connection::State::established);
}

TEST_CASE("a key near its AEAD usage limit is replaced before the next write", "[key-update]") {
    auto p = connect();
    auto* cipher = p.client.core_for_testing().writer().mutable_cipher_for_testing();
    REQUIRE(cipher);
    cipher->set_sequence_for_testing(std::uint64_t{1} << 24);
    // The server's read side moves to the same place, as if 2^24 records had passed.
    auto* peer = p.server.core_for_testing().reader().mutable_cipher_for_testing();
    REQUIRE(peer);
    peer->set_sequence_for_testing(std::uint64_t{1} << 24);
    REQUIRE(p.client.core_for_testing().writer().key_update_due());
    exchange(p, "over the limit", "fine");
    // The KeyUpdate went out before the data: the new key sealed only the data record.
    CHECK(write_sequence(p.client) == 1);
    CHECK_FALSE(p.client.core_for_testing().writer().key_update_due());
}

TEST_CASE("update_keys before the handshake, after close, or in TLS 1.2 is refused", "[key-update]") {
    auto client = Connection::client(test::client_config(), "localhost");
    REQUIRE(client);
    CHECK(client->update_keys().error().code == ErrorCode::invalid_argument);

    auto cs = test::client_settings();
    cs.versions = {tls::ProtocolVersion::tls12};
    auto tls12 = connect(cs);
    CHECK(tls12.client.update_keys().error().code == ErrorCode::unsupported);
    CHECK(tls12.client.state() == Connection::State::established);

    auto p = connect();
    p.client.close();
    CHECK(p.client.update_keys().error().code == ErrorCode::invalid_argument);
}
