// Writes the seed corpora of fuzz_client, fuzz_server and fuzz_tls13_messages,
// and the cordon_* seeds of fuzz_tls12_messages, from real in-memory
// handshakes. Deterministic: the same files on every run.
//   cordon_fuzz_make_handshake_seeds <source>/fuzz/corpus
// Not built by default (`ninja cordon_fuzz_make_handshake_seeds`).
//
// fuzz_client/: what servers of every version, suite, group (HelloRetryRequest
//   included) and certificate type sent to cordon_fuzz::FuzzClient, the fuzz
//   target's own client with its own RNG seed, so each recorded server flight
//   matches the ClientHello the target sends and replays through the whole
//   handshake into application data. TLS 1.2 flights come from TLS 1.2-only
//   servers (the client offers both versions); tls12_resumed* answer the
//   ClientHello that offers FuzzClient's own session (flag bit 5), from a server
//   holding the ticket keys every FuzzServer draws.
// fuzz_server/: what clients of every kind sent to cordon_fuzz::FuzzServer: the
//   first ClientHello alone, and whole client streams (second flight, data,
//   KeyUpdate, close_notify), which replay to an established server. TLS 1.2
//   clients include one resuming a session FuzzServer issued (its ticket opens
//   in the fuzz target too: the ticket keys are fixed) and one offering a
//   ticket from another server (refused: a full handshake).
// Mutual TLS and 0-RTT (flag bits 6 and 7, see fuzz_connection.hpp):
//   fuzz_client/mtls_*: servers asking for a client certificate (optional and
//   required), answered by FuzzClient with client-p256 (bit 6) or with an empty
//   Certificate (no bit 6); tls13_* (bit 7): FuzzClient offers its TLS 1.3
//   session with early data to a server that accepts it, to one without 0-RTT
//   (resumed, early data rejected) and to one that cannot open the ticket.
//   fuzz_server/mtls_* (bit 6): clients with client-p256, without a certificate,
//   and with the server leaf (no clientAuth EKU: refused); tls13_resumed: a
//   TLS 1.3 ticket FuzzServer issued; early_data_* (bit 7): the first flight
//   with its early data records alone and the whole stream (early data accepted),
//   early data to a server without 0-RTT (rejected: skipped), and 0-RTT with a
//   client certificate.
// Every seed is replayed here through cordon_fuzz::drive (the targets' own
// loop and checks) and must end as the recorded handshake did: established or
// not, the same version, resumed or not.
// fuzz_tls13_messages/: the individual TLS 1.3 messages of those handshakes (the
//   encrypted ones decrypted with the key-log secrets), in that target's layout.
// fuzz_tls12_messages/cordon_*: the plaintext TLS 1.2 messages of those
//   handshakes (ServerHello with its TLS 1.2 extensions, Certificate,
//   ServerKeyExchange, ServerHelloDone, NewSessionTicket, ClientKeyExchange).
//   The other files there are hand-made or OpenSSL's and are left alone.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fuzz_connection.hpp"
#include "handshake/cipher_suites.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/key_schedule.hpp"
#include "handshake/messages.hpp"
#include "handshake/tls12_messages.hpp"
#include "record/record_cipher.hpp"
#include "tls/crypto/provider.hpp"

namespace {

using namespace cordon_fuzz;
using tls::CipherSuite;
using tls::Connection;
using tls::ProtocolVersion;
using tls::crypto::NamedGroup;
using Buffer = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "make_handshake_seeds: %s\n", what.c_str());
    std::exit(1);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) die("cannot read " + path.string());
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const fs::path& dir, const std::string& name, const Buffer& data) {
    fs::create_directories(dir);
    std::ofstream f(dir / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!f) die("cannot write " + (dir / name).string());
}

Buffer drain(Connection& c) {
    Buffer out;
    append(out, c.pending_output());
    c.consume_output(out.size());
    return out;
}

void feed(Connection& c, const Buffer& bytes) {
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t took = c.feed(Bytes(bytes).subspan(pos));
        if (c.has_readable()) c.consume_readable(c.readable().size());
        else if (took == 0) return;
        pos += took;
    }
}

// Keys the key log hands out, by label.
using Secrets = std::map<std::string, Buffer>;
tls::KeyLogCallback capture(Secrets& secrets) {
    return [&secrets](std::string_view label, Bytes, Bytes secret) {
        Buffer s;
        append(s, secret);
        secrets[std::string(label)] = std::move(s);
    };
}

// What passed between a client and a server until neither had more to say,
// and what each side sent (in order).
struct Exchange {
    Buffer client_stream;
    Buffer server_stream;
    Buffer first_client_flight;
};

void pump(Connection& client, Connection& server, Exchange& x) {
    for (int round = 0; round < 16; ++round) {
        Buffer c = drain(client);
        if (x.first_client_flight.empty()) x.first_client_flight = c;
        append(x.client_stream, c);
        feed(server, c);
        Buffer s = drain(server);
        append(x.server_stream, s);
        feed(client, s);
        if (!client.has_output() && !server.has_output()) return;
    }
}

// After the handshake: what a side may send before the stream ends.
enum class After : std::uint8_t {
    nothing,
    data_and_close,
    ticket_data_and_close,        // TLS 1.3 server: a NewSessionTicket first
    data_and_key_update,          // TLS 1.3
    hello_request_data_and_close, // TLS 1.2 server: a HelloRequest first (refused with no_renegotiation)
    renegotiate_data_and_close,   // TLS 1.2 client: its ClientHello again (refused with no_renegotiation)
};

