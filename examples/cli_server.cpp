// cordon server: a TLS server over TCP, one connection after another. Echoes
// what it receives, or (--http) answers one HTTP request with what was negotiated.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "cli_common.hpp"

namespace cli {

namespace {

const char* const server_usage_text =
    "usage: cordon server --cert CHAIN.pem --key KEY.pem [options]\n"
    "  Accepts TLS connections one after another until killed. Prints \"listening on HOST:PORT\"\n"
    "  once listening. Each connection echoes what it receives until the client closes, or\n"
    "  with --http answers one HTTP request with the negotiated parameters.\n"
    "options:\n"
    "  --cert FILE          certificate chain, leaf first (PEM)\n"
    "  --key FILE           the leaf's private key (PEM: PKCS#8, SEC1 or PKCS#1)\n"
    "  --host HOST          address to listen on (default 127.0.0.1; :: for all IPv6 and IPv4)\n"
    "  --port PORT          port to listen on (default 4433; 0 picks a free one)\n"
    "  --http               answer an HTTP/1.1 request instead of echoing (offer --alpn http/1.1, not h2)\n"
    "  --sni NAME=CHAIN:KEY another certificate for clients asking for NAME (repeatable;\n"
    "                       \"*.example\" matches one label); others get --cert\n"
    "  --once               exit after one connection (status 0 if its handshake succeeded)\n"
    "  --client-ca FILE     mutual TLS (TLS 1.3): ask clients for a certificate issued under the\n"
    "                       CAs in FILE (PEM) and print its subject\n"
    "  --client-auth MODE   with --client-ca: required (default) or optional\n"
    "  --max-early-data N   accept up to N bytes of TLS 1.3 0-RTT data from resuming clients\n"
    "                       (replayable: only for requests safe to repeat)\n";

std::string server_usage() {
    return std::string(server_usage_text) + common_options_usage + "                       (default 10)\n";
}

const char* const short_usage =
    "usage: cordon server --cert CHAIN.pem --key KEY.pem [options]   (`cordon server --help` lists them)\n";

struct SniEntry {
    std::string name;
    std::shared_ptr<const tls::CertifiedKey> key;
};

struct ServerOptions {
    std::string cert, key;
    std::string host = "127.0.0.1";
    std::uint16_t port = 4433;
    bool http = false;
    bool once = false;
    std::vector<std::string> sni;  // NAME=CHAIN:KEY as given
    std::string client_ca;
    tls::ClientAuth client_auth = tls::ClientAuth::required;
    std::uint32_t max_early_data = 0;
    CommonOptions common;
};

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool name_matches(std::string_view pattern, std::string_view name) {
    if (name.empty()) return false;
    if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
        auto dot = name.find('.');
        if (dot == 0 || dot == std::string_view::npos) return false;
        return name_matches(pattern.substr(2), name.substr(dot + 1));
    }
    if (pattern.size() != name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i)
        if (lower(pattern[i]) != lower(name[i])) return false;
    return true;
}

// Echo mode: everything received goes back, until the client closes.
void echo(Session& session) {
    using State = tls::Connection::State;
    tls::Connection& conn = session.connection();
    std::string data;
    std::size_t total = 0;
    for (;;) {
        data.clear();
        // Copy out before writing: readable() is a view into the connection's buffers.
        total += session.take_readable(data);
        if (!data.empty()) {
            auto written =
                conn.write(tls::crypto::Bytes(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
            if (!written) {
                std::fprintf(stderr, "write failed: %s\n", describe(written.error()).c_str());
                break;
            }
            if (!session.flush()) {
                std::fprintf(stderr, "connection failed: %s\n", session.io_error().c_str());
                return;
            }
        }
        if (conn.state() == State::closed) {
            std::fprintf(stderr, "client sent close_notify after %zu bytes\n", total);
            break;
        }
        if (conn.state() == State::failed) {
            std::fprintf(stderr, "connection failed: %s\n", describe(*conn.error()).c_str());
            return;
        }
        Session::Io io = session.pump();
        if (io == Session::Io::eof) {
            std::fprintf(stderr, "client closed the TCP connection after %zu bytes (no close_notify)\n", total);
            break;
        }
        if (io == Session::Io::timeout) {
            std::fprintf(stderr, "closing: %s\n", session.describe_io(io).c_str());
            break;  // the peer may still be there: say goodbye properly
        }
        if (io != Session::Io::ok) {
            std::fprintf(stderr, "connection ended: %s\n", session.describe_io(io).c_str());
            return;
        }
    }
    session.close_notify();
}

std::string http_body(const tls::Connection& conn, std::string_view request_line) {
    std::string body = "cordon server\n";
    body += negotiated_summary(conn);
    body += "request: ";
    body += request_line;
    body += "\n";
    return body;
}

// HTTP mode: read one request (up to its empty line), answer it, close.
void http(Session& session) {
    using State = tls::Connection::State;
    tls::Connection& conn = session.connection();
    std::string request;
    constexpr std::size_t max_request = 64 * 1024;
    while (request.find("\r\n\r\n") == std::string::npos && request.find("\n\n") == std::string::npos) {
        if (request.size() > max_request) {
            std::fprintf(stderr, "request too large\n");
            break;
        }
        session.take_readable(request);
        if (request.find("\r\n\r\n") != std::string::npos || request.find("\n\n") != std::string::npos) break;
        if (conn.state() == State::failed) {
            std::fprintf(stderr, "connection failed: %s\n", describe(*conn.error()).c_str());
            return;
        }
        if (conn.state() == State::closed) {
            std::fprintf(stderr, "client closed before a complete request\n");
            session.close_notify();
            return;
        }
        Session::Io io = session.pump();
        if (io != Session::Io::ok) {
            std::fprintf(stderr, "no complete request: %s\n", session.describe_io(io).c_str());
            return;
        }
    }
    std::string_view line(request);
    line = line.substr(0, line.find_first_of("\r\n"));
    std::fprintf(stderr, "request: %.*s\n", static_cast<int>(line.size()), line.data());
    if (line.substr(0, 14) == "PRI * HTTP/2.0")
        std::fprintf(stderr, "the client speaks HTTP/2 (ALPN h2): --http answers in HTTP/1.1 only, "
                             "so offer --alpn http/1.1\n");

    std::string body = http_body(conn, line);
    std::string response = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ";
    response += std::to_string(body.size());
    response += "\r\nConnection: close\r\n\r\n";
    response += body;
    auto written = conn.write(tls::crypto::Bytes(reinterpret_cast<const std::uint8_t*>(response.data()), response.size()));
    if (!written) {
        std::fprintf(stderr, "write failed: %s\n", describe(written.error()).c_str());
        return;
    }
    session.close_notify();
    session.linger_close();
}

// One connection: handshake, then echo or HTTP. True if the handshake succeeded.
bool serve(int fd, const std::shared_ptr<const tls::ServerConfig>& config, const ServerOptions& opt) {
    set_timeouts(fd, opt.common.timeout_seconds);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string peer = socket_address(fd, true);
    std::fprintf(stderr, "connection from %s\n", peer.c_str());

    auto connection = tls::Connection::server(config);
    if (!connection) {
        ::close(fd);
        std::fprintf(stderr, "cannot create the connection: %s\n", describe(connection.error()).c_str());
        return false;
    }
    Session session(fd, std::move(*connection));
    std::string why;
    if (!session.handshake(why)) {
        std::fprintf(stderr, "handshake failed: %s\n", why.c_str());
        return false;
    }
    std::fprintf(stderr, "handshake ok: %s\n", negotiated_line(session.connection()).c_str());
    const auto& client_chain = session.connection().peer_certificates();
    if (!client_chain.empty()) std::fprintf(stderr, "client certificate: %s\n", client_chain.front().subject().c_str());
    if (session.early_bytes() > 0) std::fprintf(stderr, "early data: %zu bytes\n", session.early_bytes());
    if (opt.http) http(session);
    else echo(session);
    return true;
}

}  // namespace

int server_command(int argc, char** argv) {
    ServerOptions opt;
    opt.common.timeout_seconds = 10;
    const std::string usage = server_usage();
    ArgParser args(argc, argv);
    while (args.next()) {
        auto name = args.name();
        std::string error;
        if (name == "-h" || name == "--help") {
            std::printf("%s", usage.c_str());
            return 0;
        }
        if (parse_common(args, opt.common, error)) {
            if (!error.empty()) return bad_usage(error, short_usage);
            continue;
        }
        if (name == "--max-early-data") {
            auto v = args.value();
            if (!v) return bad_usage("--max-early-data needs a value", short_usage);
            char* end = nullptr;
            const unsigned long n = std::strtoul(v->c_str(), &end, 10);
            if (end == v->c_str() || *end != '\0' || n > (1ul << 24))
                return bad_usage("bad --max-early-data \"" + *v + "\"", short_usage);
            opt.max_early_data = static_cast<std::uint32_t>(n);
        } else if (name == "--client-ca" || name == "--client-auth") {
            auto v = args.value();
            if (!v) return bad_usage(std::string(name) + " needs a value", short_usage);
            if (name == "--client-ca") opt.client_ca = *v;
            else if (*v == "required") opt.client_auth = tls::ClientAuth::required;
            else if (*v == "optional") opt.client_auth = tls::ClientAuth::optional;
            else return bad_usage("bad --client-auth \"" + *v + "\" (required, optional)", short_usage);
        } else if (name == "--cert" || name == "--key" || name == "--host" || name == "--port" || name == "--sni") {
            auto v = args.value();
            if (!v) return bad_usage(std::string(name) + " needs a value", short_usage);
            if (name == "--cert") opt.cert = *v;
            else if (name == "--key") opt.key = *v;
            else if (name == "--host") opt.host = *v;
            else if (name == "--sni") opt.sni.push_back(*v);
            else {
                auto port = parse_port(*v);
                if (!port) return bad_usage("bad --port \"" + *v + "\"", short_usage);
                opt.port = *port;
            }
        } else if (name == "--http") {
            opt.http = true;
        } else if (name == "--once") {
            opt.once = true;
        } else {
            return bad_usage("unexpected argument \"" + std::string(name) + "\"", short_usage);
        }
    }
    if (opt.cert.empty() || opt.key.empty()) return bad_usage("server needs --cert and --key", short_usage);
    if (opt.host.size() > 2 && opt.host.front() == '[' && opt.host.back() == ']')
        opt.host = opt.host.substr(1, opt.host.size() - 2);

    tls::ServerSettings settings;
    std::string error;
    if (!apply_common(opt.common, settings, error)) return fail(error);
    auto certified = tls::CertifiedKey::from_files(opt.cert, opt.key, opt.common.provider);
    if (!certified) return fail("cannot load " + opt.cert + " / " + opt.key + ": " + describe(certified.error()));
    settings.certificate = *certified;
    settings.max_early_data_size = opt.max_early_data;
    if (!opt.client_ca.empty()) {
        auto added = settings.client_roots.add_pem_file(opt.client_ca);
        if (!added) return fail("cannot load --client-ca " + opt.client_ca + ": " + describe(added.error()));
        if (*added == 0) return fail("no certificates in --client-ca " + opt.client_ca);
        settings.client_auth = opt.client_auth;
    }

    std::vector<SniEntry> sni;
    for (const auto& spec : opt.sni) {
        auto eq = spec.find('=');
        auto colon = spec.rfind(':');
        if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon < eq + 2 ||
            colon + 1 == spec.size())
            return bad_usage("bad --sni \"" + spec + "\" (NAME=CHAIN.pem:KEY.pem)", short_usage);
        std::string chain = spec.substr(eq + 1, colon - eq - 1), key = spec.substr(colon + 1);
        auto entry = tls::CertifiedKey::from_files(chain, key, opt.common.provider);
        if (!entry) return fail("cannot load " + chain + " / " + key + ": " + describe(entry.error()));
        sni.push_back(SniEntry{spec.substr(0, eq), *entry});
    }
    if (!sni.empty()) {
        settings.resolver = [sni, fallback = *certified](const tls::ClientHelloInfo& hello)
            -> std::shared_ptr<const tls::CertifiedKey> {
            for (const auto& e : sni)
                if (name_matches(e.name, hello.server_name)) return e.key;
            return fallback;
        };
    }
    auto config = tls::ServerConfig::build(std::move(settings));
    if (!config) return fail("invalid server configuration: " + describe(config.error()));

    std::signal(SIGPIPE, SIG_IGN);
    std::string bound;
    int listener = listen_tcp(opt.host, opt.port, bound, error);
    if (listener < 0) return fail(error);
    std::printf("listening on %s\n", bound.c_str());
    std::fflush(stdout);

    for (;;) {
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            int err = errno;
            ::close(listener);
            return fail(std::string("accept: ") + std::strerror(err));
        }
        bool ok = serve(fd, *config, opt);
        if (opt.once) {
            ::close(listener);
            return ok ? 0 : 1;
        }
    }
}

}  // namespace cli
