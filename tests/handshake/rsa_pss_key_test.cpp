// TLS 1.3 with an RSASSA-PSS server key (tests/data/certs/leaf-rsapss: an
// id-RSASSA-PSS SubjectPublicKeyInfo, RFC 4055), client and server in memory:
// rsa_pss_pss_* is negotiated, never rsa_pss_rsae_*; a peer offering only the
// other kind gets handshake_failure; and a server that labels a signature with
// a scheme its key type does not allow (RFC 8446 4.2.3, 4.4.3) is refused by
// the client with illegal_parameter, although the RSA arithmetic checks out.
#include <catch2/catch.hpp>

#include <cstring>
#include <memory>
#include <string>

#include "handshake/connection_test_support.hpp"
#include "tls/certificate.hpp"

using tls::Connection;
using tls::crypto::Bytes;
using tls::crypto::SignatureScheme;

namespace {

Bytes text(const char* s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)); }

struct Pair {
    Connection client;
    Connection server;
};

Pair connect(tls::ClientSettings cs, tls::ServerSettings ss) {
    auto client = Connection::client(test::client_config(std::move(cs)), "localhost");
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

// A signing key that lies about its scheme: it claims `claimed` and signs with
// `actual` (the same RSASSA-PSS arithmetic: rsa_pss_rsae_sha256 and
// rsa_pss_pss_sha256 differ only in the key type they require).
class MislabellingKey final : public tls::crypto::SigningKey {
public:
    MislabellingKey(std::shared_ptr<const tls::crypto::SigningKey> inner, SignatureScheme claimed,
                    SignatureScheme actual)
        : inner_(std::move(inner)), claimed_(claimed), actual_(actual) {}
    bool supports(SignatureScheme scheme) const noexcept override { return scheme == claimed_; }
    std::size_t max_signature_size() const noexcept override { return inner_->max_signature_size(); }
    tls::Result<std::size_t> sign(SignatureScheme, Bytes message, tls::crypto::Rng& rng,
                                  tls::crypto::MutableBytes out) const noexcept override {
        return inner_->sign(actual_, message, rng, out);
    }
    tls::crypto::PublicKey public_key() const noexcept override { return inner_->public_key(); }

private:
    std::shared_ptr<const tls::crypto::SigningKey> inner_;
    SignatureScheme claimed_, actual_;
};

// server_settings(leaf) with its key wrapped in a MislabellingKey.
tls::ServerSettings mislabelling_server(const std::string& leaf, SignatureScheme claimed, SignatureScheme actual) {
    auto ss = test::server_settings(leaf);
    auto wrapped = tls::CertifiedKey::make(
        ss.certificate->chain, std::make_shared<const MislabellingKey>(ss.certificate->key, claimed, actual));
    REQUIRE(wrapped.ok());
    ss.certificate = *wrapped;
    return ss;
}

}  // namespace

TEST_CASE("RSASSA-PSS key: rsa_pss_pss_sha256 negotiated, data both ways", "[connection][rsa-pss]") {
    auto p = connect(test::client_settings(), test::server_settings("leaf-rsapss"));
    INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
    REQUIRE(p.client.state() == Connection::State::established);
    REQUIRE(p.server.state() == Connection::State::established);
    // The default client offers rsa_pss_rsae_* before rsa_pss_pss_*; the PSS key
    // can make only the latter.
    CHECK(p.client.signature_scheme() == SignatureScheme::rsa_pss_pss_sha256);
    CHECK(p.server.signature_scheme() == SignatureScheme::rsa_pss_pss_sha256);
    REQUIRE(p.client.peer_certificates().size() == 2);
    CHECK(p.client.peer_certificates()[0].subject() == "CN=cordon test leaf RSA-PSS");

    REQUIRE(p.client.write(text("ping")));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.server) == "ping");
    REQUIRE(p.server.write(text("pong")));
    test::pump(p.client, p.server);
    CHECK(test::take_received(p.client) == "pong");
}