Buffer new_session_ticket_message() {
    auto m = tls::handshake::write_handshake_message(tls::handshake::HandshakeType::new_session_ticket, 64,
                                                     [](tls::codec::Writer& w) {
                                                         w.u32(7200);        // lifetime
                                                         w.u32(0x01020304);  // age_add
                                                         w.u8(8);
                                                         for (int i = 0; i < 8; ++i) w.u8(static_cast<std::uint8_t>(i));
                                                         w.u16(32);
                                                         for (int i = 0; i < 32; ++i) w.u8(static_cast<std::uint8_t>(0xa0 + i));
                                                         w.u16(8);           // extensions
                                                         w.u16(42);          // early_data: max_early_data_size
                                                         w.u16(4);
                                                         w.u32(16384);
                                                     });
    if (!m) die("NewSessionTicket");
    return *m;
}

// The first handshake message of a flight of plaintext records.
Buffer first_message(const Buffer& flight) {
    if (flight.size() < 9 || flight[0] != 22) die("not a handshake record");
    const std::size_t length = static_cast<std::size_t>(flight[6]) << 16 | static_cast<std::size_t>(flight[7]) << 8 | flight[8];
    if (flight.size() < 9 + length) die("a handshake message split over records");
    return Buffer(flight.begin() + 5, flight.begin() + 9 + static_cast<std::ptrdiff_t>(length));
}

void finish(Connection& from, Connection& to, After after, const Exchange& x, Buffer& stream) {
    static const std::uint8_t data[] = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    switch (after) {
        case After::nothing: return;
        case After::ticket_data_and_close: {
            if (!from.core_for_testing().send_handshake(new_session_ticket_message())) die("send ticket");
            [[fallthrough]];
        }
        case After::data_and_close:
            if (!from.write(Bytes(data, sizeof data - 1))) die("write");
            from.close();
            break;
        case After::data_and_key_update: {
            if (!from.write(Bytes(data, sizeof data - 1))) die("write");
            // Last: the sender does not switch its own key (nothing follows).
            auto ku = tls::handshake::write_key_update(tls::handshake::KeyUpdateRequest::requested);
            if (!ku || !from.core_for_testing().send_handshake(*ku)) die("send KeyUpdate");
            break;
        }
        case After::hello_request_data_and_close: {
            auto hr = tls::handshake::write_hello_request();
            if (!hr || !from.core_for_testing().send_handshake(*hr)) die("send HelloRequest");
            if (!from.write(Bytes(data, sizeof data - 1))) die("write");
            from.close();
            break;
        }
        case After::renegotiate_data_and_close: {
            const Buffer hello = first_message(x.first_client_flight);
            if (!from.core_for_testing().send_handshake(hello)) die("send ClientHello");
            if (!from.write(Bytes(data, sizeof data - 1))) die("write");
            from.close();
            break;
        }
    }
    Buffer bytes = drain(from);
    append(stream, bytes);
    feed(to, bytes);
}

Buffer seed(std::uint8_t flags, std::uint8_t param, const Buffer& stream) {
    Buffer b{flags, param};
    append(b, stream);
    return b;
}

// --- Decrypting a side's handshake messages (for fuzz_tls13_messages) ------------

// The handshake messages in a stream of records: plaintext handshake records as
// they are, application_data records opened with the handshake traffic secret
// (stops at the first record that does not open: the application key).
std::vector<Buffer> handshake_messages(const Buffer& stream, CipherSuite suite, const Buffer& secret) {
    const auto params = tls::handshake::resolve_suite(tls::crypto::default_provider(), suite);
    if (!params) die("suite");
    auto keys = tls::handshake::derive_traffic_keys(*params->hash, *params->aead, secret);
    if (!keys) die("traffic keys");
    auto cipher = tls::record::RecordCipher::tls13(*params->aead, keys->key.bytes(), keys->iv.bytes());
    if (!cipher) die("record cipher");
    Buffer plain;
    std::size_t pos = 0;
    while (pos + 5 <= stream.size()) {
        const std::uint8_t type = stream[pos];
        const std::size_t length = static_cast<std::size_t>(stream[pos + 3]) << 8 | stream[pos + 4];
        if (pos + 5 + length > stream.size()) break;
        Buffer record(stream.begin() + static_cast<std::ptrdiff_t>(pos),
                      stream.begin() + static_cast<std::ptrdiff_t>(pos + 5 + length));
        pos += 5 + length;
        if (type == 22) {
            plain.insert(plain.end(), record.begin() + 5, record.end());
        } else if (type == 23) {
            auto opened = cipher->open(Bytes(record).first(5), tls::crypto::MutableBytes(record).subspan(5));
            if (!opened) break;
            if (opened->type == tls::record::ContentType::handshake) append(plain, opened->payload);
        }
    }
    std::vector<Buffer> messages;
    std::size_t at = 0;
    while (at + 4 <= plain.size()) {
        const std::size_t length = static_cast<std::size_t>(plain[at + 1]) << 16 |
                                   static_cast<std::size_t>(plain[at + 2]) << 8 | plain[at + 3];
        if (at + 4 + length > plain.size()) break;
        messages.emplace_back(plain.begin() + static_cast<std::ptrdiff_t>(at),
                              plain.begin() + static_cast<std::ptrdiff_t>(at + 4 + length));
        at += 4 + length;
    }
    return messages;
}

