// cordon client HOST:PORT: a TLS client over a TCP socket.
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "cli_common.hpp"

namespace cli {

namespace {

const char* const client_usage_text =
    "usage: cordon client HOST[:PORT] [options]\n"
    "  Connects to HOST (a name, an IPv4 address or [IPv6]; PORT defaults to 443), performs\n"
    "  the TLS handshake and prints what was negotiated and the server's certificates.\n"
    "  Then sends the --request text, or stdin until EOF (then close_notify), and prints\n"
    "  what the server sends until it closes the connection.\n"
    "options:\n"
    "  --cafile FILE        trust the CA certificates in FILE (PEM) instead of the system store\n"
    "  --servername NAME    the name sent as SNI and verified (default: HOST)\n"
    "  --request TEXT       send TEXT (\\r, \\n, \\t, \\\\ and \\xHH are interpreted) instead of stdin\n"
    "  --no-verify          accept any certificate chain (the handshake signature is still checked)\n"
    "  --cert FILE, --key FILE  a client certificate chain and its key, sent when a TLS 1.3\n"
    "                       server asks for one (mutual TLS)\n"
    "  --key-update         after the handshake, send a KeyUpdate asking the server for one too\n"
    "  --early-data         with --request and a resumable TLS 1.3 ticket (see --reconnect): send\n"
    "                       the request as 0-RTT data; resent after the handshake if refused\n"
    "  --reconnect N        with --request: connect N more times after the first, resuming\n"
    "                       the session when the server allows (prints \"resumed: yes\")\n"
    "  -q, --quiet          print only the data the server sends\n";

std::string client_usage() {
    return std::string(client_usage_text) + common_options_usage + "                       (default 30)\n";
}

// --no-verify: any chain for any name, but CertificateVerify is still checked
// by the default verify_signature().
class AcceptAnyChain final : public tls::ServerCertificateVerifier {
public:
    tls::Result<void> verify_chain(std::span<const tls::Certificate>, std::string_view,
                                   std::int64_t) const override {
        return tls::success();
    }
};

const char* const short_usage =
    "usage: cordon client HOST[:PORT] [options]   (`cordon client --help` lists them)\n";

struct ClientOptions {
    std::string host;
    std::uint16_t port = 443;
    std::string cafile;
    std::string servername;
    std::string cert, key;
    std::optional<std::string> request;
    bool no_verify = false;
    bool quiet = false;
    int reconnect = 0;
    bool key_update = false;
    bool early_data = false;
    CommonOptions common;
};

void write_stdout(const std::string& data) {
    if (data.empty()) return;
    std::fwrite(data.data(), 1, data.size(), stdout);
    std::fflush(stdout);
}

void print_chain(const tls::Connection& connection) {
    const auto& chain = connection.peer_certificates();
    std::printf("peer certificates: %zu\n", chain.size());
    for (std::size_t i = 0; i < chain.size(); ++i) {
        const tls::Certificate& cert = chain[i];
        std::printf("  %zu subject: %s\n", i, cert.subject().c_str());
        std::printf("    issuer: %s\n", cert.issuer().c_str());
        std::printf("    not after: %s\n", tls::format_utc_time(cert.not_after()).c_str());
    }
}

// How reading ended.
enum class End { closed, eof, failed, timeout, error };

// Prints what the server sends until it closes (close_notify or TCP EOF).
End receive_until_end(Session& session, Session::Io& last) {
    using State = tls::Connection::State;
    std::string data;
    for (;;) {
        data.clear();
        session.take_readable(data);
        write_stdout(data);
        State state = session.connection().state();
        if (state == State::closed) return End::closed;
        if (state == State::failed) return End::failed;
        last = session.pump();
        if (last == Session::Io::eof) {
            data.clear();
            session.take_readable(data);
            write_stdout(data);
            return session.connection().state() == State::failed ? End::failed : End::eof;
        }
        if (last == Session::Io::timeout) return End::timeout;
        if (last == Session::Io::error) return End::error;
    }
}

// stdin to the server and the server to stdout, until the server closes. At
// stdin's EOF the client sends close_notify (closing its side only) and keeps
// reading until the server closes too.
End interactive(Session& session, int timeout_ms, Session::Io& last) {
    using State = tls::Connection::State;
    bool stdin_open = true;
    std::array<std::uint8_t, 16 * 1024> buf{};
    std::string data;
    for (;;) {
        data.clear();
        session.take_readable(data);
        write_stdout(data);
        State state = session.connection().state();
        if (state == State::closed) return End::closed;
        if (state == State::failed) return End::failed;
        if (session.has_buffered_input()) {
            last = session.pump();
            if (last != Session::Io::ok) return End::error;
            continue;
        }
        std::array<pollfd, 2> fds{};
        fds[0] = pollfd{session.fd(), POLLIN, 0};
        fds[1] = pollfd{STDIN_FILENO, POLLIN, 0};
        int rc = ::poll(fds.data(), stdin_open ? 2 : 1, stdin_open ? -1 : timeout_ms);
        if (rc < 0) {
            if (errno == EINTR) continue;
            return End::error;
        }
        if (rc == 0) {
            last = Session::Io::timeout;
            return End::timeout;
        }
        if (fds[0].revents != 0) {
            last = session.pump();
            if (last == Session::Io::eof) return session.connection().state() == State::failed ? End::failed : End::eof;
            if (last != Session::Io::ok) return last == Session::Io::timeout ? End::timeout : End::error;
        }
        if (stdin_open && fds[1].revents != 0) {
            ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                stdin_open = false;
                session.close_notify();
            } else {
                auto written = session.connection().write(tls::crypto::Bytes(buf.data(), static_cast<std::size_t>(n)));
                if (!written) return session.connection().state() == State::failed ? End::failed : End::error;
                if (!session.flush()) return End::error;
            }
        }
    }
}

// One connection: handshake, summary, then the request or stdin, until the end.
int run_connection(const ClientOptions& opt, const std::shared_ptr<const tls::ClientConfig>& config,
                   const std::string& server_name) {
    std::string error;
    auto connection = tls::Connection::client(config, server_name);
    if (!connection) return fail("cannot create the connection: " + describe(connection.error()));

    int fd = connect_tcp(opt.host, opt.port, error);
    if (fd < 0) return fail(error);
    set_timeouts(fd, opt.common.timeout_seconds);
    // 0-RTT: the request goes out with the ClientHello when a ticket allows it.
    std::size_t early_sent = 0;
    if (opt.early_data && opt.request) {
        auto sent = connection->write_early_data(
            tls::crypto::Bytes(reinterpret_cast<const std::uint8_t*>(opt.request->data()), opt.request->size()));
        if (!sent) return fail("cannot send early data: " + describe(sent.error()));
        early_sent = *sent;
    }
    Session session(fd, std::move(*connection));

    std::string why;
    if (!session.handshake(why)) return fail("handshake failed: " + why);

    const tls::Connection& conn = session.connection();
    if (!opt.quiet) {
        std::printf("%s", negotiated_summary(conn).c_str());
        print_chain(conn);
        std::printf("---\n");
        std::fflush(stdout);
    }

    Session::Io last = Session::Io::ok;
    End end;
    if (opt.key_update) {
        // TLS 1.3: a KeyUpdate that asks the server to update too, before any data.
        auto updated = session.connection().update_keys(/*request_peer_update=*/true);
        if (!updated) return fail("cannot update the keys: " + describe(updated.error()));
        if (!opt.quiet) std::printf("key update: sent (update_requested)\n");
    }
    if (opt.early_data && !opt.quiet) {
        static constexpr const char* names[] = {"not offered", "offered", "accepted", "rejected"};
        std::printf("early data: %s (%zu bytes sent early)\n",
                    names[static_cast<int>(session.connection().early_data_status())], early_sent);
    }
    // What the server took as early data is not sent again; the rest is.
    const bool early_taken = session.connection().early_data_status() == tls::Connection::EarlyData::accepted;
    const std::size_t skip = early_taken ? early_sent : 0;
    if (opt.request && skip == opt.request->size()) {
        if (!session.flush()) return fail("cannot send the request: " + session.io_error());
        end = receive_until_end(session, last);
    } else if (opt.request) {
        auto written = session.connection().write(
            tls::crypto::Bytes(reinterpret_cast<const std::uint8_t*>(opt.request->data()) + skip, opt.request->size() - skip));
        if (!written) return fail("cannot send the request: " + describe(written.error()));
        if (!session.flush()) return fail("cannot send the request: " + session.io_error());
        end = receive_until_end(session, last);
    } else {
        end = interactive(session, opt.common.timeout_seconds * 1000, last);
    }

    switch (end) {
        case End::closed: break;
        case End::eof:
            std::fprintf(stderr, "cordon: warning: the server closed the TCP connection without close_notify "
                                 "(the data may be truncated)\n");
            break;
        case End::failed:
            return fail("connection failed: " + (conn.error() != nullptr ? describe(*conn.error())
                                                                        : std::string("unknown error")));
        case End::timeout:
        case End::error: return fail(session.describe_io(last));
    }
    session.close_notify();
    return 0;
}

}  // namespace