TEST_CASE("RSASSA-PSS key: the client's preference among rsa_pss_pss_*", "[connection][rsa-pss]") {
    for (auto scheme : {SignatureScheme::rsa_pss_pss_sha384, SignatureScheme::rsa_pss_pss_sha512}) {
        INFO(tls::crypto::to_string(scheme));
        auto cs = test::client_settings();
        cs.signature_schemes = {scheme, SignatureScheme::rsa_pss_pss_sha256, SignatureScheme::ecdsa_secp256r1_sha256};
        auto p = connect(std::move(cs), test::server_settings("leaf-rsapss"));
        INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
        REQUIRE(p.client.state() == Connection::State::established);
        CHECK(p.client.signature_scheme() == scheme);
    }
}

TEST_CASE("RSA key types: no scheme in common is handshake_failure", "[connection][rsa-pss]") {
    SECTION("a PSS key and a client offering only rsa_pss_rsae_*") {
        auto cs = test::client_settings();
        cs.signature_schemes = {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
                                SignatureScheme::rsa_pss_rsae_sha512, SignatureScheme::ecdsa_secp256r1_sha256};
        auto p = connect(std::move(cs), test::server_settings("leaf-rsapss"));
        INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
        REQUIRE(p.server.state() == Connection::State::failed);
        CHECK(p.server.error()->code == tls::ErrorCode::handshake_failure);
        REQUIRE(p.client.state() == Connection::State::failed);
        CHECK(p.client.error()->alert_received == tls::AlertDescription::handshake_failure);
    }
    SECTION("an rsaEncryption key and a client offering only rsa_pss_pss_*") {
        auto cs = test::client_settings();
        cs.signature_schemes = {SignatureScheme::rsa_pss_pss_sha256, SignatureScheme::rsa_pss_pss_sha384,
                                SignatureScheme::rsa_pss_pss_sha512};
        auto p = connect(std::move(cs), test::server_settings("leaf-rsa2048"));
        INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
        REQUIRE(p.server.state() == Connection::State::failed);
        CHECK(p.server.error()->code == tls::ErrorCode::handshake_failure);
        CHECK(p.client.error()->alert_received == tls::AlertDescription::handshake_failure);
    }
}

TEST_CASE("A CertificateVerify scheme that does not match the key type is illegal_parameter",
          "[connection][rsa-pss]") {
    SECTION("rsa_pss_rsae_sha256 from an RSASSA-PSS key") {
        auto p = connect(test::client_settings(),
                         mislabelling_server("leaf-rsapss", SignatureScheme::rsa_pss_rsae_sha256,
                                             SignatureScheme::rsa_pss_pss_sha256));
        INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
        REQUIRE(p.client.state() == Connection::State::failed);
        CHECK(p.client.error()->code == tls::ErrorCode::illegal_parameter);
        CHECK(p.client.error()->message.ends_with("signature scheme does not match the key type"));
        CHECK(p.client.error()->alert_sent == tls::AlertDescription::illegal_parameter);
        REQUIRE(p.server.state() == Connection::State::failed);
        CHECK(p.server.error()->alert_received == tls::AlertDescription::illegal_parameter);
    }
    SECTION("rsa_pss_pss_sha256 from an rsaEncryption key") {
        auto p = connect(test::client_settings(),
                         mislabelling_server("leaf-rsa2048", SignatureScheme::rsa_pss_pss_sha256,
                                             SignatureScheme::rsa_pss_rsae_sha256));
        INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
        REQUIRE(p.client.state() == Connection::State::failed);
        CHECK(p.client.error()->code == tls::ErrorCode::illegal_parameter);
        CHECK(p.client.error()->message.ends_with("signature scheme does not match the key type"));
        CHECK(p.server.error()->alert_received == tls::AlertDescription::illegal_parameter);
    }
    SECTION("the same wrapper telling the truth connects") {
        auto p = connect(test::client_settings(),
                         mislabelling_server("leaf-rsapss", SignatureScheme::rsa_pss_pss_sha256,
                                             SignatureScheme::rsa_pss_pss_sha256));
        INFO("client: " << describe(p.client) << ", server: " << describe(p.server));
        CHECK(p.client.state() == Connection::State::established);
    }
}
