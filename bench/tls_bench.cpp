// Whole TLS 1.3 and TLS 1.2 connections, cordon against OpenSSL's libssl, in one
// process and in memory, over the test PKI (tests/data/certs: leaf + intermediate
// chains under ca.pem). Both sides speak exactly the one version measured.
//
// TLS 1.3:
//   <lib>/handshake/{p256,ed25519,rsa2048}
//       One full handshake per iteration, both sides (client and server objects
//       made, handshake run, both freed). X25519, TLS_AES_128_GCM_SHA256, the
//       server signing with ecdsa_secp256r1_sha256, ed25519 or rsa_pss_rsae_sha256;
//       the client verifies the chain to ca.pem and the name "localhost". No
//       session tickets (off on both sides), no session cache: every handshake
//       is full. Counters client_us / server_us: thread CPU time per handshake
//       spent in each side's calls (CLOCK_THREAD_CPUTIME_ID around every call).
//   <lib>/resumed/{p256,rsa2048}
//       The same with session tickets on both sides, every timed handshake
//       resuming with a ticket of an earlier one: psk_dhe_ke (the X25519 key
//       exchange still happens, no certificate, no signature). Both servers are
//       stateless (no session cache) and send 2 tickets after every handshake,
//       full or resumed (cordon's default tickets_per_handshake; OpenSSL
//       SSL_CTX_set_num_tickets(2)); the setup counts them on each client.
//       NewSessionTicket is a post-handshake message, so an iteration ends only
//       when the client has read both tickets: issuing (server) and storing
//       (client) them is timed. cordon: one ClientConfig for all connections;
//       its session cache keeps up to 4 tickets for "localhost" and hands each
//       out once (the newest first), so with 2 in and 1 out per handshake it
//       never runs dry. OpenSSL: after the handshake the client calls SSL_read
//       once (it returns WANT_READ having processed the tickets), then
//       SSL_get1_session gives the session of the newest ticket, offered with
//       SSL_set_session to the next connection only (each ticket used once).
//       Every iteration checks resumed() / SSL_session_reused() on both sides;
//       the setup also checks that X25519 was negotiated. Counters as above.
//   <lib>/bulk/{AES-128-GCM,AES-256-GCM,ChaCha20-Poly1305}/16384
//       An established connection per suite; per iteration the client writes
//       16 KiB (one record) and the server reads it. cordon: write() +
//       pending_output()/consume_output() on the writer, feed() +
//       readable()/consume_readable() on the reader (no copy out). OpenSSL:
//       SSL_write / SSL_read over a BIO pair. Bytes/s is plaintext.
//   <lib>/idle_connection_bytes/{p256,ed25519,rsa2048}
//       Runs once: establishes N connection pairs (N = $CORDON_BENCH_IDLE_CONNECTIONS,
//       default 1000; output drained, nothing buffered), then frees all servers,
//       then all clients, and reports the heap drop per connection as
//       server_bytes and client_bytes (glibc mallinfo2().uordblks: bytes in use
//       including malloc's chunk overhead; under ASan, the sanitizer's
//       allocated-bytes count). OpenSSL runs twice: as configured by default
//       (client_bytes, server_bytes) and with SSL_MODE_RELEASE_BUFFERS
//       (client_bytes_release_buffers, server_bytes_release_buffers). The
//       OpenSSL connections share one BIO pair, so transport buffers are not
//       counted for either library.
//
// TLS 1.2 (ECDHE + AEAD, extended master secret, as both libraries do by default):
//   <lib>/tls12/handshake/{p256,rsa2048}
//       As handshake/ above: X25519, ECDHE-ECDSA-AES128-GCM-SHA256 with the P-256
//       certificate, ECDHE-RSA-AES128-GCM-SHA256 with the RSA-2048 one (its
//       ServerKeyExchange signed with rsa_pss_rsae_sha256, the only RSA scheme
//       offered). No session tickets, no session cache: every handshake is full.
//   <lib>/tls12/resumed/{p256,rsa2048}
//       The same, with RFC 5077 session tickets on both sides, and every timed
//       handshake an abbreviated one resuming the session of the one before.
//       cordon: one ClientConfig for all connections, so its session cache
//       offers the newest ticket for "localhost"; OpenSSL: SSL_set_session with
//       SSL_get1_session of the previous connection (charged to the client).
//       Neither server keeps a session cache. Every iteration checks
//       resumed() / SSL_session_reused() on both sides, so a full handshake
//       fails the benchmark instead of being measured. Counters as above.
//   <lib>/tls12/bulk/{AES-128-GCM,AES-256-GCM,ChaCha20-Poly1305}/16384
//       As bulk/ above, with the P-256 certificate and ECDHE-ECDSA suites.
//
// bench/ratios.py --tls turns these into the cordon/OpenSSL table.
#include <malloc.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <time.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench_common.hpp"
#include "tls/connection.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define CORDON_BENCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORDON_BENCH_ASAN 1
#endif
#endif
#ifdef CORDON_BENCH_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace cordon_bench {
namespace {

using tls::Connection;
using tls::crypto::NamedGroup;
using tls::crypto::SignatureScheme;

constexpr const char* server_name = "localhost";
constexpr const char* wrong_name = "wrong.cordon.test";  // not in the leaves' SANs
constexpr std::size_t bulk_size = 16384;

// --- The test PKI ---------------------------------------------------------------

// A protocol version: what its benchmark names start with and each library's code.
struct Version {
    const char* prefix;  // "" for TLS 1.3 (whose names predate TLS 1.2), "tls12/"
    tls::ProtocolVersion cordon;
    int openssl;
};

const Version tls13{"", tls::ProtocolVersion::tls13, TLS1_3_VERSION};
const Version tls12{"tls12/", tls::ProtocolVersion::tls12, TLS1_2_VERSION};

// The groups both sides list; X25519 is negotiated. A TLS 1.2 server may only use
// an ECDSA certificate on a curve the client lists (RFC 8422 5.1; OpenSSL
// enforces it: "no shared cipher"), so TLS 1.2 clients list P-256 after X25519.
// The TLS 1.2 servers list the same, for symmetry; it changes nothing else.
std::vector<NamedGroup> cordon_groups(const Version& version) {
    if (version.cordon == tls::ProtocolVersion::tls13) return {NamedGroup::x25519};
    return {NamedGroup::x25519, NamedGroup::secp256r1};
}
const char* openssl_groups(const Version& version) {
    return version.openssl == TLS1_3_VERSION ? "X25519" : "X25519:P-256";
}

struct Suite {
    tls::CipherSuite cordon;
    const char* openssl;  // as SSL_CIPHER_get_name reports it
    const char* name;     // the AEAD, as in the aead/... benchmarks
};

const Suite tls13_handshake_suite{tls::CipherSuite::tls_aes_128_gcm_sha256, "TLS_AES_128_GCM_SHA256", "AES-128-GCM"};

// The bulk suites, by version; TLS 1.2 with the P-256 certificate (cert_kinds[0]).
const Suite tls13_suites[] = {
    tls13_handshake_suite,
    {tls::CipherSuite::tls_aes_256_gcm_sha384, "TLS_AES_256_GCM_SHA384", "AES-256-GCM"},
    {tls::CipherSuite::tls_chacha20_poly1305_sha256, "TLS_CHACHA20_POLY1305_SHA256", "ChaCha20-Poly1305"},
};
const Suite tls12_suites[] = {
    {tls::CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256, "ECDHE-ECDSA-AES128-GCM-SHA256", "AES-128-GCM"},
    {tls::CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384, "ECDHE-ECDSA-AES256-GCM-SHA384", "AES-256-GCM"},
    {tls::CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256, "ECDHE-ECDSA-CHACHA20-POLY1305",
     "ChaCha20-Poly1305"},
};
const Suite tls12_rsa_handshake_suite{tls::CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256,
                                      "ECDHE-RSA-AES128-GCM-SHA256", "AES-128-GCM"};

struct CertKind {
    const char* name;  // in benchmark names
    const char* leaf;  // tests/data/certs/<leaf>.pem (chain) and .key
    SignatureScheme scheme;
    int openssl_nid;  // what SSL_get_peer_signature_type_nid reports for scheme
    const Suite* tls12_suite;  // for TLS 1.2 handshakes; none: not measured
};

const CertKind cert_kinds[] = {
    {"p256", "leaf-p256", SignatureScheme::ecdsa_secp256r1_sha256, EVP_PKEY_EC, &tls12_suites[0]},
    {"ed25519", "leaf-ed25519", SignatureScheme::ed25519, EVP_PKEY_ED25519, nullptr},
    {"rsa2048", "leaf-rsa2048", SignatureScheme::rsa_pss_rsae_sha256, EVP_PKEY_RSA_PSS, &tls12_rsa_handshake_suite},
};

// The suite a version's handshake benchmarks use with cert.
const Suite& handshake_suite(const Version& version, const CertKind& cert) {
    return version.cordon == tls::ProtocolVersion::tls13 ? tls13_handshake_suite : *cert.tls12_suite;
}

// Both libraries offer and accept the same: the three leaf schemes, and
// ecdsa_secp256r1_sha256 also signs every certificate of the chains.
const SignatureScheme cordon_schemes[] = {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ed25519,
                                          SignatureScheme::rsa_pss_rsae_sha256};
constexpr const char* openssl_sigalgs = "ecdsa_secp256r1_sha256:ed25519:rsa_pss_rsae_sha256";

std::string cert_path(const std::string& file) { return std::string(CORDON_BENCH_CERT_DIR) + "/" + file; }

// --- Measuring --------------------------------------------------------------------

std::int64_t thread_cpu_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// Charges the thread CPU time since the previous charge to one side; one clock
// read per switch between the sides.
class SideClock {
public:
    void start() noexcept { last_ = thread_cpu_ns(); }
    void charge_client() noexcept { client_ns_ += lap(); }
    void charge_server() noexcept { server_ns_ += lap(); }
    void report(benchmark::State& state) const {
        const double n = static_cast<double>(state.iterations());
        if (n == 0) return;
        state.counters["client_us"] = static_cast<double>(client_ns_) / 1e3 / n;
        state.counters["server_us"] = static_cast<double>(server_ns_) / 1e3 / n;
    }

private:
    std::int64_t lap() noexcept {
        const std::int64_t now = thread_cpu_ns();
        const std::int64_t elapsed = now - last_;
        last_ = now;
        return elapsed;
    }
    std::int64_t last_ = 0;
    std::int64_t client_ns_ = 0, server_ns_ = 0;
};

// No-op charges, for handshakes that are not timed.
struct NoClock {
    void start() noexcept {}
    void charge_client() noexcept {}
    void charge_server() noexcept {}
};

// Heap bytes in use.
std::size_t heap_in_use() noexcept {
#ifdef CORDON_BENCH_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    return mallinfo2().uordblks;
#endif
}

std::size_t idle_connections() {
    if (const char* env = std::getenv("CORDON_BENCH_IDLE_CONNECTIONS")) {
        const long n = std::strtol(env, nullptr, 10);
        if (n > 0) return static_cast<std::size_t>(n);
    }
    return 1000;
}

double per_connection(std::size_t before, std::size_t after, std::size_t n) {
    return (static_cast<double>(before) - static_cast<double>(after)) / static_cast<double>(n);
}

// --- cordon -----------------------------------------------------------------------

struct CordonConfigs {
    std::shared_ptr<const tls::ClientConfig> client;
    std::shared_ptr<const tls::ServerConfig> server;
};

// One version, one suite, X25519. Tickets: the server issues RFC 5077 tickets
// and the client offers them from its configuration's session cache; without,
// neither (every handshake is full).
tls::Result<CordonConfigs> cordon_configs(const Version& version, const CertKind& cert, tls::CipherSuite suite,
                                          bool tickets = false) {
    tls::ClientSettings c;
    TLS_TRY(c.roots.add_pem_file(cert_path("ca.pem")));
    c.versions = {version.cordon};
    c.resumption = tickets;
    c.groups = cordon_groups(version);
    c.cipher_suites = {suite};
    c.signature_schemes.assign(std::begin(cordon_schemes), std::end(cordon_schemes));
    TLS_TRY_ASSIGN(client, tls::ClientConfig::build(std::move(c)));

    tls::ServerSettings s;
    TLS_TRY_ASSIGN(key, tls::CertifiedKey::from_files(cert_path(std::string(cert.leaf) + ".pem"),
                                                      cert_path(std::string(cert.leaf) + ".key")));
    s.certificate = std::move(key);
    s.versions = {version.cordon};
    s.session_tickets = tickets;
    s.groups = cordon_groups(version);
    s.cipher_suites = {suite};
    s.signature_schemes.assign(std::begin(cordon_schemes), std::end(cordon_schemes));
    TLS_TRY_ASSIGN(server, tls::ServerConfig::build(std::move(s)));
    return CordonConfigs{std::move(client), std::move(server)};
}

struct CordonPair {
    std::optional<Connection> client, server;
};

// Runs a whole handshake in memory; feed() reads straight from the sender's
// pending_output() view. The clock charges each call to its side. On failure,
// error says why.
template <class Clock>
bool cordon_handshake(const CordonConfigs& configs, Clock& clock, CordonPair& pair, std::string& error,
                      const char* name = server_name) {
    clock.start();
    auto client = Connection::client(configs.client, name);
    clock.charge_client();
    if (!client) {
        error = std::string("Connection::client: ") + client.error().message;
        return false;
    }
    pair.client.emplace(std::move(*client));
    auto server = Connection::server(configs.server);
    clock.charge_server();
    if (!server) {
        error = std::string("Connection::server: ") + server.error().message;
        return false;
    }
    pair.server.emplace(std::move(*server));

    Connection& c = *pair.client;
    Connection& s = *pair.server;
    for (int round = 0; round < 16; ++round) {
        if (c.handshake_complete() && s.handshake_complete() && !c.has_output() && !s.has_output()) return true;
        if (auto out = c.pending_output(); !out.empty()) {
            const std::size_t took = s.feed(out);
            clock.charge_server();
            c.consume_output(took);
            clock.charge_client();
            if (took != out.size()) break;
        }
        if (auto out = s.pending_output(); !out.empty()) {
            const std::size_t took = c.feed(out);
            clock.charge_client();
            s.consume_output(took);
            clock.charge_server();
            if (took != out.size()) break;
        }
    }
    error = "the handshake did not finish";
    for (const Connection* side : {&c, &s})
        if (const auto* e = side->error()) error = std::string(side->is_server() ? "server: " : "client: ") + e->message;
    return false;
}

void skip_cordon_handshake(benchmark::State& state, const std::string& error) {
    state.SkipWithError(("cordon handshake: " + error).c_str());
}

// Whether both sides resumed; a benchmark of resumptions stops at the first
// handshake that was full instead.
bool cordon_resumed(benchmark::State& state, const CordonPair& pair, bool resumed) {
    if (pair.client->resumed() == resumed && pair.server->resumed() == resumed) return true;
    const std::string message = std::string(resumed ? "cordon: a handshake did not resume"
                                                    : "cordon: a handshake resumed where a full one was expected") +
                                " (client resumed() " + (pair.client->resumed() ? "true" : "false") + ", server " +
                                (pair.server->resumed() ? "true" : "false") + ")";
    state.SkipWithError(message.c_str());
    return false;
}

// What the first handshakes of a benchmark must have negotiated (a resumption
// sends no signature: only the suite and chain carry over; a TLS 1.2 one makes
// no key exchange either, a TLS 1.3 one (psk_dhe_ke) still does).
bool cordon_negotiated(benchmark::State& state, const CordonPair& pair, const Version& version, const CertKind& cert,
                       tls::CipherSuite suite, bool resumed = false) {
    const Connection& c = *pair.client;
    if (c.state() != Connection::State::established || pair.server->state() != Connection::State::established) {
        state.SkipWithError("cordon: not established after the handshake");
        return false;
    }
    if (c.version() != version.cordon || pair.server->version() != version.cordon) {
        state.SkipWithError("cordon: negotiated another version than asked");
        return false;
    }
    if (!cordon_resumed(state, pair, resumed)) return false;
    const bool key_exchange = !resumed || version.cordon == tls::ProtocolVersion::tls13;
    if (c.cipher_suite() != suite || c.peer_certificates().size() != 2 ||
        (key_exchange && (c.group() != NamedGroup::x25519 || pair.server->group() != NamedGroup::x25519)) ||
        (!resumed && c.signature_scheme() != cert.scheme)) {
        state.SkipWithError("cordon: negotiated another suite, group or signature scheme than asked");
        return false;
    }
    return true;
}

// The TLS 1.3 tickets a client configuration's cache holds for server_name
// (the cache is left as it was).
std::size_t cordon_cached_tickets(const tls::ClientConfig& config) {
    const auto& cache = config.settings().session_cache;
    if (!cache) return 0;
    std::vector<std::shared_ptr<const tls::ClientSession>> taken;  // newest first
    while (auto session = cache->take(server_name)) taken.push_back(std::move(session));
    for (auto it = taken.rbegin(); it != taken.rend(); ++it) cache->store(server_name, *it);
    return taken.size();
}

// Whether the client's cache holds the TLS 1.3 tickets expected after the setup
// handshakes (TLS 1.2 sessions are not counted).
bool cordon_tickets_as_expected(benchmark::State& state, const Version& version, const CordonConfigs& configs,
                                std::size_t expected) {
    if (version.cordon != tls::ProtocolVersion::tls13) return true;
    const std::size_t held = cordon_cached_tickets(*configs.client);
    if (held == expected) return true;
    const std::string message = "cordon: the client holds " + std::to_string(held) + " TLS 1.3 tickets, expected " +
                                std::to_string(expected) + " (2 per handshake, 1 used per resumption)";
    state.SkipWithError(message.c_str());
    return false;
}

// Full handshakes, or (resume) abbreviated ones resuming with a ticket of an
// earlier handshake: TLS 1.2 the previous session, TLS 1.3 a fresh ticket.
void cordon_handshake_bench(benchmark::State& state, const Version& version, const CertKind& cert, bool resume) {
    const tls::CipherSuite suite = handshake_suite(version, cert).cordon;
    auto configs = cordon_configs(version, cert, suite, resume);
    if (!configs) return skip(state, "cordon configuration", configs.error());
    std::string error;
    {
        NoClock none;
        CordonPair first, wrong, second;
        if (!cordon_handshake(*configs, none, first, error)) return skip_cordon_handshake(state, error);
        if (!cordon_negotiated(state, first, version, cert, suite)) return;
        if (resume && !cordon_tickets_as_expected(state, version, *configs, 2)) return;
        // A client that verified nothing would be fast and useless.
        if (cordon_handshake(*configs, none, wrong, error, wrong_name))
            return state.SkipWithError("cordon: the client accepts a certificate for another name");
        // With tickets the second resumes the first; without, it is full again.
        if (!cordon_handshake(*configs, none, second, error)) return skip_cordon_handshake(state, error);
        if (!cordon_negotiated(state, second, version, cert, suite, resume)) return;
        // TLS 1.3: the resumption used one ticket and brought two.
        if (resume && !cordon_tickets_as_expected(state, version, *configs, 3)) return;
    }
    SideClock clock;
    for (auto _ : state) {
        CordonPair pair;
        if (!cordon_handshake(*configs, clock, pair, error)) {
            skip_cordon_handshake(state, error);
            break;
        }
        if (!cordon_resumed(state, pair, resume)) break;
        clock.start();
        pair.client.reset();
        clock.charge_client();
        pair.server.reset();
        clock.charge_server();
    }
    clock.report(state);
}

void cordon_bulk_bench(benchmark::State& state, const Version& version, const Suite& suite) {
    auto configs = cordon_configs(version, cert_kinds[0], suite.cordon);
    if (!configs) return skip(state, "cordon configuration", configs.error());
    NoClock none;
    CordonPair pair;
    std::string error;
    if (!cordon_handshake(*configs, none, pair, error)) return skip_cordon_handshake(state, error);
    if (!cordon_negotiated(state, pair, version, cert_kinds[0], suite.cordon)) return;
    Connection& writer = *pair.client;
    Connection& reader = *pair.server;
    const std::vector<std::uint8_t> data(bulk_size, 0x61);

    for (auto _ : state) {
        if (auto written = writer.write(data); !written) return skip(state, "cordon write", written.error());
        const Bytes out = writer.pending_output();
        std::size_t offset = 0, received = 0;
        while (offset < out.size()) {
            const std::size_t took = reader.feed(out.subspan(offset));
            offset += took;
            const Bytes plaintext = reader.readable();
            benchmark::DoNotOptimize(plaintext.data());
            received += plaintext.size();
            reader.consume_readable(plaintext.size());
            if (took == 0 && plaintext.empty()) break;
        }
        writer.consume_output(offset);
        if (offset != out.size() || received != bulk_size)
            return state.SkipWithError("cordon: the reader did not take the whole record");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bulk_size));
}