// The TLS 1.2 handshake messages a side sent in the clear: every handshake
// record before its change_cipher_spec (its Finished is encrypted).
std::vector<Buffer> tls12_plaintext_messages(const Buffer& stream) {
    Buffer plain;
    std::size_t pos = 0;
    while (pos + 5 <= stream.size()) {
        const std::uint8_t type = stream[pos];
        const std::size_t length = static_cast<std::size_t>(stream[pos + 3]) << 8 | stream[pos + 4];
        if (type != 22 || pos + 5 + length > stream.size()) break;
        plain.insert(plain.end(), stream.begin() + static_cast<std::ptrdiff_t>(pos + 5),
                     stream.begin() + static_cast<std::ptrdiff_t>(pos + 5 + length));
        pos += 5 + length;
    }
    std::vector<Buffer> messages;
    std::size_t at = 0;
    while (at + 4 <= plain.size()) {
        const std::size_t length = static_cast<std::size_t>(plain[at + 1]) << 16 |
                                   static_cast<std::size_t>(plain[at + 2]) << 8 | plain[at + 3];
        if (at + 4 + length > plain.size()) break;
        messages.emplace_back(plain.begin() + static_cast<std::ptrdiff_t>(at),
                              plain.begin() + static_cast<std::ptrdiff_t>(at + 4 + length));
        at += 4 + length;
    }
    return messages;
}

// A server stream with `message` inserted before the first handshake message
// of type `before` (which must sit in a plaintext handshake record): the record
// grows to hold it.
Buffer insert_before(const Buffer& stream, tls::handshake::HandshakeType before, const Buffer& message) {
    std::size_t pos = 0;
    while (pos + 5 <= stream.size() && stream[pos] == 22) {
        const std::size_t length = static_cast<std::size_t>(stream[pos + 3]) << 8 | stream[pos + 4];
        for (std::size_t at = pos + 5; at + 4 <= pos + 5 + length;) {
            const std::size_t m = static_cast<std::size_t>(stream[at + 1]) << 16 |
                                  static_cast<std::size_t>(stream[at + 2]) << 8 | stream[at + 3];
            if (stream[at] == static_cast<std::uint8_t>(before)) {
                const std::size_t grown = length + message.size();
                if (grown > 16384) die("insert_before: record too large");
                Buffer out(stream.begin(), stream.begin() + static_cast<std::ptrdiff_t>(at));
                out[pos + 3] = static_cast<std::uint8_t>(grown >> 8);
                out[pos + 4] = static_cast<std::uint8_t>(grown);
                append(out, message);
                out.insert(out.end(), stream.begin() + static_cast<std::ptrdiff_t>(at), stream.end());
                return out;
            }
            at += 4 + m;
        }
        pos += 5 + length;
    }
    die("insert_before: no such message in the clear");
}

// What a recorded stream must replay to in the fuzz target.
struct Expect {
    bool established = false;
    std::optional<ProtocolVersion> version;
    bool resumed = false;
    Connection::EarlyData early_data = Connection::EarlyData::not_offered;
    bool peer_certificates = false;  // a server: the client sent a certificate
};

Expect expect_of(const Connection& c) {
    return Expect{c.handshake_complete(), c.version(), c.resumed(), c.early_data_status(), !c.peer_certificates().empty()};
}

const char* early_data_name(Connection::EarlyData e) {
    switch (e) {
        case Connection::EarlyData::not_offered: return "";
        case Connection::EarlyData::offered: return ", early data offered";
        case Connection::EarlyData::accepted: return ", early data accepted";
        case Connection::EarlyData::rejected: return ", early data rejected";
    }
    return "";
}

const char* version_name(std::optional<ProtocolVersion> v) {
    if (!v) return "";
    return *v == ProtocolVersion::tls13 ? ", TLS 1.3" : *v == ProtocolVersion::tls12 ? ", TLS 1.2" : ", other version";
}

// How client_seed records a server flight.
struct ClientSeed {
    After after = After::data_and_close;
    bool expect_established = true;
    std::vector<std::pair<std::uint8_t, std::uint8_t>> extra_plans;
    // FuzzClient offers its TLS 1.2 session (seed flag bit 5); the server
    // then holds the ticket keys every FuzzServer draws, so it resumes,
    // unless foreign_ticket_keys (it refuses the ticket: a full handshake).
    bool resume = false;
    bool foreign_ticket_keys = false;
    // Flag bits 6 and 7: FuzzClient with its client certificate, and with its
    // TLS 1.3 session and 0-RTT data (the server then holds FuzzServer's ticket
    // keys, like resume).
    Variant variant;
};

class Generator {
public:
    explicit Generator(const fs::path& corpus) : corpus_(corpus), certs_(corpus / ".." / ".." / "tests" / "data" / "certs") {}

    tls::ServerSettings server_settings(const std::string& leaf) {
        tls::ServerSettings s;
        auto key = tls::CertifiedKey::from_pem(read_file(certs_ / (leaf + ".pem")), read_file(certs_ / (leaf + ".key")));
        if (!key) die("certificate " + leaf);
        s.certificate = *key;
        s.clock = [] { return fixed_now; };
        s.rng = &server_rng_;
        return s;
    }
    // A TLS 1.2-only server (FuzzClient offers both versions; this one answers 1.2).
    tls::ServerSettings tls12_server_settings(const std::string& leaf) {
        auto s = server_settings(leaf);
        s.versions = {ProtocolVersion::tls12};
        return s;
    }
    tls::ClientSettings client_settings() {
        tls::ClientSettings s;
        if (!s.roots.add_pem(pki::ca_pem)) die("ca.pem");
        s.clock = [] { return fixed_now; };
        s.rng = &client_rng_;
        return s;
    }
    // The client certificate for mutual TLS (client-p256: EKU clientAuth, issued
    // by the intermediate, so the .pem holds the chain).
    std::shared_ptr<const tls::CertifiedKey> client_certificate() {
        auto key = tls::CertifiedKey::from_pem(read_file(certs_ / "client-p256.pem"), read_file(certs_ / "client-p256.key"));
        if (!key) die("certificate client-p256");
        return *key;
    }
    // A server asking for a client certificate, trusting the test PKI's root for it.
    tls::ServerSettings mutual_tls_server_settings(const std::string& leaf, tls::ClientAuth auth) {
        auto s = server_settings(leaf);
        s.client_auth = auth;
        if (!s.client_roots.add_pem(pki::ca_pem)) die("ca.pem");
        return s;
    }
    tls::ClientSettings tls12_client_settings() {
        auto s = client_settings();
        s.versions = {ProtocolVersion::tls12};
        return s;
    }


