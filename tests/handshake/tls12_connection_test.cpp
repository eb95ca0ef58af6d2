// TLS 1.2 connections in memory: every suite x group x certificate type,
// version negotiation with TLS 1.3 in one configuration, the downgrade
// sentinel, the extended master secret, ticket resumption, renegotiation
// refused both ways, refused legacy offers, and the key log.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <optional>

#include "handshake/client_handshake.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/connection_test_support.hpp"
#include "handshake/messages.hpp"
#include "handshake/tls12_messages.hpp"

using tls::CipherSuite;
using tls::Connection;
using tls::ErrorCode;
using tls::ProtocolVersion;
using tls::crypto::Bytes;
using tls::crypto::NamedGroup;
namespace hs = tls::handshake;
using Buffer = std::vector<std::uint8_t>;

namespace {

Bytes text(const char* s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)); }

struct Pair {
    Connection client;
    Connection server;
};

Pair connect(std::shared_ptr<const tls::ClientConfig> client_config,
             std::shared_ptr<const tls::ServerConfig> server_config, const char* name = "localhost") {
    auto client = Connection::client(std::move(client_config), name);
    REQUIRE(client);
    auto server = Connection::server(std::move(server_config));
    REQUIRE(server);
    Pair p{std::move(*client), std::move(*server)};
    test::pump(p.client, p.server);
    return p;
}

Pair connect(tls::ClientSettings cs, tls::ServerSettings ss) {
    return connect(test::client_config(std::move(cs)), test::server_config(std::move(ss)));
}

std::string describe(const Connection& c) {
    if (auto* e = c.error()) return e->message + " (" + tls::to_string(e->code) + ")";
    return tls::to_string(c.state());
}

tls::ClientSettings tls12_client() {
    auto cs = test::client_settings();
    cs.versions = {ProtocolVersion::tls12};
    return cs;
}

void check_data_both_ways(Pair& p) {
    REQUIRE(p.client.write(text("ping")));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.server) == "ping");
    REQUIRE(p.server.write(text("pong")));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.client) == "pong");
}

// A client whose ClientHello passes through `edit` before it is sent (as an
// attacker on the path, or an old client, would change it). Its transcript
// holds the edited hello, as the server's does.
using HelloEdit = std::function<void(hs::ClientHello&, std::vector<hs::Extension>&, std::deque<Buffer>&)>;

struct EditedClient {
    std::deque<Buffer> storage;  // rewritten fields (the edited views point here)
    std::unique_ptr<hs::ConnectionCore> core;
};

std::unique_ptr<EditedClient> edited_client(std::shared_ptr<const tls::ClientConfig> config, HelloEdit edit) {
    auto out = std::make_unique<EditedClient>();
    hs::TestHooks hooks;
    EditedClient* raw = out.get();
    hooks.rewrite_client_hello = [raw, edit](std::vector<std::uint8_t>& message) {
        auto parsed = hs::parse_handshake_message(message);
        REQUIRE(parsed);
        auto ch = hs::ClientHello::parse(parsed->body);
        REQUIRE(ch);
        std::vector<hs::Extension> ext(ch->extensions.all().begin(), ch->extensions.all().end());
        edit(*ch, ext, raw->storage);
        auto rewritten = hs::write_to_vector(message.size() + 64, [&](tls::codec::Writer& w) {
            hs::write_client_hello(w, *ch, ext);
        });
        REQUIRE(rewritten);
        message = *rewritten;
    };
    const auto& settings = config->settings();
    auto engine = hs::make_client_engine(*config, "localhost");
    out->core = std::make_unique<hs::ConnectionCore>(false, config, settings, std::move(engine), std::move(hooks));
    out->core->start();
    return out;
}

void remove_extension(std::vector<hs::Extension>& ext, hs::ExtensionType type) {
    ext.erase(std::remove_if(ext.begin(), ext.end(), [&](const hs::Extension& e) { return e.type == type; }), ext.end());
}

// Moves bytes both ways between a core and a connection until both are quiet.
template <class A, class B>
void pump_any(A& a, B& b) {
    for (int round = 0; round < 32; ++round) {
        bool moved = false;
        auto move = [&](auto& from, auto& to) {
            auto out = from.pending_output();
            if (out.empty()) return;
            Buffer bytes(out.begin(), out.end());
            from.consume_output(bytes.size());
            std::size_t offset = 0;
            while (offset < bytes.size()) {
                const std::size_t took = to.feed(Bytes(bytes.data() + offset, bytes.size() - offset));
                offset += took;
                if (!to.readable().empty()) to.consume_readable(to.readable().size());
                else if (took == 0) break;
            }
            moved = true;
        };
        move(a, b);
        move(b, a);
        if (!moved) return;
    }
}

