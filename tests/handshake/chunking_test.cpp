// Connections under hostile chunking and long exchanges, and peers that break
// the protocol:
//  - a recorded handshake (deterministic RNG and clock) replayed with every
//    flight split at every byte position, and one byte at a time: the receiver
//    ends in the same state and answers with the identical next flight;
//  - 2,000 random writes in random directions, moved in random chunk sizes,
//    then a close from both sides at once: every byte arrives, in order;
//  - crafted records and messages (built with src/handshake's codecs) that must
//    fail with the exact alert RFC 8446 names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "handshake/cipher_suites.hpp"
#include "handshake/client_handshake.hpp"
#include "handshake/client_session.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/connection_test_support.hpp"
#include "support/hex.hpp"
#include "handshake/hello.hpp"
#include "handshake/key_schedule.hpp"
#include "handshake/messages.hpp"
#include "record/record_cipher.hpp"

using tls::AlertDescription;
using tls::CipherSuite;
using tls::Connection;
using tls::ErrorCode;
using tls::crypto::Bytes;
using tls::crypto::NamedGroup;
namespace hs = tls::handshake;

namespace {

using Buffer = std::vector<std::uint8_t>;

// The default verifier with its answers remembered: a replayed handshake asks
// the same questions with the same bytes, so only the first one pays for the
// chain validation and the signature checks (the replays stay fast under ASan).
class MemoizingVerifier final : public tls::ServerCertificateVerifier {
public:
    explicit MemoizingVerifier(tls::TrustStore roots) : inner_(tls::webpki_server_verifier(std::move(roots))) {}

    tls::Result<void> verify_chain(std::span<const tls::Certificate> chain, std::string_view server_name,
                                   std::int64_t now) const override {
        std::string key(server_name);
        key += '|' + std::to_string(now);
        for (const auto& cert : chain) key += '|' + std::string(cert.der().begin(), cert.der().end());
        return remember(chains_, key, [&] { return inner_->verify_chain(chain, server_name, now); });
    }
    tls::Result<void> verify_signature(tls::crypto::SignatureScheme scheme, Bytes message, Bytes signature,
                                       const tls::Certificate& leaf,
                                       const tls::crypto::CryptoProvider& provider) const override {
        std::string key = std::to_string(static_cast<unsigned>(scheme));
        for (Bytes part : {message, signature, leaf.der()}) key += '|' + std::string(part.begin(), part.end());
        return remember(signatures_, key,
                        [&] { return inner_->verify_signature(scheme, message, signature, leaf, provider); });
    }

private:
    template <class F>
    static tls::Result<void> remember(std::map<std::string, tls::Result<void>>& memo, const std::string& key, F&& verify) {
        auto it = memo.find(key);
        if (it == memo.end()) it = memo.emplace(key, verify()).first;
        return it->second;
    }

    std::shared_ptr<const tls::ServerCertificateVerifier> inner_;
    mutable std::map<std::string, tls::Result<void>> chains_;
    mutable std::map<std::string, tls::Result<void>> signatures_;
};

// Configurations whose connections all start from the same RNG state: each
// new_client()/new_server() rewinds that side's RNG first.
class Deterministic {
public:
    Deterministic(tls::ClientSettings cs, tls::ServerSettings ss) {
        cs.rng = &client_rng_;
        ss.rng = &server_rng_;
        if (!cs.verifier) cs.verifier = std::make_shared<MemoizingVerifier>(cs.roots);
        client_ = test::client_config(std::move(cs));
        server_ = test::server_config(std::move(ss));
    }
    Deterministic(const Deterministic&) = delete;
    Deterministic& operator=(const Deterministic&) = delete;

