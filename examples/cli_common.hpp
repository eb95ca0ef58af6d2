// Shared pieces of the `cordon` command-line tool: argument parsing, name
// tables, POSIX sockets, and Session, the loop that moves bytes between a
// socket and a tls::Connection (which owns no I/O).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/config.hpp"
#include "tls/connection.hpp"

namespace cli {

int client_command(int argc, char** argv);
int server_command(int argc, char** argv);
int provider_command(int argc, char** argv);

// Prints "cordon: <message>" to stderr and returns 1 (the failure status).
int fail(const std::string& message);
// Prints "cordon: <message>" and the usage text; returns 2 (bad arguments).
int bad_usage(const std::string& message, const char* usage);

// --- Arguments ---------------------------------------------------------------

// Walks argv: options as "--name value" or "--name=value", and positionals.
class ArgParser {
public:
    ArgParser(int argc, char** argv) : argc_(argc), argv_(argv) {}
    // Moves to the next argument; false at the end.
    bool next();
    // The current argument's name ("--port" of "--port=1"), or the positional.
    std::string_view name() const noexcept { return name_; }
    bool is_option() const noexcept { return name_.size() > 1 && name_[0] == '-'; }
    // The current option's value (inline or the next argument); nullopt if none.
    std::optional<std::string> value();

private:
    int argc_;
    char** argv_;
    int index_ = -1;
    std::string_view name_;
    std::optional<std::string_view> inline_value_;
};

std::vector<std::string> split_list(std::string_view text, char separator = ',');
// "\r", "\n", "\t", "\\" and "\xHH" escapes to their bytes.
std::optional<std::string> unescape(std::string_view text);
std::optional<std::uint16_t> parse_port(std::string_view text);
std::optional<int> parse_seconds(std::string_view text);

// x25519, secp256r1 / P-256, secp384r1 / P-384 (case-insensitive).
std::optional<tls::crypto::NamedGroup> parse_group(std::string_view name);
// TLS_AES_128_GCM_SHA256 and the other names tls::to_string(CipherSuite) gives.
std::optional<tls::CipherSuite> parse_suite(std::string_view name);
// default, sodium, mbedtls.
const tls::crypto::CryptoProvider* parse_provider(std::string_view name);

// Options the client and the server share; parse_common() takes them from the
// parser's current argument. Returns false when the argument is not one of
// them; sets error when it is but its value is bad.
struct CommonOptions {
    std::vector<std::string> alpn;
    std::vector<tls::crypto::NamedGroup> groups;
    std::vector<tls::CipherSuite> suites;
    std::vector<tls::ProtocolVersion> versions;
    bool allow_no_ems = false;
    std::string keylog_file;
    const tls::crypto::CryptoProvider* provider = nullptr;
    int timeout_seconds = 0;
};
bool parse_common(ArgParser& args, CommonOptions& options, std::string& error);
// Fills the shared settings; error when the key log file cannot be opened.
bool apply_common(const CommonOptions& options, tls::CommonSettings& settings, std::string& error);
extern const char* const common_options_usage;

// A KeyLogCallback appending SSLKEYLOGFILE lines to path; empty on failure.
tls::KeyLogCallback key_log_to_file(const std::string& path);

// --- Reporting -----------------------------------------------------------------

// "<message> (<code>, alert sent: X / received: Y)"
std::string describe(const tls::ConnectionError& error);
std::string describe(const tls::Error& error);
// The negotiated parameters, one "key: value" per line.
std::string negotiated_summary(const tls::Connection& connection);
// One line: "TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ecdsa_secp256r1_sha256 alpn=h2 sni=localhost".
std::string negotiated_line(const tls::Connection& connection);

// --- Sockets -------------------------------------------------------------------

// "127.0.0.1:4433" / "[::1]:4433" -> host and port; the port may be absent (443).
bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port);
// A connected TCP socket, or -1 with error set.
int connect_tcp(const std::string& host, std::uint16_t port, std::string& error);
// A listening TCP socket, or -1 with error set; bound is "HOST:PORT" as bound.
int listen_tcp(const std::string& host, std::uint16_t port, std::string& bound, std::string& error);
// "127.0.0.1:4433" or "[::1]:4433" for a socket's local or peer address.
std::string socket_address(int fd, bool peer);
void set_timeouts(int fd, int seconds);

// --- Moving bytes --------------------------------------------------------------

// A tls::Connection over a socket (which Session closes).
class Session {
public:
    enum class Io { ok, eof, timeout, error };

    Session(int fd, tls::Connection connection);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    tls::Connection& connection() noexcept { return connection_; }
    int fd() const noexcept { return fd_; }

    // Sends all of pending_output(). False when the socket failed (io_error()).
    bool flush();
    // Makes progress on input: feeds bytes already received or, when none are
    // left, receives more (blocking, up to the socket's timeout). Stops feeding
    // while decrypted data waits in readable(). Flushes what the connection
    // wants sent after each feed (alerts included).
    Io pump();
    bool has_buffered_input() const noexcept { return begin_ < end_; }

    // Sends the first flight (client) and pumps until the handshake ends.
    // On failure, why says what happened.
    bool handshake(std::string& why);

    // Moves readable() to out (appending); returns the number of bytes. Early
    // (0-RTT) data that arrived during the handshake comes out first.
    std::size_t take_readable(std::string& out);
    // How many bytes of the data read so far arrived as 0-RTT early data.
    std::size_t early_bytes() const noexcept { return early_bytes_; }

    // Sends close_notify (once) and flushes it.
    void close_notify();
    // Half-closes TCP and reads what the peer still sends (discarded) until EOF
    // or a short timeout, so the peer sees our last bytes rather than a reset.
    void linger_close();

    const std::string& io_error() const noexcept { return io_error_; }
    // Why input ended, for messages: "TCP EOF", "timed out", an errno string.
    std::string describe_io(Io io) const;

private:
    int fd_;
    tls::Connection connection_;
    std::vector<std::uint8_t> in_;
    std::size_t begin_ = 0;
    std::size_t end_ = 0;
    bool close_sent_ = false;
    std::string io_error_;
    std::string early_;  // 0-RTT data received during the handshake, not yet taken
    std::size_t early_bytes_ = 0;
};

}  // namespace cli
