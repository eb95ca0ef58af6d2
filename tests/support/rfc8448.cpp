#include "support/rfc8448.hpp"

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "handshake/key_schedule.hpp"
#include "record/record_reader.hpp"

namespace test {
namespace {

using namespace tls::crypto;

std::string strip(const std::string& s) {
    std::string out;
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    return out;
}

bool is_text_key(const std::string& key) {
    return key == "CurrentTimestamp" || key == "PskIdentity" || key == "PskPRF";
}

std::map<std::string, Section> load() {
    const std::string path = std::string(CORDON_TESTDATA_DIR) + "/rfc8448/transcripts.vec";
    std::ifstream in(path);
    INFO("RFC 8448 traces at " << path);
    REQUIRE(in.good());
    std::map<std::string, Section> sections;
    std::string line, current;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            current = line.substr(1, line.find(']') - 1);
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        const std::string key = strip(line.substr(0, eq));
        const std::string value = strip(line.substr(eq + 1));
        if (is_text_key(key)) {
            sections[current][key] = ByteVec(value.begin(), value.end());
        } else {
            sections[current][key] = from_hex(value);
        }
    }
    // README: restore the RFC's own section 4 server flight.
    auto& s4 = sections["Resumed_0RTT_Handshake"];
    s4["Record_ServerHandshakeMessages"] = from_hex(
        "1703030061dc48237b4b879f50d0d4d262ea8b4716eb40ddc1eb957e11126e8a7149c2d012d37a7115957e64ce30008b9e0323f2c05a9c"
        "1c77b4f37849a695ab255060a33fee770ca95cb8486bfd0843b87024865ca35cc41c4e515c64dcb1369f98635bc7a5");
    s4["Message_EncryptedExtensions"] =
        from_hex("080000280026000a00140012001d00170018001901000101010201030104001c0002400100000000002a0000");
    return sections;
}

const HashDescriptor& sha256() { return *default_provider().find(HashAlgorithm::sha256); }
const AeadDescriptor& aes128gcm() { return *default_provider().find(AeadAlgorithm::aes128_gcm); }

ByteVec hash_of(const ByteVec& data) {
    ByteVec out(32);
    Hash::digest(sha256(), data, out);
    return out;
}

ByteVec concat(std::initializer_list<const ByteVec*> parts) {
    ByteVec out;
    for (const auto* p : parts) out.insert(out.end(), p->begin(), p->end());
    return out;
}

ByteVec without_record_header(const ByteVec& record) { return ByteVec(record.begin() + 5, record.end()); }

Secret derive(const Secret& secret, const char* label, const ByteVec& transcript_hash) {
    Secret out;
    REQUIRE(tls::handshake::derive_secret(sha256(), secret.bytes(), label, transcript_hash, out.resize(32)).ok());
    return out;
}

Secret extract(const Secret& salt, Bytes ikm) {
    Secret out;
    hkdf_extract(sha256(), salt.bytes(), ikm, out.resize(32));
    return out;
}

tls::record::RecordCipher cipher_for(const Secret& traffic_secret) {
    auto keys = tls::handshake::derive_traffic_keys(sha256(), aes128gcm(), traffic_secret.bytes());
    REQUIRE(keys.ok());
    auto c = tls::record::RecordCipher::tls13(aes128gcm(), keys->key.bytes(), keys->iv.bytes());
    REQUIRE(c.ok());
    return std::move(*c);
}

// Decrypts every record in `records` under `secret` (dropping a compatibility
// CCS) and returns the concatenated handshake payloads.
ByteVec decrypt_handshake(const ByteVec& records, const Secret& secret) {
    tls::record::RecordReader reader;
    reader.allow_compatibility_ccs(true);
    reader.set_cipher(cipher_for(secret));
    REQUIRE(reader.feed(records) == records.size());
    ByteVec out;
    for (;;) {
        auto e = reader.next();
        REQUIRE(e.ok());
        if (e->status == tls::record::RecordReader::Status::need_more) break;
        REQUIRE(e->status == tls::record::RecordReader::Status::record);
        REQUIRE(e->type == tls::record::ContentType::handshake);
        out.insert(out.end(), e->payload.begin(), e->payload.end());
    }
    return out;
}

}  // namespace

const std::map<std::string, Section>& rfc8448_sections() {
    static const std::map<std::string, Section> sections = load();
    return sections;
}

const ByteVec& field(const Section& section, const std::string& key) {
    auto it = section.find(key);
    INFO("RFC 8448 field " << key);
    REQUIRE(it != section.end());
    return it->second;
}

