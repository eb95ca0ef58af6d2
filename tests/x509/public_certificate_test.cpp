// The public certificate API (include/tls/certificate.hpp and the verifier
// declarations of include/tls/config.hpp) on certificates the openssl CLI makes
// at run time: names as text, subjectAltNames, validity, serials, PEM chains,
// key files that do or do not belong to their certificate (P-256, Ed25519,
// RSA-2048, RSASSA-PSS; rsaEncryption and PSS twins of one modulus), trust stores, the web-PKI server verifier (good chain, wrong
// name, unknown CA, expired) and the default CertificateVerify signature check.
//
// openssl's -days counts from now, so verification times are relative to the
// leaf's notBefore.
#include <catch2/catch.hpp>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "codec/der.hpp"
#include "support/hex.hpp"
#include "tls/certificate.hpp"
#include "tls/config.hpp"
#include "tls/crypto/provider.hpp"
#include "x509/x509_test_support.hpp"

using namespace x509test;
using tls::ErrorCode;
using tls::crypto::SignatureScheme;

namespace {

constexpr std::int64_t day = 86400;

constexpr const char* root_dn = "/C=US/O=Cordon Test/CN=Cordon Test Root";
constexpr const char* int_dn = "/C=US/O=Cordon Test/CN=Cordon Test Intermediate";
constexpr const char* leaf_dn = "/C=US/ST=California/L=San Francisco/O=Example, Inc./OU=Web/CN=example.com";

std::vector<std::string> ca_extensions() {
    return {"basicConstraints = critical,CA:TRUE", "keyUsage = critical,keyCertSign,cRLSign"};
}

std::vector<std::string> leaf_extensions() {
    return {"basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature",
            "extendedKeyUsage = serverAuth",
            "subjectAltName = DNS:example.com,DNS:*.example.com,IP:192.0.2.1,IP:2001:db8::1,email:a@example.com"};
}

// root (P-256) -> intermediate (P-256) -> leaf (P-256), and a second root
// nobody chained to. Made once for the whole run.
struct Fixture {
    Pki pki;

    Fixture() {
        CertSpec root;
        root.subject = root_dn;
        root.new_key = KeyType::p256;
        root.days = 3650;
        root.extensions = ca_extensions();
        pki.issue("root", root);

        CertSpec other = root;
        other.subject = "/C=US/O=Cordon Test/CN=Some Other Root";
        pki.issue("other_root", other);

        CertSpec intermediate;
        intermediate.subject = int_dn;
        intermediate.new_key = KeyType::p256;
        intermediate.issuer = "root";
        intermediate.days = 1825;
        intermediate.serial = "2";
        intermediate.extensions = ca_extensions();
        pki.issue("int", intermediate);

        CertSpec leaf;
        leaf.subject = leaf_dn;
        leaf.new_key = KeyType::p256;
        leaf.issuer = "int";
        leaf.days = 90;
        // The high bit set: DER adds a 00 sign byte, which serial_number() drops.
        leaf.serial = "0x8000000000000abc";
        leaf.extensions = leaf_extensions();
        pki.issue("leaf", leaf);
    }

    tls::Certificate cert(const std::string& name) const {
        auto c = tls::Certificate::from_der(pki.der(name));
        REQUIRE(c.ok());
        return *c;
    }
    std::string key_pem(const std::string& name) const {
        const ByteVec bytes = read_file(pki.file(name + ".key"));
        return std::string(bytes.begin(), bytes.end());
    }
};

const Fixture& fixture() {
    static const Fixture f;
    return f;
}

// A self-signed certificate with a fresh key of the type, and a second key of
// the same type that does not belong to it.
struct SelfSigned {
    Pki pki;
    std::string pem, key_pem, other_key_pem;

