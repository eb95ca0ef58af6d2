// Certificates, trust anchors and server credentials as the public API sees
// them. The parsing and path validation behind them live in src/x509; these are
// small shared handles, cheap to copy and safe to share between threads once built.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tls/crypto/provider.hpp"
#include "tls/result.hpp"

namespace tls {

namespace x509 {
class Certificate;
class TrustStore;
}  // namespace x509

// A parsed X.509 certificate (immutable; copies share it).
class Certificate {
public:
    static Result<Certificate> from_der(crypto::Bytes der);
    // Every CERTIFICATE block of a PEM text, in order; none is a decode_error.
    static Result<std::vector<Certificate>> chain_from_pem(std::string_view pem);
    static Result<std::vector<Certificate>> chain_from_file(const std::string& path);

    crypto::Bytes der() const noexcept;
    // Distinguished names as text, in the certificate's (DER) order as OpenSSL
    // prints them ("C=US, O=Example, CN=example.com"); values escaped as RFC 4514 2.4
    // says, control characters and undecodable bytes as \xNN.
    std::string subject() const;
    std::string issuer() const;
    // Validity, seconds since the Unix epoch.
    std::int64_t not_before() const noexcept;
    std::int64_t not_after() const noexcept;
    // subjectAltName entries.
    std::vector<std::string> dns_names() const;
    std::vector<std::string> ip_addresses() const;
    // The serial number in hex.
    std::string serial_number() const;

    // The parsed form, for cordon's own layers.
    const std::shared_ptr<const x509::Certificate>& parsed() const noexcept { return parsed_; }
    explicit Certificate(std::shared_ptr<const x509::Certificate> parsed) noexcept : parsed_(std::move(parsed)) {}

private:
    std::shared_ptr<const x509::Certificate> parsed_;
};

// "2026-07-30 12:00:00 UTC" for a time in seconds since the Unix epoch.
std::string format_utc_time(std::int64_t seconds);

// Trust anchors. Empty trusts nothing; add the system store explicitly.
// Copies share the same anchors.
class TrustStore {
public:
    TrustStore();
    void add(const Certificate& anchor);
    // Every certificate of a PEM text or file; the first bad block fails the call.
    Result<std::size_t> add_pem(std::string_view pem);
    Result<std::size_t> add_pem_file(const std::string& path);
    // Each file of a directory (files that do not parse are skipped).
    Result<std::size_t> add_directory(const std::string& path);
    // The operating system's bundle (/etc/ssl/certs/ca-certificates.crt and kin).
    Result<std::size_t> add_system();
    std::size_t size() const noexcept;

    const x509::TrustStore& store() const noexcept { return *store_; }

private:
    std::shared_ptr<x509::TrustStore> store_;
};

// A certificate chain (leaf first) and the private key of its leaf: what a
// server presents. The key may be any SigningKey, a hardware one included.
struct CertifiedKey {
    std::vector<Certificate> chain;
    std::shared_ptr<const crypto::SigningKey> key;

    // Parses both and checks that the key belongs to the leaf (invalid_argument if
    // not): the same public key and, for RSA, the same type (rsaEncryption, or
    // id-RSASSA-PSS with the same parameters).
    static Result<std::shared_ptr<const CertifiedKey>> from_pem(std::string_view chain_pem, std::string_view key_pem,
                                                                const crypto::CryptoProvider* provider = nullptr);
    static Result<std::shared_ptr<const CertifiedKey>> from_files(const std::string& chain_path,
                                                                  const std::string& key_path,
                                                                  const crypto::CryptoProvider* provider = nullptr);
    // The same check for a chain and key built by hand.
    static Result<std::shared_ptr<const CertifiedKey>> make(std::vector<Certificate> chain,
                                                            std::shared_ptr<const crypto::SigningKey> key);
};

}  // namespace tls