int client_command(int argc, char** argv) {
    ClientOptions opt;
    opt.common.timeout_seconds = 30;
    const std::string usage = client_usage();
    bool have_target = false;
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
        if (name == "--cafile" || name == "--servername" || name == "--request" || name == "--cert" ||
            name == "--key") {
            auto v = args.value();
            if (!v) return bad_usage(std::string(name) + " needs a value", short_usage);
            if (name == "--cafile") opt.cafile = *v;
            else if (name == "--cert") opt.cert = *v;
            else if (name == "--key") opt.key = *v;
            else if (name == "--servername") opt.servername = *v;
            else {
                opt.request = unescape(*v);
                if (!opt.request) return bad_usage("bad escape in --request", short_usage);
            }
        } else if (name == "--reconnect") {
            auto v = args.value();
            if (!v) return bad_usage("--reconnect needs a value", short_usage);
            char* end = nullptr;
            const long n = std::strtol(v->c_str(), &end, 10);
            if (end == v->c_str() || *end != '\0' || n < 0 || n > 1000)
                return bad_usage("bad --reconnect \"" + *v + "\" (0 to 1000)", short_usage);
            opt.reconnect = static_cast<int>(n);
        } else if (name == "--key-update") {
            opt.key_update = true;
        } else if (name == "--early-data") {
            opt.early_data = true;
        } else if (name == "--no-verify") {
            opt.no_verify = true;
        } else if (name == "-q" || name == "--quiet") {
            opt.quiet = true;
        } else if (!args.is_option() && !have_target) {
            if (!split_host_port(name, opt.host, opt.port))
                return bad_usage("bad HOST:PORT \"" + std::string(name) + "\" (IPv6: [::1]:4433)", short_usage);
            have_target = true;
        } else {
            return bad_usage("unexpected argument \"" + std::string(name) + "\"", short_usage);
        }
    }
    if (!have_target) return bad_usage("client needs HOST:PORT", short_usage);
    if (opt.reconnect > 0 && !opt.request) return bad_usage("--reconnect needs --request", short_usage);
    if (opt.early_data && !opt.request) return bad_usage("--early-data needs --request", short_usage);

    // Configuration.
    tls::ClientSettings settings;
    std::string error;
    if (!apply_common(opt.common, settings, error)) return fail(error);
    if (opt.no_verify) {
        std::fprintf(stderr, "cordon: warning: --no-verify: the server's certificate chain and name are NOT checked\n");
        settings.verifier = std::make_shared<AcceptAnyChain>();
    } else if (!opt.cafile.empty()) {
        auto added = settings.roots.add_pem_file(opt.cafile);
        if (!added) return fail("cannot load --cafile " + opt.cafile + ": " + describe(added.error()));
        if (*added == 0) return fail("no certificates in --cafile " + opt.cafile);
    } else {
        auto added = settings.roots.add_system();
        if (!added) return fail("cannot load the system trust store: " + describe(added.error()));
    }
    settings.enable_early_data = opt.early_data;
    if (opt.cert.empty() != opt.key.empty()) return bad_usage("--cert and --key go together", short_usage);
    if (!opt.cert.empty()) {
        auto certified = tls::CertifiedKey::from_files(opt.cert, opt.key, opt.common.provider);
        if (!certified) return fail("cannot load " + opt.cert + " / " + opt.key + ": " + describe(certified.error()));
        settings.client_certificate = *certified;
    }
    auto config = tls::ClientConfig::build(std::move(settings));
    if (!config) return fail("invalid client configuration: " + describe(config.error()));

    const std::string server_name = opt.servername.empty() ? opt.host : opt.servername;
    for (int attempt = 0; attempt <= opt.reconnect; ++attempt) {
        if (int status = run_connection(opt, *config, server_name); status != 0) return status;
    }
    return 0;
}


}  // namespace cli
