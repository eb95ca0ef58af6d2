// cordon-sni-proxy: a single-threaded, non-blocking TLS proxy that routes by SNI.
//
//   cordon-sni-proxy --listen 127.0.0.1:8443
//       --route other.test=passthrough:127.0.0.1:4433
//       --route '*.example.com=terminate:chain.pem:key.pem:127.0.0.1:8080'
//       --default passthrough:10.0.0.2:443
//
// Each accepted connection is read until its first bytes hold a whole ClientHello
// (tls::peek_client_hello() only reads them), and the server name picks a route:
//  - passthrough: the same bytes go to the backend untouched, ClientHello first,
//    and both directions are spliced byte for byte; the proxy never sees a key.
//  - terminate: a tls::Connection::server holding the route's certificate is fed
//    those bytes, and the decrypted stream is relayed to a plaintext TCP backend.
// Every socket is non-blocking and served by one poll() loop (event_loop.hpp).
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "event_loop.hpp"
#include "tls/config.hpp"
#include "tls/connection.hpp"

namespace proxy {
namespace {

using Clock = std::chrono::steady_clock;

// One full TLS record (16 KiB + header): a ClientHello that needs more is refused.
constexpr std::size_t max_hello_bytes = 16 * 1024 + 5;
// Backpressure: a side is not read while what it would add to is above this.
constexpr std::size_t high_water = 256 * 1024;
constexpr std::size_t read_chunk = 64 * 1024;
// After a fatal TLS error: how long to wait for the client to read the alert and close.
constexpr auto drain_time = std::chrono::seconds(2);

const char* const usage =
    "usage: cordon-sni-proxy --listen HOST:PORT [--route NAME=TARGET]... [--default TARGET]\n"
    "  Accepts TLS connections, reads each ClientHello's server name (SNI) and routes the\n"
    "  connection by it: an exact NAME first, then the longest matching \"*.suffix\" (any\n"
    "  number of labels before the suffix), then --default; no route closes the connection.\n"
    "  Prints \"listening on HOST:PORT\" once listening and one line per connection.\n"
    "targets:\n"
    "  passthrough:HOST:PORT                    forward the TLS bytes untouched to HOST:PORT\n"
    "  terminate:CHAIN.pem:KEY.pem:HOST:PORT    end TLS here with that certificate, relay the\n"
    "                                           plaintext to HOST:PORT over TCP\n"
    "options:\n"
    "  --listen HOST:PORT   address to listen on (port 0 picks a free one)\n"
    "  --route NAME=TARGET  a route (repeatable); NAME is a host name or *.suffix\n"
    "  --default TARGET     the route for other names and for no SNI\n"
    "  --timeout SECONDS    time allowed for the ClientHello, the handshake and the backend's\n"
    "                       connect (default 10)\n";

int fail(const std::string& message) {
    std::fprintf(stderr, "cordon-sni-proxy: %s\n", message.c_str());
    return 1;
}

int bad_usage(const std::string& message) {
    std::fprintf(stderr, "cordon-sni-proxy: %s\n%s", message.c_str(), usage);
    return 2;
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

// Appends every part to out. (Rather than "literal" + std::string&&, on which
// GCC 12 at -O3 warns falsely with -Wrestrict.)
template <class... Parts>
void append(std::string& out, const Parts&... parts) {
    (out.append(parts), ...);
}

// The server name comes from the peer: keep control bytes out of the log.
std::string printable(std::string_view text) {
    std::string out;
    for (char c : text) out.push_back(c > ' ' && c < 0x7f ? c : '?');
    return out;
}

// --- Routes -------------------------------------------------------------------

struct Address {
    sockaddr_storage storage{};
    socklen_t length = 0;
};

struct Route {
    std::string name;  // "other.test", "*.example.com", or "default"
    bool terminate = false;
    std::string backend;  // HOST:PORT as given
    // Resolved once at start-up: getaddrinfo() blocks, and the loop must not.
    std::vector<Address> addresses;
    std::shared_ptr<const tls::ServerConfig> config;  // terminate only

    std::string describe() const { return name + (terminate ? " terminate -> " : " passthrough -> ") + backend; }
};

bool resolve(const std::string& target, std::vector<Address>& out, std::string& error) {
    std::string host;
    std::uint16_t port = 0;
    if (!cli::split_host_port(target, host, port)) {
        error = "bad backend \"" + target + "\" (HOST:PORT, IPv6 as [::1]:PORT)";
        return false;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
        error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return false;
    }
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
        Address a;
        std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
        a.length = ai->ai_addrlen;
        out.push_back(a);
    }
    freeaddrinfo(list);
    if (out.empty()) error = "no address for " + host;
    return !out.empty();
}

// One immutable ServerConfig per certificate, shared by every connection (and
// by routes naming the same files).
using ConfigCache = std::map<std::string, std::shared_ptr<const tls::ServerConfig>>;

std::shared_ptr<const tls::ServerConfig> server_config(const std::string& chain, const std::string& key,
                                                       ConfigCache& cache, std::string& error) {
    std::string id = chain + '\n' + key;
    if (auto it = cache.find(id); it != cache.end()) return it->second;
    auto certified = tls::CertifiedKey::from_files(chain, key);
    if (!certified) {
        error = "cannot load " + chain + " / " + key + ": " + cli::describe(certified.error());
        return nullptr;
    }
    tls::ServerSettings settings;
    settings.certificate = *certified;
    auto config = tls::ServerConfig::build(std::move(settings));
    if (!config) {
        error = "invalid server configuration for " + chain + ": " + cli::describe(config.error());
        return nullptr;
    }
    cache.emplace(id, *config);
    return *config;
}

// "passthrough:HOST:PORT" or "terminate:CHAIN.pem:KEY.pem:HOST:PORT" (file names without ':').
bool parse_target(std::string_view spec, Route& route, ConfigCache& cache, std::string& error) {
    auto field = [&spec]() -> std::string {
        auto colon = spec.find(':');
        if (colon == std::string_view::npos) return {};
        std::string out(spec.substr(0, colon));
        spec.remove_prefix(colon + 1);
        return out;
    };
    std::string mode = field();
    if (mode == "terminate") {
        std::string chain = field(), key = field();
        if (chain.empty() || key.empty()) {
            error = "terminate needs CHAIN.pem:KEY.pem:HOST:PORT";
            return false;
        }
        route.terminate = true;
        route.config = server_config(chain, key, cache, error);
        if (!route.config) return false;
    } else if (mode != "passthrough") {
        error = "a target is passthrough:HOST:PORT or terminate:CHAIN.pem:KEY.pem:HOST:PORT";
        return false;
    }
    route.backend = std::string(spec);
    return resolve(route.backend, route.addresses, error);
}

// --- Connections --------------------------------------------------------------

// One client connection and, once routed, its backend connection.
struct Tunnel {
    enum class Phase {
        hello,      // reading the ClientHello
        handshake,  // terminate: the TLS handshake with the client
        relay,      // moving bytes both ways (the backend may still be connecting)
        draining,   // terminate, after a fatal error: alert sent, waiting for the client to close
        done,
    };

