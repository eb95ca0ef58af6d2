// 0-RTT (RFC 8446 2.3, 4.2.10, 8): a resumed client sends early data, the server
// takes it when configured (and tells it apart), refuses it otherwise (the
// client learns so and resends), and never takes the same ClientHello's early
// data twice.
#include <catch2/catch.hpp>

#include <cstring>

#include "handshake/connection_test_support.hpp"

using tls::Connection;
using tls::crypto::Bytes;
using EarlyData = tls::Connection::EarlyData;

namespace {

Bytes text(const char* s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)); }

std::string describe(const Connection& c) {
    if (auto* e = c.error()) return e->message + " (" + tls::to_string(e->code) + ")";
    return tls::to_string(c.state());
}

tls::ClientSettings early_client() {
    auto cs = test::client_settings();
    cs.enable_early_data = true;
    return cs;
}

tls::ServerSettings early_server(std::uint32_t max = 16384) {
    auto ss = test::server_settings();
    ss.max_early_data_size = max;
    return ss;
}

// A full handshake, so the client's cache holds tickets from this server.
void prime(const std::shared_ptr<const tls::ClientConfig>& cc, const std::shared_ptr<const tls::ServerConfig>& sc) {
    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    REQUIRE(client);
    REQUIRE(server);
    test::pump(*client, *server);
    REQUIRE(client->state() == Connection::State::established);
    CHECK(client->early_data_status() == EarlyData::not_offered);
}

// Everything pending from one side, taken out.
std::vector<std::uint8_t> drain(Connection& c) {
    std::vector<std::uint8_t> out;
    for (auto pending = c.pending_output(); !pending.empty(); pending = c.pending_output()) {
        out.insert(out.end(), pending.begin(), pending.end());
        c.consume_output(pending.size());
    }
    return out;
}

// Feeds bytes to a server, collecting what becomes readable and whether it was early.
struct Received {
    std::string early, late;
};
void feed(Connection& server, const std::vector<std::uint8_t>& bytes, Received& got) {
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        offset += server.feed(Bytes(bytes.data() + offset, bytes.size() - offset));
        auto r = server.readable();
        (server.readable_is_early() ? got.early : got.late).append(reinterpret_cast<const char*>(r.data()), r.size());
        server.consume_readable(r.size());
        if (server.state() == Connection::State::failed) break;
    }
}

}  // namespace

TEST_CASE("0-RTT: early data is accepted, told apart, and followed by 1-RTT data", "[early-data]") {
    auto cc = test::client_config(early_client());
    auto sc = test::server_config(early_server());
    prime(cc, sc);

    auto client = Connection::client(cc, "localhost");
    auto server = Connection::server(sc);
    REQUIRE(client);
    REQUIRE(server);
    CHECK(client->early_data_status() == EarlyData::offered);
    auto took = client->write_early_data(text("GET /early"));
    REQUIRE(took);
    CHECK(*took == 10);
    REQUIRE(client->write(text("after")));  // queued until the handshake completes

    Received got;
    feed(*server, drain(*client), got);
    CHECK(got.early == "GET /early");
    CHECK(server->early_data_status() == EarlyData::accepted);
    test::pump(*client, *server);
    INFO("client: " << describe(*client) << ", server: " << describe(*server));
    REQUIRE(client->state() == Connection::State::established);
    REQUIRE(server->state() == Connection::State::established);
    CHECK(client->early_data_status() == EarlyData::accepted);
    CHECK(client->resumed());
    CHECK(test::take_received(*server) == "after");
    CHECK_FALSE(server->readable_is_early());
    // No early data after the server answered.
    auto late = client->write_early_data(text("too late"));
    REQUIRE(late);
    CHECK(*late == 0);
}