    explicit SelfSigned(KeyType type) {
        CertSpec spec;
        spec.subject = "/CN=self.example";
        spec.new_key = type;
        spec.extensions = {"subjectAltName = DNS:self.example"};
        if (type == KeyType::ed25519) spec.digest = "";
        pki.issue("cert", spec);
        pki.key("other", type);
        pem = pki.pem("cert");
        key_pem = text("cert.key");
        other_key_pem = text("other.key");
    }
    std::string text(const std::string& file) const {
        const ByteVec bytes = read_file(pki.file(file));
        return std::string(bytes.begin(), bytes.end());
    }
};

std::string iso_to_cordon(std::string text) {
    // "2026-11-23 21:45:42Z" -> "2026-11-23 21:45:42 UTC"
    while (!text.empty() && (text.back() == '\n' || text.back() == 'Z')) text.pop_back();
    text.append(" UTC");
    return text;
}

// The value after "label=" in openssl's one-line output.
std::string field(const std::string& output, const std::string& label) {
    const auto at = output.find(label + "=");
    REQUIRE(at != std::string::npos);
    const auto end = output.find('\n', at);
    return output.substr(at + label.size() + 1, end - at - label.size() - 1);
}

// The leaf certificate with its subject replaced by `subject` (a Name TLV).
// Signatures are not checked by the parser, so the edited certificate parses.
tls::Certificate with_subject(const Tlv& subject) {
    CertTree tree(fixture().pki.der("leaf"));
    tree.subject() = subject;
    const ByteVec der = tree.encode();
    auto c = tls::Certificate::from_der(der);
    REQUIRE(c.ok());
    return *c;
}

Tlv attribute(ByteVec oid, std::uint8_t tag, ByteVec value) {
    Tlv atv;
    atv.tag = 0x30;
    atv.children.push_back(Tlv::primitive(0x06, std::move(oid)));
    atv.children.push_back(Tlv::primitive(tag, std::move(value)));
    return atv;
}

Tlv rdn(std::vector<Tlv> attributes) {
    Tlv set;
    set.tag = 0x31;
    set.children = std::move(attributes);
    return set;
}

Tlv name(std::vector<Tlv> rdns) {
    Tlv seq;
    seq.tag = 0x30;
    seq.children = std::move(rdns);
    return seq;
}

ByteVec bytes(std::string_view s) { return ByteVec(s.begin(), s.end()); }

const ByteVec cn_oid = {0x55, 0x04, 0x03};
const ByteVec o_oid = {0x55, 0x04, 0x0a};

}  // namespace

// ---- reading certificates ------------------------------------------------------

TEST_CASE("public certificate: subject, issuer, SANs, validity and serial", "[x509][public]") {
    const auto& f = fixture();
    const tls::Certificate leaf = f.cert("leaf");
    CHECK(leaf.subject() == "C=US, ST=California, L=San Francisco, O=Example\\, Inc., OU=Web, CN=example.com");
    CHECK(leaf.issuer() == "C=US, O=Cordon Test, CN=Cordon Test Intermediate");
    CHECK(f.cert("root").subject() == "C=US, O=Cordon Test, CN=Cordon Test Root");
    CHECK(f.cert("root").issuer() == f.cert("root").subject());

    CHECK(leaf.dns_names() == std::vector<std::string>{"example.com", "*.example.com"});
    CHECK(leaf.ip_addresses() == std::vector<std::string>{"192.0.2.1", "2001:db8::1"});
    CHECK(f.cert("root").dns_names().empty());
    CHECK(f.cert("root").ip_addresses().empty());

    CHECK(leaf.serial_number() == "8000000000000abc");
    CHECK(f.cert("int").serial_number() == "02");

    // Validity and serial as openssl reads them.
    const std::string out =
        f.pki.openssl("x509 -inform DER -in leaf.der -noout -serial -startdate -enddate -dateopt iso_8601");
    CHECK(leaf.not_before() == parse_iso_time(field(out, "notBefore")));
    CHECK(leaf.not_after() == parse_iso_time(field(out, "notAfter")));
    CHECK(leaf.not_after() - leaf.not_before() == 90 * day);
    CHECK(tls::format_utc_time(leaf.not_before()) == iso_to_cordon(field(out, "notBefore")));
    std::string serial = field(out, "serial");
    for (auto& c : serial) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK(leaf.serial_number() == serial);

    // der() is the input, and copies share the parsed certificate.
    CHECK(test::to_hex(leaf.der()) == test::to_hex(f.pki.der("leaf")));
    const tls::Certificate copy = leaf;
    CHECK(copy.parsed() == leaf.parsed());
}

