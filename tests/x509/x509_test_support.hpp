// Helpers for the X.509 tests: certificates made at run time with the openssl
// command line in a private temporary directory, and a small DER tree for
// building malformed variants of a good certificate.
//
// The openssl CLI is the independent oracle here: it writes the certificates
// (with the extensions the tests ask for) and prints the fields the tests then
// expect cordon to read back. Each call costs 5-30 ms, so fixtures stay small.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/hex.hpp"
#include "x509/certificate.hpp"

namespace x509test {

using test::ByteVec;
using tls::crypto::Bytes;

ByteVec read_file(const std::string& path);
void write_file(const std::string& path, std::string_view contents);

// A directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const noexcept { return path_; }
    std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

private:
    std::string path_;
};

// Runs a shell command; throws std::runtime_error (with the command's output)
// when it exits non-zero. Returns its standard output.
std::string run(const std::string& command);

// rsa_pss2048: an id-RSASSA-PSS key without parameters (`genpkey -algorithm RSA-PSS`);
// rsa_pss2048_sha384: one whose parameters allow SHA-384, MGF1-SHA-384 and salts of 48+.
enum class KeyType { rsa1024, rsa2048, p256, p384, ed25519, rsa_pss2048, rsa_pss2048_sha384 };

// What `openssl req -x509` is asked to make.
struct CertSpec {
    std::string subject = "/CN=test";  // -subj
    std::string key;                   // the subject's key (a Pki::key name)
    // Instead of `key`: a fresh key of this type, made by the same openssl call
    // and saved as "<certificate name>.key".
    std::optional<KeyType> new_key;
    std::string issuer;                // a Pki certificate name; empty: self-signed
    int days = 365;
    std::string serial = "1";          // -set_serial (decimal or 0x hex)
    // Lines of the extension section (openssl x509v3_config syntax). Further
    // "[section]" lines may follow for dirName and the like. With no lines at
    // all the certificate is v1; otherwise OpenSSL adds subjectKeyIdentifier and
    // authorityKeyIdentifier unless they are given (or set to "none").
    std::vector<std::string> extensions;
    std::string digest = "sha256";    // empty: none (Ed25519)
    std::string extra_args;           // appended to the command, e.g. "-sigopt ..."
};

// A throwaway PKI in a temporary directory: keys and certificates by name.
class Pki {
public:
    // Generates "<name>.key" (PEM, unencrypted).
    void key(const std::string& name, KeyType type);
    // Issues "<name>.der" and returns it.
    ByteVec issue(const std::string& name, const CertSpec& spec);
    ByteVec der(const std::string& name) const { return read_file(dir_.file(name + ".der")); }
    // The certificate as PEM, as openssl writes it.
    std::string pem(const std::string& name) const;
    // The certificate parsed by cordon (throws if cordon refuses it).
    tls::x509::CertificatePtr cert(const std::string& name) const;
    // The DER SubjectPublicKeyInfo of a key, as OpenSSL writes it.
    ByteVec public_key_der(const std::string& key) const;
    // Writes "<out>.key": the PKCS#8 key "<key>.key" with its AlgorithmIdentifier
    // replaced by algorithm_der. With rsaEncryption, the twin of an RSA-PSS key:
    // the same modulus, with which OpenSSL signs what the PSS key never would.
    void rewrite_key_algorithm(const std::string& key, const std::string& out, Bytes algorithm_der) const;
    // Runs `openssl <args>` in this PKI's directory; returns its output.
    std::string openssl(const std::string& args) const;
    std::string file(std::string_view name) const { return dir_.file(name); }

private:
    TempDir dir_;
    std::map<std::string, std::string> key_of_;  // certificate name -> key name
};

// Parses DER into a shared certificate; throws std::runtime_error on failure.
tls::x509::CertificatePtr parse_cert(Bytes der);

// "2026-11-23 21:45:42Z" (openssl -dateopt iso_8601) as seconds since the epoch.
tls::x509::Time parse_iso_time(std::string_view text);

// A DER element as a tree, for building malformed variants of good DER.
struct Tlv {
    std::uint8_t tag = 0;
    ByteVec value;              // contents of a primitive element
    std::vector<Tlv> children;  // contents of a constructed element (tag bit 0x20)

    bool constructed() const noexcept { return (tag & 0x20) != 0; }
    ByteVec contents() const;
    ByteVec encode() const;
    // Parses exactly one element; descends into constructed tags. Throws on bad DER.
    static Tlv parse(Bytes der);
    static Tlv primitive(std::uint8_t tag, ByteVec value);
};

// A TLV with the minimal DER length.
ByteVec encode_tlv(std::uint8_t tag, Bytes contents);
// The minimal DER length octets for n.
ByteVec encode_length(std::size_t n);

// Where the fields of a parsed Certificate tree live (a v3 certificate has the
// version at index 0 of the TBSCertificate; a v1 certificate does not).
struct CertTree {
    Tlv root;
    explicit CertTree(Bytes der) : root(Tlv::parse(der)) {}
    Tlv& tbs() { return root.children.at(0); }
    Tlv& outer_algorithm() { return root.children.at(1); }
    bool has_version() { return tbs().children.at(0).tag == 0xa0; }
    std::size_t field(std::size_t v3_index) { return has_version() ? v3_index : v3_index - 1; }
    Tlv& serial() { return tbs().children.at(field(1)); }
    Tlv& inner_algorithm() { return tbs().children.at(field(2)); }
    Tlv& issuer() { return tbs().children.at(field(3)); }
    Tlv& validity() { return tbs().children.at(field(4)); }
    Tlv& subject() { return tbs().children.at(field(5)); }
    Tlv& spki() { return tbs().children.at(field(6)); }
    // The SEQUENCE OF Extension inside [3].
    Tlv& extensions() { return tbs().children.back().children.at(0); }
    ByteVec encode() const { return root.encode(); }
};

// An Extension SEQUENCE { OID, [critical], OCTET STRING value }.
Tlv make_extension(Bytes oid, bool critical, Bytes value);

}  // namespace x509test
