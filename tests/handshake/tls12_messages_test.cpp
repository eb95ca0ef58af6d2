// The TLS 1.2 handshake message codecs (handshake/tls12_messages.hpp) and the
// TLS 1.2 extension codecs (renegotiation_info, ec_point_formats): round trips
// both ways, every truncation, trailing bytes, the curve_type check, and real
// messages captured from OpenSSL.
#include <catch2/catch.hpp>

#include <functional>

#include "handshake/extension_codecs.hpp"
#include "handshake/tls12_messages.hpp"
#include "support/hex.hpp"
#include "tls/certificate.hpp"
#include "tls/config.hpp"
#include "tls/crypto/provider.hpp"

using namespace tls::handshake;
using tls::ErrorCode;
using tls::crypto::NamedGroup;
using tls::crypto::SignatureScheme;
using test::ByteVec;
using test::from_hex;
using test::to_hex;

namespace {

// Message bodies (no 4-byte handshake header) of one TLS 1.2 handshake, captured
// with OpenSSL 3.0.19 `openssl s_server -tls1_2 -cert tests/data/certs/leaf-p256.pem
// -cert_chain tests/data/certs/intermediate.pem -key tests/data/certs/leaf-p256.key -msg`
// and `openssl s_client -tls1_2 -msg -connect ...` (the -msg hex dumps, header
// stripped). Suite ECDHE-ECDSA-AES256-GCM-SHA384 (c02c), group x25519.
const ByteVec& captured_client_hello() {
    static const ByteVec v = from_hex(
        "03035a4e544a0bad8b0a5425bbec7da039c1aacf1e3960fb039e7c4a88a09fb028b6000038c02cc030009fcca9cca8cc"
        "aac02bc02f009ec024c028006bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00ff010000"
        "52000b000403000102000a000c000a001d0017001e00190018002300000016000000170000000d002a00280403050306"
        "03080708080809080a080b080408050806040105010601030303010302040205020602");
    return v;
}
const ByteVec& captured_server_hello() {
    static const ByteVec v = from_hex(
        "0303108f2a5c74a08e9f96e68a26e63a80405a78a0144172dea09f794428beacdf7900c02c000015ff01000100000b00"
        "04030001020023000000170000");
    return v;
}
const ByteVec& captured_certificate() {
    static const ByteVec v = from_hex(
        "0003920001ee308201ea3082018fa00302010202022000300a06082a8648ce3d04030230263124302206035504030c1b"
        "636f72646f6e207465737420696e7465726d656469617465204341301e170d3235303130313030303030305a170d3435"
        "303130313030303030305a3021311f301d06035504030c16636f72646f6e2074657374206c65616620502d3235363059"
        "301306072a8648ce3d020106082a8648ce3d030107034200047db94e24fb1a5c129ee09d63082e25b5bf219e01d1952e"
        "da7dbdd2d7661c24eae32aadd72ab6598d061b91b8969b1b72852763dbe0e08938131f8afc17deb57ba381b13081ae30"
        "0c0603551d130101ff04023000300e0603551d0f0101ff04040302078030130603551d25040c300a06082b0601050507"
        "030130390603551d110432303082096c6f63616c686f7374820b636f72646f6e2e7465737487047f0000018710000000"
        "00000000000000000000000001301d0603551d0e041604140ed1b5cd9d072fc0e4b1b2eb287199085afa2ea6301f0603"
        "551d23041830168014af1ae678d25490ecb7abb99c7925a448e242883c300a06082a8648ce3d04030203490030460221"
        "00f37006935d209ad53a943abb39049dbb7adaa7ae23a8ddc31399458279c39ee5022100ac6edff571ae55a941996601"
        "27e6df7d4cfaac5dd45116b969b50e578a2fc3d300019e3082019a30820140a00302010202021001300a06082a8648ce"
        "3d040302301e311c301a06035504030c13636f72646f6e207465737420726f6f74204341301e170d3235303130313030"
        "303030305a170d3435303130313030303030305a30263124302206035504030c1b636f72646f6e207465737420696e74"
        "65726d6564696174652043413059301306072a8648ce3d020106082a8648ce3d030107034200043dd256dce29d64556b"
        "88f23262197d6be9c503c361e3b25d69b9f8654ef0dce7b69f7e9a49620f7c25cafb26931cd047d0e312c6147e451584"
        "9f5104c4bc2b48a366306430120603551d130101ff040830060101ff020100300e0603551d0f0101ff04040302010630"
        "1d0603551d0e04160414af1ae678d25490ecb7abb99c7925a448e242883c301f0603551d23041830168014f6a5d48b9b"
        "e9319f4faefd94a43784cef847da85300a06082a8648ce3d040302034800304502203a75ca50f28dcf36ddb0fbb7c627"
        "844ba5fb906673a9bb7d92dddc0c6f07135e022100832f0535d4fe099feb3a5db68fb6a998885528f9c939912104df47"
        "9c4a6d62e6");
    return v;
}
const ByteVec& captured_server_key_exchange() {
    static const ByteVec v = from_hex(
        "03001d20704bf2e29312256c270bca1d357be72728d21d7959fef54092766755db3be70b040300483046022100d7bfd2"
        "e5bbbb6f36a0acec9b561c895639a84a536f97c4e442ab62a1ae0a9136022100f60b64d6ca5cde45f2d7408601e7ab13"
        "42a7ca7bd0cd45d64a58e570d0e9b148");
    return v;
}
const ByteVec& captured_client_key_exchange() {
    static const ByteVec v = from_hex("2091c69dc54e908a01ede102d297ee33c84a37c3a9452562bb7a304b68dbd23b14");
    return v;
}
const ByteVec& captured_new_session_ticket() {
    static const ByteVec v = from_hex(
        "00001c2000b0356ba153369dc6af8a37f9349cd6087c777608f1bc82b828e7c97b69ae78f9fbc41014312ea6df29bced"
        "e7678b9ba1866744822f983b2f10ef4292b51dcf37c01bb06ff8ec3235a0275343fd50a0f2ec2c5d774ab943ba904541"
        "e8c842118ebd714c281d266368fac8ab085105f9fb34f4ab9b34c70629b1c8a1b682189127638771eaa9ff0470024540"
        "60d98dec1374b09deddc075c0ea02181d7999caafbdb6e6ea1d29db102613cc715830681a5da");
    return v;
}

ByteVec with_header(HandshakeType type, const ByteVec& body) {
    ByteVec out;
    out.reserve(body.size() + 4);
    out.push_back(static_cast<std::uint8_t>(type));
    out.push_back(static_cast<std::uint8_t>(body.size() >> 16));
    out.push_back(static_cast<std::uint8_t>(body.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(body.size()));
    for (auto b : body) out.push_back(b);
    return out;
}

ByteVec vec(Bytes b) { return ByteVec(b.begin(), b.end()); }

// Every strict prefix of body fails with decode_error, and so does body plus a byte.
template <class Parse>
void check_truncations_and_trailing(const ByteVec& body, Parse&& parse) {
    for (std::size_t n = 0; n < body.size(); ++n) {
        INFO("truncated to " << n << " of " << body.size() << " bytes");
        auto r = parse(Bytes(body.data(), n));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::decode_error);
    }
    ByteVec longer = body;
    longer.push_back(0);
    auto r = parse(Bytes(longer));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::decode_error);
}