    Connection new_client() {
        client_rng_ = test::TestRng(client_seed);  // rewind
        // Sessions from earlier runs would change the ClientHello: each run starts
        // with none, or with the one frozen by freeze_session().
        if (auto& cache = client_->settings().session_cache) {
            cache->remove("localhost");
            if (frozen_) cache->store("localhost", frozen_);
        }
        auto c = Connection::client(client_, "localhost");
        REQUIRE(c);
        return std::move(*c);
    }
    Connection new_server() {
        server_rng_ = test::TestRng(server_seed);
        auto s = Connection::server(server_);
        REQUIRE(s);
        return std::move(*s);
    }
    const std::shared_ptr<const tls::ClientConfig>& client_config() const { return client_; }
    // Every client from now on starts with the session the cache holds now.
    void freeze_session() { frozen_ = client_->settings().session_cache->find("localhost"); }

private:
    // Reproducible streams (test/support), so two runs of a handshake are
    // identical byte for byte: randoms, key shares, signatures.
    std::shared_ptr<const tls::ClientSession> frozen_;
    static constexpr std::uint64_t client_seed = 0x636c69656e74ull;
    static constexpr std::uint64_t server_seed = 0x736572766572ull;
    test::TestRng client_rng_{client_seed};
    test::TestRng server_rng_{server_seed};
    std::shared_ptr<const tls::ClientConfig> client_;
    std::shared_ptr<const tls::ServerConfig> server_;
};

Buffer to_buffer(Bytes b) {
    Buffer out;
    out.reserve(b.size());
    for (auto byte : b) out.push_back(byte);
    return out;
}

Bytes view(const std::string& s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

// Everything the connection wants sent, taken out of it.
template <class C>
Buffer drain(C& c) {
    Buffer out = to_buffer(c.pending_output());
    c.consume_output(out.size());
    return out;
}

// Feeds data in calls of at most `chunk` bytes; false if the connection stopped taking bytes.
template <class C>
bool feed_all(C& c, Bytes data, std::size_t chunk = SIZE_MAX) {
    std::size_t offset = 0;
    while (offset < data.size()) {
        const std::size_t took = c.feed(data.subspan(offset, std::min(chunk, data.size() - offset)));
        if (took == 0) return false;
        offset += took;
    }
    return true;
}

std::string describe(const Connection& c) {
    if (auto* e = c.error()) return e->message + " (" + tls::to_string(e->code) + ")";
    return tls::to_string(c.state());
}

// What a connection settled, compared between runs.
struct Snapshot {
    Connection::State state{};
    bool complete = false;
    std::optional<tls::ProtocolVersion> version;
    std::optional<CipherSuite> suite;
    std::optional<NamedGroup> group;
    std::optional<tls::crypto::SignatureScheme> scheme;
    std::string alpn;
    std::string server_name;
    bool hello_retry_request = false;
    bool resumed = false;
    std::vector<Buffer> peer_chain;
    std::optional<ErrorCode> error;

    bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const Connection& c) {
    Snapshot s;
    s.state = c.state();
    s.complete = c.handshake_complete();
    s.version = c.version();
    s.suite = c.cipher_suite();
    s.group = c.group();
    s.scheme = c.signature_scheme();
    s.alpn = std::string(c.alpn_protocol());
    s.server_name = std::string(c.server_name());
    s.hello_retry_request = c.hello_retry_request();
    s.resumed = c.resumed();
    for (const auto& cert : c.peer_certificates()) s.peer_chain.push_back(to_buffer(cert.der()));
    if (c.error()) s.error = c.error()->code;
    return s;
}

// A handshake as the wire saw it: the flights in order, and each receiver's
// state right after it processed its flight.
struct Flight {
    bool from_client;
    Buffer bytes;
    Snapshot receiver_after;
};

std::vector<Flight> record_handshake(Deterministic& d, Snapshot& client_end, Snapshot& server_end) {
    Connection client = d.new_client();
    Connection server = d.new_server();
    std::vector<Flight> flights;
    bool client_turn = true;
    for (int i = 0; i < 16; ++i) {
        Connection& from = client_turn ? client : server;
        Connection& to = client_turn ? server : client;
        Buffer bytes = drain(from);
        if (bytes.empty()) break;
        REQUIRE(feed_all(to, bytes));
        flights.push_back(Flight{client_turn, std::move(bytes), snapshot(to)});
        client_turn = !client_turn;
    }
    INFO("client: " << describe(client) << ", server: " << describe(server));
    REQUIRE(client.state() == Connection::State::established);
    REQUIRE(server.state() == Connection::State::established);
    client_end = snapshot(client);
    server_end = snapshot(server);
    return flights;
}

// How the bytes of one flight are handed over.
struct Split {
    std::size_t at;     // feed [0, at) then [at, n)
    std::size_t chunk;  // or, with at == 0, `chunk` bytes per call
};

// A fresh receiver of flights[i], brought to its state before that flight by
// replaying the earlier flights whole, then fed flights[i] as `split` says.
// Returns a description of the first difference from the recorded run, or "".
std::string replay(Deterministic& d, const std::vector<Flight>& flights, std::size_t i, Split split) {
    const bool receiver_is_client = !flights[i].from_client;
    Connection c = receiver_is_client ? d.new_client() : d.new_server();
    for (std::size_t j = 0; j < i; ++j) {
        if (flights[j].from_client == receiver_is_client) {
            if (drain(c) != flights[j].bytes) return "the receiver's own flight " + std::to_string(j) + " differs";
        } else if (!feed_all(c, flights[j].bytes)) {
            return "the receiver stopped taking flight " + std::to_string(j) + ": " + describe(c);
        }
    }
    const Bytes bytes = flights[i].bytes;
    const bool fed = split.at != 0 ? feed_all(c, bytes.first(split.at)) && feed_all(c, bytes.subspan(split.at))
                                   : feed_all(c, bytes, split.chunk);
    if (!fed) return "the receiver stopped taking the split flight: " + describe(c);
    const Buffer answer = drain(c);
    const Buffer expected = i + 1 < flights.size() ? flights[i + 1].bytes : Buffer{};
    if (answer != expected) return "the next flight differs (" + std::to_string(answer.size()) + " bytes)";
    if (!(snapshot(c) == flights[i].receiver_after)) return "the receiver ends in another state: " + describe(c);
    return {};
}

// Every split point of every flight, and one byte at a time.
void check_every_chunking(Deterministic& d, std::size_t expected_flights) {
    Snapshot client_end, server_end;
    // The server draws its ticket keys at its first ticket: after a warm-up
    // run, every recorded run draws the same randomness.
    record_handshake(d, client_end, server_end);
    const auto flights = record_handshake(d, client_end, server_end);
    REQUIRE(flights.size() == expected_flights);
    // Both sides agree on what they negotiated.
    CHECK(client_end.version == server_end.version);
    CHECK(client_end.suite == server_end.suite);
    CHECK(client_end.group == server_end.group);
    CHECK(client_end.scheme == server_end.scheme);
    CHECK(client_end.alpn == server_end.alpn);
    CHECK(client_end.server_name == server_end.server_name);
    CHECK(client_end.hello_retry_request == server_end.hello_retry_request);
    CHECK(client_end.resumed == server_end.resumed);
    // The last flight leaves each side in its final state.
    CHECK(flights.back().receiver_after == (flights.back().from_client ? server_end : client_end));
    CHECK(flights[flights.size() - 2].receiver_after == (flights.back().from_client ? client_end : server_end));

    for (std::size_t i = 0; i < flights.size(); ++i) {
        const std::size_t n = flights[i].bytes.size();
        std::size_t failures = 0;
        std::string first_failure;
        auto run = [&](Split split) {
            std::string why = replay(d, flights, i, split);
            if (why.empty()) return;
            if (failures++ == 0)
                first_failure = why + " (split at " + std::to_string(split.at) + ", chunk " + std::to_string(split.chunk) + ")";
        };
        for (std::size_t k = 1; k < n; ++k) run(Split{k, SIZE_MAX});
        run(Split{0, 1});
        run(Split{0, 7});
        INFO("flight " << i << " (" << (flights[i].from_client ? "client" : "server") << ", " << n
                       << " bytes): " << failures << " of " << n + 1 << " chunkings differ; first: " << first_failure);
        CHECK(failures == 0);
    }
}

}  // namespace

TEST_CASE("every chunking of every handshake flight gives the same result", "[connection][chunking]") {
    auto cs = test::client_settings();
    auto ss = test::server_settings();
    cs.alpn = {"h2", "http/1.1"};
    ss.alpn = {"http/1.1"};
    SECTION("1-RTT, P-256 certificate, ALPN") {
        Deterministic d(cs, ss);
        check_every_chunking(d, 4);  // ClientHello; ServerHello..Finished; Finished; NewSessionTickets
    }
    SECTION("HelloRetryRequest, AES-256-GCM, Ed25519 certificate") {
        // The client's P-256 share is refused; the server asks for X25519.
        cs.groups = {NamedGroup::secp256r1, NamedGroup::x25519};
        ss = test::server_settings("leaf-ed25519");
        ss.alpn = {"http/1.1"};
        ss.groups = {NamedGroup::x25519};
        ss.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        Deterministic d(cs, ss);
        check_every_chunking(d, 6);  // ClientHello; HRR; ClientHello; ServerHello..Finished; Finished; tickets
    }
    SECTION("TLS 1.2 full handshake, ECDHE-RSA with ChaCha20-Poly1305, RSA certificate") {
        cs.versions = {tls::ProtocolVersion::tls12};
        ss = test::server_settings("leaf-rsa2048");
        ss.alpn = {"http/1.1"};
        ss.cipher_suites = {CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256};
        Deterministic d(cs, ss);
        // ClientHello; ServerHello..ServerHelloDone; ClientKeyExchange, CCS, Finished;
        // NewSessionTicket, CCS, Finished
        check_every_chunking(d, 4);
    }
    SECTION("TLS 1.2 resumption with a ticket, AES-256-GCM") {
        cs.versions = {tls::ProtocolVersion::tls12};
        ss.cipher_suites = {CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384};
        Deterministic d(cs, ss);
        // A full handshake draws the ticket keys and leaves a session in the
        // client's cache; every run after it starts from that session.
        Snapshot client_end, server_end;
        record_handshake(d, client_end, server_end);
        CHECK_FALSE(client_end.resumed);
        d.freeze_session();
        // ClientHello; ServerHello, NewSessionTicket, CCS, Finished; CCS, Finished
        check_every_chunking(d, 3);
    }
    SECTION("TLS 1.3 resumption with a ticket (psk_dhe_ke)") {
        Deterministic d(cs, ss);
        // As for TLS 1.2 (each run takes the ticket out; freezing puts it back).
        Snapshot client_end, server_end;
        record_handshake(d, client_end, server_end);
        CHECK_FALSE(client_end.resumed);
        d.freeze_session();
        // ClientHello with the PSK; ServerHello, EncryptedExtensions, Finished; Finished; tickets
        check_every_chunking(d, 4);
    }
}

TEST_CASE("the deterministic set-up replays byte for byte", "[connection][chunking]") {
    Deterministic d(test::client_settings(), test::server_settings());
    Snapshot c1, s1, c2, s2;
    record_handshake(d, c1, s1);  // draws the server's ticket keys
    const auto a = record_handshake(d, c1, s1);
    const auto b = record_handshake(d, c2, s2);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].bytes == b[i].bytes);
    CHECK(c1 == c2);
    CHECK(s1 == s2);
}

