// Extension codecs on RFC 8448 section 3's hellos, and their bounds.
#include <catch2/catch.hpp>

#include "handshake/extension_codecs.hpp"
#include "handshake/hello.hpp"
#include "handshake/messages.hpp"
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

TEST_CASE("Session and client-authentication extension codecs refuse what RFC 8446 refuses",
          "[handshake][extensions]") {
    using tls::ErrorCode;
    using tls::crypto::Bytes;
    // pre_shared_key: one identity (4 bytes, age) and one 32-byte binder.
    ByteVec psk = {0x00, 0x0a, 0x00, 0x04, 'a', 'b', 'c', 'd', 0, 0, 0, 7, 0x00, 0x21, 0x20};
    for (int i = 0; i < 32; ++i) psk.push_back(static_cast<std::uint8_t>(i));
    auto offered = parse_offered_psks(psk);
    REQUIRE(offered);
    CHECK(offered->identities.size() == 1);
    CHECK(offered->identities[0].obfuscated_ticket_age == 7);
    CHECK(offered->binders_size == 35);
    // Every truncation is decode_error; a trailing byte too.
    for (std::size_t n = 0; n < psk.size(); ++n) {
        INFO("truncated to " << n);
        CHECK(parse_offered_psks(Bytes(psk.data(), n)).error().code == ErrorCode::decode_error);
    }
    auto longer = psk;
    longer.push_back(0);
    CHECK(parse_offered_psks(longer).error().code == ErrorCode::decode_error);
    // Two binders for one identity, or none: illegal_parameter.
    ByteVec two = {0x00, 0x0a, 0x00, 0x04, 'a', 'b', 'c', 'd', 0, 0, 0, 7, 0x00, 0x42, 0x20};
    for (int i = 0; i < 32; ++i) two.push_back(0);
    two.push_back(0x20);
    for (int i = 0; i < 32; ++i) two.push_back(0);
    CHECK(parse_offered_psks(two).error().code == ErrorCode::illegal_parameter);
    // A binder shorter than 32 bytes is decode_error.
    ByteVec short_binder = {0x00, 0x0a, 0x00, 0x04, 'a', 'b', 'c', 'd', 0, 0, 0, 7, 0x00, 0x20, 0x1f};
    for (int i = 0; i < 31; ++i) short_binder.push_back(0);
    CHECK(parse_offered_psks(short_binder).error().code == ErrorCode::decode_error);

    // certificate_authorities: a list of at least one non-empty name.
    const ByteVec cas = {0x00, 0x05, 0x00, 0x03, 0x30, 0x01, 0x00};
    auto names = parse_certificate_authorities(cas);
    REQUIRE(names);
    CHECK(names->size() == 1);
    CHECK(parse_certificate_authorities(ByteVec{0x00, 0x00}).error().code == ErrorCode::decode_error);
    CHECK(parse_certificate_authorities(ByteVec{0x00, 0x03, 0x00, 0x00, 0x00}).error().code == ErrorCode::decode_error);

    // The server's ALPN reply: one protocol the client offered.
    const std::vector<std::string> offered_alpn{"h2", "http/1.1"};
    const ByteVec h2 = {0x00, 0x03, 0x02, 'h', '2'};
    auto selected = parse_selected_alpn(h2, offered_alpn);
    REQUIRE(selected);
    CHECK(*selected == "h2");
    CHECK(parse_selected_alpn(h2, {}).error().code == ErrorCode::unsupported_extension);
    CHECK(parse_selected_alpn(ByteVec{0x00, 0x03, 0x02, 'h', '3'}, offered_alpn).error().code ==
          ErrorCode::illegal_parameter);
    CHECK(parse_selected_alpn(ByteVec{0x00, 0x06, 0x02, 'h', '2', 0x02, 'h', '2'}, offered_alpn).error().code ==
          ErrorCode::illegal_parameter);

    // early_data in a NewSessionTicket: exactly a u32.
    auto max_early = parse_max_early_data_size(ByteVec{0, 0, 0x40, 0});
    REQUIRE(max_early);
    CHECK(*max_early == 16384);
    CHECK(parse_max_early_data_size(ByteVec{0, 0, 0x40}).error().code == ErrorCode::decode_error);
}