std::vector<Bytes> views(const std::vector<ByteVec>& v) {
    std::vector<Bytes> out;
    for (const auto& x : v) out.emplace_back(x);
    return out;
}

class AcceptAnyChain : public tls::ServerCertificateVerifier {
public:
    tls::Result<void> verify_chain(std::span<const tls::Certificate>, std::string_view, std::int64_t) const override {
        return tls::success();
    }
};

}  // namespace

TEST_CASE("TLS 1.2 ServerKeyExchange: round trips, bounds, curve_type", "[handshake][tls12]") {
    const ByteVec point = from_hex("04" + std::string(128, 'a'));
    const ByteVec signature = from_hex("3045022100" + std::string(64, '1') + "0220" + std::string(64, '2'));
    auto written = write_server_key_exchange(NamedGroup::secp256r1, point, SignatureScheme::ecdsa_secp256r1_sha256,
                                             signature);
    REQUIRE(written.ok());
    const ByteVec body(written->begin() + 4, written->end());
    CHECK(written->front() == 12);
    auto ske = ServerKeyExchange::parse(body);
    REQUIRE(ske.ok());
    CHECK(ske->group == NamedGroup::secp256r1);
    CHECK(vec(ske->public_key) == point);
    CHECK(ske->scheme == SignatureScheme::ecdsa_secp256r1_sha256);
    CHECK(vec(ske->signature) == signature);
    auto params = write_server_ecdh_params(NamedGroup::secp256r1, point);
    REQUIRE(params.ok());
    CHECK(vec(ske->params) == *params);
    CHECK(ske->params.data() == body.data());
    check_truncations_and_trailing(body, [](Bytes b) { return ServerKeyExchange::parse(b); });

    // An empty signature is within <0..2^16-1>; an empty point is not.
    auto unsigned_ske = write_server_key_exchange(NamedGroup::x25519, ByteVec(32, 9), SignatureScheme::ed25519, {});
    REQUIRE(unsigned_ske.ok());
    CHECK(ServerKeyExchange::parse(Bytes(*unsigned_ske).subspan(4)).ok());
    CHECK(ServerKeyExchange::parse(from_hex("030017000403000000")).error().code == ErrorCode::decode_error);
    CHECK(write_server_key_exchange(NamedGroup::x25519, {}, SignatureScheme::ed25519, {}).error().code ==
          ErrorCode::invalid_argument);
    CHECK(write_server_key_exchange(NamedGroup::x25519, ByteVec(256, 4), SignatureScheme::ed25519, {}).error().code ==
          ErrorCode::invalid_argument);

    // explicit_prime (1) and explicit_char2 (2) curves, and anything else, are refused.
    for (std::uint8_t curve_type : {0, 1, 2, 4, 255}) {
        ByteVec bad = body;
        bad[0] = curve_type;
        CHECK(ServerKeyExchange::parse(bad).error().code == ErrorCode::illegal_parameter);
    }

    auto content = server_key_exchange_signed_content(ByteVec(32, 1), ByteVec(32, 2), ske->params);
    CHECK(content.size() == 64 + ske->params.size());
    CHECK(ByteVec(content.begin(), content.begin() + 32) == ByteVec(32, 1));
    CHECK(ByteVec(content.begin() + 32, content.begin() + 64) == ByteVec(32, 2));
    CHECK(ByteVec(content.begin() + 64, content.end()) == *params);
}