    // A server flight for fuzz_client: FuzzClient against `ss`. Returns the stream.
    Buffer client_seed(const std::string& name, tls::ServerSettings ss, const ClientSeed& how = {}) {
        Secrets secrets;
        ss.key_log = capture(secrets);
        const bool resumes = (how.resume || how.variant.early_data) && !how.foreign_ticket_keys;
        SeededRng& rng = resumes ? fuzz_server_rng_ : server_rng_;
        ss.rng = &rng;
        rng.reset();
        auto config = tls::ServerConfig::build(ss);
        if (!config) die(name + ": server config: " + config.error().message);
        if (resumes) prime_ticket_keys(**config, rng);
        rng.reset();
        FuzzClient fuzz_client;
        Connection client = fuzz_client.connect(how.resume, how.variant);
        auto server = Connection::server(*config);
        if (!server) die(name + ": server");
        Exchange x;
        pump(client, *server, x);
        if (how.expect_established) {
            if (client.state() != Connection::State::established) die(name + ": the client did not finish");
            if (resumes != client.resumed()) die(name + ": resumed is not as planned");
            if (how.variant.mutual_tls && ss.client_auth != tls::ClientAuth::none && server->peer_certificates().empty())
                die(name + ": the client sent no certificate");
            finish(*server, client, how.after, x, x.server_stream);
        }
        const std::uint8_t flags = static_cast<std::uint8_t>((how.resume ? 32 : 0) | how.variant.flags());
        write_client_seed(name, fuzz_client, seed(flags, 0, x.server_stream), expect_of(client));
        for (auto [f, param] : how.extra_plans)
            write_client_seed(name + "_chunked_" + std::to_string(f) + "_" + std::to_string(param), fuzz_client,
                              seed(static_cast<std::uint8_t>(f | flags), param, x.server_stream), expect_of(client));

        // The server's handshake messages for fuzz_tls13_messages (one of each type and size).
        auto it = secrets.find("SERVER_HANDSHAKE_TRAFFIC_SECRET");
        if (how.expect_established && it != secrets.end() && server->cipher_suite()) {
            for (const auto& m : handshake_messages(x.server_stream, *server->cipher_suite(), it->second))
                if (seen_messages_.insert({m[0], m.size()}).second) message_seed(name, m);
        }
        if (server->version() == ProtocolVersion::tls12)
            for (const auto& m : tls12_plaintext_messages(x.server_stream)) tls12_message_seed(name, m);
        return x.server_stream;
    }

    // A seed for fuzz_client that is not a live recording (a recorded stream
    // altered): replayed and checked like the others.
    void client_variant(const std::string& name, const Buffer& stream, Expect expect) {
        FuzzClient fuzz_client;
        write_client_seed(name, fuzz_client, seed(0, 0, stream), expect);
    }

    enum class Prior : std::uint8_t {
        none,
        fuzz_server,   // a full handshake with FuzzServer first: the client holds its ticket
        other_server,  // a full handshake with another server first: a ticket FuzzServer cannot open
        fuzz_server_0rtt,  // a full TLS 1.3 handshake with a 0-RTT FuzzServer first: a ticket allowing early data
    };

