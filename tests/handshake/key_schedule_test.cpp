// The staged TLS 1.3 key schedule against RFC 8448: section 3's secrets and both
// Finished messages, the resumption PSK, and section 4's PSK binder.
#include <catch2/catch.hpp>

#include "handshake/key_schedule.hpp"
#include "handshake/transcript.hpp"
#include "support/rfc8448.hpp"

using namespace tls::handshake;
using test::ByteVec;
using test::field;

namespace {

const tls::crypto::HashDescriptor& sha256() {
    return *tls::crypto::default_provider().find(tls::crypto::HashAlgorithm::sha256);
}

ByteVec without_header(const ByteVec& record) { return ByteVec(record.begin() + 5, record.end()); }

// Splits concatenated handshake messages.
std::vector<ByteVec> split_messages(const ByteVec& flight) {
    std::vector<ByteVec> out;
    std::size_t pos = 0;
    while (pos + 4 <= flight.size()) {
        const std::size_t len = static_cast<std::size_t>(flight[pos + 1] << 16 | flight[pos + 2] << 8 | flight[pos + 3]);
        out.emplace_back(flight.begin() + static_cast<std::ptrdiff_t>(pos),
                         flight.begin() + static_cast<std::ptrdiff_t>(pos + 4 + len));
        pos += 4 + len;
    }
    return out;
}

}  // namespace

TEST_CASE("RFC 8448 section 3: staged key schedule, both Finished messages, resumption PSK", "[handshake][rfc8448]") {
    const auto& s = test::rfc8448_sections().at("Simple_1RTT_Handshake");
    const auto reference = test::rfc8448_secrets("Simple_1RTT_Handshake");

    // (EC)DHE from the RNG pools (see rfc8448/README.md).
    const auto* kx = tls::crypto::default_provider().find(tls::crypto::NamedGroup::x25519);
    auto client_key = kx->from_private(tls::crypto::Bytes(field(s, "Client_RNG_Pool")).subspan(32, 32));
    auto server_key = kx->from_private(tls::crypto::Bytes(field(s, "Server_RNG_Pool")).subspan(32, 32));
    ByteVec shared(32);
    REQUIRE((*client_key)->agree((*server_key)->public_key(), shared).ok());

    Transcript transcript(sha256());
    transcript.add(without_header(field(s, "Record_ClientHello_1")));
    transcript.add(field(s, "Message_ServerHello"));
    HandshakeSecret hs = EarlySecret(sha256(), {}).into_handshake(shared);
    const auto th = transcript.current();
    CHECK(hs.server_handshake_traffic_secret(th.bytes()).bytes().size() == 32);
    CHECK(test::to_hex(hs.server_handshake_traffic_secret(th.bytes()).bytes()) ==
          test::to_hex(reference.server_handshake.bytes()));
    CHECK(test::to_hex(hs.client_handshake_traffic_secret(th.bytes()).bytes()) ==
          test::to_hex(reference.client_handshake.bytes()));

    // Server Finished over ClientHello..CertificateVerify.
    auto server_messages = split_messages(reference.server_flight);
    REQUIRE(server_messages.size() == 4);
    for (std::size_t i = 0; i < 3; ++i) transcript.add(server_messages[i]);
    const ByteVec& server_finished = server_messages[3];
    const tls::crypto::Bytes server_verify_data = tls::crypto::Bytes(server_finished).subspan(4);
    const auto s_hs = hs.server_handshake_traffic_secret(th.bytes());
    auto verified = verify_finished(sha256(), s_hs.bytes(), transcript.current().bytes(), server_verify_data);
    REQUIRE(verified.ok());
    ByteVec tampered(server_verify_data.begin(), server_verify_data.end());
    tampered[0] ^= 1;
    CHECK(verify_finished(sha256(), s_hs.bytes(), transcript.current().bytes(), tampered).error().code ==
          tls::ErrorCode::bad_signature);
    FinishedToSend ours(sha256(), s_hs.bytes(), transcript.current().bytes());
    CHECK(test::to_hex(ours.verify_data.bytes()) == test::to_hex(server_verify_data));
    transcript.add(server_finished);

    MasterSecret master = std::move(hs).into_master();
    const auto app = master.application_secrets(transcript.current().bytes(), *verified);
    CHECK(test::to_hex(app.client.bytes()) == test::to_hex(reference.client_application.bytes()));
    CHECK(test::to_hex(app.server.bytes()) == test::to_hex(reference.server_application.bytes()));
    // The server side derives the same secrets from the proof of its own Finished.
    CHECK(test::to_hex(master.application_secrets(transcript.current().bytes(), ours.sent).client.bytes()) ==
          test::to_hex(app.client.bytes()));

    // Client Finished over ClientHello..server Finished.
    auto client_messages = split_messages(reference.client_flight);
    REQUIRE(client_messages.size() == 1);
    const auto c_hs = test::rfc8448_secrets("Simple_1RTT_Handshake").client_handshake;
    auto client_verified = verify_finished(sha256(), c_hs.bytes(), transcript.current().bytes(),
                                           tls::crypto::Bytes(client_messages[0]).subspan(4));
    REQUIRE(client_verified.ok());
    transcript.add(client_messages[0]);
    CHECK(test::to_hex(master.resumption_master_secret(transcript.current().bytes(), *client_verified).bytes()) ==
          test::to_hex(reference.resumption_master.bytes()));
}