void cordon_idle_bench(benchmark::State& state, const CertKind& cert) {
    const std::size_t n = idle_connections();
    auto configs = cordon_configs(tls13, cert, tls13_handshake_suite.cordon);
    if (!configs) return skip(state, "cordon configuration", configs.error());
    NoClock none;
    std::string error;
    std::vector<CordonPair> pairs;
    pairs.reserve(n);
    for (auto _ : state) {
        {
            // Warms up whatever the first handshake allocates once (provider
            // state, OpenSSL's per-thread state) so that it is not counted.
            CordonPair warm;
            if (!cordon_handshake(*configs, none, warm, error)) return skip_cordon_handshake(state, error);
            if (!cordon_negotiated(state, warm, tls13, cert, tls13_handshake_suite.cordon)) return;
        }
        const std::size_t base = heap_in_use();
        for (std::size_t i = 0; i < n; ++i) {
            pairs.emplace_back();
            if (!cordon_handshake(*configs, none, pairs.back(), error)) return skip_cordon_handshake(state, error);
            if (!pairs.back().client->readable().empty() || !pairs.back().server->readable().empty())
                return state.SkipWithError("cordon: data left after the handshake");
        }
        const std::size_t established = heap_in_use();
        for (auto& pair : pairs) pair.server.reset();
        const std::size_t without_servers = heap_in_use();
        for (auto& pair : pairs) pair.client.reset();
        const std::size_t without_clients = heap_in_use();
        pairs.clear();

        state.counters["connections"] = static_cast<double>(n);
        state.counters["pair_bytes"] = per_connection(established, base, n);
        state.counters["server_bytes"] = per_connection(established, without_servers, n);
        state.counters["client_bytes"] = per_connection(without_servers, without_clients, n);
        state.counters["residual_bytes"] = per_connection(without_clients, base, n);
    }
}