    // A client stream for fuzz_server: `cs` against FuzzServer.
    void server_seed(const std::string& name, tls::ClientSettings cs, After after, bool first_flight_only = false,
                     bool expect_established = true, Prior prior = Prior::none, Variant variant = {}) {
        Secrets secrets;
        cs.key_log = capture(secrets);
        client_rng_.reset();
        auto config = tls::ClientConfig::build(cs);
        if (!config) die(name + ": client config: " + config.error().message);
        FuzzServer fuzz_server({}, variant);
        if (prior != Prior::none) {
            // The same client configuration (so the same session cache) first
            // completes a full handshake that leaves a ticket (TLS 1.2, or
            // TLS 1.3 NewSessionTickets).
            auto first = Connection::client(*config, fuzz_server_name);
            if (!first) die(name + ": client");
            std::optional<Connection> other;
            FuzzServer warm_0rtt({}, Variant{.early_data = true});
            if (prior == Prior::fuzz_server) {
                other.emplace(fuzz_server.accept());
            } else if (prior == Prior::fuzz_server_0rtt) {
                other.emplace(warm_0rtt.accept());
            } else {
                server_rng_.reset();
                auto other_config = tls::ServerConfig::build(tls12_server_settings("leaf-p256"));
                if (!other_config) die(name + ": other server config");
                auto c = Connection::server(*other_config);
                if (!c) die(name + ": other server");
                other.emplace(std::move(*c));
            }
            Exchange warm_up;
            pump(*first, *other, warm_up);
            if (!first->handshake_complete() || !(*config)->settings().session_cache->find(fuzz_server_name))
                die(name + ": the first handshake left no session");
        }
        client_rng_.reset();
        auto client = Connection::client(*config, fuzz_server_name);
        if (!client) die(name + ": client");
        if (cs.enable_early_data) {
            static const std::uint8_t early[] = "GET /early HTTP/1.1\r\nHost: localhost\r\n\r\n";
            auto took = client->write_early_data(Bytes(early, sizeof early - 1));
            if (!took || *took != sizeof early - 1) die(name + ": early data not offered");
        }
        Connection server = fuzz_server.accept();
        Exchange x;
        pump(*client, server, x);
        if (expect_established && server.state() != Connection::State::established)
            die(name + ": the server did not finish");
        if (prior != Prior::none && server.resumed() != (prior != Prior::other_server))
            die(name + ": resumed is not as planned");
        if (expect_established) finish(*client, server, after, x, x.client_stream);
        const Buffer& stream = first_flight_only ? x.first_client_flight : x.client_stream;
        Expect expect = expect_of(server);
        if (first_flight_only) expect = Expect{};
        const Buffer bytes = seed(variant.flags(), 0, stream);
        const Plan plan = Plan::parse(bytes.data(), bytes.size());
        Connection replay = fuzz_server.accept();
        (void)drive(replay, plan);
        check_replay(name, replay, expect, first_flight_only);
        write_file(corpus_ / "fuzz_server", name, bytes);
        std::printf("fuzz_server/%s: %zu bytes%s%s%s%s%s\n", name.c_str(), stream.size(),
                    expect.established ? ", replays to established" : "", version_name(replay.version()),
                    replay.resumed() ? ", resumed" : "", early_data_name(replay.early_data_status()),
                    replay.is_server() && !replay.peer_certificates().empty() ? ", client certificate" : "");
        // The first ClientHello for peek_client_hello.
        if (!first_flight_only) {
            Buffer peek{8};
            append(peek, x.first_client_flight);
            write_file(corpus_ / "fuzz_tls13_messages", "peek_" + name, peek);
        }
        if (server.version() == ProtocolVersion::tls12)
            for (const auto& m : tls12_plaintext_messages(x.client_stream)) tls12_message_seed(name, m);
    }

    void message_seed(const std::string& context, const Buffer& message) {
        using tls::handshake::HandshakeType;
        const auto type = static_cast<HandshakeType>(message[0]);
        std::uint8_t selector = 0;
        std::string kind;
        switch (type) {
            case HandshakeType::encrypted_extensions: selector = 0; kind = "encrypted_extensions"; break;
            case HandshakeType::certificate: selector = 2; kind = "certificate"; break;
            case HandshakeType::certificate_verify: selector = 3; kind = "certificate_verify"; break;
            case HandshakeType::finished:
                selector = message.size() - 4 == 48 ? 0x82 : 4;  // 0x82 % 9 == 4, bit 7: SHA-384
                kind = "finished";
                break;
            default: return;
        }
        Buffer b{selector};
        b.insert(b.end(), message.begin() + 4, message.end());
        write_file(corpus_ / "fuzz_tls13_messages", kind + "_" + context, b);
    }

    // A TLS 1.2 message in fuzz_tls12_messages' layout (selector, body): one per
    // type and size, named cordon_<type>_<handshake>.
    void tls12_message_seed(const std::string& context, const Buffer& message) {
        using tls::handshake::HandshakeType;
        std::uint8_t selector = 0;
        std::string kind;
        switch (static_cast<HandshakeType>(message[0])) {
            case HandshakeType::server_hello: selector = 10; kind = "server_hello"; break;
            case HandshakeType::certificate: selector = 6; kind = "certificate"; break;
            case HandshakeType::server_key_exchange: selector = 0; kind = "server_key_exchange"; break;
            case HandshakeType::certificate_request: selector = 5; kind = "certificate_request"; break;
            case HandshakeType::server_hello_done: selector = 2; kind = "server_hello_done"; break;
            case HandshakeType::client_key_exchange: selector = 1; kind = "client_key_exchange"; break;
            case HandshakeType::new_session_ticket: selector = 7; kind = "new_session_ticket"; break;
            default: return;
        }
        if (!seen_tls12_messages_.insert({message[0], message.size()}).second) return;
        Buffer b{selector};
        b.insert(b.end(), message.begin() + 4, message.end());
        write_file(corpus_ / "fuzz_tls12_messages", "cordon_" + kind + "_" + context, b);
    }

private:
    // Replays a fuzz_client seed through the target's own loop and writes it.
    void write_client_seed(const std::string& name, FuzzClient& fuzz_client, const Buffer& bytes, Expect expect) {
        const Plan plan = Plan::parse(bytes.data(), bytes.size());
        Connection replay = fuzz_client.connect(plan.resume, plan.variant);
        (void)drive(replay, plan);
        check_replay(name, replay, expect, false);
        write_file(corpus_ / "fuzz_client", name, bytes);
        std::printf("fuzz_client/%s: %zu bytes%s%s%s%s\n", name.c_str(), bytes.size() - 2,
                    expect.established ? ", replays to established" : "", version_name(replay.version()),
                    replay.resumed() ? ", resumed" : "", early_data_name(replay.early_data_status()));
    }