TEST_CASE("random writes in random directions and chunk sizes arrive in order", "[connection][chunking]") {
    std::mt19937 rng(20260601);
    Deterministic d(test::client_settings(), test::server_settings());
    Connection client = d.new_client();
    Connection server = d.new_server();
    test::pump(client, server);
    REQUIRE(client.state() == Connection::State::established);
    REQUIRE(server.state() == Connection::State::established);

    Connection* sides[2] = {&client, &server};
    std::string in_flight[2];     // [0]: written by the client, not yet read by the server
    std::size_t delivered[2] = {0, 0};
    std::size_t written[2] = {0, 0};
    std::uniform_int_distribution<std::size_t> write_size(0, 40000);
    std::uniform_int_distribution<std::size_t> chunk_size(1, 20000);
    std::string mismatch;

    auto receive = [&](int dir) {
        const std::string got = test::take_received(*sides[1 - dir]);
        if (got.empty()) return;
        if (got.size() > in_flight[dir].size() || in_flight[dir].compare(0, got.size(), got) != 0) {
            if (mismatch.empty()) mismatch = "direction " + std::to_string(dir) + " at byte " + std::to_string(delivered[dir]);
        }
        in_flight[dir].erase(0, std::min(got.size(), in_flight[dir].size()));
        delivered[dir] += got.size();
    };
    auto move = [&](int dir) {
        test::transfer(*sides[dir], *sides[1 - dir], chunk_size(rng));
        receive(dir);
    };
    // Random content: slices of a random megabyte at random offsets.
    std::string pool(1u << 20, '\0');
    for (auto& ch : pool) ch = static_cast<char>(rng());
    auto write_random = [&](int dir) {
        const std::size_t n = write_size(rng);
        std::string data = pool.substr(std::uniform_int_distribution<std::size_t>(0, pool.size() - n)(rng), n);
        REQUIRE(sides[dir]->write(view(data)));
        in_flight[dir] += data;
        written[dir] += data.size();
    };

    for (int step = 0; step < 2000; ++step) {
        const int dir = static_cast<int>(rng() & 1);
        write_random(dir);
        // Output may pile up over several writes before it moves, in either direction.
        const std::uint32_t r = rng();
        if (r & 1) move(dir);
        if (r & 2) move(1 - dir);
        if (!mismatch.empty()) break;
    }
    // Both sides write once more and close before either sees the other's bytes.
    write_random(0);
    client.close();
    write_random(1);
    server.close();
    move(0);
    move(1);
    INFO("client: " << describe(client) << ", server: " << describe(server));
    CHECK(mismatch.empty());
    CHECK(delivered[0] == written[0]);
    CHECK(delivered[1] == written[1]);
    CHECK(in_flight[0].empty());
    CHECK(in_flight[1].empty());
    CHECK(client.state() == Connection::State::closed);
    CHECK(server.state() == Connection::State::closed);
    CHECK(client.error() == nullptr);
    CHECK(server.error() == nullptr);
}