TEST_CASE("public certificate: distinguished names as text", "[x509][public][names]") {
    SECTION("multi-valued RDNs, domain components and email, from openssl") {
        Pki pki;
        CertSpec spec;
        spec.subject = "/DC=org/DC=example/CN=Jane Doe+UID=jdoe/emailAddress=jane@example.org";
        spec.new_key = KeyType::p256;
        spec.extra_args = "-multivalue-rdn";
        pki.issue("c", spec);
        auto c = tls::Certificate::from_der(pki.der("c"));
        REQUIRE(c.ok());
        CHECK(c->subject() == "DC=org, DC=example, CN=Jane Doe+UID=jdoe, emailAddress=jane@example.org");
    }
    SECTION("UTF-8 is kept; RFC 4514 specials are escaped") {
        const auto c = with_subject(name({rdn({attribute(cn_oid, 0x0c, bytes("Zo\xc3\xab \xe2\x82\xac"))}),
                                          rdn({attribute(o_oid, 0x0c, bytes("a+b;c<d>e\"f\\g"))}),
                                          rdn({attribute(o_oid, 0x13, bytes("#lead and trail "))}),
                                          rdn({attribute(o_oid, 0x13, bytes(" x"))})}));
        CHECK(c.subject() == "CN=Zo\xc3\xab \xe2\x82\xac, O=a\\+b\\;c\\<d\\>e\\\"f\\\\g, O=\\#lead and trail\\ , O=\\ x");
    }
    SECTION("control characters and bytes that are not text become \\xNN") {
        // A NUL, a tab, DEL; then invalid UTF-8 (a lone continuation byte, an
        // overlong '/', a surrogate, a truncated sequence); then Latin-1 in a PrintableString.
        const auto c = with_subject(name({rdn({attribute(cn_oid, 0x0c, {'a', 0x00, 0x09, 0x7f, 'b'})}),
                                          rdn({attribute(cn_oid, 0x0c, {0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 'z', 0xe2, 0x82})}),
                                          rdn({attribute(o_oid, 0x13, {'c', 0xe9, 'd'})})}));
        CHECK(c.subject() ==
              "CN=a\\x00\\x09\\x7fb, CN=\\x80\\xc0\\xaf\\xed\\xa0\\x80z\\xe2\\x82, O=c\\xe9d");
    }
    SECTION("BMPString and UniversalString are decoded to UTF-8") {
        const auto c = with_subject(name({rdn({attribute(cn_oid, 0x1e, {0x00, 'H', 0x00, 'i', 0x20, 0xac})}),
                                          // U+1F600 as a surrogate pair.
                                          rdn({attribute(cn_oid, 0x1e, {0xd8, 0x3d, 0xde, 0x00})}),
                                          rdn({attribute(o_oid, 0x1c, {0, 0, 0, 'U', 0, 0x01, 0xf6, 0x00})})}));
        CHECK(c.subject() == "CN=Hi\xe2\x82\xac, CN=\xf0\x9f\x98\x80, O=U\xf0\x9f\x98\x80");
    }
    SECTION("malformed wide strings and values that are not strings are shown as #hex of their DER") {
        const auto c = with_subject(name({rdn({attribute(cn_oid, 0x1e, {0x00, 'H', 0x00})}),
                                          rdn({attribute(cn_oid, 0x1e, {0xdc, 0x00})}),
                                          rdn({attribute(cn_oid, 0x1c, {0x00, 0x11, 0x00, 0x00})}),
                                          rdn({attribute(o_oid, 0x04, {0x01, 0x02})})}));
        CHECK(c.subject() == "CN=#1e03004800, CN=#1e02dc00, CN=#1c0400110000, O=#04020102");
    }
    SECTION("known short names and unknown types in dotted decimal") {
        const auto c = with_subject(name({rdn({attribute({0x55, 0x04, 0x04}, 0x0c, bytes("Doe")),
                                               attribute({0x55, 0x04, 0x2a}, 0x0c, bytes("Jane"))}),
                                          rdn({attribute({0x55, 0x04, 0x05}, 0x13, bytes("1234"))}),
                                          rdn({attribute({0x55, 0x04, 0x0c}, 0x0c, bytes("Dr"))}),
                                          rdn({attribute({0x55, 0x04, 0x09}, 0x0c, bytes("Main St"))}),
                                          rdn({attribute({0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01, 0x03},
                                                         0x13, bytes("US"))}),
                                          rdn({attribute({0x2a, 0x03, 0x04}, 0x0c, bytes("x"))}),
                                          rdn({attribute({0x55, 0x04, 0x63}, 0x0c, bytes("y"))}),
                                          rdn({attribute({0x88, 0x37, 0x86, 0x8d, 0x20}, 0x0c, bytes("z"))})}));
        CHECK(c.subject() ==
              "SN=Doe+GN=Jane, serialNumber=1234, title=Dr, street=Main St, jurisdictionC=US, 1.2.3.4=x, "
              "2.5.4.99=y, 2.999.100000=z");
    }
    SECTION("an empty name is empty text") {
        const auto c = with_subject(name({}));
        CHECK(c.subject().empty());
    }
}

