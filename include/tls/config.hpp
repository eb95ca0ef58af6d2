// Client and server configurations. Fill in a settings struct, call build(): it
// validates everything once and returns an immutable configuration that any
// number of connections (on any threads) share through a shared_ptr.
//
// Secure defaults: TLS 1.3; AEAD suites with (EC)DHE only; X25519, P-256, P-384;
// certificate chain and hostname verification always on for clients unless a
// verifier is installed explicitly.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tls/certificate.hpp"
#include "tls/crypto/provider.hpp"
#include "tls/protocol.hpp"
#include "tls/result.hpp"
#include "tls/session.hpp"

namespace tls {

// Seconds since the Unix epoch; the default reads the system clock.
using Clock = std::function<std::int64_t()>;

// Called with each secret as it is derived, for debugging with Wireshark: the
// label is an NSS key log label ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", ...).
// format_key_log_line() gives the SSLKEYLOGFILE line. Secrets leave the library
// only through this callback; leave it empty in production.
using KeyLogCallback =
    std::function<void(std::string_view label, crypto::Bytes client_random, crypto::Bytes secret)>;
std::string format_key_log_line(std::string_view label, crypto::Bytes client_random, crypto::Bytes secret);

// What a ClientHello offers: for certificate resolvers, and for a proxy that
// peeks at a connection before choosing what to do with it (peek_client_hello()).
struct ClientHelloInfo {
    std::string server_name;                     // empty when no SNI was sent
    std::vector<std::string> alpn;               // in the client's order
    std::vector<ProtocolVersion> versions;       // supported_versions, else legacy_version
    std::vector<CipherSuite> cipher_suites;      // as offered (GREASE included)
    std::vector<crypto::NamedGroup> groups;
    std::vector<crypto::SignatureScheme> signature_schemes;
};

// Reads the first ClientHello from the first bytes a client sent (one or more
// records). Returns nothing while more bytes are needed; an error when the bytes
// are not a TLS ClientHello. Reads only: the bytes still go to the connection
// (or the backend a proxy passes them through to).
Result<std::optional<ClientHelloInfo>> peek_client_hello(crypto::Bytes first_bytes);

// How a client checks the server's certificates. The default
// (webpki_server_verifier) validates the chain to the trust anchors for the
// server name; replace it only on purpose (pinning, a private PKI, tests).
class ServerCertificateVerifier {
public:
    virtual ~ServerCertificateVerifier() = default;
    // chain: leaf first, as the server sent it. now: the configuration's clock.
    virtual Result<void> verify_chain(std::span<const Certificate> chain, std::string_view server_name,
                                      std::int64_t now) const = 0;
    // The CertificateVerify signature by the leaf's key. The default checks it
    // with the provider's verifier for scheme.
    virtual Result<void> verify_signature(crypto::SignatureScheme scheme, crypto::Bytes message,
                                          crypto::Bytes signature, const Certificate& leaf,
                                          const crypto::CryptoProvider& provider) const;
    // The TLS 1.2 ServerKeyExchange signature. TLS 1.2's ecdsa_* schemes name
    // only the hash, so the default verifies ECDSA with that hash on the leaf's
    // own curve (provider.ecdsa), and anything else as verify_signature() does.
    virtual Result<void> verify_tls12_signature(crypto::SignatureScheme scheme, crypto::Bytes message,
                                                crypto::Bytes signature, const Certificate& leaf,
                                                const crypto::CryptoProvider& provider) const;
};

// RFC 5280 path validation to roots plus RFC 6125 name checks (src/x509).
std::shared_ptr<const ServerCertificateVerifier> webpki_server_verifier(TrustStore roots,
                                                                       const crypto::CryptoProvider* provider = nullptr);

// How a server checks a client's certificates (mutual TLS).
class ClientCertificateVerifier {
public:
    virtual ~ClientCertificateVerifier() = default;
    // chain: leaf first, as the client sent it. now: the configuration's clock.
    virtual Result<void> verify_chain(std::span<const Certificate> chain, std::int64_t now) const = 0;
    // The client's CertificateVerify signature by the leaf's key (the default
    // checks it with the provider's verifier for scheme).
    virtual Result<void> verify_signature(crypto::SignatureScheme scheme, crypto::Bytes message,
                                          crypto::Bytes signature, const Certificate& leaf,
                                          const crypto::CryptoProvider& provider) const;
    // The DER subject names the CertificateRequest lists as acceptable issuers
    // (certificate_authorities, RFC 8446 4.2.4); none: the extension is left out.
    virtual std::vector<std::vector<std::uint8_t>> acceptable_issuers() const { return {}; }
};

// RFC 5280 path validation to roots for the clientAuth purpose (src/x509); the
// roots' subjects are the acceptable issuers.
std::shared_ptr<const ClientCertificateVerifier> webpki_client_verifier(TrustStore roots,
                                                                       const crypto::CryptoProvider* provider = nullptr);

// What a server's CertificateRequest asks for, to choose a client certificate.
struct CertificateRequestInfo {
    std::string server_name;                                     // the name the client connected to
    std::vector<std::vector<std::uint8_t>> acceptable_issuers;   // DER names; empty: any
    std::vector<crypto::SignatureScheme> signature_schemes;      // the server's, in its order
};
// Picks the client's certificate for a request; nullptr sends none (the
// server then decides whether that is acceptable).
using ClientCertificateResolver = std::function<std::shared_ptr<const CertifiedKey>(const CertificateRequestInfo&)>;

// Settings both sides share. Empty lists mean cordon's defaults.
struct CommonSettings {
    const crypto::CryptoProvider* provider = nullptr;  // default_provider()
    crypto::Rng* rng = nullptr;                        // the provider's, else the OS CSPRNG
    Clock clock;                                       // system clock
    // Versions spoken; TLS 1.3 is chosen whenever both sides speak it.
    std::vector<ProtocolVersion> versions;             // {tls13, tls12}
    // TLS 1.3 and TLS 1.2 suites in one list (each version uses its own):
    // AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305; for TLS 1.2 ECDHE-ECDSA
    // before ECDHE-RSA. Nothing else (CBC, RSA key transport) exists in cordon.
    std::vector<CipherSuite> cipher_suites;
    std::vector<crypto::NamedGroup> groups;            // x25519, secp256r1, secp384r1 (preference order)
    std::vector<crypto::SignatureScheme> signature_schemes;  // all cordon verifies/signs, strongest first
    std::vector<std::string> alpn;                     // protocols, preference order
    KeyLogCallback key_log;
    // Largest handshake message accepted from the peer (certificate chains).
    std::size_t max_handshake_message = 64 * 1024;
    // TLS 1.2 only: refuse peers without the extended master secret (RFC 7627),
    // whose sessions are open to the triple-handshake attack. Relax only for
    // old peers you cannot upgrade.
    bool require_extended_master_secret = true;