// --- Misbehaving peers ----------------------------------------------------------

namespace {

// A record with a 5-byte header around payload.
Buffer make_record(std::uint8_t type, Bytes payload, std::uint16_t version = 0x0303) {
    Buffer r;
    r.reserve(payload.size() + 5);
    r.push_back(type);
    r.push_back(static_cast<std::uint8_t>(version >> 8));
    r.push_back(static_cast<std::uint8_t>(version));
    r.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
    r.push_back(static_cast<std::uint8_t>(payload.size()));
    for (auto b : payload) r.push_back(b);
    return r;
}

Buffer handshake_record(Bytes message) { return make_record(22, message); }

// The plaintext fatal alert a side sends before it has keys.
Buffer plaintext_alert(AlertDescription description) {
    return Buffer{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, static_cast<std::uint8_t>(description)};
}

// The connection failed with `code` and queued exactly the plaintext alert for it.
void check_plaintext_failure(const Connection& c, ErrorCode code, AlertDescription alert) {
    INFO(describe(c));
    REQUIRE(c.state() == Connection::State::failed);
    REQUIRE(c.error() != nullptr);
    CHECK(c.error()->code == code);
    CHECK(c.error()->alert_sent == alert);
    CHECK(to_buffer(c.pending_output()) == plaintext_alert(alert));
}

// A real client's first ClientHello (one record), rebuilt after `edit` changed
// its fields or its extension list. An edit that changes nothing gives the same bytes.
using ClientHelloEdit = std::function<void(hs::ClientHello&, std::vector<hs::Extension>&)>;

Buffer edit_client_hello_message(const Buffer& message, const ClientHelloEdit& edit) {
    auto parsed = hs::parse_handshake_message(message);
    REQUIRE(parsed);
    auto ch = hs::ClientHello::parse(parsed->body);
    REQUIRE(ch);
    std::vector<hs::Extension> extensions(ch->extensions.all().begin(), ch->extensions.all().end());
    edit(*ch, extensions);
    auto out = hs::write_to_vector(message.size() + 64, [&](tls::codec::Writer& w) {
        hs::write_client_hello(w, *ch, extensions);
    });
    REQUIRE(out);
    return *out;
}

Buffer client_hello_record(Deterministic& d, const ClientHelloEdit& edit) {
    Connection client = d.new_client();
    const Buffer record = drain(client);
    REQUIRE(record.size() > 5);
    const Buffer message(record.begin() + 5, record.end());
    return handshake_record(edit_client_hello_message(message, edit));
}

void remove_extension(std::vector<hs::Extension>& list, hs::ExtensionType type) {
    list.erase(std::remove_if(list.begin(), list.end(), [&](const hs::Extension& e) { return e.type == type; }),
               list.end());
}

// A length-prefixed list (prefix_size 0: the list has no prefix) with `first`
// put in front of its items.
Buffer prepend_to_list(Bytes list, std::size_t prefix_size, std::initializer_list<std::uint8_t> first) {
    Buffer out;
    const std::size_t size = list.size() - prefix_size + first.size();
    for (std::size_t i = prefix_size; i > 0; --i) out.push_back(static_cast<std::uint8_t>(size >> (8 * (i - 1))));
    for (auto b : first) out.push_back(b);
    for (std::size_t i = prefix_size; i < list.size(); ++i) out.push_back(list[i]);
    return out;
}

}  // namespace