    std::uint64_t id = 0;
    std::string peer;
    Fd client, backend;
    Phase phase = Phase::hello;
    bool hello_seen = false;
    std::string sni;
    const Route* route = nullptr;
    std::optional<tls::Connection> tls;  // terminate
    bool close_sent = false;             // terminate: our close_notify is queued

    ByteQueue client_in;  // hello: the bytes peeked at; terminate: ciphertext not yet fed
    ByteQueue up;         // for the backend: the client's bytes (passthrough) or plaintext (terminate)
    ByteQueue down;       // passthrough: for the client (terminate uses the connection's pending_output())

    std::size_t next_address = 0;
    bool connecting = false, connected = false;
    bool up_ended = false;    // nothing more comes from the client (TCP EOF, or close_notify)
    bool down_ended = false;  // nothing more comes from the backend (TCP EOF)
    bool client_shut = false, backend_shut = false;  // our FIN is sent
    std::optional<Clock::time_point> deadline;       // until routed, handshaken and connected

    std::uint64_t up_bytes = 0, down_bytes = 0;
    std::string negotiated;
    std::string result;
    int client_slot = -1, backend_slot = -1;  // this round's PollSet slots
};

bool wants_client_read(const Tunnel& t) {
    if (t.up_ended) return false;
    if (!t.tls) return t.up.size() < high_water;
    // Read more ciphertext only when the connection took all of the last read:
    // it takes nothing while decrypted data waits, and that waits for the backend.
    auto state = t.tls->state();
    return (state == tls::Connection::State::handshaking || state == tls::Connection::State::established) &&
           t.client_in.empty() && !t.tls->has_readable() && t.up.size() < high_water;
}

bool wants_backend_read(const Tunnel& t) {
    if (!t.connected || t.down_ended) return false;
    if (!t.tls) return t.down.size() < high_water;
    auto state = t.tls->state();
    return !t.close_sent &&
           (state == tls::Connection::State::established || state == tls::Connection::State::closed) &&
           t.tls->pending_output().size() < high_water;
}

bool has_client_output(const Tunnel& t) { return t.tls ? t.tls->has_output() : !t.down.empty(); }

class Proxy {
public:
    Proxy(Fd listener, int wake_fd, std::vector<Route> routes, std::optional<Route> fallback, int timeout_seconds)
        : listener_(std::move(listener)),
          wake_fd_(wake_fd),
          routes_(std::move(routes)),
          fallback_(std::move(fallback)),
          timeout_(timeout_seconds),
          scratch_(read_chunk) {}

