// Extension codecs on RFC 8448 section 3's hellos, and their bounds.
#include <catch2/catch.hpp>

#include "handshake/extension_codecs.hpp"
#include "handshake/hello.hpp"
#include "support/rfc8448.hpp"

using namespace tls::handshake;
using tls::crypto::NamedGroup;
using tls::crypto::SignatureScheme;
using test::ByteVec;
using test::field;

TEST_CASE("RFC 8448 section 3: the ClientHello's and ServerHello's extensions decode", "[handshake][extensions]") {
    const auto& s = test::rfc8448_sections().at("Simple_1RTT_Handshake");
    const ByteVec ch_message(field(s, "Record_ClientHello_1").begin() + 5, field(s, "Record_ClientHello_1").end());
    auto ch = ClientHello::parse(parse_handshake_message(ch_message)->body);
    REQUIRE(ch.ok());

    auto versions = parse_supported_versions_list(*ch->extensions.find(ExtensionType::supported_versions));
    REQUIRE(versions.ok());
    CHECK(*versions == std::vector<std::uint16_t>{0x0304});
    auto groups = parse_named_group_list(*ch->extensions.find(ExtensionType::supported_groups));
    REQUIRE(groups.ok());
    CHECK(groups->front() == NamedGroup::x25519);
    CHECK(groups->size() == 9);
    auto schemes = parse_signature_scheme_list(*ch->extensions.find(ExtensionType::signature_algorithms));
    REQUIRE(schemes.ok());
    CHECK(schemes->front() == SignatureScheme::ecdsa_secp256r1_sha256);
    auto shares = parse_client_key_shares(*ch->extensions.find(ExtensionType::key_share));
    REQUIRE(shares.ok());
    REQUIRE(shares->size() == 1);
    CHECK(shares->front().group == NamedGroup::x25519);
    // The client's x25519 public key is the one its pool's private key gives.
    auto key = tls::crypto::default_provider().find(NamedGroup::x25519)->from_private(
        tls::crypto::Bytes(field(s, "Client_RNG_Pool")).subspan(32, 32));
    CHECK(test::to_hex(shares->front().key_exchange) == test::to_hex((*key)->public_key()));
    auto host = parse_server_name(*ch->extensions.find(ExtensionType::server_name));
    REQUIRE(host.ok());
    CHECK(test::to_hex(**host) == test::to_hex(ByteVec{'s', 'e', 'r', 'v', 'e', 'r'}));
    auto modes = parse_psk_key_exchange_modes(*ch->extensions.find(ExtensionType::psk_key_exchange_modes));
    REQUIRE(modes.ok());
    CHECK(*modes == std::vector<std::uint8_t>{1});
    CHECK(*parse_record_size_limit(*ch->extensions.find(ExtensionType::record_size_limit)) == 0x4001);

    auto sh = ServerHello::parse(parse_handshake_message(field(s, "Message_ServerHello"))->body);
    REQUIRE(sh.ok());
    CHECK(*parse_selected_version(*sh->extensions.find(ExtensionType::supported_versions)) == 0x0304);
    auto share = parse_server_key_share(*sh->extensions.find(ExtensionType::key_share));
    REQUIRE(share.ok());
    CHECK(share->group == NamedGroup::x25519);
    CHECK(share->key_exchange.size() == 32);
}

TEST_CASE("Extension codecs enforce their bounds", "[handshake][extensions]") {
    CHECK(parse_supported_versions_list(ByteVec{0}).error().code == tls::ErrorCode::decode_error);  // <2..254>
    CHECK(parse_supported_versions_list(ByteVec{3, 3, 4, 3}).error().code == tls::ErrorCode::decode_error);  // odd
    CHECK(parse_selected_version(ByteVec{3, 4, 0}).error().code == tls::ErrorCode::decode_error);
    CHECK(parse_named_group_list(ByteVec{0, 0}).error().code == tls::ErrorCode::decode_error);
    CHECK(parse_client_key_shares(ByteVec{0, 10, 0, 0x1d, 0, 1, 9, 0, 0x1d, 0, 1, 8}).error().code ==
          tls::ErrorCode::illegal_parameter);  // x25519 twice
    CHECK(parse_client_key_shares(ByteVec{0, 0})->empty());  // an empty list asks for HRR
    CHECK(parse_client_key_shares(ByteVec{0, 4, 0, 0x1d, 0, 0}).error().code == tls::ErrorCode::decode_error);
    CHECK(parse_server_name(ByteVec{0, 4, 0, 0, 1, 'a', 0}).error().code == tls::ErrorCode::decode_error);  // trailing byte
    CHECK(parse_server_name(ByteVec{0, 8, 0, 0, 1, 'a', 0, 0, 1, 'b'}).error().code == tls::ErrorCode::illegal_parameter);
    CHECK_FALSE(parse_server_name(ByteVec{})->has_value());
    CHECK(parse_alpn_list(ByteVec{0, 3, 0, 1, 'h'}).error().code == tls::ErrorCode::decode_error);  // empty name
    CHECK(parse_alpn_list(ByteVec{0, 3, 2, 'h', '2'})->size() == 1);
    CHECK(parse_record_size_limit(ByteVec{0, 63}).error().code == tls::ErrorCode::illegal_parameter);
    CHECK(parse_cookie(ByteVec{0, 0}).error().code == tls::ErrorCode::decode_error);

    // Writers produce what the parsers read.
    ByteVec buf(256);
    tls::codec::Writer w(buf);
    write_client_key_shares(w, {{NamedGroup::secp256r1, ByteVec(65, 4)}});
    auto back = parse_client_key_shares(tls::codec::Bytes(buf).first(*w.finish()));
    REQUIRE(back.ok());
    CHECK(back->front().group == NamedGroup::secp256r1);
    CHECK(back->front().key_exchange.size() == 65);
}
