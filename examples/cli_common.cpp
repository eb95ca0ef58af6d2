#include "cli_common.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "tls/crypto.hpp"

namespace cli {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::optional<long> parse_number(std::string_view text, long max) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    long v = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    if (v > max) return std::nullopt;
    return v;
}

const char* alert_name(const std::optional<tls::AlertDescription>& alert) {
    return alert ? tls::to_string(*alert) : "none";
}

std::string format_address(const sockaddr* sa, socklen_t len) {
    std::array<char, NI_MAXHOST> host{};
    std::array<char, NI_MAXSERV> serv{};
    if (getnameinfo(sa, len, host.data(), host.size(), serv.data(), serv.size(), NI_NUMERICHOST | NI_NUMERICSERV) !=
        0)
        return "?";
    std::string out;
    if (sa->sa_family == AF_INET6) {
        out += '[';
        out += host.data();
        out += ']';
    } else {
        out += host.data();
    }
    out += ':';
    out += serv.data();
    return out;
}

}  // namespace

int fail(const std::string& message) {
    std::fprintf(stderr, "cordon: %s\n", message.c_str());
    return 1;
}

int bad_usage(const std::string& message, const char* usage) {
    std::fprintf(stderr, "cordon: %s\n%s", message.c_str(), usage);
    return 2;
}

// --- Arguments ---------------------------------------------------------------

bool ArgParser::next() {
    if (index_ + 1 >= argc_) return false;
    ++index_;
    std::string_view arg = argv_[index_];
    inline_value_.reset();
    if (arg.size() > 2 && arg.substr(0, 2) == "--") {
        auto eq = arg.find('=');
        if (eq != std::string_view::npos) {
            inline_value_ = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
    }
    name_ = arg;
    return true;
}

std::optional<std::string> ArgParser::value() {
    if (inline_value_) {
        std::string v(*inline_value_);
        inline_value_.reset();
        return v;
    }
    if (index_ + 1 >= argc_) return std::nullopt;
    ++index_;
    return std::string(argv_[index_]);
}

std::vector<std::string> split_list(std::string_view text, char separator) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto pos = text.find(separator);
        std::string_view item = text.substr(0, pos);
        if (!item.empty()) out.emplace_back(item);
        if (pos == std::string_view::npos) break;
        text.remove_prefix(pos + 1);
    }
    return out;
}

std::optional<std::string> unescape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '\\') {
            out.push_back(c);
            continue;
        }
        if (++i == text.size()) return std::nullopt;
        switch (text[i]) {
            case 'r': out.push_back('\r'); break;
            case 'n': out.push_back('\n'); break;
            case 't': out.push_back('\t'); break;
            case '\\': out.push_back('\\'); break;
            case 'x': {
                auto hex = [](char h) -> int {
                    if (h >= '0' && h <= '9') return h - '0';
                    if (h >= 'a' && h <= 'f') return h - 'a' + 10;
                    if (h >= 'A' && h <= 'F') return h - 'A' + 10;
                    return -1;
                };
                if (i + 2 >= text.size()) return std::nullopt;
                int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
                if (hi < 0 || lo < 0) return std::nullopt;
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                break;
            }
            default: return std::nullopt;
        }
    }
    return out;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    auto v = parse_number(text, 65535);
    if (!v) return std::nullopt;
    return static_cast<std::uint16_t>(*v);
}

std::optional<int> parse_seconds(std::string_view text) {
    auto v = parse_number(text, 86400);
    if (!v || *v == 0) return std::nullopt;
    return static_cast<int>(*v);
}

std::optional<tls::crypto::NamedGroup> parse_group(std::string_view name) {
    using tls::crypto::NamedGroup;
    if (iequals(name, "x25519")) return NamedGroup::x25519;
    if (iequals(name, "secp256r1") || iequals(name, "P-256") || iequals(name, "prime256v1")) return NamedGroup::secp256r1;
    if (iequals(name, "secp384r1") || iequals(name, "P-384")) return NamedGroup::secp384r1;
    return std::nullopt;
}

std::optional<tls::CipherSuite> parse_suite(std::string_view name) {
    using tls::CipherSuite;
    for (CipherSuite s : {CipherSuite::tls_aes_128_gcm_sha256, CipherSuite::tls_aes_256_gcm_sha384,
                          CipherSuite::tls_chacha20_poly1305_sha256,
                          CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256,
                          CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384,
                          CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256,
                          CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256,
                          CipherSuite::tls_ecdhe_rsa_with_aes_256_gcm_sha384,
                          CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256}) {
        if (iequals(name, tls::to_string(s))) return s;
    }
    return std::nullopt;
}