// --- OpenSSL ----------------------------------------------------------------------

struct SslFree {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
    void operator()(SSL* p) const noexcept { SSL_free(p); }
    void operator()(BIO* p) const noexcept { BIO_free(p); }
    void operator()(SSL_SESSION* p) const noexcept { SSL_SESSION_free(p); }
};
template <class T>
using SslOwned = std::unique_ptr<T, SslFree>;

struct OpensslContexts {
    SslOwned<SSL_CTX> client, server;
};

// Both sides: one version only, X25519 only, one suite, the same signature
// schemes, no session cache; session tickets (TLS 1.2: RFC 5077; TLS 1.3: 2
// stateless tickets per handshake, as cordon) only when asked for, and then
// resumption is the caller's (SSL_set_session). The client
// verifies the chain to ca.pem and (per connection, SSL_set1_host) the name.
bool openssl_contexts(OpensslContexts& out, const Version& version, const CertKind& cert, const char* suite,
                      bool release_buffers, bool tickets = false) {
    out.client.reset(SSL_CTX_new(TLS_client_method()));
    out.server.reset(SSL_CTX_new(TLS_server_method()));
    for (SSL_CTX* ctx : {out.client.get(), out.server.get()}) {
        if (ctx == nullptr || SSL_CTX_set_min_proto_version(ctx, version.openssl) != 1 ||
            SSL_CTX_set_max_proto_version(ctx, version.openssl) != 1 ||
            (version.openssl == TLS1_3_VERSION ? SSL_CTX_set_ciphersuites(ctx, suite)
                                               : SSL_CTX_set_cipher_list(ctx, suite)) != 1 ||
            SSL_CTX_set1_groups_list(ctx, openssl_groups(version)) != 1 ||
            SSL_CTX_set1_sigalgs_list(ctx, openssl_sigalgs) != 1)
            return false;
        if (!tickets) SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        if (release_buffers) SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    }
    if (SSL_CTX_set_num_tickets(out.server.get(), tickets ? 2 : 0) != 1) return false;
    if (SSL_CTX_load_verify_locations(out.client.get(), cert_path("ca.pem").c_str(), nullptr) != 1) return false;
    SSL_CTX_set_verify(out.client.get(), SSL_VERIFY_PEER, nullptr);
    const std::string leaf(cert.leaf);
    return SSL_CTX_use_certificate_chain_file(out.server.get(), cert_path(leaf + ".pem").c_str()) == 1 &&
           SSL_CTX_use_PrivateKey_file(out.server.get(), cert_path(leaf + ".key").c_str(), SSL_FILETYPE_PEM) == 1 &&
           SSL_CTX_check_private_key(out.server.get()) == 1;
}

