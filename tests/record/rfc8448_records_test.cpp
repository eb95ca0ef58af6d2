// RFC 8448 sections 3 to 7 (and Botan's two extra sections): with the traffic
// keys derived from the traces, every protected record decrypts to the traced
// plaintext, and the record writer encrypts that plaintext to the traced bytes.
#include <catch2/catch.hpp>

#include "handshake/key_schedule.hpp"
#include "record/handshake_joiner.hpp"
#include "record/record_reader.hpp"
#include "record/record_writer.hpp"
#include "support/rfc8448.hpp"

using namespace tls::record;
using test::ByteVec;
using test::field;

namespace {

const char* const all_sections[] = {
    "Simple_1RTT_Handshake",       "Resumed_0RTT_Handshake", "HelloRetryRequest_Handshake",
    "Client_Authentication_Handshake", "Middlebox_Compatibility_Mode",
    "Externally_Provided_PSK_with_Ephemeral_Key", "RawPublicKey_With_Client_Authentication",
};

const tls::crypto::HashDescriptor& sha256() {
    return *tls::crypto::default_provider().find(tls::crypto::HashAlgorithm::sha256);
}
const tls::crypto::AeadDescriptor& aes128gcm() {
    return *tls::crypto::default_provider().find(tls::crypto::AeadAlgorithm::aes128_gcm);
}

RecordCipher cipher_at(const tls::crypto::Secret& secret, std::uint64_t sequence) {
    auto keys = tls::handshake::derive_traffic_keys(sha256(), aes128gcm(), secret.bytes());
    REQUIRE(keys.ok());
    auto c = RecordCipher::tls13(aes128gcm(), keys->key.bytes(), keys->iv.bytes());
    REQUIRE(c.ok());
    c->set_sequence_for_testing(sequence);
    return std::move(*c);
}

ByteVec optional_field(const test::Section& s, const char* key) {
    auto it = s.find(key);
    return it == s.end() ? ByteVec{} : it->second;
}

// Seals `plaintext` as one record of `type` at `sequence` and returns the bytes.
ByteVec seal(const tls::crypto::Secret& secret, std::uint64_t sequence, ContentType type, const ByteVec& plaintext) {
    RecordWriter writer;
    writer.set_cipher(cipher_at(secret, sequence));
    REQUIRE(writer.write(type, plaintext).ok());
    auto out = writer.pending();
    return ByteVec(out.begin(), out.end());
}

ByteVec seal_alert(const tls::crypto::Secret& secret, std::uint64_t sequence, tls::Alert alert) {
    RecordWriter writer;
    writer.set_cipher(cipher_at(secret, sequence));
    REQUIRE(writer.write_alert(alert).ok());
    auto out = writer.pending();
    return ByteVec(out.begin(), out.end());
}

// Opens one record at `sequence` and returns its event.
RecordReader::Event open_one(RecordReader& reader, const tls::crypto::Secret& secret, std::uint64_t sequence,
                             const ByteVec& record) {
    reader.set_cipher(cipher_at(secret, sequence));
    REQUIRE(reader.feed(record) == record.size());
    auto e = reader.next();
    REQUIRE(e.ok());
    return *e;
}

ByteVec strip_leading_ccs(const ByteVec& records) {
    const ByteVec ccs = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
    if (records.size() > ccs.size() && std::equal(ccs.begin(), ccs.end(), records.begin()))
        return ByteVec(records.begin() + 6, records.end());
    return records;
}

}  // namespace

TEST_CASE("RFC 8448: the server's handshake flight decrypts to the traced messages and re-encrypts exactly",
          "[record][rfc8448]") {
    for (const char* name : all_sections) {
        INFO("section " << name);
        const auto& s = test::rfc8448_sections().at(name);
        auto secrets = test::rfc8448_secrets(name);
        ByteVec expected;
        for (const char* key : {"Message_EncryptedExtensions", "Message_CertificateRequest", "Message_Server_Certificate",
                                "Message_Server_CertificateVerify", "Message_Server_Finished"}) {
            auto part = optional_field(s, key);
            expected.insert(expected.end(), part.begin(), part.end());
        }
        CHECK(test::to_hex(secrets.server_flight) == test::to_hex(expected));
        const ByteVec traced = strip_leading_ccs(field(s, "Record_ServerHandshakeMessages"));
        CHECK(test::to_hex(seal(secrets.server_handshake, 0, ContentType::handshake, secrets.server_flight)) ==
              test::to_hex(traced));
    }
}

