// An X.509 v3 certificate (RFC 5280 4.1), parsed strictly from DER. The parsed
// fields are views into the certificate's own copy of its DER, so a Certificate
// is move-only; chains hold them through std::shared_ptr<const Certificate>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tls/crypto/signature.hpp"
#include "tls/result.hpp"

namespace tls::x509 {

using crypto::Bytes;
using Time = std::int64_t;  // seconds since 1970-01-01T00:00:00Z

// Signature algorithms as certificates name them (RFC 5280 4.1.1.2).
enum class SignatureAlgorithm : std::uint8_t {
    unknown,
    rsa_pkcs1_sha1,
    rsa_pkcs1_sha256,
    rsa_pkcs1_sha384,
    rsa_pkcs1_sha512,
    rsa_pss,  // parameters in AlgorithmIdentifier::pss
    ecdsa_sha1,
    ecdsa_sha256,
    ecdsa_sha384,
    ecdsa_sha512,
    ed25519,
    md5_or_older,  // md2/md4/md5 with RSA: named so the refusal can say why
};

struct AlgorithmIdentifier {
    SignatureAlgorithm algorithm = SignatureAlgorithm::unknown;
    crypto::RsaPssParams pss{crypto::HashAlgorithm::sha256, crypto::HashAlgorithm::sha256, 32};
    Bytes der;  // the whole AlgorithmIdentifier, for the outer == inner check
};

// One attribute of a distinguished name.
struct NameAttribute {
    Bytes oid;
    std::uint8_t string_tag;  // the DER tag of the value (PrintableString, UTF8String, ...)
    Bytes value;
};

// A distinguished name (RDNSequence). Names are compared by their DER bytes,
// as the web PKI does (see names_match()).
struct Name {
    Bytes der;  // the whole SEQUENCE
    std::vector<std::vector<NameAttribute>> rdns;
};
bool names_match(const Name& a, const Name& b) noexcept;

// GeneralName (RFC 5280 4.2.1.6), the kinds cordon evaluates.
struct GeneralName {
    enum class Kind : std::uint8_t { other, email, dns, directory, uri, ip, registered_id, x400, edi };
    Kind kind;
    Bytes value;  // IA5String bytes, IP address (4 or 16 bytes), or the Name's DER
    std::optional<Name> directory;  // parsed, for Kind::directory
};

struct GeneralSubtree {
    GeneralName base;  // for ip: address || mask (8 or 32 bytes)
};

struct NameConstraints {
    std::vector<GeneralSubtree> permitted;
    std::vector<GeneralSubtree> excluded;
};

struct BasicConstraints {
    bool ca = false;
    std::optional<std::uint32_t> path_length;
};

// keyUsage bits (RFC 5280 4.2.1.3), as read_named_bits() numbers them.
enum KeyUsage : std::uint16_t {
    digital_signature = 1u << 0,
    non_repudiation = 1u << 1,
    key_encipherment = 1u << 2,
    data_encipherment = 1u << 3,
    key_agreement = 1u << 4,
    key_cert_sign = 1u << 5,
    crl_sign = 1u << 6,
    encipher_only = 1u << 7,
    decipher_only = 1u << 8,
};

class Certificate {
public:
    Certificate(const Certificate&) = delete;
    Certificate& operator=(const Certificate&) = delete;
    Certificate(Certificate&&) noexcept = default;
    Certificate& operator=(Certificate&&) noexcept = default;

    // Parses a DER certificate (copying it). Strict DER; duplicate extensions,
    // mismatched inner/outer signature algorithms and malformed known extensions
    // are decode errors. Unknown critical extensions are recorded, not refused:
    // validation refuses them.
    static Result<Certificate> parse(Bytes der);

    Bytes der() const noexcept { return {der_.data(), der_.size()}; }

    int version = 1;  // 1, 2 or 3
    Bytes serial;     // INTEGER contents as encoded (may carry a sign byte)
    AlgorithmIdentifier signature_algorithm;
    Bytes tbs;        // the signed bytes (TBSCertificate)
    Bytes signature;  // BIT STRING contents
    Name issuer, subject;
    Time not_before = 0, not_after = 0;
    Bytes spki;  // the whole SubjectPublicKeyInfo
    std::optional<crypto::PublicKey> public_key;  // nothing if the key type is unsupported

    std::optional<BasicConstraints> basic_constraints;
    std::optional<std::uint16_t> key_usage;
    std::optional<std::vector<Bytes>> extended_key_usage;  // OID contents
    bool has_subject_alt_name = false;
    std::vector<GeneralName> subject_alt_names;
    std::optional<NameConstraints> name_constraints;
    std::optional<Bytes> subject_key_id;
    std::optional<Bytes> authority_key_id;
    bool has_unknown_critical_extension = false;
    bool has_policy_constraints = false;

    // Criticality and shape details the web PKI profile checks (RFC 5280 4.2.1.x, CABF).
    bool basic_constraints_critical = false;
    bool subject_alt_name_critical = false;
    bool extended_key_usage_critical = false;
    bool name_constraints_critical = false;
    bool policy_constraints_critical = false;
    bool authority_key_id_critical = false;
    bool subject_key_id_critical = false;
    bool authority_info_access_critical = false;
    bool authority_key_id_has_issuer_or_serial = false;  // authorityCertIssuer/SerialNumber present
    bool has_authority_key_id_extension = false;          // present even without keyIdentifier

    bool self_issued() const noexcept { return names_match(issuer, subject); }

private:
    Certificate() = default;
    std::vector<std::uint8_t> der_;
};

using CertificatePtr = std::shared_ptr<const Certificate>;

// OID contents of well-known extended key usages.
namespace eku {
inline constexpr std::uint8_t server_auth[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
inline constexpr std::uint8_t client_auth[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
inline constexpr std::uint8_t any[] = {0x55, 0x1d, 0x25, 0x00};
}  // namespace eku

}  // namespace tls::x509