    // Serves until a signal arrives on the wake pipe (0) or poll() fails (1).
    int run();

private:
    using Phase = Tunnel::Phase;

    const Route* route_for(std::string_view sni) const;
    void accept_all();
    short client_interest(const Tunnel& t) const;
    short backend_interest(const Tunnel& t) const;
    int poll_timeout() const;

    void step(Tunnel& t, short client_events, short backend_events, bool expired);
    void read_hello(Tunnel& t);
    void relay(Tunnel& t, short client_events, short backend_events);
    void read_client(Tunnel& t);
    void read_backend(Tunnel& t);
    void pump_tls(Tunnel& t);
    void flush_client(Tunnel& t);
    void flush_backend(Tunnel& t);
    void half_close(Tunnel& t);
    void start_connect(Tunnel& t, std::string error);
    void finish_connect(Tunnel& t);
    void fail_tls(Tunnel& t);
    void drain(Tunnel& t, short client_events);
    void finish(Tunnel& t, std::string result);

    static bool active(const Tunnel& t) { return t.phase == Phase::handshake || t.phase == Phase::relay; }

    Fd listener_;
    int wake_fd_;
    std::vector<Route> routes_;  // not modified after start-up: tunnels point into it
    std::optional<Route> fallback_;
    std::chrono::seconds timeout_;
    std::vector<std::unique_ptr<Tunnel>> tunnels_;
    std::uint64_t next_id_ = 1;
    Clock::time_point now_ = Clock::now();
    std::optional<Clock::time_point> accept_paused_until_;
    std::vector<std::uint8_t> scratch_;  // terminate: backend bytes on their way into write()
};

const Route* Proxy::route_for(std::string_view sni) const {
    std::string name = lowercase(sni);
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (!name.empty()) {
        for (const Route& r : routes_)
            if (r.name == name) return &r;
        const Route* best = nullptr;
        for (const Route& r : routes_) {
            if (r.name.size() < 3 || r.name.compare(0, 2, "*.") != 0) continue;
            std::string_view suffix = std::string_view(r.name).substr(1);  // ".example.com"
            if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                (best == nullptr || r.name.size() > best->name.size()))
                best = &r;
        }
        if (best != nullptr) return best;
    }
    return fallback_ ? &*fallback_ : nullptr;
}

int Proxy::run() {
    PollSet set;
    for (;;) {
        set.clear();
        int wake_slot = set.add(wake_fd_, POLLIN);
        if (accept_paused_until_ && now_ >= *accept_paused_until_) accept_paused_until_.reset();
        int listen_slot = accept_paused_until_ ? -1 : set.add(listener_.get(), POLLIN);
        for (auto& t : tunnels_) {
            t->client_slot = set.add(t->client.get(), client_interest(*t));
            t->backend_slot = set.add(t->backend.get(), backend_interest(*t));
        }
        int rc = set.wait(poll_timeout());
        now_ = Clock::now();
        if (rc < 0) {
            if (errno == EINTR) continue;
            return fail(std::string("poll: ") + std::strerror(errno));
        }
        if (set.revents(wake_slot) != 0) break;
        // Tunnels accepted below are not in this round's set: only the older ones.
        std::size_t count = tunnels_.size();
        for (std::size_t i = 0; i < count; ++i) {
            Tunnel& t = *tunnels_[i];
            short ce = set.revents(t.client_slot), be = set.revents(t.backend_slot);
            bool expired = t.deadline && now_ >= *t.deadline;
            if (ce != 0 || be != 0 || expired) step(t, ce, be, expired);
        }
        if (set.revents(listen_slot) != 0) accept_all();
        std::erase_if(tunnels_, [](const auto& t) { return t->phase == Phase::done; });
    }
    std::fprintf(stderr, "shutting down (%zu open connections)\n", tunnels_.size());
    for (auto& t : tunnels_) finish(*t, "the proxy is shutting down");
    tunnels_.clear();
    return 0;
}

void Proxy::accept_all() {
    // A bounded batch, so a flood of new connections cannot starve the open ones.
    for (int i = 0; i < 64; ++i) {
        int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            // Out of descriptors or memory: the listener stays readable, so stop
            // asking for a moment rather than spin on it.
            std::fprintf(stderr, "accept: %s (pausing for 100 ms)\n", std::strerror(errno));
            accept_paused_until_ = now_ + std::chrono::milliseconds(100);
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto tunnel = std::make_unique<Tunnel>();
        tunnel->id = next_id_++;
        tunnel->client.reset(fd);
        tunnel->peer = cli::socket_address(fd, true);
        tunnel->deadline = now_ + timeout_;
        Tunnel& t = *tunnel;
        tunnels_.push_back(std::move(tunnel));
        step(t, POLLIN, 0, false);  // the ClientHello often arrives with the connection
    }
}

short Proxy::client_interest(const Tunnel& t) const {
    switch (t.phase) {
        case Phase::hello: return POLLIN;
        case Phase::draining:
            return static_cast<short>(POLLIN | (has_client_output(t) && !t.client_shut ? POLLOUT : 0));
        case Phase::handshake:
        case Phase::relay:
            return static_cast<short>((wants_client_read(t) ? POLLIN : 0) |
                                      (has_client_output(t) && !t.client_shut ? POLLOUT : 0));
        case Phase::done: break;
    }
    return 0;
}

short Proxy::backend_interest(const Tunnel& t) const {
    if (t.connecting) return POLLOUT;  // a non-blocking connect() completes as writability
    if (!t.connected || t.phase != Phase::relay) return 0;
    return static_cast<short>((wants_backend_read(t) ? POLLIN : 0) | (!t.up.empty() && !t.backend_shut ? POLLOUT : 0));
}

int Proxy::poll_timeout() const {
    std::optional<Clock::time_point> next = accept_paused_until_;
    for (const auto& t : tunnels_)
        if (t->deadline && (!next || *t->deadline < *next)) next = t->deadline;
    if (!next) return -1;
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
    return static_cast<int>(std::clamp<decltype(ms)>(ms, 0, 60'000));
}

void Proxy::step(Tunnel& t, short client_events, short backend_events, bool expired) {
    if (expired) {
        switch (t.phase) {
            case Phase::hello: return finish(t, "timed out waiting for the ClientHello");
            case Phase::handshake: return finish(t, "timed out in the TLS handshake");
            case Phase::relay: return finish(t, "timed out connecting to the backend");
            case Phase::draining: return finish(t, "");  // the failure is already recorded
            case Phase::done: return;
        }
    }
    switch (t.phase) {
        case Phase::hello:
            if (client_events & readable_events) read_hello(t);
            break;
        case Phase::handshake:
        case Phase::relay: relay(t, client_events, backend_events); break;
        case Phase::draining: drain(t, client_events); break;
        case Phase::done: break;
    }
}

void Proxy::read_hello(Tunnel& t) {
    Io io = t.client_in.read_from(t.client.get(), max_hello_bytes - t.client_in.size());
    if (io.status == Io::again) return;
    if (io.status == Io::error) return finish(t, std::string("client recv: ") + std::strerror(io.err));
    if (io.status == Io::eof) return finish(t, "the client closed before sending a whole ClientHello");
    auto peeked = tls::peek_client_hello(t.client_in.view());
    if (!peeked) return finish(t, "not a TLS ClientHello: " + cli::describe(peeked.error()) + ", closed");
    if (!*peeked) {
        if (t.client_in.size() >= max_hello_bytes) finish(t, "no whole ClientHello in the first record, closed");
        return;
    }
    t.hello_seen = true;
    t.sni = (*peeked)->server_name;
    t.route = route_for(t.sni);
    if (t.route == nullptr) return finish(t, "no route for this name, closed");
    if (t.route->terminate) {
        auto connection = tls::Connection::server(t.route->config);
        if (!connection) return finish(t, "cannot create the connection: " + cli::describe(connection.error()));
        t.tls.emplace(std::move(*connection));
        t.phase = Phase::handshake;
        // client_in still holds the ClientHello: relay() feeds it like any later bytes.
        relay(t, 0, 0);
    } else {
        t.up.append(t.client_in.view());
        t.up_bytes += t.client_in.size();
        t.client_in.clear();
        t.phase = Phase::relay;
        start_connect(t, "no address");
    }
}

// One pass over a routed tunnel: whatever the events allow, in the order that
// frees room before it is needed.
void Proxy::relay(Tunnel& t, short client_events, short backend_events) {
    if (t.connecting && (backend_events & writable_events)) finish_connect(t);
    if (!active(t)) return;
    flush_backend(t);
    flush_client(t);
    if (active(t) && (client_events & readable_events)) read_client(t);
    if (active(t) && (backend_events & readable_events)) read_backend(t);
    if (active(t) && t.tls) pump_tls(t);
    if (active(t)) flush_backend(t);
    // Terminate: pump_tls() stops at the high-water mark, and flush_backend() may
    // then empty `up` at once. Nothing would wake this tunnel again (no POLLOUT for
    // an empty queue, no POLLIN while plaintext waits in the connection), so keep
    // going while the backend takes bytes. It ends: each round consumes buffered
    // input (client_in is at most one read), or the backend fills and POLLOUT waits.
    while (active(t) && t.tls && t.up.size() < high_water && (t.tls->has_readable() || !t.client_in.empty())) {
        const std::size_t queued = t.up.size();
        const std::size_t unfed = t.client_in.size();
        const bool had_readable = t.tls->has_readable();
        pump_tls(t);
        if (active(t)) flush_backend(t);
        if (t.up.size() == queued && t.client_in.size() == unfed && t.tls && t.tls->has_readable() == had_readable)
            break;  // no progress: wait for the next event
    }
    if (active(t)) flush_client(t);
    if (active(t)) half_close(t);
}

void Proxy::read_client(Tunnel& t) {
    if (!wants_client_read(t)) return;
    Io io = t.tls ? t.client_in.read_from(t.client.get(), read_chunk) : t.up.read_from(t.client.get(), read_chunk);
    switch (io.status) {
        case Io::ok:
            if (!t.tls) t.up_bytes += io.bytes;
            break;
        case Io::again: break;
        case Io::error: return finish(t, std::string("client recv: ") + std::strerror(io.err));
        case Io::eof:
            if (t.phase == Phase::handshake) return finish(t, "the client closed the connection during the handshake");
            // Terminate: a TCP EOF without close_notify still ends the stream; the
            // backend gets the same EOF a direct client would have given it.
            t.up_ended = true;
            break;
    }
}

void Proxy::read_backend(Tunnel& t) {
    if (!wants_backend_read(t)) return;
    Io io;
    if (t.tls) {
        io = recv_some(t.backend.get(), scratch_);
        if (io.status == Io::ok) {
            auto written = t.tls->write(tls::crypto::Bytes(scratch_.data(), io.bytes));
            if (!written) return finish(t, "TLS write: " + cli::describe(written.error()));
        }
    } else {
        io = t.down.read_from(t.backend.get(), read_chunk);
    }
    switch (io.status) {
        case Io::ok: t.down_bytes += io.bytes; break;
        case Io::again: break;
        case Io::error: return finish(t, std::string("backend recv: ") + std::strerror(io.err));
        case Io::eof: t.down_ended = true; break;
    }
}

// Terminate: ciphertext from client_in into the connection, plaintext out to `up`.
void Proxy::pump_tls(Tunnel& t) {
    tls::Connection& c = *t.tls;
    for (;;) {
        if (c.has_readable()) {
            if (t.up.size() >= high_water) break;  // the backend is slow: keep the rest in the connection
            tls::crypto::Bytes plain = c.readable();
            t.up.append(plain);
            t.up_bytes += plain.size();
            c.consume_readable(plain.size());
            continue;
        }
        if (t.client_in.empty()) break;
        std::size_t took = c.feed(t.client_in.view());
        t.client_in.consume(took);
        if (took == 0 && !c.has_readable()) {
            t.client_in.clear();  // the connection has ended: the rest means nothing
            break;
        }
    }
    switch (c.state()) {
        case tls::Connection::State::handshaking: return;
        case tls::Connection::State::failed: return fail_tls(t);
        case tls::Connection::State::established:
        case tls::Connection::State::closed: break;
    }
    if (t.phase == Phase::handshake) {
        if (!c.handshake_complete()) return finish(t, "the client sent close_notify during the handshake");
        t.phase = Phase::relay;
        t.negotiated = cli::negotiated_line(c);
        // Only now: a client that fails the handshake never reaches the backend.
        start_connect(t, "no address");
        if (!active(t)) return;
    }
    if (c.state() == tls::Connection::State::closed) t.up_ended = true;
}

void Proxy::flush_client(Tunnel& t) {
    if (!t.client || t.client_shut) return;
    if (!t.tls) {
        Io io = t.down.write_to(t.client.get());
        if (io.status == Io::error) finish(t, std::string("client send: ") + std::strerror(io.err));
        return;
    }
    // pending_output() is a view valid until the next call: send it, then consume.
    while (t.tls->has_output()) {
        Io io = send_some(t.client.get(), t.tls->pending_output());
        if (io.status == Io::again) return;
        if (io.status == Io::error) return finish(t, std::string("client send: ") + std::strerror(io.err));
        t.tls->consume_output(io.bytes);
    }
}

void Proxy::flush_backend(Tunnel& t) {
    if (!t.connected || t.backend_shut) return;
    Io io = t.up.write_to(t.backend.get());
    if (io.status == Io::error) finish(t, std::string("backend send: ") + std::strerror(io.err));
}

// EOF is passed on as EOF (a FIN, shutdown(SHUT_WR)) once the bytes before it
// are out, so either side can half-close; the tunnel ends when both have.
void Proxy::half_close(Tunnel& t) {
    bool up_drained = t.up_ended && t.up.empty() && !(t.tls && t.tls->has_readable());
    if (up_drained && t.connected && !t.backend_shut) {
        ::shutdown(t.backend.get(), SHUT_WR);
        t.backend_shut = true;
    }
    if (t.down_ended && !t.client_shut) {
        if (t.tls && !t.close_sent) {
            // The backend is done: close_notify tells the client this is the end,
            // not a truncation.
            t.tls->close();
            t.close_sent = true;
            flush_client(t);
            if (!active(t)) return;
        }
        if (!has_client_output(t)) {
            ::shutdown(t.client.get(), SHUT_WR);
            t.client_shut = true;
        }
    }
    if (t.client_shut && t.backend_shut) finish(t, "done");
}

// Tries the route's addresses in order, from t.next_address; error says why
// the previous one failed.
void Proxy::start_connect(Tunnel& t, std::string error) {
    while (t.next_address < t.route->addresses.size()) {
        const Address& a = t.route->addresses[t.next_address++];
        Fd fd(::socket(a.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!fd) {
            error = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a.storage), a.length);
        // EINTR: a non-blocking connect() carries on in the background, as for EINPROGRESS.
        if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
            error = std::strerror(errno);
            continue;
        }
        t.backend = std::move(fd);
        t.connecting = true;
        if (rc == 0) finish_connect(t);
        return;
    }
    finish(t, "cannot connect to the backend: " + error);
}

void Proxy::finish_connect(Tunnel& t) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(t.backend.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    t.connecting = false;
    if (err != 0) {
        t.backend.reset();
        return start_connect(t, std::strerror(err));
    }
    t.connected = true;
    t.deadline.reset();  // routed, handshaken and connected: no more time limit
    int one = 1;
    setsockopt(t.backend.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Terminate: the connection failed. Its alert waits in pending_output(): send it,
// and read what the client still sends until it closes, so that our close does
// not become a reset that destroys the alert on its way.
void Proxy::fail_tls(Tunnel& t) {
    const tls::ConnectionError* error = t.tls->error();
    t.result = std::string(t.phase == Phase::handshake ? "handshake failed: " : "TLS failed: ") +
               (error != nullptr ? cli::describe(*error) : std::string("no error recorded"));
    t.backend.reset();
    t.connecting = t.connected = false;
    t.phase = Phase::draining;
    t.deadline = now_ + drain_time;
    drain(t, 0);
}

void Proxy::drain(Tunnel& t, short client_events) {
    flush_client(t);
    if (t.phase != Phase::draining) return;
    if (!has_client_output(t) && !t.client_shut) {
        ::shutdown(t.client.get(), SHUT_WR);
        t.client_shut = true;
    }
    if (client_events & readable_events) {
        Io io = recv_some(t.client.get(), scratch_);
        if (io.status == Io::eof || io.status == Io::error) finish(t, "");
    }
}

// Closes both sockets and writes the connection's log line.
void Proxy::finish(Tunnel& t, std::string result) {
    if (t.phase == Phase::done) return;
    if (t.result.empty()) t.result = std::move(result);
    t.phase = Phase::done;
    t.client.reset();
    t.backend.reset();
    t.tls.reset();
    std::string line;
    append(line, "#", std::to_string(t.id), " ", t.peer);
    if (t.hello_seen) append(line, " sni=", t.sni.empty() ? std::string("(none)") : printable(t.sni));
    if (t.route != nullptr) append(line, " route=", t.route->describe());
    append(line, ": ", t.result);
    if (!t.negotiated.empty()) append(line, " [", t.negotiated, "]");
    if (t.route != nullptr)
        append(line, " (", std::to_string(t.up_bytes), " bytes up, ", std::to_string(t.down_bytes), " down)");
    std::fprintf(stderr, "%s\n", line.c_str());
}

// --- Start-up -----------------------------------------------------------------

int wake_write_fd = -1;

// SIGTERM / SIGINT: wake poll() through a pipe, so the loop ends between rounds
// and every connection is closed (and, under ASan, the leak check runs).
void on_stop_signal(int) {
    int saved = errno;
    char byte = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_write_fd, &byte, 1);
    errno = saved;
}

bool parse_listen(std::string_view text, std::string& host, std::uint16_t& port) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string_view h = text.substr(0, colon);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    auto p = cli::parse_port(text.substr(colon + 1));
    if (h.empty() || !p) return false;
    host = std::string(h);
    port = *p;
    return true;
}

int run_proxy(int argc, char** argv) {
    std::string listen_host;
    std::uint16_t listen_port = 0;
    bool have_listen = false;
    int timeout_seconds = 10;
    std::vector<Route> routes;
    std::optional<Route> fallback;
    ConfigCache configs;

    cli::ArgParser args(argc - 1, argv + 1);  // argv[0] is the program
    while (args.next()) {
        auto name = args.name();
        if (name == "-h" || name == "--help") {
            std::printf("%s", usage);
            return 0;
        }
        if (name != "--listen" && name != "--route" && name != "--default" && name != "--timeout")
            return bad_usage("unexpected argument \"" + std::string(name) + "\"");
        auto value = args.value();
        if (!value) return bad_usage(std::string(name) + " needs a value");
        std::string error;
        if (name == "--listen") {
            if (!parse_listen(*value, listen_host, listen_port)) return bad_usage("bad --listen \"" + *value + "\"");
            have_listen = true;
        } else if (name == "--timeout") {
            auto seconds = cli::parse_seconds(*value);
            if (!seconds) return bad_usage("bad --timeout \"" + *value + "\"");
            timeout_seconds = *seconds;
        } else if (name == "--default") {
            Route route;
            route.name = "default";
            if (!parse_target(*value, route, configs, error)) return bad_usage("bad --default: " + error);
            fallback = std::move(route);
        } else {
            auto eq = value->find('=');
            Route route;
            route.name = lowercase(value->substr(0, eq == std::string::npos ? 0 : eq));
            if (route.name.empty() || route.name == "*." || route.name.find('*', 1) != std::string::npos ||
                (route.name[0] == '*' && route.name.compare(0, 2, "*.") != 0))
                return bad_usage("bad --route \"" + *value + "\" (NAME=TARGET, NAME a host name or *.suffix)");
            if (!parse_target(std::string_view(*value).substr(eq + 1), route, configs, error))
                return bad_usage("bad --route " + route.name + ": " + error);
            routes.push_back(std::move(route));
        }
    }
    if (!have_listen) return bad_usage("--listen HOST:PORT is required");
    if (routes.empty() && !fallback) return bad_usage("no --route and no --default: nothing to proxy to");

    std::signal(SIGPIPE, SIG_IGN);  // send() uses MSG_NOSIGNAL; this covers everything else
    int wake[2];
    if (::pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) return fail(std::string("pipe: ") + std::strerror(errno));
    Fd wake_read(wake[0]), wake_write(wake[1]);
    wake_write_fd = wake_write.get();
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);

    std::string bound, error;
    Fd listener(cli::listen_tcp(listen_host, listen_port, bound, error));
    if (!listener) return fail(error);
    ::listen(listener.get(), SOMAXCONN);  // a deeper backlog than the CLI's: bursts of clients
    ::fcntl(listener.get(), F_SETFL, ::fcntl(listener.get(), F_GETFL) | O_NONBLOCK);
    for (const Route& r : routes) std::fprintf(stderr, "route %s\n", r.describe().c_str());
    if (fallback) std::fprintf(stderr, "route %s\n", fallback->describe().c_str());
    std::printf("listening on %s\n", bound.c_str());
    std::fflush(stdout);

    Proxy proxy(std::move(listener), wake_read.get(), std::move(routes), std::move(fallback), timeout_seconds);
    return proxy.run();
}

}  // namespace
}  // namespace proxy

int main(int argc, char** argv) { return proxy::run_proxy(argc, argv); }