TEST_CASE("public certificate: format_utc_time", "[x509][public][time]") {
    CHECK(tls::format_utc_time(0) == "1970-01-01 00:00:00 UTC");
    CHECK(tls::format_utc_time(-1) == "1969-12-31 23:59:59 UTC");
    CHECK(tls::format_utc_time(951782400) == "2000-02-29 00:00:00 UTC");
    CHECK(tls::format_utc_time(1785412800) == "2026-07-30 12:00:00 UTC");
    CHECK(tls::format_utc_time(253402300799) == "9999-12-31 23:59:59 UTC");
    CHECK(tls::format_utc_time(-62167219200) == "0000-01-01 00:00:00 UTC");
    CHECK(tls::format_utc_time(-62162035201) == "0000-02-29 23:59:59 UTC");  // year 0 is a leap year
    // Every day of every month across leap and century years, against the DER time code.
    for (int year : {0, 1, 1600, 1900, 1969, 1970, 2000, 2024, 2100, 9999}) {
        for (int month = 1; month <= 12; ++month) {
            for (int d = 1; d <= 31; ++d) {
                const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                const int days_in_month[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
                if (d > days_in_month[month - 1]) continue;
                const std::int64_t t = tls::codec::der::seconds_since_epoch(year, month, d, 23, 5, 9);
                char expected[40];
                std::snprintf(expected, sizeof expected, "%04d-%02d-%02d 23:05:09 UTC", year, month, d);
                REQUIRE(tls::format_utc_time(t) == expected);
            }
        }
    }
}

TEST_CASE("public certificate: PEM chains", "[x509][public][pem]") {
    const auto& f = fixture();
    SECTION("two certificates in order, with text and other blocks between them") {
        const std::string pem =
            "leaf follows\n" + f.pki.pem("leaf") + f.key_pem("leaf") + "\nand its issuer\n" + f.pki.pem("int");
        auto chain = tls::Certificate::chain_from_pem(pem);
        REQUIRE(chain.ok());
        REQUIRE(chain->size() == 2);
        CHECK(test::to_hex((*chain)[0].der()) == test::to_hex(f.pki.der("leaf")));
        CHECK(test::to_hex((*chain)[1].der()) == test::to_hex(f.pki.der("int")));
    }
    SECTION("from a file") {
        write_file(f.pki.file("chain.pem"), f.pki.pem("leaf") + f.pki.pem("int"));
        auto chain = tls::Certificate::chain_from_file(f.pki.file("chain.pem"));
        REQUIRE(chain.ok());
        CHECK(chain->size() == 2);
        auto missing = tls::Certificate::chain_from_file(f.pki.file("no-such-file.pem"));
        REQUIRE_FALSE(missing.ok());
        CHECK(missing.error().code == ErrorCode::invalid_argument);
    }
    SECTION("junk is a decode_error") {
        std::string bad_der = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        std::string bad_base64 = "-----BEGIN CERTIFICATE-----\nA*AA\n-----END CERTIFICATE-----\n";
        std::string unterminated = f.pki.pem("leaf");
        unterminated.resize(unterminated.size() / 2);
        for (const std::string& pem : {std::string(), std::string("hello, world\n"), f.key_pem("leaf"), bad_der,
                                       bad_base64, unterminated}) {
            CAPTURE(pem);
            auto chain = tls::Certificate::chain_from_pem(pem);
            REQUIRE_FALSE(chain.ok());
            CHECK(chain.error().code == ErrorCode::decode_error);
        }
    }
    SECTION("DER that is not a certificate") {
        const ByteVec junk = {0x30, 0x03, 0x02, 0x01, 0x01};
        auto c = tls::Certificate::from_der(junk);
        REQUIRE_FALSE(c.ok());
        CHECK(c.error().code == ErrorCode::decode_error);
        CHECK_FALSE(tls::Certificate::from_der({}).ok());
    }
}

// ---- trust stores ----------------------------------------------------------------

TEST_CASE("public certificate: trust stores", "[x509][public][trust]") {
    const auto& f = fixture();
    tls::TrustStore store;
    CHECK(store.size() == 0);
    auto added = store.add_pem(f.pki.pem("root") + f.pki.pem("other_root"));
    REQUIRE(added.ok());
    CHECK(*added == 2);
    CHECK(store.size() == 2);
    store.add(f.cert("root"));  // already there
    CHECK(store.size() == 2);

    // Copies share their anchors.
    tls::TrustStore copy = store;
    copy.add(f.cert("int"));
    CHECK(store.size() == 3);

    tls::TrustStore from_file;
    write_file(f.pki.file("roots.pem"), f.pki.pem("root"));
    auto n = from_file.add_pem_file(f.pki.file("roots.pem"));
    REQUIRE(n.ok());
    CHECK(*n == 1);
    auto missing = from_file.add_pem_file(f.pki.file("missing.pem"));
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == ErrorCode::invalid_argument);
    auto bad = from_file.add_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    CHECK_FALSE(bad.ok());
    CHECK(from_file.size() == 1);

    TempDir dir;
    write_file(dir.file("a.pem"), f.pki.pem("root"));
    write_file(dir.file("b.pem"), f.pki.pem("other_root") + f.pki.pem("root"));
    write_file(dir.file("junk.txt"), "not a certificate");
    tls::TrustStore from_dir;
    auto d = from_dir.add_directory(dir.file(""));
    REQUIRE(d.ok());
    CHECK(*d == 2);
    CHECK(from_dir.size() == 2);
}

