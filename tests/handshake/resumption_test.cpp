// TLS 1.3 session resumption (RFC 8446 2.2, 4.2.11, 4.6.1): tickets issued after
// the handshake, PSK offers with binders, psk_dhe_ke and psk_ke, and every way a
// ticket can fail to resume (which gives a full handshake, or decrypt_error for
// a bad binder).
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <mutex>

#include "handshake/client_handshake.hpp"
#include "handshake/client_session.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/connection_test_support.hpp"

using tls::CipherSuite;
using tls::Connection;
using tls::ErrorCode;
using tls::crypto::Bytes;
using tls::crypto::NamedGroup;
namespace hs = tls::handshake;

namespace {

struct Pair {
    Connection client;
    Connection server;
};

Pair connect(const std::shared_ptr<const tls::ClientConfig>& client_config,
             const std::shared_ptr<const tls::ServerConfig>& server_config) {
    auto client = Connection::client(client_config, "localhost");
    auto server = Connection::server(server_config);
    REQUIRE(client);
    REQUIRE(server);
    Pair p{std::move(*client), std::move(*server)};
    test::pump(p.client, p.server);
    return p;
}

std::string describe(const Connection& c) {
    if (auto* e = c.error()) return e->message + " (" + tls::to_string(e->code) + ")";
    return tls::to_string(c.state());
}

tls::ClientSettings tls13_client() {
    auto cs = test::client_settings();
    cs.versions = {tls::ProtocolVersion::tls13};
    return cs;
}

std::size_t tickets_for(const tls::ClientConfig& config, const char* name = "localhost") {
    // Counts by taking them out, then puts them back in the same order.
    std::vector<std::shared_ptr<const tls::ClientSession>> taken;
    while (auto s = config.settings().session_cache->take(name)) taken.push_back(std::move(s));
    for (auto it = taken.rbegin(); it != taken.rend(); ++it) config.settings().session_cache->store(name, *it);
    return taken.size();
}

void check_data(Pair& p) {
    REQUIRE(p.client.write(Bytes(reinterpret_cast<const std::uint8_t*>("ping"), 4)));
    REQUIRE(p.server.write(Bytes(reinterpret_cast<const std::uint8_t*>("pong"), 4)));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.server) == "ping");
    CHECK(test::take_received(p.client) == "pong");
}

}  // namespace

TEST_CASE("TLS 1.3: a ticket resumes, once, with a fresh key exchange", "[resumption]") {
    auto client_config = test::client_config(tls13_client());
    auto server_config = test::server_config();
    auto first = connect(client_config, server_config);
    REQUIRE(first.client.state() == Connection::State::established);
    CHECK_FALSE(first.client.resumed());
    CHECK(tickets_for(*client_config) == 2);  // tickets_per_handshake

    auto second = connect(client_config, server_config);
    INFO("client: " << describe(second.client) << ", server: " << describe(second.server));
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK(second.client.resumed());
    CHECK(second.server.resumed());
    CHECK(second.client.group() == NamedGroup::x25519);  // psk_dhe_ke
    CHECK_FALSE(second.client.signature_scheme().has_value());
    CHECK(second.client.peer_certificates().size() == 2);  // the original handshake's chain
    CHECK(second.server.server_name() == "localhost");
    check_data(second);
    // One ticket was used up, two new ones arrived.
    CHECK(tickets_for(*client_config) == 3);
}

TEST_CASE("TLS 1.3: with every ticket used, the next handshake is full", "[resumption]") {
    auto client_config = test::client_config(tls13_client());
    auto server_config = test::server_config();
    auto first = connect(client_config, server_config);
    while (client_config->settings().session_cache->take("localhost")) {
    }
    auto second = connect(client_config, server_config);
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK_FALSE(second.client.resumed());
}

TEST_CASE("TLS 1.3: psk_ke resumes without a key exchange when the client asks", "[resumption]") {
    auto cs = tls13_client();
    cs.resume_without_key_exchange = true;
    auto client_config = test::client_config(cs);
    auto server_config = test::server_config();
    auto first = connect(client_config, server_config);
    auto second = connect(client_config, server_config);
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK(second.client.resumed());
    CHECK_FALSE(second.client.group().has_value());
    CHECK_FALSE(second.server.group().has_value());
    check_data(second);
}

