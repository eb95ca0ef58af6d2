// Mutual TLS in TLS 1.3 (RFC 8446 4.3.2, 4.4.2): the server asks, the client
// answers with a certificate chosen by configuration or resolver (or none), the
// server validates it for clientAuth against its own client roots, and each
// refusal carries the RFC's alert.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "handshake/connection_test_support.hpp"

using tls::ClientAuth;
using tls::Connection;
using tls::ErrorCode;
using tls::crypto::Bytes;
using tls::crypto::SignatureScheme;

namespace {

struct Pair {
    Connection client;
    Connection server;
};

Pair connect(tls::ClientSettings cs, tls::ServerSettings ss) {
    auto client = Connection::client(test::client_config(std::move(cs)), "localhost");
    auto server = Connection::server(test::server_config(std::move(ss)));
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

std::shared_ptr<const tls::CertifiedKey> load(const std::string& name) {
    auto key = tls::CertifiedKey::from_files(test::cert_path(name + ".pem"), test::cert_path(name + ".key"));
    REQUIRE(key);
    return *key;
}

tls::ServerSettings mtls_server(ClientAuth mode) {
    auto ss = test::server_settings();
    ss.client_auth = mode;
    REQUIRE(ss.client_roots.add_pem(test::read_text_file(test::cert_path("ca.pem"))));
    return ss;
}

tls::ClientSettings client_with(const std::string& leaf) {
    auto cs = test::client_settings();
    cs.versions = {tls::ProtocolVersion::tls13};
    if (!leaf.empty()) cs.client_certificate = load(leaf);
    return cs;
}

}  // namespace

TEST_CASE("mutual TLS: the server sees the client's validated chain", "[connection][mtls]") {
    const auto mode = GENERATE(ClientAuth::required, ClientAuth::optional);
    auto p = connect(client_with("client-p256"), mtls_server(mode));
    INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    REQUIRE(p.server.state() == Connection::State::established);
    REQUIRE(p.server.peer_certificates().size() == 2);
    CHECK(p.server.peer_certificates()[0].subject() == "CN=client.cordon.test");
    CHECK(p.server.peer_certificates()[0].dns_names() == std::vector<std::string>{"client.cordon.test"});
    CHECK(p.server.peer_certificates()[0].issuer() == "CN=cordon test intermediate CA");
    // Data flows both ways under the keys the client's Finished confirmed.
    REQUIRE(p.client.write(Bytes(reinterpret_cast<const std::uint8_t*>("hi"), 2)));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.server) == "hi");
}

TEST_CASE("mutual TLS: no client certificate", "[connection][mtls]") {
    SECTION("required: certificate_required") {
        auto p = connect(client_with(""), mtls_server(ClientAuth::required));
        REQUIRE(p.server.state() == Connection::State::failed);
        CHECK(p.server.error()->code == ErrorCode::certificate_required);
        CHECK(p.client.error()->alert_received == tls::AlertDescription::certificate_required);
    }
    SECTION("optional: the handshake completes without one") {
        auto p = connect(client_with(""), mtls_server(ClientAuth::optional));
        REQUIRE(p.server.state() == Connection::State::established);
        CHECK(p.server.peer_certificates().empty());
    }
    SECTION("not asked: a configured certificate is not sent") {
        auto p = connect(client_with("client-p256"), test::server_settings());
        REQUIRE(p.server.state() == Connection::State::established);
        CHECK(p.server.peer_certificates().empty());
    }
}

TEST_CASE("mutual TLS: refused client certificates get the right alert", "[connection][mtls]") {
    struct Case {
        const char* leaf;
        const char* client_roots;
        ErrorCode code;
        tls::AlertDescription alert;
    };
    const auto c = GENERATE(
        // Issued under a root the server does not trust for clients.
        Case{"client-p256", "untrusted-ca.pem", ErrorCode::unknown_issuer, tls::AlertDescription::unknown_ca},
        // Expired (and a server certificate too: validity is checked first).
        Case{"expired", "ca.pem", ErrorCode::certificate_expired, tls::AlertDescription::certificate_expired},
        // A server certificate (EKU serverAuth only) is not a client certificate.
        Case{"leaf-p256", "ca.pem", ErrorCode::bad_certificate, tls::AlertDescription::bad_certificate});
    auto ss = test::server_settings();
    ss.client_auth = ClientAuth::optional;
    REQUIRE(ss.client_roots.add_pem(test::read_text_file(test::cert_path(c.client_roots))));
    auto p = connect(client_with(c.leaf), ss);
    INFO(c.leaf << ": " << describe(p.server));
    REQUIRE(p.server.state() == Connection::State::failed);
    CHECK(p.server.error()->code == c.code);
    CHECK(p.client.error()->alert_received == c.alert);
}

TEST_CASE("mutual TLS: the resolver sees the request and chooses", "[connection][mtls]") {
    std::vector<tls::CertificateRequestInfo> seen;
    auto cs = client_with("");
    auto certificate = load("client-p256");
    cs.client_certificate_resolver = [&](const tls::CertificateRequestInfo& info) {
        seen.push_back(info);
        return certificate;
    };
    auto p = connect(cs, mtls_server(ClientAuth::required));
    REQUIRE(p.server.state() == Connection::State::established);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].server_name == "localhost");
    // The server lists its client root's subject, and the schemes it verifies.
    REQUIRE(seen[0].acceptable_issuers.size() == 1);
    auto root = tls::Certificate::chain_from_file(test::cert_path("ca.pem"));
    REQUIRE(root);
    REQUIRE(root->size() == 1);
    const auto der = (*root)[0].der();
    const auto& issuer = seen[0].acceptable_issuers[0];
    CHECK(issuer.size() > 10);  // a DER Name that the root certificate carries (as its subject)
    CHECK(std::search(der.begin(), der.end(), issuer.begin(), issuer.end()) != der.end());
    CHECK(std::find(seen[0].signature_schemes.begin(), seen[0].signature_schemes.end(),
                    SignatureScheme::ecdsa_secp256r1_sha256) != seen[0].signature_schemes.end());
    CHECK(std::find(seen[0].signature_schemes.begin(), seen[0].signature_schemes.end(),
                    SignatureScheme::rsa_pkcs1_sha256) == seen[0].signature_schemes.end());
}

TEST_CASE("mutual TLS: a client key that fits none of the server's schemes sends no certificate",
          "[connection][mtls]") {
    auto ss = mtls_server(ClientAuth::optional);
    ss.certificate = load("leaf-ed25519");
    ss.signature_schemes = {SignatureScheme::ed25519, SignatureScheme::ecdsa_secp384r1_sha384};
    auto p = connect(client_with("client-p256"), ss);
    REQUIRE(p.server.state() == Connection::State::established);
    CHECK(p.server.peer_certificates().empty());
}

TEST_CASE("mutual TLS: a server configuration needs client roots or a verifier", "[connection][mtls]") {
    auto ss = test::server_settings();
    ss.client_auth = ClientAuth::required;
    CHECK(tls::ServerConfig::build(ss).error().code == ErrorCode::invalid_argument);
}