struct OpensslPair {
    SslOwned<SSL> client, server;
};

// A whole handshake. Without a shared BIO pair, each handshake makes its own
// (charged to the client); with one, every connection takes a reference to it
// (the caller keeps it drained between handshakes). With a session, the client
// offers it for resumption. A TLS 1.3 server writes its tickets within its last
// SSL_do_handshake; the client reads them with an SSL_read that finds no data
// (NewSessionTicket is a post-handshake message), so that the handshake ends
// with the tickets processed and nothing left in transit. After a resumption
// OpenSSL's server sends one ticket only, whatever SSL_CTX_set_num_tickets()
// says; it is asked for the rest (SSL_new_session_ticket, written by one more
// SSL_do_handshake), so that it issues as many as cordon's (2).
template <class Clock>
bool openssl_handshake(const OpensslContexts& contexts, OpensslPair& pair, Clock& clock, BIO* shared_client_bio = nullptr,
                       BIO* shared_server_bio = nullptr, const char* name = server_name,
                       SSL_SESSION* session = nullptr) {
    clock.start();
    pair.client.reset(SSL_new(contexts.client.get()));
    BIO* client_bio = shared_client_bio;
    BIO* server_bio = shared_server_bio;
    if (client_bio == nullptr) {
        if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) return false;
    } else {
        BIO_up_ref(client_bio);
        BIO_up_ref(server_bio);
    }
    if (!pair.client) {
        BIO_free(client_bio);
        BIO_free(server_bio);
        return false;
    }
    SSL* c = pair.client.get();
    SSL_set_bio(c, client_bio, client_bio);
    SSL_set_connect_state(c);
    const bool client_ok = SSL_set_tlsext_host_name(c, name) == 1 && SSL_set1_host(c, name) == 1 &&
                           (session == nullptr || SSL_set_session(c, session) == 1);
    clock.charge_client();
    pair.server.reset(SSL_new(contexts.server.get()));
    if (!pair.server) {
        BIO_free(server_bio);
        return false;
    }
    SSL* s = pair.server.get();
    SSL_set_bio(s, server_bio, server_bio);
    SSL_set_accept_state(s);
    clock.charge_server();
    if (!client_ok) return false;

    bool client_done = false, server_done = false;
    for (int round = 0; round < 16 && !(client_done && server_done); ++round) {
        if (!client_done) {
            const int r = SSL_do_handshake(c);
            clock.charge_client();
            if (r == 1)
                client_done = true;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                return false;
        }
        if (!server_done) {
            const int r = SSL_do_handshake(s);
            clock.charge_server();
            if (r == 1)
                server_done = true;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                return false;
        }
    }
    if (client_done && server_done && SSL_version(s) == TLS1_3_VERSION && SSL_session_reused(s) == 1 &&
        SSL_get_num_tickets(s) > 1) {
        for (std::size_t i = 1; i < SSL_get_num_tickets(s); ++i)
            if (SSL_new_session_ticket(s) != 1) return false;
        const int r = SSL_do_handshake(s);
        clock.charge_server();
        if (r != 1) return false;
    }
    if (client_done && server_done && BIO_ctrl_pending(SSL_get_rbio(c)) != 0 && SSL_version(c) == TLS1_3_VERSION) {
        unsigned char byte = 0;
        std::size_t read = 0;
        const int r = SSL_read_ex(c, &byte, 1, &read);
        clock.charge_client();
        if (r == 1 || SSL_get_error(c, r) != SSL_ERROR_WANT_READ) return false;  // no application data is sent
    }
    return client_done && server_done && SSL_get_verify_result(c) == X509_V_OK &&
           BIO_ctrl_pending(SSL_get_rbio(c)) == 0 && BIO_ctrl_pending(SSL_get_rbio(s)) == 0;
}