// ---- certified keys --------------------------------------------------------------

TEST_CASE("public certificate: a key file belongs to its certificate or is refused", "[x509][public][key]") {
    const auto [type, scheme] = GENERATE(table<KeyType, SignatureScheme>({
        {KeyType::p256, SignatureScheme::ecdsa_secp256r1_sha256},
        {KeyType::ed25519, SignatureScheme::ed25519},
        {KeyType::rsa2048, SignatureScheme::rsa_pss_rsae_sha256},
        {KeyType::rsa_pss2048, SignatureScheme::rsa_pss_pss_sha256},
    }));
    CAPTURE(static_cast<int>(type));
    const SelfSigned s(type);

    auto good = tls::CertifiedKey::from_pem(s.pem, s.key_pem);
    REQUIRE(good.ok());
    REQUIRE((*good)->chain.size() == 1);
    CHECK((*good)->chain[0].subject() == "CN=self.example");
    CHECK((*good)->key->supports(scheme));

    auto mismatch = tls::CertifiedKey::from_pem(s.pem, s.other_key_pem);
    REQUIRE_FALSE(mismatch.ok());
    CHECK(mismatch.error().code == ErrorCode::invalid_argument);
    CHECK(std::strcmp(mismatch.error().message, "the private key does not belong to the certificate") == 0);

    // A key of another type.
    const auto& f = fixture();
    if (type != KeyType::p256) {
        auto other_type = tls::CertifiedKey::from_pem(s.pem, f.key_pem("leaf"));
        REQUIRE_FALSE(other_type.ok());
        CHECK(other_type.error().code == ErrorCode::invalid_argument);
    }

    // The same through files, and through make().
    auto files = tls::CertifiedKey::from_files(s.pki.file("cert.pem"), s.pki.file("cert.key"));
    REQUIRE(files.ok());
    auto no_file = tls::CertifiedKey::from_files(s.pki.file("cert.pem"), s.pki.file("none.key"));
    REQUIRE_FALSE(no_file.ok());
    CHECK(no_file.error().code == ErrorCode::invalid_argument);
    auto remade = tls::CertifiedKey::make((*good)->chain, (*good)->key);
    CHECK(remade.ok());
    auto wrong = tls::CertifiedKey::make({f.cert("leaf")}, (*good)->key);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::invalid_argument);

    // A signature by the key verifies against the certificate with the default check.
    const auto& provider = tls::crypto::default_provider();
    const auto verifier = tls::webpki_server_verifier(tls::TrustStore{});
    const ByteVec message = bytes("TLS 1.3, server CertificateVerify and a transcript hash");
    std::vector<std::uint8_t> signature((*good)->key->max_signature_size());
    auto size = (*good)->key->sign(scheme, message, *provider.rng, signature);
    REQUIRE(size.ok());
    signature.resize(*size);
    const tls::Certificate& leaf = (*good)->chain[0];
    CHECK(verifier->verify_signature(scheme, message, signature, leaf, provider).ok());

    ByteVec tampered_signature = signature;
    tampered_signature.back() ^= 0x01;
    auto r1 = verifier->verify_signature(scheme, message, tampered_signature, leaf, provider);
    REQUIRE_FALSE(r1.ok());
    CHECK(r1.error().code == ErrorCode::bad_signature);

    ByteVec tampered_message = message;
    tampered_message[0] ^= 0x01;
    auto r2 = verifier->verify_signature(scheme, tampered_message, signature, leaf, provider);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().code == ErrorCode::bad_signature);

    // A scheme that does not fit the key.
    const SignatureScheme other_scheme =
        type == KeyType::ed25519 ? SignatureScheme::ecdsa_secp256r1_sha256 : SignatureScheme::ed25519;
    auto r3 = verifier->verify_signature(other_scheme, message, signature, leaf, provider);
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().code == ErrorCode::invalid_public_key);
}