const tls::crypto::CryptoProvider* parse_provider(std::string_view name) {
    if (name == "default") return &tls::crypto::default_provider();
    if (name == "sodium") return &tls::crypto::sodium_provider();
    if (name == "mbedtls") return &tls::crypto::mbedtls_provider();
    return nullptr;
}

const char* const common_options_usage =
    "  --alpn LIST          ALPN protocols, comma-separated, in preference order (h2,http/1.1)\n"
    "  --group G            key exchange groups to allow (repeatable or comma-separated):\n"
    "                       x25519, secp256r1 (P-256), secp384r1 (P-384)\n"
    "  --suite S            cipher suites to allow (repeatable or comma-separated):\n"
    "                       TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256,\n"
    "                       TLS_ECDHE_{ECDSA,RSA}_WITH_{AES_128_GCM_SHA256,AES_256_GCM_SHA384,CHACHA20_POLY1305_SHA256}\n"
    "  --tls1.2, --tls1.3   speak only this version (default: both, TLS 1.3 preferred)\n"
    "  --allow-no-ems       TLS 1.2: accept peers without the extended master secret (RFC 7627)\n"
    "  --keylog FILE        append the session secrets to FILE (NSS key log format, for Wireshark)\n"
    "  --provider P         crypto provider: default, sodium, mbedtls\n"
    "  --timeout SECONDS    how long to wait for the peer\n";

bool parse_common(ArgParser& args, CommonOptions& options, std::string& error) {
    auto name = args.name();
    auto need = [&](std::string& out) {
        auto v = args.value();
        if (!v) {
            error = std::string(name) + " needs a value";
            return false;
        }
        out = std::move(*v);
        return true;
    };
    std::string v;
    if (name == "--alpn") {
        if (!need(v)) return true;
        options.alpn = split_list(v);
        for (const auto& p : options.alpn)
            if (p.size() > 255) error = "ALPN protocol names are at most 255 bytes";
        if (options.alpn.empty()) error = "--alpn needs at least one protocol";
    } else if (name == "--group" || name == "--groups") {
        if (!need(v)) return true;
        for (const auto& g : split_list(v)) {
            auto group = parse_group(g);
            if (!group) {
                error = "unknown group \"" + g + "\" (x25519, secp256r1, secp384r1)";
                return true;
            }
            options.groups.push_back(*group);
        }
    } else if (name == "--suite" || name == "--suites") {
        if (!need(v)) return true;
        for (const auto& s : split_list(v)) {
            auto suite = parse_suite(s);
            if (!suite) {
                error = "unknown cipher suite \"" + s + "\"";
                return true;
            }
            options.suites.push_back(*suite);
        }
    } else if (name == "--tls1.2") {
        options.versions = {tls::ProtocolVersion::tls12};
    } else if (name == "--tls1.3") {
        options.versions = {tls::ProtocolVersion::tls13};
    } else if (name == "--allow-no-ems") {
        options.allow_no_ems = true;
    } else if (name == "--keylog") {
        if (!need(v)) return true;
        options.keylog_file = v;
    } else if (name == "--provider") {
        if (!need(v)) return true;
        options.provider = parse_provider(v);
        if (options.provider == nullptr) error = "unknown provider \"" + v + "\" (default, sodium, mbedtls)";
    } else if (name == "--timeout") {
        if (!need(v)) return true;
        auto s = parse_seconds(v);
        if (!s) error = "bad --timeout \"" + v + "\"";
        else options.timeout_seconds = *s;
    } else {
        return false;
    }
    return true;
}

bool apply_common(const CommonOptions& options, tls::CommonSettings& settings, std::string& error) {
    settings.provider = options.provider;
    settings.alpn = options.alpn;
    settings.groups = options.groups;
    settings.cipher_suites = options.suites;
    settings.versions = options.versions;
    settings.require_extended_master_secret = !options.allow_no_ems;
    if (!options.keylog_file.empty()) {
        settings.key_log = key_log_to_file(options.keylog_file);
        if (!settings.key_log) {
            error = "cannot open key log file " + options.keylog_file + ": " + std::strerror(errno);
            return false;
        }
    }
    return true;
}