    static void check_replay(const std::string& name, const Connection& replay, const Expect& expect, bool partial) {
        if (replay.handshake_complete() != expect.established)
            die(name + ": the recorded stream does not replay as recorded");
        if (expect.established && (replay.version() != expect.version || replay.resumed() != expect.resumed ||
                                   replay.early_data_status() != expect.early_data ||
                                   replay.peer_certificates().empty() == expect.peer_certificates))
            die(name + ": the replay negotiated something else than the recording");
        if (!partial && !expect.established && replay.state() != Connection::State::failed &&
            replay.state() != Connection::State::handshaking)
            die(name + ": unexpected final state");
    }

    fs::path corpus_;
    fs::path certs_;
    std::set<std::pair<std::uint8_t, std::size_t>> seen_messages_;
    std::set<std::pair<std::uint8_t, std::size_t>> seen_tls12_messages_;
    SeededRng server_rng_{0x5eed5eed};
    SeededRng client_rng_{0xc11e47};
    // A server's RNG from FuzzServer's seed: primed, it draws FuzzServer's ticket keys.
    SeededRng fuzz_server_rng_{server_rng_seed};
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <source>/fuzz/corpus\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    for (const char* target : {"fuzz_client", "fuzz_server", "fuzz_tls13_messages"}) {
        fs::create_directories(root / target);
        for (const auto& entry : fs::directory_iterator(root / target)) fs::remove(entry.path());
    }
    // fuzz_tls12_messages/ also holds hand-made and OpenSSL seeds: only ours go.
    fs::create_directories(root / "fuzz_tls12_messages");
    for (const auto& entry : fs::directory_iterator(root / "fuzz_tls12_messages"))
        if (entry.path().filename().string().starts_with("cordon_")) fs::remove(entry.path());
    Generator g(root);

    // --- fuzz_client: server flights for the fuzz target's own ClientHello ---------
    {
        auto ss = g.server_settings("leaf-p256");
        ss.alpn = {"http/1.1"};
        g.client_seed("p256_aes128_x25519_alpn", ss, {.extra_plans = {{3, 7}, {1, 0}, {2, 3}}});
    }
    {
        auto ss = g.server_settings("leaf-p384");
        ss.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        g.client_seed("p384_aes256_x25519", ss);
    }
    {
        auto ss = g.server_settings("leaf-ed25519");
        ss.cipher_suites = {CipherSuite::tls_chacha20_poly1305_sha256};
        g.client_seed("ed25519_chacha20_x25519", ss, {.after = After::ticket_data_and_close});
    }
    {
        auto ss = g.server_settings("leaf-rsa2048");
        g.client_seed("rsa2048_aes128_x25519", ss, {.after = After::data_and_key_update});
    }
    {
        auto ss = g.server_settings("leaf-p256");
        ss.groups = {NamedGroup::secp256r1};
        g.client_seed("hrr_p256", ss, {.extra_plans = {{3, 200}}});
    }
    {
        auto ss = g.server_settings("leaf-ed25519");
        ss.groups = {NamedGroup::secp384r1};
        ss.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        g.client_seed("hrr_p384_aes256", ss);
    }
    {
        auto ss = g.server_settings("leaf-p256");  // no ALPN
        g.client_seed("p256_no_alpn_key_update", ss, {.after = After::data_and_key_update});
    }
    const ClientSeed refused{.after = After::nothing, .expect_established = false};
    g.client_seed("expired_certificate", g.server_settings("expired"), refused);
    g.client_seed("untrusted_certificate", g.server_settings("untrusted-leaf"), refused);
    {
        auto ss = g.server_settings("leaf-p256");
        ss.alpn = {"imap"};  // no_application_protocol alert
        g.client_seed("alpn_mismatch_alert", ss, refused);
    }

    // TLS 1.2: TLS 1.2-only servers answer the client's ClientHello (which offers
    // both versions, the TLS 1.2 suites and extensions, and asks for a ticket).
    {
        auto ss = g.tls12_server_settings("leaf-p256");
        ss.alpn = {"http/1.1"};
        const Buffer stream = g.client_seed("tls12_p256_aes128_alpn", ss, {.extra_plans = {{3, 7}, {1, 0}, {2, 1}}});
        // The same flight with a CertificateRequest before ServerHelloDone: the
        // client answers with an empty Certificate, and the server's Finished
        // (over a transcript without the request) then fails.
        const auto request = tls::handshake::write_tls12_certificate_request(
            Buffer{1, 64},  // rsa_sign, ecdsa_sign
            {tls::crypto::SignatureScheme::ecdsa_secp256r1_sha256, tls::crypto::SignatureScheme::rsa_pss_rsae_sha256},
            {});
        if (!request) die("CertificateRequest");
        g.client_variant("tls12_certificate_request_inserted",
                         insert_before(stream, tls::handshake::HandshakeType::server_hello_done, *request), Expect{});
        g.tls12_message_seed("inserted", *request);
    }
    {
        auto ss = g.tls12_server_settings("leaf-rsa2048");  // ECDHE-RSA
        ss.alpn = {"h2"};
        g.client_seed("tls12_rsa2048_aes128_alpn_h2", ss);
    }
    {
        auto ss = g.tls12_server_settings("leaf-rsapss");  // RSA-PSS key: rsa_pss_pss_* signatures
        ss.cipher_suites = {CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256};
        g.client_seed("tls12_rsapss_chacha20", ss);
    }
    {
        auto ss = g.tls12_server_settings("leaf-p384");
        ss.cipher_suites = {CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384};
        ss.groups = {NamedGroup::secp384r1};
        g.client_seed("tls12_p384_aes256_secp384r1", ss);
    }
    {
        auto ss = g.tls12_server_settings("leaf-ed25519");
        ss.cipher_suites = {CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256};
        ss.groups = {NamedGroup::secp256r1};
        g.client_seed("tls12_ed25519_chacha20_secp256r1", ss);
    }
    {
        auto ss = g.tls12_server_settings("leaf-p256");  // no ALPN, no ticket
        ss.session_tickets = false;
        g.client_seed("tls12_no_ticket_hello_request", ss, {.after = After::hello_request_data_and_close});
    }
    {
        // FuzzClient offers its own session; this server holds FuzzServer's ticket keys.
        auto ss = g.tls12_server_settings("leaf-p256");
        ss.alpn = {"http/1.1"};
        g.client_seed("tls12_resumed", ss, {.extra_plans = {{3, 11}, {1, 2}}, .resume = true});
    }
    {
        // The same offer to a server that cannot open the ticket: a full handshake.
        auto ss = g.tls12_server_settings("leaf-p256");
        ss.alpn = {"http/1.1"};
        g.client_seed("tls12_ticket_refused_full_handshake", ss, {.resume = true, .foreign_ticket_keys = true});
    }
    g.client_seed("tls12_untrusted_certificate", g.tls12_server_settings("untrusted-leaf"), refused);