TEST_CASE("public certificate: an RSA key file and its certificate agree on the key type", "[x509][public][key][rsa-pss]") {
    // A self-signed id-RSASSA-PSS certificate, its key, and the same modulus as an
    // rsaEncryption key and as a PSS key with other parameters.
    SelfSigned s(KeyType::rsa_pss2048);
    s.pki.rewrite_key_algorithm("cert", "twin", test::from_hex("300d06092a864886f70d0101010500"));
    // RSASSA-PSS-params: SHA-256, MGF1-SHA-256, salt 32.
    s.pki.rewrite_key_algorithm("cert", "restricted",
                                test::from_hex("3041"
                                               "06092a864886f70d01010a"
                                               "3034a00f300d06096086480165030402010500"
                                               "a11c301a06092a864886f70d010108300d06096086480165030402010500"
                                               "a203020120"));
    const std::string pss_key = s.key_pem, twin_key = s.text("twin.key"), restricted_key = s.text("restricted.key");

    auto good = tls::CertifiedKey::from_pem(s.pem, pss_key);
    REQUIRE(good.ok());
    CHECK((*good)->key->supports(SignatureScheme::rsa_pss_pss_sha256));
    CHECK_FALSE((*good)->key->supports(SignatureScheme::rsa_pss_rsae_sha256));
    for (const std::string& key : {twin_key, restricted_key}) {
        auto mismatch = tls::CertifiedKey::from_pem(s.pem, key);
        REQUIRE_FALSE(mismatch.ok());
        CHECK(mismatch.error().code == ErrorCode::invalid_argument);
        CHECK(std::string(mismatch.error().message).find("RSA key type") != std::string::npos);
    }
    // And the other way round: an rsaEncryption certificate with the PSS key.
    CertSpec spec;
    spec.subject = "/CN=twin.example";
    spec.key = "twin";
    s.pki.issue("twin-cert", spec);
    const std::string twin_pem = s.pki.pem("twin-cert");
    CHECK(tls::CertifiedKey::from_pem(twin_pem, twin_key).ok());
    auto reversed = tls::CertifiedKey::from_pem(twin_pem, pss_key);
    REQUIRE_FALSE(reversed.ok());
    CHECK(reversed.error().code == ErrorCode::invalid_argument);

    // The default CertificateVerify check holds a PSS certificate to rsa_pss_pss_*.
    const auto& provider = tls::crypto::default_provider();
    const auto verifier = tls::webpki_server_verifier(tls::TrustStore{});
    const ByteVec message = bytes("CertificateVerify content");
    std::vector<std::uint8_t> signature((*good)->key->max_signature_size());
    auto size = (*good)->key->sign(SignatureScheme::rsa_pss_pss_sha256, message, *provider.rng, signature);
    REQUIRE(size.ok());
    signature.resize(*size);
    const tls::Certificate& leaf = (*good)->chain[0];
    CHECK(verifier->verify_signature(SignatureScheme::rsa_pss_pss_sha256, message, signature, leaf, provider).ok());
    auto rsae = verifier->verify_signature(SignatureScheme::rsa_pss_rsae_sha256, message, signature, leaf, provider);
    REQUIRE_FALSE(rsae.ok());
    CHECK(rsae.error().code == ErrorCode::illegal_parameter);
    CHECK(std::string(rsae.error().message) == "signature scheme does not match the key type");
}