// As cordon_resumed().
bool openssl_resumed(benchmark::State& state, const OpensslPair& pair, bool resumed) {
    const bool client = SSL_session_reused(pair.client.get()) == 1;
    const bool server = SSL_session_reused(pair.server.get()) == 1;
    if (client == resumed && server == resumed) return true;
    const std::string message = std::string(resumed ? "openssl: a handshake did not resume"
                                                    : "openssl: a handshake resumed where a full one was expected") +
                                " (client SSL_session_reused " + (client ? "1" : "0") + ", server " +
                                (server ? "1" : "0") + ")";
    state.SkipWithError(message.c_str());
    return false;
}

// As cordon_negotiated().
bool openssl_negotiated(benchmark::State& state, const OpensslPair& pair, const Version& version, const CertKind& cert,
                        const char* suite, bool resumed = false) {
    SSL* c = pair.client.get();
    if (SSL_version(c) != version.openssl || SSL_version(pair.server.get()) != version.openssl) {
        state.SkipWithError("openssl: negotiated another version than asked");
        return false;
    }
    if (!openssl_resumed(state, pair, resumed)) return false;
    const SSL_CIPHER* cipher = SSL_get_current_cipher(c);
    if (cipher == nullptr || std::string(SSL_CIPHER_get_name(cipher)) != suite) {
        state.SkipWithError("openssl: negotiated another suite than asked");
        return false;
    }
    // A TLS 1.3 resumption (psk_dhe_ke) still makes the key exchange.
    const int group = SSL_get_negotiated_group(c);
    if (resumed) {
        if (version.openssl == TLS1_3_VERSION &&
            (group != NID_X25519 || SSL_get_negotiated_group(pair.server.get()) != NID_X25519)) {
            state.SkipWithError("openssl: a TLS 1.3 resumption without the X25519 key exchange");
            return false;
        }
        return true;
    }
    int sigalg = 0;
    if (group != NID_X25519 || SSL_get_peer_signature_type_nid(c, &sigalg) != 1 || sigalg != cert.openssl_nid) {
        state.SkipWithError("openssl: negotiated another suite, group or signature scheme than asked");
        return false;
    }
    if (cert.scheme == SignatureScheme::rsa_pss_rsae_sha256) {
        int md = 0;
        if (SSL_get_peer_signature_nid(c, &md) != 1 || md != NID_sha256) {
            state.SkipWithError("openssl: the RSA-PSS signature does not use SHA-256");
            return false;
        }
    }
    return true;
}