TEST_CASE("TLS 1.3: tickets that cannot resume give a full handshake", "[resumption]") {
    auto client_config = test::client_config(tls13_client());
    std::int64_t server_now = test::test_now;
    auto ss = test::server_settings();
    ss.ticket_lifetime = 3600;
    ss.clock = [&server_now] { return server_now; };
    auto server_config = test::server_config(ss);
    auto first = connect(client_config, server_config);
    REQUIRE(tickets_for(*client_config) == 2);

    SECTION("another server's ticket keys") {
        auto second = connect(client_config, test::server_config());
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
    }
    SECTION("an expired ticket") {
        server_now += 3600;
        auto second = connect(client_config, server_config);
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
    }
    SECTION("a ticket age the server's clock disagrees with (a replayed or stale hello)") {
        server_now += 30;  // the client's clock says no time passed
        auto second = connect(client_config, server_config);
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
    }
    SECTION("a server without tickets") {
        auto off = test::server_settings();
        off.session_tickets = false;
        auto second = connect(client_config, test::server_config(off));
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
        CHECK(tickets_for(*client_config) == 1);  // one was offered (and spent); none came back
    }
}

TEST_CASE("TLS 1.3: a binder that does not verify is decrypt_error", "[resumption]") {
    auto client_config = test::client_config(tls13_client());
    auto server_config = test::server_config();
    auto first = connect(client_config, server_config);
    hs::TestHooks hooks;
    hooks.rewrite_client_hello = [](std::vector<std::uint8_t>& hello) { hello.back() ^= 1; };  // the binder's last byte
    hs::ConnectionCore client(false, client_config, client_config->settings(),
                              hs::make_client_engine(*client_config, "localhost"), std::move(hooks));
    client.start();
    auto server = Connection::server(server_config);
    REQUIRE(server);
    auto out = client.pending_output();
    std::vector<std::uint8_t> hello(out.begin(), out.end());
    client.consume_output(hello.size());
    server->feed(hello);
    REQUIRE(server->state() == Connection::State::failed);
    CHECK(server->error()->code == ErrorCode::bad_signature);
    CHECK(server->error()->alert_sent == tls::AlertDescription::decrypt_error);
}

TEST_CASE("TLS 1.3: resumption after a HelloRetryRequest recomputes the binder", "[resumption]") {
    auto cs = tls13_client();
    cs.groups = {NamedGroup::x25519, NamedGroup::secp256r1};
    auto client_config = test::client_config(cs);
    auto ss = test::server_settings();
    ss.groups = {NamedGroup::secp256r1};
    auto server_config = test::server_config(ss);
    auto first = connect(client_config, server_config);
    REQUIRE(first.client.hello_retry_request());
    auto second = connect(client_config, server_config);
    INFO("client: " << describe(second.client) << ", server: " << describe(second.server));
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK(second.client.hello_retry_request());
    CHECK(second.client.resumed());
    CHECK(second.server.resumed());
}

TEST_CASE("TLS 1.3: the server resumes with the ticket's suite when the client offers it", "[resumption]") {
    auto cs = tls13_client();
    cs.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
    auto first_config = test::client_config(cs);
    auto server_config = test::server_config();
    auto first = connect(first_config, server_config);
    REQUIRE(first.client.cipher_suite() == CipherSuite::tls_aes_256_gcm_sha384);
    // A client with every suite and the same cache: the server prefers
    // AES-128-GCM (SHA-256) but the PSK's hash is SHA-384.
    auto all = tls13_client();
    all.session_cache = first_config->settings().session_cache;
    auto client_config = test::client_config(all);
    auto second = connect(client_config, server_config);
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK(second.client.resumed());
    CHECK(second.client.cipher_suite() == CipherSuite::tls_aes_256_gcm_sha384);
}

TEST_CASE("TLS 1.3: mutual TLS resumes without certificates, and the server still sees the client's chain",
          "[resumption][mtls]") {
    auto cs = tls13_client();
    auto client_key = tls::CertifiedKey::from_files(test::cert_path("client-p256.pem"), test::cert_path("client-p256.key"));
    REQUIRE(client_key);
    cs.client_certificate = *client_key;
    auto ss = test::server_settings();
    ss.client_auth = tls::ClientAuth::required;
    REQUIRE(ss.client_roots.add_pem(test::read_text_file(test::cert_path("ca.pem"))));
    auto client_config = test::client_config(cs);
    auto server_config = test::server_config(ss);
    auto first = connect(client_config, server_config);
    REQUIRE(first.server.peer_certificates().size() == 2);
    auto second = connect(client_config, server_config);
    REQUIRE(second.server.state() == Connection::State::established);
    CHECK(second.server.resumed());
    REQUIRE(second.server.peer_certificates().size() == 2);
    CHECK(second.server.peer_certificates()[0].subject() == "CN=client.cordon.test");
}

TEST_CASE("TLS 1.3: a client offering both versions resumes 1.3 and falls back to 1.2", "[resumption]") {
    auto client_config = test::client_config(test::client_settings());
    auto server_config = test::server_config();
    auto first = connect(client_config, server_config);
    REQUIRE(first.client.version() == tls::ProtocolVersion::tls13);
    auto second = connect(client_config, server_config);
    CHECK(second.client.resumed());
    // The same cache against a TLS 1.2-only server: the 1.3 ticket is spent on
    // the offer, the server answers 1.2, and a 1.2 session takes its place.
    auto ss = test::server_settings();
    ss.versions = {tls::ProtocolVersion::tls12};
    auto old_server = test::server_config(ss);
    auto third = connect(client_config, old_server);
    REQUIRE(third.client.state() == Connection::State::established);
    CHECK(third.client.version() == tls::ProtocolVersion::tls12);
    CHECK_FALSE(third.client.resumed());
    auto fourth = connect(client_config, old_server);
    CHECK(fourth.client.resumed());
}