TEST_CASE("TLS 1.2 ClientKeyExchange: round trips and bounds", "[handshake][tls12]") {
    const ByteVec point(65, 4);
    auto written = write_client_key_exchange(point);
    REQUIRE(written.ok());
    CHECK(*written == with_header(HandshakeType::client_key_exchange, [&] {
        ByteVec b{65};
        for (auto x : point) b.push_back(x);
        return b;
    }()));
    const ByteVec body(written->begin() + 4, written->end());
    auto cke = ClientKeyExchange::parse(body);
    REQUIRE(cke.ok());
    CHECK(vec(cke->public_key) == point);
    check_truncations_and_trailing(body, [](Bytes b) { return ClientKeyExchange::parse(b); });
    CHECK(ClientKeyExchange::parse(ByteVec{0}).error().code == ErrorCode::decode_error);  // point<1..>
    CHECK(write_client_key_exchange({}).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("TLS 1.2 ServerHelloDone, HelloRequest and Finished", "[handshake][tls12]") {
    CHECK(*write_server_hello_done() == ByteVec{14, 0, 0, 0});
    CHECK(*write_hello_request() == ByteVec{0, 0, 0, 0});
    CHECK(parse_server_hello_done({}).ok());
    CHECK(parse_hello_request({}).ok());
    CHECK(parse_server_hello_done(ByteVec{0}).error().code == ErrorCode::decode_error);
    CHECK(parse_hello_request(ByteVec{0}).error().code == ErrorCode::decode_error);

    const ByteVec verify_data = from_hex("417308f0ad02532d6b0a8d29");  // the client Finished of the capture
    auto written = write_tls12_finished(verify_data);
    REQUIRE(written.ok());
    CHECK(*written == with_header(HandshakeType::finished, verify_data));
    auto parsed = parse_tls12_finished(verify_data);
    REQUIRE(parsed.ok());
    CHECK(vec(*parsed) == verify_data);
    check_truncations_and_trailing(verify_data, [](Bytes b) { return parse_tls12_finished(b); });
    CHECK(write_tls12_finished(ByteVec(32, 0)).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("TLS 1.2 CertificateRequest: round trips and bounds", "[handshake][tls12]") {
    const ByteVec types{64, 1};  // ecdsa_sign, rsa_sign
    const std::vector<SignatureScheme> schemes{SignatureScheme::ecdsa_secp256r1_sha256,
                                               SignatureScheme::rsa_pss_rsae_sha256};
    const std::vector<ByteVec> cas{from_hex("3021311f301d06035504030c16"), ByteVec{0x30, 0}};
    auto written = write_tls12_certificate_request(types, schemes, views(cas));
    REQUIRE(written.ok());
    CHECK(written->front() == 13);
    const ByteVec body(written->begin() + 4, written->end());
    auto cr = Tls12CertificateRequest::parse(body);
    REQUIRE(cr.ok());
    CHECK(vec(cr->certificate_types) == types);
    CHECK(cr->signature_algorithms == schemes);
    REQUIRE(cr->certificate_authorities.size() == 2);
    CHECK(vec(cr->certificate_authorities[0]) == cas[0]);
    CHECK(vec(cr->certificate_authorities[1]) == cas[1]);
    CHECK(*write_tls12_certificate_request(cr->certificate_types, cr->signature_algorithms,
                                           cr->certificate_authorities) == *written);
    check_truncations_and_trailing(body, [](Bytes b) { return Tls12CertificateRequest::parse(b); });

    // No authorities is fine; the other two lists may not be empty, nor the algorithms odd.
    auto no_cas = write_tls12_certificate_request(types, schemes, {});
    REQUIRE(no_cas.ok());
    CHECK(Tls12CertificateRequest::parse(Bytes(*no_cas).subspan(4))->certificate_authorities.empty());
    CHECK(Tls12CertificateRequest::parse(from_hex("00000204030000")).error().code == ErrorCode::decode_error);
    CHECK(Tls12CertificateRequest::parse(from_hex("014000000000")).error().code == ErrorCode::decode_error);
    CHECK(Tls12CertificateRequest::parse(from_hex("014000030403010000")).error().code == ErrorCode::decode_error);
    CHECK(Tls12CertificateRequest::parse(from_hex("01400002040300020000")).error().code ==
          ErrorCode::decode_error);  // DistinguishedName<1..>
    CHECK(write_tls12_certificate_request({}, schemes, {}).error().code == ErrorCode::invalid_argument);
    CHECK(write_tls12_certificate_request(types, {}, {}).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("TLS 1.2 Certificate: round trips, bounds, entry limit", "[handshake][tls12]") {
    const std::vector<ByteVec> chain{ByteVec(40, 0x30), ByteVec(3, 0x31)};
    auto written = write_tls12_certificate(views(chain));
    REQUIRE(written.ok());
    CHECK(written->front() == 11);
    const ByteVec body(written->begin() + 4, written->end());
    auto msg = Tls12CertificateMessage::parse(body);
    REQUIRE(msg.ok());
    REQUIRE(msg->certificates.size() == 2);
    CHECK(vec(msg->certificates[0]) == chain[0]);
    CHECK(vec(msg->certificates[1]) == chain[1]);
    check_truncations_and_trailing(body, [](Bytes b) { return Tls12CertificateMessage::parse(b); });

    CHECK(Tls12CertificateMessage::parse(ByteVec{0, 0, 0})->certificates.empty());  // an empty chain parses
    CHECK(*write_tls12_certificate({}) == ByteVec{11, 0, 0, 3, 0, 0, 0});
    CHECK(Tls12CertificateMessage::parse(ByteVec{0, 0, 3, 0, 0, 0}).error().code ==
          ErrorCode::decode_error);  // ASN.1Cert<1..>
    CHECK(Tls12CertificateMessage::parse(body, 1).error().code == ErrorCode::bad_certificate);
    CHECK(Tls12CertificateMessage::parse(body, 2).ok());
    CHECK(write_tls12_certificate({Bytes{}}).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("TLS 1.2 NewSessionTicket: round trips and bounds", "[handshake][tls12]") {
    const ByteVec ticket(100, 0xab);
    auto written = write_tls12_new_session_ticket(7200, ticket);
    REQUIRE(written.ok());
    CHECK(written->front() == 4);
    const ByteVec body(written->begin() + 4, written->end());
    auto t = Tls12NewSessionTicket::parse(body);
    REQUIRE(t.ok());
    CHECK(t->lifetime_hint == 7200);
    CHECK(vec(t->ticket) == ticket);
    check_truncations_and_trailing(body, [](Bytes b) { return Tls12NewSessionTicket::parse(b); });

    // An empty ticket (a server declining after announcing one) is allowed (RFC 5077 3.3).
    auto empty = Tls12NewSessionTicket::parse(ByteVec{0, 0, 0, 0, 0, 0});
    REQUIRE(empty.ok());
    CHECK(empty->ticket.empty());
    CHECK(*write_tls12_new_session_ticket(0, {}) == ByteVec{4, 0, 0, 6, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("renegotiation_info and ec_point_formats extension codecs", "[handshake][tls12][extensions]") {
    // The captured ServerHello's extensions: renegotiation_info "00", ec_point_formats "03000102".
    auto initial = parse_renegotiation_info(ByteVec{0});
    REQUIRE(initial.ok());
    CHECK(initial->empty());
    const ByteVec verify_data(24, 7);  // client + server verify_data on a renegotiation
    ByteVec ri{24};
    for (auto b : verify_data) ri.push_back(b);
    CHECK(vec(*parse_renegotiation_info(ri)) == verify_data);
    check_truncations_and_trailing(ri, [](Bytes b) { return parse_renegotiation_info(b); });
    ByteVec out(64);
    tls::codec::Writer w(out);
    write_renegotiation_info(w, verify_data);
    CHECK(vec(w.written()) == ri);

    const ByteVec formats = from_hex("03000102");
    auto parsed = parse_ec_point_formats(formats);
    REQUIRE(parsed.ok());
    CHECK(vec(*parsed) == ByteVec{0, 1, 2});
    check_truncations_and_trailing(formats, [](Bytes b) { return parse_ec_point_formats(b); });
    CHECK(parse_ec_point_formats(ByteVec{1, 0}).ok());
    CHECK(parse_ec_point_formats(ByteVec{0}).error().code == ErrorCode::decode_error);  // <1..255>
    CHECK(parse_ec_point_formats(ByteVec{2, 1, 2}).error().code == ErrorCode::illegal_parameter);
    ByteVec out2(16);
    tls::codec::Writer w2(out2);
    write_ec_point_formats(w2, ByteVec{0, 1, 2});
    CHECK(vec(w2.written()) == formats);
}

TEST_CASE("TLS 1.2 messages captured from OpenSSL parse and re-serialise exactly", "[handshake][tls12]") {
    const auto& ske_body = captured_server_key_exchange();
    auto ske = ServerKeyExchange::parse(ske_body);
    REQUIRE(ske.ok());
    CHECK(ske->group == NamedGroup::x25519);
    CHECK(ske->public_key.size() == 32);
    CHECK(ske->scheme == SignatureScheme::ecdsa_secp256r1_sha256);
    CHECK(ske->signature.size() == 0x48);
    CHECK(ske->params.size() == 4 + 32);
    CHECK(*write_server_key_exchange(ske->group, ske->public_key, ske->scheme, ske->signature) ==
          with_header(HandshakeType::server_key_exchange, ske_body));
    check_truncations_and_trailing(ske_body, [](Bytes b) { return ServerKeyExchange::parse(b); });

    const auto& cke_body = captured_client_key_exchange();
    auto cke = ClientKeyExchange::parse(cke_body);
    REQUIRE(cke.ok());
    CHECK(cke->public_key.size() == 32);  // x25519
    CHECK(*write_client_key_exchange(cke->public_key) == with_header(HandshakeType::client_key_exchange, cke_body));

    const auto& nst_body = captured_new_session_ticket();
    auto nst = Tls12NewSessionTicket::parse(nst_body);
    REQUIRE(nst.ok());
    CHECK(nst->lifetime_hint == 7200);  // OpenSSL's default session timeout
    CHECK(nst->ticket.size() == 0xb0);
    CHECK(*write_tls12_new_session_ticket(nst->lifetime_hint, nst->ticket) ==
          with_header(HandshakeType::new_session_ticket, nst_body));
    check_truncations_and_trailing(nst_body, [](Bytes b) { return Tls12NewSessionTicket::parse(b); });

    const auto& cert_body = captured_certificate();
    auto certs = Tls12CertificateMessage::parse(cert_body);
    REQUIRE(certs.ok());
    REQUIRE(certs->certificates.size() == 2);  // leaf-p256, intermediate
    CHECK(*write_tls12_certificate(certs->certificates) == with_header(HandshakeType::certificate, cert_body));

    // The signature covers client_random || server_random || params and verifies
    // with the leaf's key: the params view is exactly the signed bytes.
    auto leaf = tls::Certificate::from_der(certs->certificates.front());
    REQUIRE(leaf.ok());
    const Bytes client_random = Bytes(captured_client_hello()).subspan(2, 32);
    const Bytes server_random = Bytes(captured_server_hello()).subspan(2, 32);
    const auto content = server_key_exchange_signed_content(client_random, server_random, ske->params);
    AcceptAnyChain verifier;
    const auto& provider = tls::crypto::default_provider();
    CHECK(verifier.verify_signature(ske->scheme, content, ske->signature, *leaf, provider).ok());
    auto swapped = server_key_exchange_signed_content(server_random, client_random, ske->params);
    CHECK_FALSE(verifier.verify_signature(ske->scheme, swapped, ske->signature, *leaf, provider).ok());
}