// Takes the session a client offers next: the one its connection established
// (resumed, or the new one of a full handshake; for TLS 1.3, the session of
// the newest ticket, which openssl_handshake() has read). The connection is then marked
// shut down: SSL_free of a connection that was not (no SSL_shutdown) marks its
// session not resumable, as a "bad session". No close_notify is sent; cordon
// sends none either when its connections are freed.
void openssl_take_session(const OpensslPair& pair, SslOwned<SSL_SESSION>& session) {
    session.reset(SSL_get1_session(pair.client.get()));
    SSL_set_shutdown(pair.client.get(), SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

bool openssl_take_session(benchmark::State& state, const OpensslPair& pair, SslOwned<SSL_SESSION>& session) {
    openssl_take_session(pair, session);
    if (session && SSL_SESSION_is_resumable(session.get()) == 1) return true;
    state.SkipWithError("openssl: the client has no resumable session");
    return false;
}

// Counts the NewSessionTicket messages a client reads (a message callback, set
// on the client context for the untimed setup only).
void count_tickets(int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* arg) {
    if (write_p == 0 && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
        static_cast<const unsigned char*>(buf)[0] == SSL3_MT_NEWSESSION_TICKET)
        ++*static_cast<int*>(arg);
}

// As cordon_tickets_as_expected(): how many tickets the last setup handshake
// brought (the counter is reset).
bool openssl_tickets_as_expected(benchmark::State& state, const Version& version, int& counted, int expected) {
    const int got = std::exchange(counted, 0);
    if (version.openssl != TLS1_3_VERSION || got == expected) return true;
    const std::string message = "openssl: the client read " + std::to_string(got) + " TLS 1.3 tickets, expected " +
                                std::to_string(expected);
    state.SkipWithError(message.c_str());
    return false;
}

// As cordon_handshake_bench().
void openssl_handshake_bench(benchmark::State& state, const Version& version, const CertKind& cert, bool resume) {
    const char* suite = handshake_suite(version, cert).openssl;
    OpensslContexts contexts;
    if (!openssl_contexts(contexts, version, cert, suite, false, resume))
        return skip_openssl(state, "openssl contexts");
    SslOwned<SSL_SESSION> session;
    {
        int tickets = 0;
        SSL_CTX_set_msg_callback(contexts.client.get(), count_tickets);
        SSL_CTX_set_msg_callback_arg(contexts.client.get(), &tickets);
        NoClock none;
        OpensslPair first, wrong, second;
        if (!openssl_handshake(contexts, first, none)) return skip_openssl(state, "openssl handshake");
        if (!openssl_negotiated(state, first, version, cert, suite)) return;
        if (!openssl_tickets_as_expected(state, version, tickets, resume ? 2 : 0)) return;
        if (resume && !openssl_take_session(state, first, session)) return;
        if (openssl_handshake(contexts, wrong, none, nullptr, nullptr, wrong_name))
            return state.SkipWithError("openssl: the client accepts a certificate for another name");
        ERR_clear_error();
        tickets = 0;
        if (!openssl_handshake(contexts, second, none, nullptr, nullptr, server_name, session.get()))
            return skip_openssl(state, "openssl handshake");
        if (!openssl_negotiated(state, second, version, cert, suite, resume)) return;
        if (!openssl_tickets_as_expected(state, version, tickets, resume ? 2 : 0)) return;
        if (resume && !openssl_take_session(state, second, session)) return;
        // The timed connections run without the callback (SSL_new copies it).
        SSL_CTX_set_msg_callback(contexts.client.get(), nullptr);
        SSL_CTX_set_msg_callback_arg(contexts.client.get(), nullptr);
    }
    SideClock clock;
    for (auto _ : state) {
        OpensslPair pair;
        if (!openssl_handshake(contexts, pair, clock, nullptr, nullptr, server_name, session.get())) {
            skip_openssl(state, "openssl handshake");
            break;
        }
        if (!openssl_resumed(state, pair, resume)) break;
        clock.start();
        if (resume) openssl_take_session(pair, session);
        pair.client.reset();
        clock.charge_client();
        pair.server.reset();
        clock.charge_server();
    }
    clock.report(state);
}

void openssl_bulk_bench(benchmark::State& state, const Version& version, const Suite& suite) {
    OpensslContexts contexts;
    if (!openssl_contexts(contexts, version, cert_kinds[0], suite.openssl, false))
        return skip_openssl(state, "openssl contexts");
    NoClock none;
    OpensslPair pair;
    if (!openssl_handshake(contexts, pair, none)) return skip_openssl(state, "openssl handshake");
    if (!openssl_negotiated(state, pair, version, cert_kinds[0], suite.openssl)) return;
    SSL* writer = pair.client.get();
    SSL* reader = pair.server.get();
    const std::vector<std::uint8_t> data(bulk_size, 0x61);
    std::vector<std::uint8_t> in(bulk_size);

    for (auto _ : state) {
        std::size_t written = 0;
        if (SSL_write_ex(writer, data.data(), data.size(), &written) != 1 || written != bulk_size)
            return skip_openssl(state, "SSL_write_ex");
        std::size_t received = 0;
        while (received < bulk_size) {
            std::size_t n = 0;
            if (SSL_read_ex(reader, in.data() + received, in.size() - received, &n) != 1)
                return skip_openssl(state, "SSL_read_ex");
            received += n;
        }
        benchmark::DoNotOptimize(in.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bulk_size));
}

// Establishes n pairs over one shared BIO pair and measures the heap drop when
// the servers, then the clients are freed. Returns false on a failed handshake.
bool openssl_idle_measure(const OpensslContexts& contexts, std::size_t n, double& client_bytes, double& server_bytes,
                          double& pair_bytes) {
    BIO* client_bio = nullptr;
    BIO* server_bio = nullptr;
    if (BIO_new_bio_pair(&client_bio, 0, &server_bio, 0) != 1) return false;
    const SslOwned<BIO> client_bio_owner(client_bio), server_bio_owner(server_bio);
    NoClock none;
    std::vector<OpensslPair> pairs;
    pairs.reserve(n);
    {
        OpensslPair warm;
        if (!openssl_handshake(contexts, warm, none, client_bio, server_bio)) return false;
    }
    const std::size_t base = heap_in_use();
    for (std::size_t i = 0; i < n; ++i) {
        OpensslPair pair;
        if (!openssl_handshake(contexts, pair, none, client_bio, server_bio)) return false;
        pairs.push_back(std::move(pair));
    }
    const std::size_t established = heap_in_use();
    for (auto& pair : pairs) pair.server.reset();
    const std::size_t without_servers = heap_in_use();
    for (auto& pair : pairs) pair.client.reset();
    const std::size_t without_clients = heap_in_use();
    pair_bytes = per_connection(established, base, n);
    server_bytes = per_connection(established, without_servers, n);
    client_bytes = per_connection(without_servers, without_clients, n);
    return true;
}

void openssl_idle_bench(benchmark::State& state, const CertKind& cert) {
    const std::size_t n = idle_connections();
    OpensslContexts contexts, releasing;
    if (!openssl_contexts(contexts, tls13, cert, tls13_handshake_suite.openssl, false) ||
        !openssl_contexts(releasing, tls13, cert, tls13_handshake_suite.openssl, true))
        return skip_openssl(state, "openssl contexts");
    {
        NoClock none;
        OpensslPair first;
        if (!openssl_handshake(contexts, first, none)) return skip_openssl(state, "openssl handshake");
        if (!openssl_negotiated(state, first, tls13, cert, tls13_handshake_suite.openssl)) return;
    }
    for (auto _ : state) {
        double client = 0, server = 0, pair = 0, client_release = 0, server_release = 0, pair_release = 0;
        if (!openssl_idle_measure(contexts, n, client, server, pair) ||
            !openssl_idle_measure(releasing, n, client_release, server_release, pair_release))
            return skip_openssl(state, "openssl handshake");
        state.counters["connections"] = static_cast<double>(n);
        state.counters["pair_bytes"] = pair;
        state.counters["client_bytes"] = client;
        state.counters["server_bytes"] = server;
        state.counters["pair_bytes_release_buffers"] = pair_release;
        state.counters["client_bytes_release_buffers"] = client_release;
        state.counters["server_bytes_release_buffers"] = server_release;
    }
}

}  // namespace

void register_tls_benchmarks() {
    // TLS 1.3 first (names without a version), then TLS 1.2 (tls12/...).
    const auto handshakes = [](const Version& version, const CertKind& cert, bool resume) {
        const std::string name = std::string(version.prefix) + (resume ? "resumed/" : "handshake/") + cert.name;
        add("cordon", name, [&version, &cert, resume](benchmark::State& s) {
            cordon_handshake_bench(s, version, cert, resume);
        })->Unit(benchmark::kMicrosecond);
        add(openssl_name, name, [&version, &cert, resume](benchmark::State& s) {
            openssl_handshake_bench(s, version, cert, resume);
        })->Unit(benchmark::kMicrosecond);
    };
    const auto bulk = [](const Version& version, const Suite& suite) {
        const std::string name = std::string(version.prefix) + "bulk/" + suite.name + "/" + std::to_string(bulk_size);
        add("cordon", name, [&version, &suite](benchmark::State& s) { cordon_bulk_bench(s, version, suite); });
        add(openssl_name, name, [&version, &suite](benchmark::State& s) { openssl_bulk_bench(s, version, suite); });
    };

    for (const CertKind& cert : cert_kinds) handshakes(tls13, cert, false);
    // Resumed: the certificates of the TLS 1.2 cases (a resumption signs nothing).
    for (const CertKind& cert : cert_kinds)
        if (cert.tls12_suite != nullptr) handshakes(tls13, cert, true);
    for (const Suite& suite : tls13_suites) bulk(tls13, suite);
    for (const CertKind& cert : cert_kinds) {
        const std::string name = std::string("idle_connection_bytes/") + cert.name;
        add("cordon", name, [&cert](benchmark::State& s) { cordon_idle_bench(s, cert); })
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond);
        add(openssl_name, name, [&cert](benchmark::State& s) { openssl_idle_bench(s, cert); })
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond);
    }

    for (const CertKind& cert : cert_kinds)
        if (cert.tls12_suite != nullptr) handshakes(tls12, cert, false);
    for (const CertKind& cert : cert_kinds)
        if (cert.tls12_suite != nullptr) handshakes(tls12, cert, true);
    for (const Suite& suite : tls12_suites) bulk(tls12, suite);
}

}  // namespace cordon_bench