TEST_CASE("0-RTT: a replayed ClientHello gets no early data accepted", "[early-data]") {
    auto cc = test::client_config(early_client());
    auto sc = test::server_config(early_server());
    prime(cc, sc);
    auto client = Connection::client(cc, "localhost");
    REQUIRE(client);
    REQUIRE(client->write_early_data(text("transfer 100")));
    const auto first_flight = drain(*client);

    auto server = Connection::server(sc);
    REQUIRE(server);
    Received once;
    feed(*server, first_flight, once);
    CHECK(once.early == "transfer 100");

    // An attacker sends the same bytes again, to the same server configuration.
    auto replay_target = Connection::server(sc);
    REQUIRE(replay_target);
    Received twice;
    feed(*replay_target, first_flight, twice);
    CHECK(twice.early.empty());
    CHECK(twice.late.empty());
    CHECK(replay_target->early_data_status() == EarlyData::rejected);
    // The replayed handshake itself goes nowhere without the client.
    CHECK(replay_target->state() == Connection::State::handshaking);
}

TEST_CASE("0-RTT: refused early data is reported, and resent by the application", "[early-data]") {
    auto cc = test::client_config(early_client());
    SECTION("the server does not take early data") {
        // Tickets from an early-data server, then the same keys without 0-RTT:
        // the same configuration object cannot change, so use a server that
        // never allowed it and a client with a ticket that does.
        auto sc = test::server_config(early_server());
        prime(cc, sc);
        auto no_early = test::server_settings();
        auto sc2 = test::server_config(no_early);
        auto client = Connection::client(cc, "localhost");
        auto server = Connection::server(sc2);
        REQUIRE(client);
        REQUIRE(server);
        REQUIRE(client->write_early_data(text("early")));
        test::pump(*client, *server);
        REQUIRE(client->state() == Connection::State::established);
        CHECK(client->early_data_status() == EarlyData::rejected);
        CHECK(test::take_received(*server).empty());
        // The application resends it as 1-RTT data.
        REQUIRE(client->write(text("early")));
        test::pump(*client, *server);
        CHECK(test::take_received(*server) == "early");
    }
    SECTION("after a HelloRetryRequest") {
        auto cs = early_client();
        cs.groups = {tls::crypto::NamedGroup::x25519, tls::crypto::NamedGroup::secp256r1};
        auto retry_client = test::client_config(cs);
        auto ss = early_server();
        ss.groups = {tls::crypto::NamedGroup::secp256r1};
        auto sc = test::server_config(ss);
        prime(retry_client, sc);
        auto client = Connection::client(retry_client, "localhost");
        auto server = Connection::server(sc);
        REQUIRE(client);
        REQUIRE(server);
        REQUIRE(client->write_early_data(text("early")));
        test::pump(*client, *server);
        INFO("client: " << describe(*client) << ", server: " << describe(*server));
        REQUIRE(client->state() == Connection::State::established);
        CHECK(client->hello_retry_request());
        CHECK(client->resumed());
        CHECK(client->early_data_status() == EarlyData::rejected);
        CHECK(test::take_received(*server).empty());
    }
}

TEST_CASE("0-RTT: no more than max_early_data_size", "[early-data]") {
    auto cc = test::client_config(early_client());
    auto sc = test::server_config(early_server(8));
    prime(cc, sc);
    auto client = Connection::client(cc, "localhost");
    REQUIRE(client);
    auto took = client->write_early_data(text("0123456789"));
    REQUIRE(took);
    CHECK(*took == 8);  // the ticket's allowance
    auto more = client->write_early_data(text("x"));
    REQUIRE(more);
    CHECK(*more == 0);
}

TEST_CASE("0-RTT: a client without enable_early_data offers none", "[early-data]") {
    auto cc = test::client_config(test::client_settings());
    auto sc = test::server_config(early_server());
    prime(cc, sc);
    auto client = Connection::client(cc, "localhost");
    REQUIRE(client);
    CHECK(client->early_data_status() == EarlyData::not_offered);
    auto took = client->write_early_data(text("x"));
    REQUIRE(took);
    CHECK(*took == 0);
}
