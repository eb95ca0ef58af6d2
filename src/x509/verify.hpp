// Certificate path building and validation (RFC 5280 6) in the web PKI profile
// (CA/Browser Forum Baseline Requirements as rustls-webpki and pyca/cryptography
// apply them), plus server identity checks (RFC 6125: subjectAltName only).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "tls/crypto/provider.hpp"
#include "x509/certificate.hpp"
#include "x509/name_matching.hpp"

namespace tls::x509 {

// Trust anchors: certificates the caller trusts explicitly.
class TrustStore {
public:
    // Adds an anchor (a certificate already present is not added twice).
    void add(CertificatePtr certificate);
    // Adds every CERTIFICATE block of a PEM bundle; fails on the first bad one.
    Result<std::size_t> add_pem(std::string_view pem);
    // Adds the certificates of every regular file in a directory (PEM, one or
    // many per file, as /etc/ssl/certs holds them). Files that do not parse are
    // skipped; returns how many certificates were added.
    Result<std::size_t> add_directory(const std::string& path);
    // The operating system's store: /etc/ssl/certs/ca-certificates.crt (Debian,
    // Ubuntu), /etc/pki/tls/certs/ca-bundle.crt (Fedora, RHEL), else /etc/ssl/certs.
    // Only on explicit request: an empty store trusts nothing.
    Result<std::size_t> add_system();
    const std::vector<CertificatePtr>& anchors() const noexcept { return anchors_; }

private:
    std::vector<CertificatePtr> anchors_;
};

enum class Purpose : std::uint8_t { server_auth, client_auth };

// What the peer must be (for a server: the name the client connected to).
struct PeerName {
    enum class Kind : std::uint8_t { dns, ip };
    Kind kind;
    std::string value;  // "example.com" or "192.0.2.1" / "2001:db8::1"
};

struct VerifyOptions {
    Time now = 0;
    Purpose purpose = Purpose::server_auth;
    std::optional<PeerName> peer_name;
    // Intermediates allowed between the leaf and the anchor.
    std::size_t max_intermediates = 8;
    // Bounds on work a hostile chain can cause.
    std::size_t max_signature_checks = 64;
    std::size_t max_name_constraint_checks = 1u << 16;
    const crypto::CryptoProvider* provider = nullptr;  // default_provider() if null
};

struct VerifiedPath {
    std::vector<CertificatePtr> certificates;  // leaf first, trust anchor last
};

// Builds a path from leaf through any of the intermediates (in any order; junk
// and duplicates are fine) to a trust anchor, trying alternatives until one
// validates. On failure the error is the one from the path that got furthest.
Result<VerifiedPath> verify_certificate(const CertificatePtr& leaf, std::span<const CertificatePtr> intermediates,
                                        const TrustStore& anchors, const VerifyOptions& options);

}  // namespace tls::x509