tls::KeyLogCallback key_log_to_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "a");
    if (f == nullptr) return {};
    std::shared_ptr<std::FILE> file(f, [](std::FILE* p) { std::fclose(p); });
    return [file](std::string_view label, tls::crypto::Bytes client_random, tls::crypto::Bytes secret) {
        std::string line = tls::format_key_log_line(label, client_random, secret);
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), file.get());
        std::fflush(file.get());
    };
}

// --- Reporting -----------------------------------------------------------------

std::string describe(const tls::ConnectionError& error) {
    std::string out = error.message;
    out += " (";
    out += tls::to_string(error.code);
    out += ", alert sent: ";
    out += alert_name(error.alert_sent);
    out += " / received: ";
    out += alert_name(error.alert_received);
    out += ')';
    return out;
}

std::string describe(const tls::Error& error) {
    std::string out = error.message != nullptr ? error.message : "";
    out += " (";
    out += tls::to_string(error.code);
    out += ')';
    return out;
}

namespace {

struct Negotiated {
    std::string version, suite, group, scheme, alpn, sni;
};

Negotiated negotiated(const tls::Connection& c) {
    Negotiated n;
    n.version = c.version() ? tls::to_string(*c.version()) : "none";
    n.suite = c.cipher_suite() ? tls::to_string(*c.cipher_suite()) : "none";
    n.group = c.group() ? tls::crypto::to_string(*c.group()) : "none";
    n.scheme = c.signature_scheme() ? tls::crypto::to_string(*c.signature_scheme()) : "none";
    n.alpn = c.alpn_protocol().empty() ? std::string("none") : std::string(c.alpn_protocol());
    n.sni = c.server_name().empty() ? std::string("none") : std::string(c.server_name());
    return n;
}

}  // namespace

std::string negotiated_summary(const tls::Connection& c) {
    Negotiated n = negotiated(c);
    std::string out;
    out += "protocol: " + n.version + "\n";
    out += "cipher suite: " + n.suite + "\n";
    out += "group: " + n.group + "\n";
    out += "signature scheme: " + n.scheme + "\n";
    out += "alpn: " + n.alpn + "\n";
    out += "server name: " + n.sni + "\n";
    out += std::string("hello retry request: ") + (c.hello_retry_request() ? "yes" : "no") + "\n";
    out += std::string("resumed: ") + (c.resumed() ? "yes" : "no") + "\n";
    return out;
}

std::string negotiated_line(const tls::Connection& c) {
    Negotiated n = negotiated(c);
    std::string out = n.version + " " + n.suite + " " + n.group + " " + n.scheme + " alpn=" + n.alpn + " sni=" + n.sni;
    if (c.hello_retry_request()) out += " (after HelloRetryRequest)";
    return out;
}

// --- Sockets -------------------------------------------------------------------

bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port) {
    std::string_view rest;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        host = std::string(text.substr(1, close - 1));
        rest = text.substr(close + 1);
    } else {
        auto colon = text.rfind(':');
        if (colon != std::string_view::npos && text.find(':') != colon) return false;  // bare IPv6: needs [ ]
        host = std::string(text.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
        if (host.empty()) return false;
    }
    if (rest.empty()) {
        port = 443;
        return true;
    }
    if (rest.front() != ':') return false;
    auto p = parse_port(rest.substr(1));
    if (!p || *p == 0) return false;
    port = *p;
    return true;
}

int connect_tcp(const std::string& host, std::uint16_t port, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list); rc != 0) {
        error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    error = "no address for " + host;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            error = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        int rc;
        do rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        while (rc != 0 && errno == EINTR);
        if (rc == 0) break;
        error = "cannot connect to " + format_address(ai->ai_addr, ai->ai_addrlen) + ": " + std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        error.clear();
    }
    return fd;
}

int listen_tcp(const std::string& host, std::uint16_t port, std::string& bound, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* list = nullptr;
    std::string service = std::to_string(port);
    if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &list); rc != 0) {
        error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return -1;
    }
    int fd = -1;
    error = "no address for " + host;
    for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            error = std::string("socket: ") + std::strerror(errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0) break;
        error = "cannot listen on " + format_address(ai->ai_addr, ai->ai_addrlen) + ": " + std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    freeaddrinfo(list);
    if (fd >= 0) {
        bound = socket_address(fd, false);
        error.clear();
    }
    return fd;
}

