// The engine behind tls::Connection: the record layer (reader, writer, the
// handshake message joiner), the received-plaintext view, the error state, and
// a HandshakeEngine (client or server) that owns the protocol states. The core
// moves records; the engine decides what they mean.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "handshake/cipher_suites.hpp"
#include "handshake/hello.hpp"
#include "handshake/ticket_state.hpp"
#include "record/handshake_joiner.hpp"
#include "record/record_reader.hpp"
#include "record/record_writer.hpp"
#include "tls/connection.hpp"

namespace tls::handshake {

class ConnectionCore;

// What the handshake settled, for the accessors.
struct Negotiated {
    std::optional<ProtocolVersion> version;
    std::optional<CipherSuite> suite;
    std::optional<crypto::NamedGroup> group;
    std::optional<crypto::SignatureScheme> signature_scheme;
    std::string alpn;
    std::string server_name;
    std::vector<Certificate> peer_chain;
    bool hello_retry_request = false;
    bool resumed = false;
    Connection::EarlyData early_data = Connection::EarlyData::not_offered;
};

// Hooks that let tests replay published traces exactly (RFC 8448). Never set
// in production: they only exist on ConnectionCore, not in the public API.
struct TestHooks {
    // Replaces the client's first ClientHello (after its random and key share
    // were drawn) before it is sent and hashed.
    std::function<void(std::vector<std::uint8_t>& client_hello)> rewrite_client_hello;
    // The same for the ClientHello sent after a HelloRetryRequest (after its new
    // key share was drawn).
    std::function<void(std::vector<std::uint8_t>& client_hello)> rewrite_second_client_hello;
    // Extensions the client accepts in EncryptedExtensions without acting on them:
    // a rewritten ClientHello may offer extensions cordon's client never does.
    std::vector<ExtensionType> accept_in_encrypted_extensions;
    // Replaces the server's EncryptedExtensions message before it is sent.
    std::function<void(std::vector<std::uint8_t>& encrypted_extensions)> rewrite_encrypted_extensions;
    // Replaces the server's CertificateRequest message before it is sent (the
    // schemes the client may use are then read from the replacement).
    std::function<void(std::vector<std::uint8_t>& certificate_request)> rewrite_certificate_request;
    // Opens a PSK identity instead of the server's ticket keys: a trace's ticket
    // is another server's sealed state (RFC 8448 section 4).
    std::function<std::optional<Tls13TicketState>(crypto::Bytes identity)> open_ticket;
    // Non-empty: the server's HelloRetryRequest carries this cookie (RFC 8446
    // 4.2.2), and the second ClientHello must echo it exactly.
    std::vector<std::uint8_t> hello_retry_cookie;
};

// One side's protocol states (client_handshake.hpp, server_handshake.hpp).
class HandshakeEngine {
public:
    virtual ~HandshakeEngine() = default;
    // Sends the first flight, if this side speaks first.
    virtual Result<void> start(ConnectionCore& core) = 0;
    // One whole handshake message (header included).
    virtual Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message, crypto::Bytes raw) = 0;
    // Whether application_data records may arrive now.
    virtual bool accepts_application_data() const noexcept = 0;
    // A non-empty application_data record arrived.
    virtual void on_application_data() noexcept {}
    // 0-RTT: the client's early data (see Connection::write_early_data).
    virtual Result<std::size_t> write_early_data(ConnectionCore&, crypto::Bytes) { return std::size_t{0}; }
    // 0-RTT, server side: application data now is early data; size is counted
    // against the allowance (an error beyond it).
    virtual bool receiving_early_data() const noexcept { return false; }
    virtual Result<void> on_early_data(std::size_t /*size*/) { return success(); }
    // Sends a KeyUpdate (TLS 1.3, after the handshake).
    virtual Result<void> update_keys(ConnectionCore&, bool /*request_peer_update*/) {
        return Error{ErrorCode::unsupported, "this protocol version has no key update"};
    }
    // A TLS 1.2 change_cipher_spec message (TLS 1.3's compatibility CCS never
    // reaches the engine: the record layer drops it).
    virtual Result<void> on_change_cipher_spec(ConnectionCore&) {
        return Error{ErrorCode::unexpected_message, "unexpected change_cipher_spec"};
    }
    // The name of the current state, for error messages.
    virtual const char* state_name() const noexcept = 0;
};