    // TLS 1.3 mutual TLS (flag bit 6: FuzzClient answers a CertificateRequest with client-p256).
    {
        auto ss = g.mutual_tls_server_settings("leaf-p256", tls::ClientAuth::optional);
        ss.alpn = {"http/1.1"};
        g.client_seed("mtls_client_certificate", ss, {.extra_plans = {{3, 5}}, .variant = {.mutual_tls = true}});
        // Without bit 6 the client answers with an empty Certificate (optional: still connects).
        g.client_seed("mtls_no_client_certificate", ss);
    }
    {
        auto ss = g.mutual_tls_server_settings("leaf-ed25519", tls::ClientAuth::required);
        ss.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        g.client_seed("mtls_required_ed25519_aes256", ss,
                      {.after = After::data_and_key_update, .variant = {.mutual_tls = true}});
    }
    // TLS 1.3 resumption and 0-RTT (flag bit 7: FuzzClient offers its TLS 1.3
    // session's ticket and sends early_data_text; the server holds FuzzServer's
    // ticket keys).
    {
        auto ss = g.server_settings("leaf-p256");
        ss.alpn = {"http/1.1"};
        ss.max_early_data_size = fuzz_max_early_data;
        g.client_seed("tls13_resumed_early_data_accepted", ss,
                      {.after = After::ticket_data_and_close, .extra_plans = {{3, 9}, {1, 3}}, .variant = {.early_data = true}});
        g.client_seed("tls13_early_data_foreign_ticket_full_handshake", ss,
                      {.foreign_ticket_keys = true, .variant = {.early_data = true}});
    }
    {
        auto ss = g.server_settings("leaf-p256");  // no 0-RTT: resumes, refuses the early data
        ss.alpn = {"http/1.1"};
        g.client_seed("tls13_resumed_early_data_rejected", ss, {.variant = {.early_data = true}});
    }

    // --- fuzz_server: client streams for the fuzz target's own server --------------
    {
        auto cs = g.client_settings();
        cs.alpn = {"h2", "http/1.1"};
        g.server_seed("default_alpn", cs, After::data_and_close);
        g.server_seed("first_client_hello", cs, After::nothing, true);
    }
    {
        auto cs = g.client_settings();
        cs.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        g.server_seed("aes256", cs, After::data_and_key_update);
    }
    {
        auto cs = g.client_settings();
        cs.cipher_suites = {CipherSuite::tls_chacha20_poly1305_sha256};
        cs.middlebox_compatibility = false;
        g.server_seed("chacha20_no_compat", cs, After::data_and_close);
    }
    {
        auto cs = g.client_settings();
        cs.groups = {NamedGroup::secp256r1};
        g.server_seed("p256_share", cs, After::data_and_close);
    }
    {
        auto cs = g.client_settings();
        cs.groups = {NamedGroup::secp384r1, NamedGroup::x25519};
        g.server_seed("hrr_x25519", cs, After::data_and_close);
        g.server_seed("hrr_first_client_hello", cs, After::nothing, true);
    }
    {
        auto cs = g.client_settings();
        cs.groups = {NamedGroup::secp384r1, NamedGroup::secp256r1};
        cs.middlebox_compatibility = false;
        g.server_seed("hrr_p256_no_compat", cs, After::data_and_close);
    }
    {
        auto cs = g.client_settings();
        cs.groups = {NamedGroup::x25519, NamedGroup::secp256r1};
        cs.key_shares = 2;
        cs.send_sni = false;
        g.server_seed("two_shares_no_sni", cs, After::data_and_close);
    }
    {
        auto cs = g.client_settings();
        cs.alpn = {"h2"};  // the server speaks http/1.1 only: no_application_protocol
        g.server_seed("alpn_mismatch", cs, After::nothing, false, false);
    }