TEST_CASE("public certificate: make() and verify_signature edge cases", "[x509][public][key]") {
    const auto& f = fixture();
    auto key = tls::CertifiedKey::from_pem(f.pki.pem("leaf"), f.key_pem("leaf"));
    REQUIRE(key.ok());

    auto empty = tls::CertifiedKey::make({}, (*key)->key);
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().code == ErrorCode::invalid_argument);
    auto no_key = tls::CertifiedKey::make({f.cert("leaf")}, nullptr);
    REQUIRE_FALSE(no_key.ok());
    CHECK(no_key.error().code == ErrorCode::invalid_argument);
    // The chain after the leaf is not checked against the key.
    auto chain = tls::CertifiedKey::make({f.cert("leaf"), f.cert("int")}, (*key)->key);
    CHECK(chain.ok());
    // A key file with no key in it.
    auto no_key_pem = tls::CertifiedKey::from_pem(f.pki.pem("leaf"), f.pki.pem("leaf"));
    REQUIRE_FALSE(no_key_pem.ok());
    CHECK(no_key_pem.error().code == ErrorCode::decode_error);

    // A P-521 leaf: cordon does not support its key.
    Pki pki;
    pki.openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.key");
    CertSpec spec;
    spec.subject = "/CN=p521.example";
    spec.key = "p521";
    spec.digest = "sha512";
    auto der = pki.issue("p521", spec);
    auto p521 = tls::Certificate::from_der(der);
    REQUIRE(p521.ok());
    auto unsupported = tls::CertifiedKey::make({*p521}, (*key)->key);
    REQUIRE_FALSE(unsupported.ok());
    CHECK(unsupported.error().code == ErrorCode::invalid_argument);

    const auto& provider = tls::crypto::default_provider();
    const auto verifier = tls::webpki_server_verifier(tls::TrustStore{});
    const ByteVec message = bytes("message");
    const ByteVec signature(64, 0x01);
    auto r = verifier->verify_signature(SignatureScheme::ecdsa_secp521r1_sha512, message, signature, *p521, provider);
    REQUIRE_FALSE(r.ok());
    // The default provider verifies no P-521 signatures; with one that did, the key is the problem.
    CHECK((r.error().code == ErrorCode::illegal_parameter || r.error().code == ErrorCode::unsupported_certificate));
    auto r2 = verifier->verify_signature(SignatureScheme::ecdsa_secp256r1_sha256, message, signature, *p521, provider);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().code == ErrorCode::unsupported_certificate);

    // A scheme the provider does not verify (Ed448, SHA-1).
    for (const auto scheme :
         {SignatureScheme::ed448, SignatureScheme::rsa_pkcs1_sha1, static_cast<SignatureScheme>(0x0a0a)}) {
        auto u = verifier->verify_signature(scheme, message, signature, f.cert("leaf"), provider);
        REQUIRE_FALSE(u.ok());
        CHECK(u.error().code == ErrorCode::illegal_parameter);
    }
}

