// The TLS 1.3 server's engine (RFC 8446 A.2), shared by the files that
// implement it along the protocol's parts: server_handshake.cpp (hellos,
// negotiation, the server's flight, Finished, dispatch),
// server_resumption.cpp (PSKs and tickets) and server_client_auth.cpp (the
// client's certificate). Internal: only make_server_engine() is the way in.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "handshake/connection_core.hpp"
#include "handshake/messages.hpp"
#include "handshake/post_handshake.hpp"
#include "handshake/tls13_secrets.hpp"

namespace tls::handshake::tls13_server {

using crypto::NamedGroup;
using crypto::SignatureScheme;

inline Error unexpected(const char* message) { return Error{ErrorCode::unexpected_message, message}; }

// Appends a handshake message to a flight that goes out as one write (a loop:
// GCC 12 -O3 warns falsely on vector::insert here).
inline void append(std::vector<std::uint8_t>& flight, const std::vector<std::uint8_t>& message) {
    flight.reserve(flight.size() + message.size());
    for (auto b : message) flight.push_back(b);
}

// Early data the server skips when it does not accept 0-RTT (RFC 8446 4.2.10).
inline constexpr std::uint32_t max_skipped_early_data = 1u << 16;

// How far a client's ticket age may stray from the server's count (RFC 8446
// 8.3): the clocks run in seconds, so a little more than the network's delay.
inline constexpr std::int64_t max_ticket_age_skew_ms = 10000;

// PSK identities tried per ClientHello (each costs an AEAD open).
inline constexpr std::size_t max_psk_identities_tried = 4;

// What the server settled from a ClientHello.
struct Choices {
    SuiteParams suite;
    NamedGroup group;
    std::optional<Bytes> client_share;  // none: HelloRetryRequest (unless psk_ke)
    std::optional<Tls13TicketState> resumed;  // an accepted ticket (RFC 8446 4.2.11)
    std::uint16_t psk_identity = 0;
    bool psk_ke = false;                      // resumption without (EC)DHE
    bool early_data = false;                  // the client's 0-RTT data is accepted
    std::shared_ptr<const CertifiedKey> certificate;
    SignatureScheme scheme;
    std::string alpn;
    std::string server_name;
};

class ServerHandshake final : public HandshakeEngine {
public:
    explicit ServerHandshake(const ServerConfig& config) : config_(config), settings_(config.settings()) {}

    Result<void> start(ConnectionCore&) override { return success(); }
    Result<void> on_message(ConnectionCore& core, const HandshakeMessage& message, Bytes raw) override;
    bool accepts_application_data() const noexcept override {
        return std::holds_alternative<Connected>(state_) || std::holds_alternative<WaitEndOfEarlyData>(state_);
    }
    bool receiving_early_data() const noexcept override { return std::holds_alternative<WaitEndOfEarlyData>(state_); }
    Result<void> on_early_data(std::size_t size) override {
        auto& wait = std::get<WaitEndOfEarlyData>(state_);
        // RFC 8446 4.2.10: more than max_early_data_size is unexpected_message.
        if (size > wait.remaining) return unexpected("more early data than max_early_data_size");
        wait.remaining -= static_cast<std::uint32_t>(size);
        return success();
    }
    const char* state_name() const noexcept override;
    void on_application_data() noexcept override { post_handshake_.on_application_data(); }
    Result<void> update_keys(ConnectionCore& core, bool request_peer_update) override {
        if (!std::holds_alternative<Connected>(state_))
            return Error{ErrorCode::invalid_argument, "keys can be updated only after the handshake"};
        return post_handshake_.send_key_update(core, request_peer_update);
    }

private:
    struct WaitClientHello {};
    struct WaitSecondClientHello {  // after a HelloRetryRequest
        CipherSuite suite;
        NamedGroup group;
        std::vector<std::uint8_t> cookie;  // sent in the HelloRetryRequest (test hook only, so far)
    };
    struct WaitEndOfEarlyData {  // 0-RTT accepted: early data, then EndOfEarlyData
        std::uint32_t remaining;
    };
    struct WaitClientCertificate {  // after a CertificateRequest (mutual TLS)
        std::vector<SignatureScheme> schemes;  // what the request allowed
    };
    struct WaitClientCertificateVerify {
        std::vector<SignatureScheme> schemes;
    };
    struct WaitFinished {};
    struct Connected {};
    using State = std::variant<WaitClientHello, WaitSecondClientHello, WaitEndOfEarlyData, WaitClientCertificate,
                               WaitClientCertificateVerify, WaitFinished, Connected>;

    Result<Choices> negotiate(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                              const TestHooks& hooks) const;
    Result<void> choose_psk(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                            const TestHooks& hooks, Choices& c) const;
    Result<void> send_tickets(ConnectionCore& core);
    Result<void> on_client_hello(ConnectionCore& core, Bytes body, Bytes raw, const WaitSecondClientHello* retry);
    Result<void> send_hello_retry_request(ConnectionCore& core, const ClientHello& ch, const Choices& choices, Bytes raw);
    Result<void> send_server_flight(ConnectionCore& core, const ClientHello& ch, const Choices& choices, Bytes raw);
    Result<std::vector<std::uint8_t>> certificate_request(std::vector<SignatureScheme>& schemes) const;
    Result<void> on_client_certificate(ConnectionCore& core, std::vector<SignatureScheme> schemes, Bytes body, Bytes raw);
    Result<void> on_client_certificate_verify(ConnectionCore& core, const std::vector<SignatureScheme>& schemes,
                                              Bytes body, Bytes raw);
    Result<void> on_finished(ConnectionCore& core, Bytes body, Bytes raw);
    Result<void> send_compatibility_ccs(ConnectionCore& core, const ClientHello& ch);

    const ServerConfig& config_;
    const ServerSettings& settings_;
    State state_;
    bool ccs_sent_ = false;
    bool tickets_wanted_ = false;  // the client sent psk_key_exchange_modes (RFC 8446 4.2.9)
    std::optional<Tls13Secrets> secrets_;  // from the ServerHello to the end of the handshake
    crypto::Secret resumption_master_;     // derives the PSKs of the tickets
    std::optional<SuiteParams> suite_;     // after the handshake
    PostHandshake post_handshake_;
};

}  // namespace tls::handshake::tls13_server