namespace {

// A server-side session store: the ticket is a counter, the state stays here,
// and a ticket opens once (the single-use registry RFC 8446 8.1 describes).
class SingleUseStore final : public tls::TicketProtector {
public:
    tls::Result<std::vector<std::uint8_t>> seal(Bytes state, std::int64_t) override {
        std::lock_guard lock(mutex_);
        const std::uint64_t id = next_++;
        std::vector<std::uint8_t> ticket(8);
        for (int i = 0; i < 8; ++i) ticket[i] = static_cast<std::uint8_t>(id >> (56 - 8 * i));
        sessions_.emplace(id, tls::crypto::SecretBuffer(state));
        return ticket;
    }
    std::optional<tls::crypto::SecretBuffer> open(Bytes ticket, std::int64_t) override {
        std::lock_guard lock(mutex_);
        ++opens;
        if (ticket.size() != 8) return std::nullopt;
        std::uint64_t id = 0;
        for (auto b : ticket) id = id << 8 | b;
        auto it = sessions_.find(id);
        if (it == sessions_.end()) return std::nullopt;
        auto state = std::move(it->second);
        sessions_.erase(it);
        return state;
    }
    std::size_t stored() {
        std::lock_guard lock(mutex_);
        return sessions_.size();
    }
    int opens = 0;

private:
    std::mutex mutex_;
    std::uint64_t next_ = 1;
    std::map<std::uint64_t, tls::crypto::SecretBuffer> sessions_;  // by ticket id (GCC 12 -O3 warns falsely on vector keys)
};

}  // namespace

TEST_CASE("a caller-supplied ticket protector keeps sessions server-side, each resuming once", "[resumption]") {
    auto store = std::make_shared<SingleUseStore>();
    auto ss = test::server_settings();
    ss.ticket_protector = store;
    auto server_config = test::server_config(ss);
    const auto version = GENERATE(tls::ProtocolVersion::tls13, tls::ProtocolVersion::tls12);
    auto cs = test::client_settings();
    cs.versions = {version};
    auto client_config = test::client_config(cs);
    auto first = connect(client_config, server_config);
    REQUIRE(first.client.state() == Connection::State::established);
    CHECK(store->stored() == (version == tls::ProtocolVersion::tls13 ? 2u : 1u));
    // The same ticket bytes, offered again by a copy of the client's session, do not resume.
    auto kept = client_config->settings().session_cache->find("localhost");
    REQUIRE(kept);
    auto second = connect(client_config, server_config);
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK(second.client.resumed());
    client_config->settings().session_cache->remove("localhost");
    client_config->settings().session_cache->store("localhost", kept);
    auto third = connect(client_config, server_config);
    REQUIRE(third.client.state() == Connection::State::established);
    CHECK_FALSE(third.client.resumed());
    CHECK(store->opens >= 2);
}

TEST_CASE("a client that persists its sessions resumes after a restart", "[resumption]") {
    const auto version = GENERATE(tls::ProtocolVersion::tls13, tls::ProtocolVersion::tls12);
    auto cs = test::client_settings();
    cs.versions = {version};
    auto server_config = test::server_config();
    std::vector<std::uint8_t> saved;
    {
        auto before = test::client_config(cs);
        auto first = connect(before, server_config);
        REQUIRE(first.client.state() == Connection::State::established);
        auto session = before->settings().session_cache->find("localhost");
        REQUIRE(session);
        saved = tls::encode_client_session(*session);
        REQUIRE_FALSE(saved.empty());
    }
    // A new process: a new configuration and cache, the session read back.
    auto decoded = tls::decode_client_session(saved);
    REQUIRE(decoded);
    auto after = test::client_config(cs);
    after->settings().session_cache->store("localhost", *decoded);
    auto second = connect(after, server_config);
    REQUIRE(second.client.state() == Connection::State::established);
    CHECK(second.client.resumed());
    CHECK(second.client.version() == version);
    CHECK(second.client.peer_certificates().size() == 2);
    // Every truncation, and a changed format byte, is refused.
    for (std::size_t n = 0; n < saved.size(); ++n) {
        INFO("truncated to " << n);
        CHECK_FALSE(tls::decode_client_session(Bytes(saved.data(), n)));
    }
    auto wrong = saved;
    wrong[0] ^= 1;
    CHECK_FALSE(tls::decode_client_session(wrong));
}
