// Writes the seed corpora of fuzz_client, fuzz_server and fuzz_tls13_messages
// from real in-memory handshakes. Deterministic: the same files on every run.
//   cordon_fuzz_make_handshake_seeds <source>/fuzz/corpus
// Not built by default (`ninja cordon_fuzz_make_handshake_seeds`).
//
// fuzz_client/: what servers of every suite, group (HelloRetryRequest included)
//   and certificate type sent to cordon_fuzz::FuzzClient, the fuzz target's own
//   client with its own RNG seed, so each recorded server flight matches the
//   ClientHello the target sends and replays through Certificate,
//   CertificateVerify and Finished into application data (checked here).
// fuzz_server/: what clients of every kind sent to cordon_fuzz::FuzzServer: the
//   first ClientHello alone, and whole client streams (second flight, data,
//   KeyUpdate, close_notify), which replay to an established server.
// fuzz_tls13_messages/: the individual messages of those handshakes (the
//   encrypted ones decrypted with the key-log secrets), in that target's layout.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fuzz_connection.hpp"
#include "handshake/cipher_suites.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/key_schedule.hpp"
#include "handshake/messages.hpp"
#include "record/record_cipher.hpp"
#include "tls/crypto/provider.hpp"

namespace {

using namespace cordon_fuzz;
using tls::CipherSuite;
using tls::Connection;
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
enum class After : std::uint8_t { nothing, data_and_close, ticket_data_and_close, data_and_key_update };

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

void finish(Connection& from, Connection& to, After after, Buffer& stream) {
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
    tls::ClientSettings client_settings() {
        tls::ClientSettings s;
        if (!s.roots.add_pem(pki::ca_pem)) die("ca.pem");
        s.clock = [] { return fixed_now; };
        s.rng = &client_rng_;
        return s;
    }

    // A server flight for fuzz_client: FuzzClient against `ss`.
    void client_seed(const std::string& name, tls::ServerSettings ss, After after, bool expect_established = true,
                     std::vector<std::pair<std::uint8_t, std::uint8_t>> extra_plans = {}) {
        Secrets secrets;
        ss.key_log = capture(secrets);
        server_rng_.reset();
        auto config = tls::ServerConfig::build(ss);
        if (!config) die(name + ": server config: " + config.error().message);
        FuzzClient fuzz_client;
        Connection client = fuzz_client.connect();
        auto server = Connection::server(*config);
        if (!server) die(name + ": server");
        Exchange x;
        pump(client, *server, x);
        if (expect_established) {
            if (client.state() != Connection::State::established) die(name + ": the client did not finish");
            finish(*server, client, after, x.server_stream);
        }
        // The target's own view: a fresh FuzzClient fed the recorded stream.
        Connection replay = fuzz_client.connect();
        feed(replay, x.server_stream);
        const bool established = replay.handshake_complete();
        if (established != expect_established) die(name + ": the recorded server stream does not replay");
        write_file(corpus_ / "fuzz_client", name, seed(0, 0, x.server_stream));
        for (auto [flags, param] : extra_plans)
            write_file(corpus_ / "fuzz_client", name + "_chunked_" + std::to_string(flags) + "_" + std::to_string(param),
                       seed(flags, param, x.server_stream));
        std::printf("fuzz_client/%s: %zu bytes%s\n", name.c_str(), x.server_stream.size(),
                    established ? ", replays to established" : "");

        // The server's handshake messages for fuzz_tls13_messages (one of each type and size).
        auto it = secrets.find("SERVER_HANDSHAKE_TRAFFIC_SECRET");
        if (expect_established && it != secrets.end() && server->cipher_suite()) {
            for (const auto& m : handshake_messages(x.server_stream, *server->cipher_suite(), it->second))
                if (seen_messages_.insert({m[0], m.size()}).second) message_seed(name, m);
        }
    }

    // A client stream for fuzz_server: `cs` against FuzzServer.
    void server_seed(const std::string& name, tls::ClientSettings cs, After after, bool first_flight_only = false,
                     bool expect_established = true) {
        Secrets secrets;
        cs.key_log = capture(secrets);
        client_rng_.reset();
        auto config = tls::ClientConfig::build(cs);
        if (!config) die(name + ": client config: " + config.error().message);
        auto client = Connection::client(*config, fuzz_server_name);
        if (!client) die(name + ": client");
        FuzzServer fuzz_server;
        Connection server = fuzz_server.accept();
        Exchange x;
        pump(*client, server, x);
        if (expect_established && server.state() != Connection::State::established)
            die(name + ": the server did not finish");
        if (expect_established) finish(*client, server, after, x.client_stream);
        const Buffer& stream = first_flight_only ? x.first_client_flight : x.client_stream;
        Connection replay = fuzz_server.accept();
        feed(replay, stream);
        const bool established = replay.handshake_complete();
        if (established != (expect_established && !first_flight_only))
            die(name + ": the recorded client stream does not replay");
        write_file(corpus_ / "fuzz_server", name, seed(0, 0, stream));
        std::printf("fuzz_server/%s: %zu bytes%s\n", name.c_str(), stream.size(),
                    established ? ", replays to established" : "");
        // The first ClientHello for peek_client_hello.
        if (!first_flight_only) {
            Buffer peek{8};
            append(peek, x.first_client_flight);
            write_file(corpus_ / "fuzz_tls13_messages", "peek_" + name, peek);
        }
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

private:
    fs::path corpus_;
    fs::path certs_;
    std::set<std::pair<std::uint8_t, std::size_t>> seen_messages_;
    SeededRng server_rng_{0x5eed5eed};
    SeededRng client_rng_{0xc11e47};
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
    Generator g(root);

    // --- fuzz_client: server flights for the fuzz target's own ClientHello ---------
    {
        auto ss = g.server_settings("leaf-p256");
        ss.alpn = {"http/1.1"};
        g.client_seed("p256_aes128_x25519_alpn", ss, After::data_and_close, true, {{3, 7}, {1, 0}, {2, 3}});
    }
    {
        auto ss = g.server_settings("leaf-p384");
        ss.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        g.client_seed("p384_aes256_x25519", ss, After::data_and_close);
    }
    {
        auto ss = g.server_settings("leaf-ed25519");
        ss.cipher_suites = {CipherSuite::tls_chacha20_poly1305_sha256};
        g.client_seed("ed25519_chacha20_x25519", ss, After::ticket_data_and_close);
    }
    {
        auto ss = g.server_settings("leaf-rsa2048");
        g.client_seed("rsa2048_aes128_x25519", ss, After::data_and_key_update);
    }
    {
        auto ss = g.server_settings("leaf-p256");
        ss.groups = {NamedGroup::secp256r1};
        g.client_seed("hrr_p256", ss, After::data_and_close, true, {{3, 200}});
    }
    {
        auto ss = g.server_settings("leaf-ed25519");
        ss.groups = {NamedGroup::secp384r1};
        ss.cipher_suites = {CipherSuite::tls_aes_256_gcm_sha384};
        g.client_seed("hrr_p384_aes256", ss, After::data_and_close);
    }
    {
        auto ss = g.server_settings("leaf-p256");  // no ALPN
        g.client_seed("p256_no_alpn_key_update", ss, After::data_and_key_update);
    }
    g.client_seed("expired_certificate", g.server_settings("expired"), After::nothing, false);
    g.client_seed("untrusted_certificate", g.server_settings("untrusted-leaf"), After::nothing, false);
    {
        auto ss = g.server_settings("leaf-p256");
        ss.alpn = {"imap"};  // no_application_protocol alert
        g.client_seed("alpn_mismatch_alert", ss, After::nothing, false);
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
