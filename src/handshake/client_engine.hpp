// The TLS 1.3 client's engine (RFC 8446 A.1), shared by the files that
// implement it along the protocol's parts: client_handshake.cpp (ClientHello,
// ServerHello and HelloRetryRequest, the server's flight, Finished, dispatch),
// client_resumption.cpp (PSK offers, 0-RTT, tickets) and client_auth.cpp (the
// client's certificate). Internal: only make_client_engine() is the way in.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "handshake/client_session.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/messages.hpp"
#include "handshake/post_handshake.hpp"
#include "handshake/tls13_secrets.hpp"
#include "handshake/transcript.hpp"

namespace tls::handshake::tls13_client {

using crypto::NamedGroup;
using crypto::SignatureScheme;

inline Error unexpected(const char* message) { return Error{ErrorCode::unexpected_message, message}; }



class ClientHandshake final : public HandshakeEngine {
public:
    ClientHandshake(const ClientConfig& config, std::string server_name)
        : config_(config), settings_(config.settings()), server_name_(std::move(server_name)) {}

    Result<void> start(ConnectionCore& core) override;
    Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) override;
    bool accepts_application_data() const noexcept override { return std::holds_alternative<Connected>(state_); }
    const char* state_name() const noexcept override;
    void on_application_data() noexcept override {
        post_handshake_.on_application_data();
        tickets_in_a_row_ = 0;
    }
    Result<std::size_t> write_early_data(ConnectionCore& core, Bytes data) override {
        // Only before the server answered: after its ServerHello, 1-RTT data waits for the handshake.
        auto* wait = std::get_if<WaitServerHello>(&state_);
        if (!early_offered_ || !wait || wait->retry_suite || early_remaining_ == 0) return std::size_t{0};
        const std::size_t n = std::min<std::size_t>(data.size(), early_remaining_);
        TLS_TRY(core.writer().write(record::ContentType::application_data, data.first(n)));
        early_remaining_ -= static_cast<std::uint32_t>(n);
        return n;
    }
    Result<void> update_keys(ConnectionCore& core, bool request_peer_update) override {
        if (!std::holds_alternative<Connected>(state_))
            return Error{ErrorCode::invalid_argument, "keys can be updated only after the handshake"};
        return post_handshake_.send_key_update(core, request_peer_update);
    }

private:
    // What a CertificateRequest asked for (mutual TLS).
    struct CertificateRequested {
        std::vector<std::uint8_t> context;
        std::vector<SignatureScheme> schemes;
        std::vector<std::vector<std::uint8_t>> issuers;
    };
    // RFC 8446 A.1 states.
    struct WaitServerHello {
        std::vector<std::unique_ptr<crypto::KeyExchangeKey>> keys;
        std::vector<std::uint8_t> client_hello;  // the last ClientHello sent
        std::optional<CipherSuite> retry_suite;  // set after a HelloRetryRequest
        std::optional<NamedGroup> retry_group;
    };
    struct WaitEncryptedExtensions {
        bool resumed = false;  // a PSK was accepted: no certificate follows
    };
    struct WaitCertificateOrRequest {};
    struct WaitCertificate {
        CertificateRequested request;
    };
    struct WaitCertificateVerify {
        std::optional<CertificateRequested> request;  // set when the server asked for a certificate
    };
    struct WaitFinished {
        std::optional<CertificateRequested> request;
    };
    struct Connected {};
    using State = std::variant<WaitServerHello, WaitEncryptedExtensions, WaitCertificateOrRequest, WaitCertificate,
                               WaitCertificateVerify, WaitFinished, Connected>;

    Result<std::vector<std::uint8_t>> build_client_hello(const std::vector<std::unique_ptr<crypto::KeyExchangeKey>>& keys,
                                                         Bytes cookie) const;
    Result<void> on_server_hello(ConnectionCore& core, WaitServerHello& state, Bytes body, Bytes raw);
    Result<void> on_hello_retry_request(ConnectionCore& core, WaitServerHello& state, const ServerHello& hrr, Bytes raw);
    Result<void> on_tls12_server_hello(ConnectionCore& core, WaitServerHello& state, const ServerHello& sh, Bytes raw);
    Result<void> check_common_server_hello(const ServerHello& sh, const WaitServerHello& state) const;
    Result<void> on_encrypted_extensions(ConnectionCore& core, Bytes body, Bytes raw, bool resumed);
    Result<void> add_psk_binder(std::vector<std::uint8_t>& client_hello, const Transcript* earlier) const;
    Result<void> on_new_session_ticket(ConnectionCore& core, Bytes body);
    Result<void> start_early_data(ConnectionCore& core, Bytes client_hello);
    // Early data was offered, not refused by a retry, and the PSK was accepted:
    // EncryptedExtensions decides.
    bool early_pending(bool resumed) const noexcept { return early_offered_ && !retried_ && resumed; }
    Result<void> on_certificate_request(Bytes body, Bytes raw);
    Result<void> on_certificate(ConnectionCore& core, Bytes body, Bytes raw,
                                std::optional<CertificateRequested> request);
    Result<void> on_certificate_verify(ConnectionCore& core, Bytes body, Bytes raw,
                                       std::optional<CertificateRequested> request);
    Result<std::vector<std::uint8_t>> client_certificate_flight(const CertificateRequested& request);
    Result<void> on_finished(ConnectionCore& core, Bytes body, Bytes raw,
                             const std::optional<CertificateRequested>& request);
    bool offered_signature_scheme(SignatureScheme scheme) const noexcept {
        return std::find(settings_.signature_schemes.begin(), settings_.signature_schemes.end(), scheme) !=
               settings_.signature_schemes.end();
    }

    const ClientConfig& config_;
    const ClientSettings& settings_;
    std::string server_name_;
    bool send_sni_ = false;
    State state_;
    std::uint8_t random_[32] = {};
    std::uint8_t session_id_[32] = {};
    std::size_t session_id_size_ = 0;
    std::vector<std::uint8_t> cookie_;
    bool offer_tls13_ = true, offer_tls12_ = false;
    std::shared_ptr<const ClientSession> tls12_session_;  // offered for resumption
    std::shared_ptr<const ClientSession> tls13_session_;  // offered as a PSK (RFC 8446 4.2.11)
    std::optional<SuiteParams> tls13_session_suite_;
    bool ccs_sent_ = false;
    std::optional<Tls13Secrets> secrets_;  // from the ServerHello to the end of the handshake
    crypto::Secret resumption_master_;     // derives the PSKs of the server's tickets
    std::optional<SuiteParams> suite_;     // after the handshake
    std::uint32_t tickets_in_a_row_ = 0;   // bounds a NewSessionTicket flood
    // 0-RTT (RFC 8446 2.3): offered in the first ClientHello; what may still be
    // sent; the early secret, kept until EndOfEarlyData goes out.
    bool early_offered_ = false;
    bool retried_ = false;  // a HelloRetryRequest came: no early data any more
    std::uint32_t early_remaining_ = 0;
    crypto::Secret client_early_;
    PostHandshake post_handshake_;
};

}  // namespace tls::handshake::tls13_client