// The suites, each with a certificate of its key type.
struct SuiteAndLeaf {
    CipherSuite suite;
    const char* leaf;
};

}  // namespace

TEST_CASE("TLS 1.2: every suite, group and certificate type", "[connection][tls12]") {
    const auto combo = GENERATE(
        SuiteAndLeaf{CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256, "leaf-p256"},
        SuiteAndLeaf{CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384, "leaf-p384"},
        SuiteAndLeaf{CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256, "leaf-ed25519"},
        SuiteAndLeaf{CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256, "leaf-ed25519"},
        SuiteAndLeaf{CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256, "leaf-rsa2048"},
        SuiteAndLeaf{CipherSuite::tls_ecdhe_rsa_with_aes_256_gcm_sha384, "leaf-rsapss"},
        SuiteAndLeaf{CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256, "leaf-rsa2048"});
    const auto group = GENERATE(NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1);
    auto cs = tls12_client();
    cs.cipher_suites = {combo.suite};
    // RFC 8422 5.1: an ECDSA certificate's curve must be one the client supports
    // too; the server, limited to `group`, then picks it for the key exchange.
    cs.groups = {group};
    const std::string leaf = combo.leaf;
    const auto curve = leaf == "leaf-p256" ? std::optional(NamedGroup::secp256r1)
                       : leaf == "leaf-p384" ? std::optional(NamedGroup::secp384r1)
                                             : std::nullopt;
    if (curve && *curve != group) cs.groups.push_back(*curve);
    cs.alpn = {"h2", "http/1.1"};
    auto ss = test::server_settings(combo.leaf);
    ss.alpn = {"http/1.1"};
    ss.groups = {group};
    auto p = connect(std::move(cs), std::move(ss));
    INFO(combo.leaf << " client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    REQUIRE(p.server.state() == Connection::State::established);
    for (Connection* c : {&p.client, &p.server}) {
        CHECK(c->version() == ProtocolVersion::tls12);
        CHECK(c->cipher_suite() == combo.suite);
        CHECK(c->group() == group);
        CHECK(c->alpn_protocol() == "http/1.1");
        CHECK_FALSE(c->resumed());
    }
    CHECK(p.client.signature_scheme() == p.server.signature_scheme());
    CHECK(p.server.server_name() == "localhost");
    CHECK(p.client.peer_certificates().size() == 2);
    check_data_both_ways(p);

    p.client.close();
    test::pump(p.client, p.server);
    CHECK(p.server.state() == Connection::State::closed);
}

TEST_CASE("TLS 1.2: one configuration talks 1.3 to 1.3 peers and 1.2 to 1.2-only peers", "[connection][tls12]") {
    using V = std::vector<ProtocolVersion>;
    struct Case {
        V client, server;
        ProtocolVersion expected;
    };
    const auto c = GENERATE(Case{V{}, V{}, ProtocolVersion::tls13},
                            Case{V{}, V{ProtocolVersion::tls12}, ProtocolVersion::tls12},
                            Case{V{ProtocolVersion::tls12}, V{}, ProtocolVersion::tls12},
                            Case{V{ProtocolVersion::tls13}, V{}, ProtocolVersion::tls13},
                            Case{V{ProtocolVersion::tls12}, V{ProtocolVersion::tls12}, ProtocolVersion::tls12});
    auto cs = test::client_settings();
    cs.versions = c.client;
    auto ss = test::server_settings();
    ss.versions = c.server;
    auto p = connect(std::move(cs), std::move(ss));
    INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    CHECK(p.client.version() == c.expected);
    CHECK(p.server.version() == c.expected);
    check_data_both_ways(p);
}

TEST_CASE("TLS 1.2: no version in common is protocol_version", "[connection][tls12]") {
    auto cs = test::client_settings();
    cs.versions = {ProtocolVersion::tls12};
    auto ss = test::server_settings();
    ss.versions = {ProtocolVersion::tls13};
    auto p = connect(std::move(cs), std::move(ss));
    REQUIRE(p.server.state() == Connection::State::failed);
    CHECK(p.server.error()->code == ErrorCode::protocol_version);
    CHECK(p.client.error()->alert_received == tls::AlertDescription::protocol_version);
}

TEST_CASE("TLS 1.2: the downgrade sentinel stops a client whose 1.3 offer was removed", "[connection][tls12]") {
    // An attacker strips supported_versions and key_share: a server that speaks
    // 1.3 answers 1.2 and says so in its random; the client notices.
    const bool server_speaks_13 = GENERATE(true, false);
    auto client = edited_client(test::client_config(), [](auto&, std::vector<hs::Extension>& ext, auto&) {
        remove_extension(ext, hs::ExtensionType::supported_versions);
        remove_extension(ext, hs::ExtensionType::key_share);
    });
    auto ss = test::server_settings();
    if (!server_speaks_13) ss.versions = {ProtocolVersion::tls12};
    auto server = Connection::server(test::server_config(ss));
    REQUIRE(server);
    pump_any(*client->core, *server);
    if (server_speaks_13) {
        REQUIRE(client->core->state() == Connection::State::failed);
        CHECK(client->core->error()->code == ErrorCode::illegal_parameter);
        CHECK(server->error()->alert_received == tls::AlertDescription::illegal_parameter);
    } else {
        // A 1.2-only server sets no sentinel: 1.2 is all it has.
        CHECK(client->core->state() == Connection::State::established);
        CHECK(server->version() == ProtocolVersion::tls12);
    }
}

TEST_CASE("TLS 1.2: the extended master secret is required unless relaxed", "[connection][tls12]") {
    auto strip_ems = [](auto&, std::vector<hs::Extension>& ext, auto&) {
        remove_extension(ext, hs::ExtensionType::extended_master_secret);
    };
    SECTION("a client without it is refused with handshake_failure") {
        auto client = edited_client(test::client_config(tls12_client()), strip_ems);
        auto server = Connection::server(test::server_config());
        REQUIRE(server);
        pump_any(*client->core, *server);
        REQUIRE(server->state() == Connection::State::failed);
        CHECK(server->error()->code == ErrorCode::handshake_failure);
        CHECK(client->core->error()->alert_received == tls::AlertDescription::handshake_failure);
    }
    SECTION("relaxed on both sides, the classic master secret is used") {
        auto cs = tls12_client();
        cs.require_extended_master_secret = false;
        auto ss = test::server_settings();
        ss.require_extended_master_secret = false;
        auto client = edited_client(test::client_config(cs), strip_ems);
        auto server = Connection::server(test::server_config(ss));
        REQUIRE(server);
        pump_any(*client->core, *server);
        REQUIRE(server->state() == Connection::State::established);
        REQUIRE(client->core->state() == Connection::State::established);
    }
}

TEST_CASE("TLS 1.2: tickets resume sessions, and a full handshake follows when they cannot", "[connection][tls12]") {
    auto client_config = test::client_config(tls12_client());
    auto server_config = test::server_config();
    auto first = connect(client_config, server_config);
    REQUIRE(first.client.state() == Connection::State::established);
    CHECK_FALSE(first.client.resumed());
    REQUIRE(client_config->settings().session_cache->size() == 1);

    SECTION("the same server resumes; the peer chain and the suite carry over") {
        auto second = connect(client_config, server_config);
        INFO("client: " << describe(second.client) << ", server: " << describe(second.server));
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK(second.client.resumed());
        CHECK(second.server.resumed());
        CHECK(second.client.cipher_suite() == first.client.cipher_suite());
        CHECK(second.client.peer_certificates().size() == 2);
        check_data_both_ways(second);
        // And again, with the ticket the resumption renewed.
        auto third = connect(client_config, server_config);
        CHECK(third.client.resumed());
    }
    SECTION("another server (other ticket keys) makes a full handshake") {
        auto second = connect(client_config, test::server_config());
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
        CHECK_FALSE(second.server.resumed());
    }
    SECTION("an expired ticket makes a full handshake") {
        std::int64_t now = test::test_now;
        auto moving = test::server_settings();
        moving.ticket_lifetime = 60;
        moving.clock = [&now] { return now; };
        auto moving_config = test::server_config(moving);
        auto a = connect(client_config, moving_config);
        auto b = connect(client_config, moving_config);
        CHECK(b.client.resumed());
        now += 61;  // the server's clock moves on; the client's cannot know
        auto c = connect(client_config, moving_config);
        REQUIRE(c.client.state() == Connection::State::established);
        CHECK_FALSE(c.client.resumed());
    }
    SECTION("a server with tickets off makes a full handshake") {
        auto ss = test::server_settings();
        ss.session_tickets = false;
        auto second = connect(client_config, test::server_config(ss));
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
    }
    SECTION("a different server name is not resumed") {
        auto second = connect(client_config, server_config, "cordon.test");
        REQUIRE(second.client.state() == Connection::State::established);
        CHECK_FALSE(second.client.resumed());
    }
}

TEST_CASE("TLS 1.2: renegotiation is refused both ways", "[connection][tls12]") {
    auto p = connect(tls12_client(), test::server_settings());
    REQUIRE(p.client.state() == Connection::State::established);
    SECTION("a HelloRequest gets a no_renegotiation warning; data still flows") {
        auto hello_request = hs::write_hello_request();
        REQUIRE(hello_request);
        REQUIRE(p.server.core_for_testing().send_handshake(*hello_request));
        test::pump(p.client, p.server);
        CHECK(p.client.state() == Connection::State::established);
        CHECK(p.server.state() == Connection::State::established);
        check_data_both_ways(p);
    }
    SECTION("a renegotiating ClientHello gets a warning, and persistence a fatal alert") {
        const Buffer client_hello = {1, 0, 0, 0};  // never parsed: refused by its type
        for (int attempt = 1; attempt <= 3; ++attempt) {
            REQUIRE(p.client.core_for_testing().send_handshake(client_hello));
            test::pump(p.client, p.server);
            if (attempt <= 2) CHECK(p.server.state() == Connection::State::established);
        }
        REQUIRE(p.server.state() == Connection::State::failed);
        CHECK(p.server.error()->code == ErrorCode::unexpected_message);
        CHECK(p.client.error()->alert_received == tls::AlertDescription::unexpected_message);
    }
}

TEST_CASE("TLS 1.2: CBC, RSA key transport and compression-only offers are refused", "[connection][tls12]") {
    struct Case {
        const char* name;
        Buffer suites;  // replaces the offered cipher suites
        bool null_compression;
        ErrorCode expected;
    };
    const auto c = GENERATE(
        Case{"ECDHE-ECDSA-AES128-SHA (CBC)", {0xc0, 0x09}, true, ErrorCode::handshake_failure},
        Case{"AES128-GCM-SHA256 (RSA key transport)", {0x00, 0x9c}, true, ErrorCode::handshake_failure},
        Case{"DHE-RSA-AES128-GCM-SHA256 (finite-field DHE)", {0x00, 0x9e}, true, ErrorCode::handshake_failure},
        Case{"deflate only", {0xc0, 0x2b}, false, ErrorCode::illegal_parameter});
    auto client = edited_client(test::client_config(tls12_client()),
                                [&](hs::ClientHello& ch, std::vector<hs::Extension>&, std::deque<Buffer>& storage) {
                                    ch.cipher_suites = storage.emplace_back(c.suites);
                                    if (!c.null_compression) ch.compression_methods = storage.emplace_back(Buffer{1});
                                });
    auto server = Connection::server(test::server_config());
    REQUIRE(server);
    pump_any(*client->core, *server);
    INFO(c.name << ": " << describe(*server));
    REQUIRE(server->state() == Connection::State::failed);
    CHECK(server->error()->code == c.expected);
}

TEST_CASE("TLS 1.2: an ECDSA certificate on a curve the client does not list is handshake_failure",
          "[connection][tls12]") {
    auto cs = tls12_client();
    cs.groups = {NamedGroup::x25519};
    auto p = connect(cs, test::server_settings("leaf-p256"));
    REQUIRE(p.server.state() == Connection::State::failed);
    CHECK(p.server.error()->code == ErrorCode::handshake_failure);
    CHECK(p.client.error()->alert_received == tls::AlertDescription::handshake_failure);
    // Ed25519 is not a curve of supported_groups: its certificate is fine.
    auto ed = connect(cs, test::server_settings("leaf-ed25519"));
    CHECK(ed.client.state() == Connection::State::established);
}

TEST_CASE("TLS 1.2: both sides log the same CLIENT_RANDOM line", "[connection][tls12]") {
    std::vector<std::string> client_lines, server_lines;
    auto cs = tls12_client();
    cs.key_log = [&](std::string_view label, Bytes random, Bytes secret) {
        client_lines.push_back(tls::format_key_log_line(label, random, secret));
    };
    auto ss = test::server_settings();
    ss.key_log = [&](std::string_view label, Bytes random, Bytes secret) {
        server_lines.push_back(tls::format_key_log_line(label, random, secret));
    };
    auto p = connect(cs, ss);
    REQUIRE(p.client.state() == Connection::State::established);
    REQUIRE(client_lines.size() == 1);
    CHECK(client_lines == server_lines);
    CHECK(client_lines[0].rfind("CLIENT_RANDOM ", 0) == 0);
    CHECK(client_lines[0].size() == std::strlen("CLIENT_RANDOM ") + 64 + 1 + 96);
}

TEST_CASE("TLS 1.2: a tampered Finished is refused", "[connection][tls12]") {
    auto client = Connection::client(test::client_config(tls12_client()), "localhost");
    auto server = Connection::server(test::server_config());
    REQUIRE(client);
    REQUIRE(server);
    test::transfer(*client, *server);  // ClientHello
    test::transfer(*server, *client);  // ServerHello .. ServerHelloDone
    auto out = client->pending_output();
    Buffer flight(out.begin(), out.end());
    client->consume_output(flight.size());
    flight.back() ^= 1;  // the last byte: the Finished record's tag
    server->feed(flight);
    REQUIRE(server->state() == Connection::State::failed);
    CHECK(server->error()->code == ErrorCode::bad_record_mac);
}