    bool allows(ProtocolVersion v) const noexcept {
        for (auto mine : versions)
            if (mine == v) return true;
        return false;
    }
};

struct ClientSettings : CommonSettings {
    TrustStore roots;  // used by the default verifier
    std::shared_ptr<const ServerCertificateVerifier> verifier;  // webpki_server_verifier(roots) if null
    bool send_sni = true;
    // RFC 8446 D.4: a fake session id and change_cipher_spec records, so
    // middleboxes that only know TLS 1.2 let the handshake through.
    bool middlebox_compatibility = true;
    // How many groups get a key share in the first ClientHello (the first N of groups).
    std::size_t key_shares = 1;
    // Resumption: sessions are remembered per server name and offered again.
    // A cache of 256 sessions is made for the configuration when none is given.
    bool resumption = true;
    std::shared_ptr<ClientSessionCache> session_cache;
    // TLS 1.3 resumption without a fresh key exchange (psk_ke): cheaper for
    // constrained devices, but a stolen ticket then exposes the session. The
    // default offers psk_dhe_ke only (RFC 8446 4.2.9).
    bool resume_without_key_exchange = false;
    // 0-RTT (RFC 8446 2.3): offer early data when resuming with a ticket that
    // allows it (see Connection::write_early_data). Off by default: early data
    // can be replayed.
    bool enable_early_data = false;
    // Mutual TLS: the certificate sent when a TLS 1.3 server asks for one, or a
    // resolver that chooses per request (it wins when both are set).
    std::shared_ptr<const CertifiedKey> client_certificate;
    ClientCertificateResolver client_certificate_resolver;
};

// Picks the server's certificate for a ClientHello (by SNI, say); nullptr
// refuses the handshake (unrecognized_name when SNI was sent, else handshake_failure).
using CertificateResolver = std::function<std::shared_ptr<const CertifiedKey>(const ClientHelloInfo&)>;

// Whether a server asks TLS 1.3 clients for a certificate (mutual TLS).
enum class ClientAuth : std::uint8_t {
    none,      // no CertificateRequest
    optional,  // ask; a client without one still connects (peer_certificates() empty)
    required,  // ask; a client without one gets certificate_required
};

struct ServerSettings : CommonSettings {
    std::shared_ptr<const CertifiedKey> certificate;  // used when there is no resolver
    CertificateResolver resolver;
    // Choose the cipher suite by the client's order instead of the server's.
    bool prefer_client_cipher_order = false;
    // Stateless resumption: sessions sealed into tickets under keys that rotate
    // every ticket_lifetime seconds (and still open for one period more).
    bool session_tickets = true;
    std::uint32_t ticket_lifetime = 6 * 3600;
    // Seals and opens tickets instead of the built-in rotating keys (see
    // TicketProtector). Ticket ages and lifetimes are still checked by cordon.
    std::shared_ptr<TicketProtector> ticket_protector;
    // TLS 1.3 tickets sent after each handshake (each resumes once).
    std::size_t tickets_per_handshake = 2;
    // 0-RTT (RFC 8446 2.3, 8): the early data accepted per resumed handshake;
    // 0 accepts none. An attacker can replay a ClientHello with its early data:
    // this server accepts the early data of a given ClientHello at most once
    // within early_data_window seconds (a bounded register of the binders seen;
    // when it is full, early data is refused), and never for a ticket whose age
    // disagrees with its clock by more than that window. Accept only requests
    // that are safe to repeat anyway (readable_is_early() tells them apart).
    std::uint32_t max_early_data_size = 0;
    std::uint32_t early_data_window = 10;
    // Mutual TLS (TLS 1.3): client certificates are validated to client_roots
    // (never the server's own roots) for the clientAuth purpose, or by
    // client_verifier when set. send_client_ca_names lists the acceptable
    // issuers in the CertificateRequest.
    ClientAuth client_auth = ClientAuth::none;
    TrustStore client_roots;
    std::shared_ptr<const ClientCertificateVerifier> client_verifier;
    bool send_client_ca_names = true;
};

namespace handshake {
class StrikeRegister;
}

class ClientConfig {
public:
    static Result<std::shared_ptr<const ClientConfig>> build(ClientSettings settings);
    const ClientSettings& settings() const noexcept { return settings_; }
    const crypto::CryptoProvider& provider() const noexcept { return *settings_.provider; }
    crypto::Rng& rng() const noexcept { return *settings_.rng; }
    std::int64_t now() const { return settings_.clock(); }

private:
    explicit ClientConfig(ClientSettings settings) : settings_(std::move(settings)) {}
    ClientSettings settings_;
};

class ServerConfig {
public:
    static Result<std::shared_ptr<const ServerConfig>> build(ServerSettings settings);
    const ServerSettings& settings() const noexcept { return settings_; }
    const crypto::CryptoProvider& provider() const noexcept { return *settings_.provider; }
    crypto::Rng& rng() const noexcept { return *settings_.rng; }
    std::int64_t now() const { return settings_.clock(); }

    // The ticket keys (nullptr when tickets are off). Internal.
    TicketProtector* ticketer() const noexcept { return ticketer_.get(); }
    // The 0-RTT anti-replay register (nullptr without 0-RTT). Internal.
    handshake::StrikeRegister* strike_register() const noexcept { return strike_register_.get(); }

private:
    explicit ServerConfig(ServerSettings settings) : settings_(std::move(settings)) {}
    ServerSettings settings_;
    std::shared_ptr<TicketProtector> ticketer_;
    std::shared_ptr<handshake::StrikeRegister> strike_register_;
};

}  // namespace tls