Rfc8448Secrets rfc8448_secrets(const std::string& name) {
    const auto& all = rfc8448_sections();
    const Section& s = all.at(name);
    const ByteVec& client_pool = field(s, "Client_RNG_Pool");
    const ByteVec& server_pool = field(s, "Server_RNG_Pool");

    // (EC)DHE: x25519 everywhere but section 5 (P-256 after the HRR). README lists
    // where each private key sits in the RNG pools.
    const bool hrr = name == "HelloRetryRequest_Handshake";
    const NamedGroup group = hrr ? NamedGroup::secp256r1 : NamedGroup::x25519;
    const std::size_t client_key_at = hrr ? client_pool.size() - 32 : name == "Middlebox_Compatibility_Mode" ? 64 : 32;
    const auto* kx = default_provider().find(group);
    auto client_key = kx->from_private(Bytes(client_pool).subspan(client_key_at, 32));
    auto server_key = kx->from_private(Bytes(server_pool).subspan(32, 32));
    REQUIRE(client_key.ok());
    REQUIRE(server_key.ok());
    ByteVec shared(kx->shared_secret_size), shared2(kx->shared_secret_size);
    REQUIRE((*client_key)->agree((*server_key)->public_key(), shared).ok());
    REQUIRE((*server_key)->agree((*client_key)->public_key(), shared2).ok());
    REQUIRE(shared == shared2);

    // PSK: section 4 resumes section 3's session (ticket_nonce 0000); the
    // Botan-made external-PSK section uses PskSecret.
    Secret psk;
    if (name == "Resumed_0RTT_Handshake") {
        auto first = rfc8448_secrets("Simple_1RTT_Handshake");
        const std::uint8_t nonce[] = {0x00, 0x00};
        REQUIRE(tls::handshake::hkdf_expand_label(sha256(), first.resumption_master.bytes(), "resumption", nonce,
                                                  psk.resize(32))
                    .ok());
    } else if (name == "Externally_Provided_PSK_with_Ephemeral_Key") {
        psk.assign(field(s, "PskSecret"));
    }
    const ByteVec zeros(32, 0);
    const ByteVec empty_hash = hash_of({});
    Secret early = extract(Secret(), psk.empty() ? Bytes(zeros) : psk.bytes());

    // Transcript up to ServerHello. Section 5: message_hash(CH1) || HRR || CH2 (RFC 8446 4.4.1).
    ByteVec transcript;
    if (hrr) {
        ByteVec ch1 = without_record_header(field(s, "Record_ClientHello_1"));
        ByteVec message_hash = {0xfe, 0x00, 0x00, 0x20};
        ByteVec h1 = hash_of(ch1);
        message_hash.insert(message_hash.end(), h1.begin(), h1.end());
        ByteVec hrr_msg = without_record_header(field(s, "Record_HelloRetryRequest"));
        ByteVec ch2 = without_record_header(field(s, "Record_ClientHello_2"));
        transcript = concat({&message_hash, &hrr_msg, &ch2});
    } else {
        transcript = without_record_header(field(s, "Record_ClientHello_1"));
    }
    Rfc8448Secrets out;
    out.client_early = derive(early, "c e traffic", hash_of(transcript));
    transcript = concat({&transcript, &field(s, "Message_ServerHello")});

    Secret handshake = extract(derive(early, "derived", empty_hash), shared);
    out.client_handshake = derive(handshake, "c hs traffic", hash_of(transcript));
    out.server_handshake = derive(handshake, "s hs traffic", hash_of(transcript));

    out.server_flight = decrypt_handshake(field(s, "Record_ServerHandshakeMessages"), out.server_handshake);
    transcript = concat({&transcript, &out.server_flight});
    Secret master = extract(derive(handshake, "derived", empty_hash), zeros);
    out.client_application = derive(master, "c ap traffic", hash_of(transcript));
    out.server_application = derive(master, "s ap traffic", hash_of(transcript));

    // The client's flight: section 4 starts it with EndOfEarlyData under the early key.
    ByteVec client_records = field(s, "Record_ClientFinished");
    if (name == "Resumed_0RTT_Handshake") {
        // EndOfEarlyData is the first record (sequence 1 of the early key: early data was 0).
        const std::size_t first_len = 5 + (client_records[3] << 8 | client_records[4]);
        ByteVec eoed_record(client_records.begin(), client_records.begin() + static_cast<std::ptrdiff_t>(first_len));
        ByteVec early_stream = concat({&field(s, "Record_Client_EarlyAppData"), &eoed_record});
        tls::record::RecordReader reader;
        reader.set_cipher(cipher_for(out.client_early));
        REQUIRE(reader.feed(early_stream) == early_stream.size());
        auto data = reader.next();
        REQUIRE(data.ok());
        REQUIRE(data->type == tls::record::ContentType::application_data);
        auto eoed = reader.next();
        REQUIRE(eoed.ok());
        REQUIRE(eoed->type == tls::record::ContentType::handshake);
        ByteVec eoed_msg(eoed->payload.begin(), eoed->payload.end());
        transcript = concat({&transcript, &eoed_msg});
        client_records.erase(client_records.begin(), client_records.begin() + static_cast<std::ptrdiff_t>(first_len));
    }
    out.client_flight = decrypt_handshake(client_records, out.client_handshake);
    transcript = concat({&transcript, &out.client_flight});
    out.resumption_master = derive(master, "res master", hash_of(transcript));
    return out;
}

}  // namespace test