class ConnectionCore {
public:
    // config keeps the configuration that settings belongs to alive.
    ConnectionCore(bool is_server, std::shared_ptr<const void> config, const CommonSettings& settings,
                   std::unique_ptr<HandshakeEngine> engine, TestHooks hooks = {});
    ~ConnectionCore();

    // Runs the engine's start() (the client's ClientHello).
    void start();

    // --- The public API's operations (see tls/connection.hpp) ---------------
    std::size_t feed(crypto::Bytes data);
    crypto::MutableBytes input_space();
    void commit_input(std::size_t n);
    crypto::Bytes pending_output() const noexcept { return writer_.pending(); }
    void consume_output(std::size_t n) noexcept;
    Result<void> write(crypto::Bytes plaintext);
    crypto::Bytes readable() const noexcept { return readable_; }
    void consume_readable(std::size_t n);
    void close();
    Result<void> update_keys(bool request_peer_update);
    Result<std::size_t> write_early_data(crypto::Bytes plaintext);
    bool readable_is_early() const noexcept { return readable_early_; }

    Connection::State state() const noexcept { return state_; }
    bool is_server() const noexcept { return is_server_; }
    bool handshake_complete() const noexcept { return handshake_complete_; }
    const ConnectionError* error() const noexcept { return error_ ? &*error_ : nullptr; }
    const Negotiated& negotiated() const noexcept { return negotiated_; }

    // --- For the engines -----------------------------------------------------
    Negotiated& negotiated() noexcept { return negotiated_; }
    const TestHooks& hooks() const noexcept { return hooks_; }
    const CommonSettings& settings() const noexcept { return settings_; }
    Result<void> send_handshake(crypto::Bytes message);
    Result<void> send_change_cipher_spec();
    // Installs the keys of a traffic secret for reading or writing.
    Result<void> set_read_secret(const SuiteParams& suite, crypto::Bytes secret);
    Result<void> set_write_secret(const SuiteParams& suite, crypto::Bytes secret);
    // TLS 1.2: the record rules of TLS 1.2 from now on (version 0x0303 in every
    // header, real change_cipher_spec messages, warning alerts).
    void use_tls12_records();
    // TLS 1.2: installs record protection from the key block.
    Result<void> set_read_cipher(record::RecordCipher cipher);
    void set_write_cipher(record::RecordCipher cipher);
    Result<void> send_warning_alert(AlertDescription description);
    // The version is settled and another engine takes over (the TLS 1.3 engine
    // hands a TLS 1.2 peer to the TLS 1.2 engine). Takes effect when the
    // current engine's callback returns.
    void hand_over(std::unique_ptr<HandshakeEngine> next) noexcept { next_engine_ = std::move(next); }
    record::RecordReader& reader() noexcept { return reader_; }
    record::RecordWriter& writer() noexcept { return writer_; }
    // The key log: remembers the client random, then logs secrets against it.
    void set_client_random(crypto::Bytes random);
    void log_secret(const char* label, crypto::Bytes secret) const;
    // The handshake is complete: data may flow both ways.
    Result<void> complete_handshake();

private:
    void process();
    Result<void> process_record(const record::RecordReader::Event& event);
    void fail(Error error);
    void fail_with_alert_received(AlertDescription alert);
    Result<void> flush_queued_plaintext();

    bool is_server_;
    std::shared_ptr<const void> config_;
    const CommonSettings& settings_;  // owned by the config the connection holds
    std::unique_ptr<HandshakeEngine> engine_;
    std::unique_ptr<HandshakeEngine> next_engine_;  // see hand_over()
    TestHooks hooks_;

    record::RecordReader reader_;
    record::RecordWriter writer_;
    record::HandshakeJoiner joiner_;

    crypto::MutableBytes readable_{};
    bool readable_early_ = false;  // readable_ is 0-RTT data
    std::vector<std::uint8_t> queued_plaintext_;  // written before the handshake completed
    std::uint8_t client_random_[32] = {};

    Connection::State state_ = Connection::State::handshaking;
    bool handshake_complete_ = false;
    bool close_sent_ = false;
    bool processing_ = false;
    std::optional<ConnectionError> error_;
    Negotiated negotiated_;
};

}  // namespace tls::handshake
