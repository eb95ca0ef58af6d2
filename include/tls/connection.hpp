// A TLS connection that owns no I/O: the caller moves bytes between it and any
// transport. The loop, for a blocking or an event-driven caller alike:
//
//   feed(bytes that arrived)             -> the connection takes what it can
//   pending_output() / consume_output(n) -> send those bytes, say how many went
//   readable() / consume_readable(n)     -> decrypted application data, in place
//   write(plaintext)                     -> queued as records in pending_output()
//
// state() says what the connection is doing; error() says why it failed. Nothing
// a peer sends makes it throw, abort, hang or grow without bound: a fatal
// problem sends the alert the RFC names (it appears in pending_output()) and
// moves the connection to State::failed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/alert.hpp"
#include "tls/certificate.hpp"
#include "tls/config.hpp"

namespace tls {

namespace handshake {
class ConnectionCore;
}

// Why a connection failed.
struct ConnectionError {
    ErrorCode code = ErrorCode::internal_error;
    std::string message;                               // "certificate verification: certificate has expired"
    std::optional<AlertDescription> alert_sent;        // what we told the peer
    std::optional<AlertDescription> alert_received;    // what the peer told us
};

class Connection {
public:
    enum class State : std::uint8_t {
        handshaking,  // still negotiating (application data written now is queued)
        established,  // handshake done; data flows both ways
        closed,       // the peer sent close_notify: nothing more will be read
        failed,       // a fatal error; see error(). Send what pending_output() holds, then close.
    };

    // A client for server_name (a DNS name or an IP address literal; it is both
    // the SNI sent and the identity the certificate is checked against).
    static Result<Connection> client(std::shared_ptr<const ClientConfig> config, std::string_view server_name);
    static Result<Connection> server(std::shared_ptr<const ServerConfig> config);

    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    ~Connection();

    // --- Bytes from the peer -------------------------------------------------
    // Processes bytes that arrived, in any chunking. Returns how many it took:
    // fewer than offered only while decrypted data waits in readable() (read it,
    // then feed the rest) or once the connection has ended.
    std::size_t feed(crypto::Bytes data);
    // Zero-copy variant: receive straight into input_space(), then commit_input(n).
    // The space is empty when feed() would take nothing.
    crypto::MutableBytes input_space();
    void commit_input(std::size_t n);

    // --- Bytes for the peer --------------------------------------------------
    // A view of the bytes to send, valid until the next call on this connection.
    crypto::Bytes pending_output() const noexcept;
    void consume_output(std::size_t n) noexcept;

    // --- Application data ----------------------------------------------------
    // Queues plaintext to send (all of it; records are written as soon as the
    // handshake allows). Fails once the connection failed or was closed by us.
    Result<void> write(crypto::Bytes plaintext);
    // Decrypted data received, a view into the connection's buffer.
    crypto::Bytes readable() const noexcept;
    void consume_readable(std::size_t n);
    // Copying convenience: moves up to out.size() readable bytes into out.
    std::size_t read(crypto::MutableBytes out);
    // Sends close_notify; no more writes after it.
    void close();
    // 0-RTT (RFC 8446 2.3), client side. When the ClientHello offered early data
    // (ClientSettings::enable_early_data and a resumable ticket that allows it),
    // sends up to the ticket's allowance of plaintext before the handshake
    // completes; returns how much it took (0 when early data cannot be sent:
    // not offered, allowance spent, or the server already answered). Early data
    // can be replayed by an attacker: send only what is safe to repeat. Whether
    // the server took it is early_data_status() once the handshake completes;
    // if rejected, write() it again as normal data.
    Result<std::size_t> write_early_data(crypto::Bytes plaintext);
    enum class EarlyData : std::uint8_t { not_offered, offered, accepted, rejected };
    EarlyData early_data_status() const noexcept;
    // Server side: whether readable() holds early data (0-RTT, possibly
    // replayed: see ServerSettings::max_early_data_size) rather than 1-RTT data.
    bool readable_is_early() const noexcept;

    // TLS 1.3 (RFC 8446 4.6.3): moves this side's write key forward, and with
    // request_peer_update asks the peer to do the same. cordon also does it by
    // itself before a key reaches its AEAD usage limit. TLS 1.2 has no key
    // update (unsupported); before the handshake completes: invalid_argument.
    Result<void> update_keys(bool request_peer_update = false);

    // --- Status --------------------------------------------------------------
    State state() const noexcept;
    bool is_server() const noexcept;
    bool handshake_complete() const noexcept;
    bool has_output() const noexcept { return !pending_output().empty(); }
    bool has_readable() const noexcept { return !readable().empty(); }
    // True when the connection can do nothing more until the peer sends bytes.
    bool wants_input() const noexcept;
    const ConnectionError* error() const noexcept;

    // --- What was negotiated (after the handshake) ----------------------------
    std::optional<ProtocolVersion> version() const noexcept;
    std::optional<CipherSuite> cipher_suite() const noexcept;
    std::optional<crypto::NamedGroup> group() const noexcept;
    // The scheme the server signed the handshake with.
    std::optional<crypto::SignatureScheme> signature_scheme() const noexcept;
    std::string_view alpn_protocol() const noexcept;  // empty: none
    std::string_view server_name() const noexcept;    // SNI sent (client) or received (server)
    // The peer's certificate chain as it was sent, leaf first (empty if none).
    const std::vector<Certificate>& peer_certificates() const noexcept;
    // Whether the server sent a HelloRetryRequest.
    bool hello_retry_request() const noexcept;
    // Whether the handshake resumed an earlier session (no certificate was
    // sent; peer_certificates() are the original handshake's).
    bool resumed() const noexcept;

    // For cordon's tests: the engine behind this connection.
    handshake::ConnectionCore& core_for_testing() noexcept { return *core_; }

private:
    explicit Connection(std::unique_ptr<handshake::ConnectionCore> core) noexcept;
    std::unique_ptr<handshake::ConnectionCore> core_;
};

const char* to_string(Connection::State state) noexcept;

}  // namespace tls