TEST_CASE("RFC 8448: the client's flight, application data and close_notify records match byte for byte",
          "[record][rfc8448]") {
    for (const char* name : all_sections) {
        INFO("section " << name);
        const auto& s = test::rfc8448_sections().at(name);
        auto secrets = test::rfc8448_secrets(name);

        // Client flight (after any EndOfEarlyData or CCS record), ending in Finished (type 20).
        ByteVec traced = strip_leading_ccs(field(s, "Record_ClientFinished"));
        if (std::string(name) == "Resumed_0RTT_Handshake") {
            const std::size_t first = 5 + (traced[3] << 8 | traced[4]);
            ByteVec eoed_record(traced.begin(), traced.begin() + static_cast<std::ptrdiff_t>(first));
            // EndOfEarlyData: the early key's second record (early data was the first).
            CHECK(test::to_hex(seal(secrets.client_early, 1, ContentType::handshake, {0x05, 0x00, 0x00, 0x00})) ==
                  test::to_hex(eoed_record));
            traced.erase(traced.begin(), traced.begin() + static_cast<std::ptrdiff_t>(first));
            // The early data itself.
            RecordReader reader;
            auto e = open_one(reader, secrets.client_early, 0, field(s, "Record_Client_EarlyAppData"));
            CHECK(e.type == ContentType::application_data);
            CHECK(test::to_hex(e.payload) == test::to_hex(field(s, "Client_EarlyAppData")));
            CHECK(test::to_hex(seal(secrets.client_early, 0, ContentType::application_data,
                                    field(s, "Client_EarlyAppData"))) ==
                  test::to_hex(field(s, "Record_Client_EarlyAppData")));
        }
        REQUIRE(secrets.client_flight.size() >= 36);
        CHECK(secrets.client_flight[secrets.client_flight.size() - 36] == 0x14);  // Finished is last
        CHECK(test::to_hex(seal(secrets.client_handshake, 0, ContentType::handshake, secrets.client_flight)) ==
              test::to_hex(traced));

        // Application epoch. Section 3's server sends NewSessionTicket first (sequence 0).
        std::uint64_t server_seq = 0, client_seq = 0;
        if (s.count("Record_NewSessionTicket")) {
            RecordReader reader;
            auto e = open_one(reader, secrets.server_application, server_seq, field(s, "Record_NewSessionTicket"));
            REQUIRE(e.type == ContentType::handshake);
            CHECK(e.payload[0] == 0x04);  // new_session_ticket
            ByteVec nst(e.payload.begin(), e.payload.end());
            CHECK(test::to_hex(seal(secrets.server_application, server_seq, ContentType::handshake, nst)) ==
                  test::to_hex(field(s, "Record_NewSessionTicket")));
            ++server_seq;
        }
        for (auto [record_key, data_key, secret, seq] :
             {std::tuple{"Record_Client_AppData", "Client_AppData", &secrets.client_application, &client_seq},
              std::tuple{"Record_Server_AppData", "Server_AppData", &secrets.server_application, &server_seq}}) {
            if (!s.count(record_key)) continue;
            RecordReader reader;
            auto e = open_one(reader, *secret, *seq, field(s, record_key));
            CHECK(e.type == ContentType::application_data);
            CHECK(test::to_hex(e.payload) == test::to_hex(field(s, data_key)));
            CHECK(test::to_hex(seal(*secret, *seq, ContentType::application_data, field(s, data_key))) ==
                  test::to_hex(field(s, record_key)));
            ++*seq;
        }
        for (auto [record_key, secret, seq] :
             {std::tuple{"Record_Client_CloseNotify", &secrets.client_application, &client_seq},
              std::tuple{"Record_Server_CloseNotify", &secrets.server_application, &server_seq}}) {
            RecordReader reader;
            auto e = open_one(reader, *secret, *seq, field(s, record_key));
            CHECK(e.status == RecordReader::Status::alert);
            CHECK(e.alert.description == tls::AlertDescription::close_notify);
            CHECK(reader.closed());
            CHECK(test::to_hex(seal_alert(*secret, *seq, {tls::AlertLevel::warning, tls::AlertDescription::close_notify})) ==
                  test::to_hex(field(s, record_key)));
        }
    }
}

TEST_CASE("RFC 8448 section 3: the joiner splits the server flight into its traced messages", "[record][rfc8448]") {
    const auto& s = test::rfc8448_sections().at("Simple_1RTT_Handshake");
    auto secrets = test::rfc8448_secrets("Simple_1RTT_Handshake");
    HandshakeJoiner joiner;
    // Push the flight one byte at a time: messages appear exactly when complete.
    std::vector<ByteVec> messages;
    for (std::uint8_t b : secrets.server_flight) {
        REQUIRE(joiner.push(tls::crypto::Bytes(&b, 1)).ok());
        while (auto m = joiner.next_message()) messages.emplace_back(m->begin(), m->end());
    }
    REQUIRE(messages.size() == 4);
    CHECK(messages[0] == field(s, "Message_EncryptedExtensions"));
    CHECK(messages[1] == field(s, "Message_Server_Certificate"));
    CHECK(messages[2] == field(s, "Message_Server_CertificateVerify"));
    CHECK(messages[3] == field(s, "Message_Server_Finished"));
    CHECK(joiner.at_boundary());
}