    // TLS 1.3 mutual TLS (flag bit 6: FuzzServer asks for a certificate, optional).
    {
        auto cs = g.client_settings();
        cs.alpn = {"h2", "http/1.1"};
        cs.client_certificate = g.client_certificate();
        g.server_seed("mtls_client_certificate", cs, After::data_and_close, false, true, Generator::Prior::none,
                      Variant{.mutual_tls = true});
        cs.client_certificate = nullptr;
        g.server_seed("mtls_no_client_certificate", cs, After::data_and_close, false, true, Generator::Prior::none,
                      Variant{.mutual_tls = true});
    }
    {
        // The server leaf is no client certificate (EKU serverAuth only): refused.
        auto cs = g.client_settings();
        cs.alpn = {"http/1.1"};
        auto key = tls::CertifiedKey::from_pem(pki::leaf_p256_pem, pki::leaf_p256_key);
        if (!key) die("leaf-p256");
        cs.client_certificate = *key;
        g.server_seed("mtls_server_leaf_as_client_certificate", cs, After::nothing, false, false,
                      Generator::Prior::none, Variant{.mutual_tls = true});
    }
    // TLS 1.3 resumption with a ticket FuzzServer issued, and 0-RTT (flag bit 7).
    {
        auto cs = g.client_settings();
        cs.alpn = {"h2", "http/1.1"};
        g.server_seed("tls13_resumed", cs, After::data_and_close, false, true, Generator::Prior::fuzz_server);
        cs.enable_early_data = true;
        g.server_seed("early_data_accepted", cs, After::data_and_close, false, true, Generator::Prior::fuzz_server,
                      Variant{.early_data = true});
        g.server_seed("early_data_first_flight", cs, After::nothing, true, true, Generator::Prior::fuzz_server,
                      Variant{.early_data = true});
        // A ticket that allows early data, to a server without 0-RTT: resumed, the
        // early data skipped.
        g.server_seed("early_data_rejected", cs, After::data_and_close, false, true,
                      Generator::Prior::fuzz_server_0rtt);
        cs.client_certificate = g.client_certificate();
        g.server_seed("early_data_mtls_resumed", cs, After::data_and_close, false, true,
                      Generator::Prior::fuzz_server, Variant{.mutual_tls = true, .early_data = true});
    }

    // TLS 1.2 clients (FuzzServer speaks both versions; these offer only 1.2).
    {
        auto cs = g.tls12_client_settings();
        cs.alpn = {"h2", "http/1.1"};
        g.server_seed("tls12_default_alpn", cs, After::data_and_close);
        g.server_seed("tls12_first_client_hello", cs, After::nothing, true);
        // A client holding a ticket FuzzServer issued: an abbreviated handshake
        // (the fuzz target opens it too, its ticket keys being fixed).
        g.server_seed("tls12_resumed", cs, After::data_and_close, false, true, Generator::Prior::fuzz_server);
        // A ticket from another server: refused, a full handshake.
        g.server_seed("tls12_other_servers_ticket", cs, After::data_and_close, false, true,
                      Generator::Prior::other_server);
    }
    {
        auto cs = g.tls12_client_settings();
        cs.cipher_suites = {CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384};
        cs.groups = {NamedGroup::secp256r1};
        g.server_seed("tls12_aes256_secp256r1", cs, After::data_and_close);
    }
    {
        auto cs = g.tls12_client_settings();
        cs.cipher_suites = {CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256};
        cs.send_sni = false;
        cs.resumption = false;  // no session_ticket: no NewSessionTicket
        g.server_seed("tls12_chacha20_no_sni_no_ticket", cs, After::data_and_close);
    }
    {
        auto cs = g.tls12_client_settings();
        g.server_seed("tls12_renegotiation_refused", cs, After::renegotiate_data_and_close);
    }
    {
        auto cs = g.tls12_client_settings();
        cs.alpn = {"h2"};  // no_application_protocol
        g.server_seed("tls12_alpn_mismatch", cs, After::nothing, false, false);
    }
    {
        auto cs = g.tls12_client_settings();
        cs.cipher_suites = {CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256};  // the server's key is ECDSA
        g.server_seed("tls12_no_common_suite", cs, After::nothing, false, false);
    }

    // --- fuzz_tls13_messages: hand-made messages the handshakes above do not send ---
    {
        const fs::path dir = root / "fuzz_tls13_messages";
        const Buffer ticket = new_session_ticket_message();
        Buffer b{5};
        b.insert(b.end(), ticket.begin() + 4, ticket.end());
        write_file(dir, "new_session_ticket_early_data", b);
        write_file(dir, "key_update_requested", Buffer{6, 1});
        write_file(dir, "key_update_not_requested", Buffer{6, 0});
        write_file(dir, "end_of_early_data", Buffer{7});
        // CertificateRequest: empty context, signature_algorithms (ECDSA P-256, Ed25519, RSA-PSS).
        write_file(dir, "certificate_request",
                   Buffer{1, 0x00, 0x00, 0x0c, 0x00, 0x0d, 0x00, 0x08, 0x00, 0x06, 0x04, 0x03, 0x08, 0x07, 0x08, 0x04});
        // A ClientHello split over two records (peek must join them).
        const fs::path peek = dir / "peek_default_alpn";
        std::ifstream in(peek, std::ios::binary);
        Buffer whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (whole.size() > 60) {
            const Buffer message(whole.begin() + 6, whole.end());  // selector + 5-byte header
            Buffer split{8};
            const std::size_t first = 40;
            for (std::size_t part = 0; part < 2; ++part) {
                const std::size_t from = part == 0 ? 0 : first;
                const std::size_t to = part == 0 ? first : message.size();
                for (std::uint8_t h : {std::uint8_t{22}, std::uint8_t{3}, std::uint8_t{1},
                                       static_cast<std::uint8_t>((to - from) >> 8), static_cast<std::uint8_t>(to - from)})
                    split.push_back(h);
                split.insert(split.end(), message.begin() + static_cast<std::ptrdiff_t>(from),
                             message.begin() + static_cast<std::ptrdiff_t>(to));
            }
            write_file(dir, "peek_split_over_two_records", split);
        }
    }
    std::printf("seeds written under %s\n", root.c_str());
    return 0;
}