// ---- the web-PKI server verifier -----------------------------------------------

TEST_CASE("public certificate: webpki_server_verifier", "[x509][public][verify]") {
    const auto& f = fixture();
    tls::TrustStore roots;
    REQUIRE(roots.add_pem(f.pki.pem("root")).ok());
    const auto verifier = tls::webpki_server_verifier(roots);
    const std::vector<tls::Certificate> chain = {f.cert("leaf"), f.cert("int")};
    const std::int64_t now = f.cert("leaf").not_before() + day;

    SECTION("a good chain for the names it covers") {
        for (const char* host : {"example.com", "www.example.com", "EXAMPLE.com", "192.0.2.1", "2001:db8::1",
                                 "2001:0db8:0:0:0:0:0:1"}) {
            CAPTURE(host);
            auto r = verifier->verify_chain(chain, host, now);
            INFO((r.ok() ? "ok" : r.error().message));
            CHECK(r.ok());
        }
        // With an explicit provider too.
        auto with_provider = tls::webpki_server_verifier(roots, &tls::crypto::mbedtls_provider());
        CHECK(with_provider->verify_chain(chain, "example.com", now).ok());
    }
    SECTION("a name the certificate does not cover") {
        for (const char* host : {"example.org", "a.b.example.com", "example.com.evil", "192.0.2.2", "2001:db8::2",
                                 "a@example.com"}) {
            CAPTURE(host);
            auto r = verifier->verify_chain(chain, host, now);
            REQUIRE_FALSE(r.ok());
            if (std::strchr(host, '@') != nullptr) {
                CHECK(r.error().code == ErrorCode::invalid_argument);  // not a host name at all
            } else {
                CHECK(r.error().code == ErrorCode::certificate_name_mismatch);
            }
        }
    }
    SECTION("an unknown CA") {
        tls::TrustStore other;
        REQUIRE(other.add_pem(f.pki.pem("other_root")).ok());
        auto r = tls::webpki_server_verifier(other)->verify_chain(chain, "example.com", now);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::unknown_issuer);
        auto empty = tls::webpki_server_verifier(tls::TrustStore{})->verify_chain(chain, "example.com", now);
        REQUIRE_FALSE(empty.ok());
        CHECK(empty.error().code == ErrorCode::unknown_issuer);
        // Without the intermediate there is no path either.
        auto alone = verifier->verify_chain(std::vector<tls::Certificate>{f.cert("leaf")}, "example.com", now);
        REQUIRE_FALSE(alone.ok());
        CHECK(alone.error().code == ErrorCode::unknown_issuer);
    }
    SECTION("expired and not yet valid") {
        const tls::Certificate leaf = f.cert("leaf");
        CHECK(verifier->verify_chain(chain, "example.com", leaf.not_after()).ok());
        for (const std::int64_t at : {leaf.not_after() + 1, leaf.not_after() + 400 * day, leaf.not_before() - 1}) {
            CAPTURE(at);
            auto r = verifier->verify_chain(chain, "example.com", at);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == ErrorCode::certificate_expired);
        }
    }
    SECTION("no certificate, no name") {
        auto none = verifier->verify_chain({}, "example.com", now);
        REQUIRE_FALSE(none.ok());
        CHECK(none.error().code == ErrorCode::bad_certificate);
        auto no_name = verifier->verify_chain(chain, "", now);
        REQUIRE_FALSE(no_name.ok());
        CHECK(no_name.error().code == ErrorCode::invalid_argument);
    }
    SECTION("the chain's order after the leaf does not matter, and junk is ignored") {
        const std::vector<tls::Certificate> shuffled = {f.cert("leaf"), f.cert("other_root"), f.cert("int"),
                                                        f.cert("int")};
        CHECK(verifier->verify_chain(shuffled, "example.com", now).ok());
    }
}