std::string socket_address(int fd, bool peer) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                  : getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    if (rc != 0) return "?";
    return format_address(reinterpret_cast<const sockaddr*>(&ss), len);
}

void set_timeouts(int fd, int seconds) {
    timeval tv{};
    tv.tv_sec = seconds;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// --- Session -------------------------------------------------------------------

Session::Session(int fd, tls::Connection connection) : fd_(fd), connection_(std::move(connection)) {
    in_.resize(16 * 1024 + 512);
}

Session::~Session() {
    if (fd_ >= 0) ::close(fd_);
}

bool Session::flush() {
    for (;;) {
        tls::crypto::Bytes out = connection_.pending_output();
        if (out.empty()) return true;
        ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            io_error_ = errno == EAGAIN || errno == EWOULDBLOCK ? std::string("send timed out")
                                                                : std::string("send: ") + std::strerror(errno);
            return false;
        }
        connection_.consume_output(static_cast<std::size_t>(n));
    }
}

Session::Io Session::pump() {
    if (begin_ == end_) {
        if (connection_.has_readable()) return Io::ok;  // the caller has data to take first
        ssize_t n;
        do n = ::recv(fd_, in_.data(), in_.size(), 0);
        while (n < 0 && errno == EINTR);
        if (n == 0) return Io::eof;
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return Io::timeout;
            io_error_ = std::string("recv: ") + std::strerror(errno);
            return Io::error;
        }
        begin_ = 0;
        end_ = static_cast<std::size_t>(n);
    }
    while (begin_ < end_ && !connection_.has_readable()) {
        std::size_t took = connection_.feed(tls::crypto::Bytes(in_.data() + begin_, end_ - begin_));
        begin_ += took;
        if (!flush()) return Io::error;
        if (took == 0 && !connection_.has_readable()) {
            // The connection has ended (closed or failed): the rest is ignored.
            begin_ = end_;
        }
    }
    return flush() ? Io::ok : Io::error;
}

bool Session::handshake(std::string& why) {
    using State = tls::Connection::State;
    Io io = flush() ? Io::ok : Io::error;
    while (io == Io::ok && connection_.state() == State::handshaking) {
        if (connection_.has_readable()) {
            // A server that accepts 0-RTT reads early data before the handshake completes.
            if (!connection_.readable_is_early()) {
                why = "the connection has application data while still handshaking (engine bug?)";
                return false;
            }
            auto data = connection_.readable();
            early_.append(reinterpret_cast<const char*>(data.data()), data.size());
            early_bytes_ += data.size();
            connection_.consume_readable(data.size());
            continue;
        }
        io = pump();
    }
    switch (connection_.state()) {
        case State::established: return true;
        case State::failed:
            why = connection_.error() != nullptr ? describe(*connection_.error()) : "failed without an error";
            return false;
        case State::closed:
            // The peer may finish the handshake and close at once (the same read).
            if (connection_.handshake_complete()) return true;
            why = "the peer sent close_notify during the handshake";
            return false;
        case State::handshaking: break;
    }
    why = describe_io(io) + " during the handshake";
    return false;
}

std::size_t Session::take_readable(std::string& out) {
    if (!early_.empty()) {
        const std::size_t early = early_.size();
        out += early_;
        early_.clear();
        return early;
    }
    tls::crypto::Bytes data = connection_.readable();
    std::size_t n = data.size();
    if (n == 0) return 0;
    out.append(reinterpret_cast<const char*>(data.data()), n);
    connection_.consume_readable(n);
    return n;
}

void Session::close_notify() {
    if (close_sent_) return;
    close_sent_ = true;
    connection_.close();
    flush();
}

void Session::linger_close() {
    ::shutdown(fd_, SHUT_WR);
    timeval tv{};
    tv.tv_sec = 1;
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::array<char, 4096> sink{};
    for (int i = 0; i < 256; ++i) {
        ssize_t n = ::recv(fd_, sink.data(), sink.size(), 0);
        if (n <= 0 && !(n < 0 && errno == EINTR)) break;
    }
}

std::string Session::describe_io(Io io) const {
    switch (io) {
        case Io::ok: return "no progress";
        case Io::eof: return "the peer closed the TCP connection";
        case Io::timeout: return "timed out waiting for the peer";
        case Io::error: return io_error_;
    }
    return "?";
}

}  // namespace cli