TEST_CASE("RFC 8448 section 4: the resumption PSK checks the ClientHello binder", "[handshake][rfc8448]") {
    const auto& s = test::rfc8448_sections().at("Resumed_0RTT_Handshake");
    const auto first = test::rfc8448_secrets("Simple_1RTT_Handshake");
    tls::crypto::Secret psk;
    const std::uint8_t nonce[] = {0, 0};
    REQUIRE(hkdf_expand_label(sha256(), first.resumption_master.bytes(), "resumption", nonce, psk.resize(32)).ok());

    // The ClientHello ends with the binders: u16 list length, u8 binder length, 32 bytes.
    const ByteVec ch = without_header(field(s, "Record_ClientHello_1"));
    REQUIRE(ch.size() > 35);
    const tls::crypto::Bytes binder = tls::crypto::Bytes(ch).last(32);
    CHECK(ch[ch.size() - 33] == 32);
    Transcript truncated(sha256());
    truncated.add(tls::crypto::Bytes(ch).first(ch.size() - 35));
    EarlySecret early(sha256(), psk.bytes());
    const auto binder_key = early.binder_key(true);
    CHECK(verify_finished(sha256(), binder_key.bytes(), truncated.current().bytes(), binder).ok());
    CHECK_FALSE(verify_finished(sha256(), early.binder_key(false).bytes(), truncated.current().bytes(), binder).ok());

    // The early traffic secret from the full ClientHello matches the trace's.
    Transcript full(sha256());
    full.add(ch);
    CHECK(test::to_hex(early.client_early_traffic_secret(full.current().bytes()).bytes()) ==
          test::to_hex(test::rfc8448_secrets("Resumed_0RTT_Handshake").client_early.bytes()));
}

TEST_CASE("HelloRetryRequest replaces ClientHello1 with message_hash", "[handshake]") {
    const auto& s = test::rfc8448_sections().at("HelloRetryRequest_Handshake");
    const ByteVec ch1 = without_header(field(s, "Record_ClientHello_1"));
    Transcript t(sha256());
    t.add(ch1);
    t.replace_with_message_hash();
    ByteVec expected = {0xfe, 0, 0, 32};
    ByteVec h(32);
    tls::crypto::Hash::digest(sha256(), ch1, h);
    expected.insert(expected.end(), h.begin(), h.end());
    ByteVec eh(32);
    tls::crypto::Hash::digest(sha256(), expected, eh);
    CHECK(test::to_hex(t.current().bytes()) == test::to_hex(eh));
}

TEST_CASE("KeyUpdate derives the next traffic secret", "[handshake]") {
    const ByteVec secret(32, 0x11);
    auto next = next_traffic_secret(sha256(), secret);
    tls::crypto::Secret expected;
    REQUIRE(hkdf_expand_label(sha256(), secret, "traffic upd", {}, expected.resize(32)).ok());
    CHECK(test::to_hex(next.bytes()) == test::to_hex(expected.bytes()));
    CHECK(test::to_hex(next_traffic_secret(sha256(), next.bytes()).bytes()) != test::to_hex(next.bytes()));
}