TEST_CASE("misbehaving peers get the exact alert", "[connection][alerts]") {
    Deterministic d(test::client_settings(), test::server_settings());

    SECTION("a record of an unknown content type is unexpected_message") {
        Connection server = d.new_server();
        const std::uint8_t junk[] = {0x63, 0x03, 0x03, 0x00, 0x01, 0x00};
        feed_all(server, junk);
        check_plaintext_failure(server, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
    }
    SECTION("application data before the handshake is unexpected_message") {
        const std::uint8_t data[] = {1, 2, 3, 4, 5};
        const Buffer record = make_record(23, data);
        Connection server = d.new_server();
        feed_all(server, record);
        check_plaintext_failure(server, ErrorCode::unexpected_message, AlertDescription::unexpected_message);

        Connection client = d.new_client();
        (void)drain(client);
        feed_all(client, record);
        check_plaintext_failure(client, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
    }
    SECTION("the unchanged ClientHello is answered (control for the cases below)") {
        Connection server = d.new_server();
        REQUIRE(feed_all(server, client_hello_record(d, [](auto&, auto&) {})));
        INFO(describe(server));
        CHECK(server.state() == Connection::State::handshaking);
        const Buffer out = drain(server);
        REQUIRE(out.size() > 5);
        CHECK(out[0] == 22);
        CHECK(out[5] == 2);  // ServerHello
    }
    SECTION("a TLS 1.1 ClientHello (no supported_versions, legacy_version 0x0302) is protocol_version") {
        Connection server = d.new_server();
        feed_all(server, client_hello_record(d, [](hs::ClientHello& ch, std::vector<hs::Extension>& ext) {
                     ch.legacy_version = 0x0302;
                     remove_extension(ext, hs::ExtensionType::supported_versions);
                 }));
        check_plaintext_failure(server, ErrorCode::protocol_version, AlertDescription::protocol_version);
    }
    SECTION("a ClientHello without key_share is missing_extension") {
        Connection server = d.new_server();
        feed_all(server, client_hello_record(d, [](auto&, std::vector<hs::Extension>& ext) {
                     remove_extension(ext, hs::ExtensionType::key_share);
                 }));
        check_plaintext_failure(server, ErrorCode::missing_extension, AlertDescription::missing_extension);
    }
    SECTION("a ClientHello with an extension twice is illegal_parameter") {
        Connection server = d.new_server();
        feed_all(server, client_hello_record(d, [](auto&, std::vector<hs::Extension>& ext) {
                     auto it = std::find_if(ext.begin(), ext.end(), [](const hs::Extension& e) {
                         return e.type == hs::ExtensionType::supported_groups;
                     });
                     REQUIRE(it != ext.end());
                     const hs::Extension copy = *it;
                     ext.insert(ext.begin(), copy);
                 }));
        check_plaintext_failure(server, ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
    }
    SECTION("a ClientHello split over records with a different record type between is unexpected_message") {
        const Buffer record = client_hello_record(d, [](auto&, auto&) {});
        const Bytes message = Bytes(record).subspan(5);
        Buffer bytes = handshake_record(message.first(10));
        const std::uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
        for (auto b : ccs) bytes.push_back(b);
        Connection server = d.new_server();
        feed_all(server, bytes);
        check_plaintext_failure(server, ErrorCode::unexpected_message, AlertDescription::unexpected_message);
    }
}

TEST_CASE("a ServerHello choosing a suite the client did not offer is illegal_parameter", "[connection][alerts]") {
    auto cs = test::client_settings();
    cs.cipher_suites = {CipherSuite::tls_aes_128_gcm_sha256};
    Deterministic d(cs, test::server_settings());
    Connection client = d.new_client();
    const Buffer ch_record = drain(client);
    auto parsed = hs::parse_handshake_message(Bytes(ch_record).subspan(5));
    REQUIRE(parsed);
    auto ch = hs::ClientHello::parse(parsed->body);
    REQUIRE(ch);

    auto server_hello = [&](CipherSuite suite) {
        Buffer key_share{0x00, 0x1d, 0x00, 0x20};
        for (int i = 0; i < 32; ++i) key_share.push_back(static_cast<std::uint8_t>(9 + i));
        const Buffer versions{0x03, 0x04};
        const std::vector<hs::Extension> ext = {{hs::ExtensionType::key_share, key_share},
                                                {hs::ExtensionType::supported_versions, versions}};
        std::uint8_t random[32];
        std::fill(std::begin(random), std::end(random), std::uint8_t{0x42});
        hs::ServerHello sh;
        sh.random = Bytes(random, sizeof random);
        sh.legacy_session_id_echo = ch->legacy_session_id;
        sh.cipher_suite = suite;
        auto message = hs::write_to_vector(128, [&](tls::codec::Writer& w) { hs::write_server_hello(w, sh, ext); });
        REQUIRE(message);
        return handshake_record(*message);
    };

    SECTION("the offered suite is accepted (control)") {
        REQUIRE(feed_all(client, server_hello(CipherSuite::tls_aes_128_gcm_sha256)));
        INFO(describe(client));
        CHECK(client.state() == Connection::State::handshaking);
        CHECK(client.cipher_suite() == CipherSuite::tls_aes_128_gcm_sha256);
    }
    SECTION("another suite") {
        feed_all(client, server_hello(CipherSuite::tls_aes_256_gcm_sha384));
        check_plaintext_failure(client, ErrorCode::illegal_parameter, AlertDescription::illegal_parameter);
    }
}

TEST_CASE("a ClientHello after the handshake (renegotiation) is unexpected_message", "[connection][alerts]") {
    Deterministic d(test::client_settings(), test::server_settings());
    Connection client = d.new_client();
    Connection server = d.new_server();
    const Buffer first_hello = drain(client);
    REQUIRE(feed_all(server, first_hello));
    test::pump(client, server);
    REQUIRE(client.state() == Connection::State::established);
    REQUIRE(server.state() == Connection::State::established);

    // The client's engine sends a whole new ClientHello under its application key.
    const Buffer message(first_hello.begin() + 5, first_hello.end());
    REQUIRE(client.core_for_testing().send_handshake(message));
    test::transfer(client, server);
    INFO("server: " << describe(server));
    REQUIRE(server.state() == Connection::State::failed);
    CHECK(server.error()->code == ErrorCode::unexpected_message);
    CHECK(server.error()->alert_sent == AlertDescription::unexpected_message);
    // The alert is encrypted now: the client reads it.
    test::transfer(server, client);
    REQUIRE(client.state() == Connection::State::failed);
    CHECK(client.error()->alert_received == AlertDescription::unexpected_message);
}

TEST_CASE("a bad client Finished", "[connection][alerts]") {
    std::vector<std::uint8_t> client_handshake_secret;
    auto cs = test::client_settings();
    cs.key_log = [&](std::string_view label, Bytes, Bytes secret) {
        if (label == "CLIENT_HANDSHAKE_TRAFFIC_SECRET") client_handshake_secret = to_buffer(secret);
    };
    Deterministic d(cs, test::server_settings());
    Connection client = d.new_client();
    Connection server = d.new_server();
    REQUIRE(feed_all(server, drain(client)));
    REQUIRE(feed_all(client, drain(server)));
    REQUIRE(client.state() == Connection::State::established);
    Buffer flight = drain(client);
    // change_cipher_spec, then the Finished record (the last one).
    REQUIRE(flight.size() > 6 + 5);
    REQUIRE(flight[0] == 0x14);
    const std::size_t finished_at = 6;
    REQUIRE(flight[finished_at] == 23);

    AlertDescription expected = AlertDescription::close_notify;
    ErrorCode expected_code = ErrorCode::internal_error;
    SECTION("a flipped ciphertext bit is bad_record_mac") {
        flight.back() ^= 0x01;
        expected = AlertDescription::bad_record_mac;
        expected_code = ErrorCode::bad_record_mac;
    }
    SECTION("a Finished that decrypts but does not verify is decrypt_error") {
        // Decrypt the record with the client's handshake key (from the key log),
        // flip a verify_data bit, and seal it again.
        const auto suite = hs::resolve_suite(tls::crypto::default_provider(), *client.cipher_suite());
        REQUIRE(suite);
        auto keys = hs::derive_traffic_keys(*suite->hash, *suite->aead, client_handshake_secret);
        REQUIRE(keys);
        auto opener = tls::record::RecordCipher::tls13(*suite->aead, keys->key.bytes(), keys->iv.bytes());
        auto sealer = tls::record::RecordCipher::tls13(*suite->aead, keys->key.bytes(), keys->iv.bytes());
        REQUIRE(opener);
        REQUIRE(sealer);
        Buffer record(flight.begin() + finished_at, flight.end());
        auto opened = opener->open(Bytes(record).first(5), tls::crypto::MutableBytes(record).subspan(5));
        REQUIRE(opened);
        REQUIRE(opened->type == tls::record::ContentType::handshake);
        Buffer plaintext = to_buffer(opened->payload);
        REQUIRE(plaintext.size() > 4);
        REQUIRE(plaintext[0] == 20);  // Finished
        plaintext.back() ^= 0x80;     // a verify_data bit
        Buffer resealed(5 + plaintext.size() + sealer->overhead());
        std::copy(plaintext.begin(), plaintext.end(), resealed.begin() + 5);
        auto size = sealer->seal(tls::record::ContentType::handshake, resealed, plaintext.size(), 0);
        REQUIRE(size);
        resealed.resize(*size);
        flight.resize(finished_at);
        for (auto b : resealed) flight.push_back(b);
        expected = AlertDescription::decrypt_error;
        expected_code = ErrorCode::bad_signature;
    }
    feed_all(server, flight);
    INFO("server: " << describe(server));
    REQUIRE(server.state() == Connection::State::failed);
    CHECK(server.error()->code == expected_code);
    CHECK(server.error()->alert_sent == expected);
    // The server's alert goes out under its application key: the client reads it.
    test::transfer(server, client);
    REQUIRE(client.state() == Connection::State::failed);
    CHECK(client.error()->alert_received == expected);
}

TEST_CASE("GREASE values in a ClientHello are ignored by the server", "[connection][grease]") {
    // RFC 8701: a client may offer reserved values (0x?a?a) anywhere in its
    // lists and as extensions; a server must ignore them. A client engine whose
    // first ClientHello is rewritten (before it is hashed) to carry them.
    Deterministic d(test::client_settings(), test::server_settings());
    const auto& config = d.client_config();
    std::deque<Buffer> storage;  // the rewritten fields (views point here)
    hs::TestHooks hooks;
    hooks.rewrite_client_hello = [&](std::vector<std::uint8_t>& message) {
        message = edit_client_hello_message(message, [&](hs::ClientHello& ch, std::vector<hs::Extension>& ext) {
            ch.cipher_suites = storage.emplace_back(prepend_to_list(ch.cipher_suites, 0, {0x0a, 0x0a}));
            for (auto& e : ext) {
                switch (e.type) {
                    case hs::ExtensionType::supported_groups:
                        e.data = storage.emplace_back(prepend_to_list(e.data, 2, {0x1a, 0x1a}));
                        break;
                    case hs::ExtensionType::signature_algorithms:
                        e.data = storage.emplace_back(prepend_to_list(e.data, 2, {0x2a, 0x2a}));
                        break;
                    case hs::ExtensionType::supported_versions:
                        e.data = storage.emplace_back(prepend_to_list(e.data, 1, {0x3a, 0x3a}));
                        break;
                    case hs::ExtensionType::key_share:
                        // A one-byte share for the GREASE group first, as Chrome sends it.
                        e.data = storage.emplace_back(prepend_to_list(e.data, 2, {0x1a, 0x1a, 0x00, 0x01, 0x00}));
                        break;
                    default: break;
                }
            }
            ext.insert(ext.begin(), hs::Extension{static_cast<hs::ExtensionType>(0x4a4a), {}});
            ext.push_back(hs::Extension{static_cast<hs::ExtensionType>(0x5a5a), storage.emplace_back(Buffer{0x00})});
        });
    };
    hs::ConnectionCore client(false, config, config->settings(), hs::make_client_engine(*config, "localhost"),
                              std::move(hooks));
    client.start();
    Connection server = d.new_server();

    const Buffer hello = drain(client);
    auto info = tls::peek_client_hello(hello);
    REQUIRE(info);
    REQUIRE(info->has_value());
    CHECK((*info)->cipher_suites.front() == static_cast<CipherSuite>(0x0a0a));
    CHECK((*info)->groups.front() == static_cast<NamedGroup>(0x1a1a));
    CHECK((*info)->versions.front() == static_cast<tls::ProtocolVersion>(0x3a3a));

    REQUIRE(feed_all(server, hello));
    for (int round = 0; round < 8; ++round) {
        const Buffer to_client = drain(server);
        if (!to_client.empty()) REQUIRE(feed_all(client, to_client));
        const Buffer to_server = drain(client);
        if (to_server.empty()) break;
        REQUIRE(feed_all(server, to_server));
    }
    INFO("server: " << describe(server));
    REQUIRE(server.state() == Connection::State::established);
    REQUIRE(client.state() == Connection::State::established);
    CHECK(server.cipher_suite() == CipherSuite::tls_aes_128_gcm_sha256);
    CHECK(server.group() == NamedGroup::x25519);
    CHECK(client.negotiated().group == NamedGroup::x25519);
}
