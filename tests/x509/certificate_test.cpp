// Certificate::parse against certificates the openssl CLI makes at run time
// (RSA-2048, RSASSA-PSS keys, EC P-256/P-384, Ed25519; every extension cordon reads), with the
// expected values taken from the inputs given to openssl or from openssl's own
// output; then malformed variants of a good certificate, built by editing its
// DER tree, each of which must be refused (or, where noted, recorded).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <sstream>

#include "support/hex.hpp"
#include "tls/crypto/provider.hpp"
#include "x509/certificate.hpp"
#include "x509/spki.hpp"
#include "x509/x509_test_support.hpp"

using namespace tls::x509;
using namespace x509test;
using test::from_hex;
using test::to_hex;
using tls::ErrorCode;

namespace {

// Literals (not std::string concatenation, on which GCC 12 -O3 raises a false -Wrestrict).
#define ROOT_SKI "0102030405060708090a0b0c0d0e0f1011121314"
#define LEAF_SKI "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4"
constexpr const char* root_ski = ROOT_SKI;
constexpr const char* leaf_ski = LEAF_SKI;
constexpr const char* root_subject = "/C=US/O=Cordon Test/CN=Cordon Test Root";
constexpr const char* leaf_subject = "/C=US/O=Cordon Test/CN=leaf.example.com";
// 0x8000000000000001: the high bit set, so DER adds a sign byte.
constexpr const char* leaf_serial = "0x8000000000000001";
constexpr int leaf_days = 90;

// OID contents.
const ByteVec oid_country = {0x55, 0x04, 0x06};
const ByteVec oid_organization = {0x55, 0x04, 0x0a};
const ByteVec oid_common_name = {0x55, 0x04, 0x03};
const ByteVec oid_san = {0x55, 0x1d, 0x11};
const ByteVec oid_certificate_policies = {0x55, 0x1d, 0x20};
const ByteVec oid_unknown = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x86, 0x8d, 0x1f, 0x01};  // 1.3.6.1.4.1.99999.1

bool same(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }
std::string text(Bytes b) { return std::string(b.begin(), b.end()); }
ByteVec bytes(std::string_view s) { return ByteVec(s.begin(), s.end()); }

// An EC P-256 root that signs the leaves, with an explicit key identifier and
// name constraints of every kind openssl can write.
void make_root(Pki& pki) {
    pki.key("root", KeyType::p256);
    CertSpec s;
    s.subject = root_subject;
    s.key = "root";
    s.days = 3650;  // serial: the default, 1
    s.extensions = {
        "basicConstraints = critical,CA:TRUE,pathlen:2",
        "keyUsage = critical,keyCertSign,cRLSign",
        "subjectKeyIdentifier = " ROOT_SKI,
        "authorityKeyIdentifier = none",
        "nameConstraints = critical,permitted;DNS:example.com,permitted;IP:192.0.2.0/255.255.255.0,"
        "permitted;IP:2001:db8::/ffff:ffff::,permitted;email:.example.com,"
        "excluded;DNS:bad.example.com,excluded;email:root@example.com,excluded;dirName:nc_dir",
        "[nc_dir]",
        "C = US",
        "O = Bad",
    };
    pki.issue("root", s);
}

// A leaf for `key` signed by the root, with every extension the web PKI uses.
CertSpec leaf_spec(const std::string& key) {
    CertSpec s;
    s.subject = leaf_subject;
    s.key = key;
    s.issuer = "root";
    s.days = leaf_days;
    s.serial = leaf_serial;
    s.extensions = {
        "basicConstraints = critical,CA:FALSE",
        "keyUsage = critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage = serverAuth,clientAuth",
        "subjectAltName = DNS:example.com,DNS:*.example.com,IP:192.0.2.1,IP:2001:db8::1,"
        "email:admin@example.com,URI:https://example.com/",
        "subjectKeyIdentifier = " LEAF_SKI,
        "authorityKeyIdentifier = keyid:always",
        "certificatePolicies = 2.23.140.1.2.1",
    };
    return s;
}

struct Dates {
    Time not_before, not_after;
};

// The validity as openssl prints it: the oracle for cordon's time decoding.
Dates openssl_dates(const Pki& pki, const std::string& cert) {
    std::istringstream out(pki.openssl("x509 -inform DER -in '" + cert + ".der' -noout -dates -dateopt iso_8601"));
    Dates d{};
    for (std::string line; std::getline(out, line);) {
        if (line.rfind("notBefore=", 0) == 0) d.not_before = parse_iso_time(line.substr(10));
        if (line.rfind("notAfter=", 0) == 0) d.not_after = parse_iso_time(line.substr(9));
    }
    return d;
}

void check_name(const Name& name, const ByteVec& der, const std::vector<std::pair<ByteVec, std::string>>& expected) {
    CHECK(same(name.der, der));
    REQUIRE(name.rdns.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        INFO("RDN " << i);
        REQUIRE(name.rdns[i].size() == 1);
        const NameAttribute& a = name.rdns[i][0];
        CHECK(same(a.oid, expected[i].first));
        CHECK(text(a.value) == expected[i].second);
        // string_mask = utf8only: countryName stays a PrintableString (its ASN.1 type), the rest UTF8String.
        CHECK(a.string_tag == (same(a.oid, oid_country) ? 0x13 : 0x0c));
    }
}

// Every field of a leaf made by leaf_spec(), for any key type.
void check_leaf_fields(const Pki& pki, const Certificate& c, const Certificate& root, const std::string& key) {
    CertTree tree(c.der());
    CHECK(c.version == 3);
    CHECK(to_hex(c.serial) == "008000000000000001");
    CHECK(same(c.tbs, tree.tbs().encode()));
    CHECK(same(c.signature, Bytes(tree.root.children.at(2).value).subspan(1)));
    CHECK(same(c.signature_algorithm.der, tree.outer_algorithm().encode()));
    CHECK(c.signature_algorithm.algorithm == SignatureAlgorithm::ecdsa_sha256);  // the P-256 root signs with SHA-256
    CHECK(to_hex(c.signature_algorithm.der) == "300a06082a8648ce3d040302");

    const std::vector<std::pair<ByteVec, std::string>> root_name = {
        {oid_country, "US"}, {oid_organization, "Cordon Test"}, {oid_common_name, "Cordon Test Root"}};
    const std::vector<std::pair<ByteVec, std::string>> leaf_name = {
        {oid_country, "US"}, {oid_organization, "Cordon Test"}, {oid_common_name, "leaf.example.com"}};
    check_name(c.issuer, tree.issuer().encode(), root_name);
    check_name(c.subject, tree.subject().encode(), leaf_name);
    CHECK(names_match(c.issuer, root.subject));
    CHECK_FALSE(c.self_issued());

    const Dates d = openssl_dates(pki, key);
    CHECK(c.not_before == d.not_before);
    CHECK(c.not_after == d.not_after);
    CHECK(c.not_after - c.not_before == Time{leaf_days} * 86400);
    const Time now = std::time(nullptr);
    CHECK(std::abs(c.not_before - now) < 600);

    CHECK(same(c.spki, pki.public_key_der(key)));
    REQUIRE(c.public_key.has_value());

    REQUIRE(c.basic_constraints.has_value());
    CHECK_FALSE(c.basic_constraints->ca);
    CHECK_FALSE(c.basic_constraints->path_length.has_value());
    CHECK(c.basic_constraints_critical);
    REQUIRE(c.key_usage.has_value());
    CHECK(*c.key_usage == (KeyUsage::digital_signature | KeyUsage::key_encipherment));
    REQUIRE(c.extended_key_usage.has_value());
    REQUIRE(c.extended_key_usage->size() == 2);
    CHECK(same((*c.extended_key_usage)[0], eku::server_auth));
    CHECK(same((*c.extended_key_usage)[1], eku::client_auth));
    CHECK_FALSE(c.extended_key_usage_critical);

    CHECK(c.has_subject_alt_name);
    CHECK_FALSE(c.subject_alt_name_critical);
    using K = GeneralName::Kind;
    REQUIRE(c.subject_alt_names.size() == 6);
    const auto& san = c.subject_alt_names;
    CHECK((san[0].kind == K::dns && text(san[0].value) == "example.com"));
    CHECK((san[1].kind == K::dns && text(san[1].value) == "*.example.com"));
    CHECK((san[2].kind == K::ip && to_hex(san[2].value) == "c0000201"));
    CHECK((san[3].kind == K::ip && to_hex(san[3].value) == "20010db8000000000000000000000001"));
    CHECK((san[4].kind == K::email && text(san[4].value) == "admin@example.com"));
    CHECK((san[5].kind == K::uri && text(san[5].value) == "https://example.com/"));
    for (const auto& n : san) CHECK_FALSE(n.directory.has_value());

    CHECK_FALSE(c.name_constraints.has_value());
    REQUIRE(c.subject_key_id.has_value());
    CHECK(to_hex(*c.subject_key_id) == leaf_ski);
    REQUIRE(c.authority_key_id.has_value());
    CHECK(to_hex(*c.authority_key_id) == root_ski);
    CHECK(c.has_authority_key_id_extension);
    CHECK_FALSE(c.authority_key_id_has_issuer_or_serial);
    CHECK_FALSE(c.authority_key_id_critical);
    CHECK_FALSE(c.subject_key_id_critical);
    CHECK_FALSE(c.has_unknown_critical_extension);
    CHECK_FALSE(c.has_policy_constraints);
    CHECK_FALSE(c.name_constraints_critical);
    CHECK_FALSE(c.authority_info_access_critical);

    // tbs and signature are the signed bytes: the root's key verifies them, and not a changed copy.
    const auto& provider = tls::crypto::default_provider();
    const auto* verifier = provider.find(tls::crypto::SignatureScheme::ecdsa_secp256r1_sha256);
    REQUIRE(verifier != nullptr);
    REQUIRE(root.public_key.has_value());
    CHECK(verifier->verify(*root.public_key, c.tbs, c.signature).ok());
    ByteVec changed(c.tbs.begin(), c.tbs.end());
    changed.back() ^= 1;
    CHECK_FALSE(verifier->verify(*root.public_key, changed, c.signature).ok());
}

// The fixture most tests need: the root and a P-256 leaf (no RSA key generation).
struct EcFixture {
    Pki pki;
    ByteVec leaf;
    EcFixture() {
        make_root(pki);
        pki.key("leaf-p256", KeyType::p256);
        leaf = pki.issue("leaf-p256", leaf_spec("leaf-p256"));
    }
};

tls::Result<Certificate> parse(const ByteVec& der) { return Certificate::parse(der); }

void check_refused(const ByteVec& der, const char* why) {
    INFO(why);
    auto c = parse(der);
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().code == ErrorCode::decode_error);
}

std::string message_of(const ByteVec& der) {
    auto c = parse(der);
    return c ? "accepted" : c.error().message;
}

}  // namespace

TEST_CASE("x509: the root's fields, name constraints of every kind", "[x509][certificate]") {
    Pki pki;
    make_root(pki);
    const auto root = pki.cert("root");
    CertTree tree(root->der());
    CHECK(root->version == 3);
    CHECK(to_hex(root->serial) == "01");
    CHECK(root->self_issued());
    CHECK(names_match(root->issuer, root->subject));
    CHECK(same(root->issuer.der, tree.issuer().encode()));
    CHECK(root->signature_algorithm.algorithm == SignatureAlgorithm::ecdsa_sha256);
    const Dates d = openssl_dates(pki, "root");
    CHECK(root->not_before == d.not_before);
    CHECK(root->not_after == d.not_after);
    CHECK(root->not_after - root->not_before == Time{3650} * 86400);

    REQUIRE(root->basic_constraints.has_value());
    CHECK(root->basic_constraints->ca);
    CHECK(root->basic_constraints->path_length == 2u);
    CHECK(root->basic_constraints_critical);
    CHECK(root->key_usage == std::uint16_t(KeyUsage::key_cert_sign | KeyUsage::crl_sign));
    CHECK_FALSE(root->extended_key_usage.has_value());
    CHECK_FALSE(root->has_subject_alt_name);
    CHECK(root->subject_alt_names.empty());
    REQUIRE(root->subject_key_id.has_value());
    CHECK(to_hex(*root->subject_key_id) == root_ski);
    CHECK_FALSE(root->authority_key_id.has_value());
    CHECK_FALSE(root->has_authority_key_id_extension);

    REQUIRE(root->name_constraints.has_value());
    CHECK(root->name_constraints_critical);
    using K = GeneralName::Kind;
    const auto& permitted = root->name_constraints->permitted;
    REQUIRE(permitted.size() == 4);
    CHECK((permitted[0].base.kind == K::dns && text(permitted[0].base.value) == "example.com"));
    CHECK((permitted[1].base.kind == K::ip && to_hex(permitted[1].base.value) == "c0000200ffffff00"));
    CHECK((permitted[2].base.kind == K::ip &&
           to_hex(permitted[2].base.value) == "20010db8000000000000000000000000ffffffff000000000000000000000000"));
    CHECK((permitted[3].base.kind == K::email && text(permitted[3].base.value) == ".example.com"));
    const auto& excluded = root->name_constraints->excluded;
    REQUIRE(excluded.size() == 3);
    CHECK((excluded[0].base.kind == K::dns && text(excluded[0].base.value) == "bad.example.com"));
    CHECK((excluded[1].base.kind == K::email && text(excluded[1].base.value) == "root@example.com"));
    REQUIRE(excluded[2].base.kind == K::directory);
    REQUIRE(excluded[2].base.directory.has_value());
    const Name& dir = *excluded[2].base.directory;
    CHECK(same(excluded[2].base.value, dir.der));
    REQUIRE(dir.rdns.size() == 2);
    CHECK(same(dir.rdns[0][0].oid, oid_country));
    CHECK(text(dir.rdns[0][0].value) == "US");
    CHECK(same(dir.rdns[1][0].oid, oid_organization));
    CHECK(text(dir.rdns[1][0].value) == "Bad");

    // The root's own signature, under its own key.
    const auto* verifier = tls::crypto::default_provider().find(tls::crypto::SignatureScheme::ecdsa_secp256r1_sha256);
    REQUIRE(verifier != nullptr);
    CHECK(verifier->verify(*root->public_key, root->tbs, root->signature).ok());
}

TEST_CASE("x509: EC P-256 leaf, every field", "[x509][certificate]") {
    EcFixture f;
    const auto root = f.pki.cert("root");
    const auto leaf = parse_cert(f.leaf);
    check_leaf_fields(f.pki, *leaf, *root, "leaf-p256");
    const auto* ec = std::get_if<tls::crypto::EcPublicKey>(&*leaf->public_key);
    REQUIRE(ec != nullptr);
    CHECK(ec->curve == tls::crypto::NamedGroup::secp256r1);
    REQUIRE(ec->point.size() == 65);
    CHECK(ec->point[0] == 0x04);
    CHECK(same(ec->point, Bytes(leaf->spki).last(65)));
    // parse_subject_public_key_info gives the same key on the SPKI alone.
    auto key = parse_subject_public_key_info(leaf->spki);
    REQUIRE(key.ok());
    CHECK(same(std::get<tls::crypto::EcPublicKey>(*key).point, ec->point));
    // The parsed fields view the certificate's own copy, which survives a move.
    auto moved = Certificate::parse(f.leaf);
    REQUIRE(moved.ok());
    Certificate c = std::move(*moved);
    CHECK(same(c.der(), f.leaf));
    CHECK(c.subject.der.data() >= c.der().data());
    CHECK(c.subject.der.data() + c.subject.der.size() <= c.der().data() + c.der().size());
}

TEST_CASE("x509: EC P-384 and Ed25519 leaves", "[x509][certificate]") {
    Pki pki;
    make_root(pki);
    const auto root = pki.cert("root");
    pki.key("leaf-p384", KeyType::p384);
    pki.key("leaf-ed25519", KeyType::ed25519);
    pki.issue("leaf-p384", leaf_spec("leaf-p384"));
    pki.issue("leaf-ed25519", leaf_spec("leaf-ed25519"));

    const auto p384 = pki.cert("leaf-p384");
    check_leaf_fields(pki, *p384, *root, "leaf-p384");
    const auto* ec = std::get_if<tls::crypto::EcPublicKey>(&*p384->public_key);
    REQUIRE(ec != nullptr);
    CHECK(ec->curve == tls::crypto::NamedGroup::secp384r1);
    CHECK(ec->point.size() == 97);
    CHECK(same(ec->point, Bytes(p384->spki).last(97)));

    const auto ed = pki.cert("leaf-ed25519");
    check_leaf_fields(pki, *ed, *root, "leaf-ed25519");
    const auto* edkey = std::get_if<tls::crypto::Ed25519PublicKey>(&*ed->public_key);
    REQUIRE(edkey != nullptr);
    CHECK(edkey->key.size() == 32);
    CHECK(same(edkey->key, Bytes(ed->spki).last(32)));

    // Self-signed with P-384/SHA-384 and with Ed25519: the signature algorithms.
    CertSpec s;
    s.subject = "/CN=self";
    s.extensions = {"basicConstraints = critical,CA:TRUE"};
    s.key = "leaf-p384";
    s.digest = "sha384";
    pki.issue("self-p384", s);
    s.key = "leaf-ed25519";
    s.digest = "";
    pki.issue("self-ed25519", s);
    const auto self384 = pki.cert("self-p384");
    CHECK(self384->signature_algorithm.algorithm == SignatureAlgorithm::ecdsa_sha384);
    CHECK(to_hex(self384->signature_algorithm.der) == "300a06082a8648ce3d040303");
    const auto* v384 = tls::crypto::default_provider().find(tls::crypto::SignatureScheme::ecdsa_secp384r1_sha384);
    REQUIRE(v384 != nullptr);
    CHECK(v384->verify(*self384->public_key, self384->tbs, self384->signature).ok());
    const auto self_ed = pki.cert("self-ed25519");
    CHECK(self_ed->signature_algorithm.algorithm == SignatureAlgorithm::ed25519);
    CHECK(to_hex(self_ed->signature_algorithm.der) == "300506032b6570");  // RFC 8410 3: no parameters
    CHECK(self_ed->signature.size() == 64);
    const auto* ved = tls::crypto::default_provider().find(tls::crypto::SignatureScheme::ed25519);
    REQUIRE(ved != nullptr);
    CHECK(ved->verify(*self_ed->public_key, self_ed->tbs, self_ed->signature).ok());
}

TEST_CASE("x509: RSA-2048 leaf and RSA signature algorithms (PKCS#1 v1.5, PSS, SHA-1)", "[x509][certificate]") {
    Pki pki;
    make_root(pki);
    const auto root = pki.cert("root");
    pki.key("leaf-rsa", KeyType::rsa2048);
    pki.issue("leaf-rsa", leaf_spec("leaf-rsa"));
    const auto leaf = pki.cert("leaf-rsa");
    check_leaf_fields(pki, *leaf, *root, "leaf-rsa");
    const auto* rsa = std::get_if<tls::crypto::RsaPublicKey>(&*leaf->public_key);
    REQUIRE(rsa != nullptr);
    // openssl prints "Modulus=<HEX>"; cordon's modulus has the sign byte removed.
    std::string modulus = pki.openssl("rsa -in leaf-rsa.key -noout -modulus");
    modulus = modulus.substr(modulus.find('=') + 1);
    modulus.erase(modulus.find_last_not_of("\r\n") + 1);
    std::transform(modulus.begin(), modulus.end(), modulus.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
    CHECK(to_hex(rsa->modulus) == modulus);
    CHECK(rsa->modulus.size() == 256);
    CHECK(to_hex(rsa->exponent) == "010001");

    struct Variant {
        const char* name;
        const char* digest;
        const char* extra;
        SignatureAlgorithm algorithm;
        const char* der_hex;
    };
    const Variant variants[] = {
        {"rsa-sha256", "sha256", "", SignatureAlgorithm::rsa_pkcs1_sha256, "300d06092a864886f70d01010b0500"},
        {"rsa-sha384", "sha384", "", SignatureAlgorithm::rsa_pkcs1_sha384, "300d06092a864886f70d01010c0500"},
        {"rsa-sha512", "sha512", "", SignatureAlgorithm::rsa_pkcs1_sha512, "300d06092a864886f70d01010d0500"},
        {"rsa-sha1", "sha1", "", SignatureAlgorithm::rsa_pkcs1_sha1, "300d06092a864886f70d0101050500"},
        {"rsa-pss", "sha256", "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32", SignatureAlgorithm::rsa_pss,
         nullptr},
        {"rsa-pss384", "sha384", "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48", SignatureAlgorithm::rsa_pss,
         nullptr},
    };
    const auto& provider = tls::crypto::default_provider();
    for (const auto& v : variants) {
        INFO(v.name);
        CertSpec s;
        s.subject = std::string("/CN=") + v.name;
        s.key = "leaf-rsa";
        s.digest = v.digest;
        s.extra_args = v.extra;
        s.extensions = {"basicConstraints = critical,CA:TRUE"};
        pki.issue(v.name, s);
        const auto c = pki.cert(v.name);
        CHECK(c->signature_algorithm.algorithm == v.algorithm);
        if (v.der_hex != nullptr) CHECK(to_hex(c->signature_algorithm.der) == v.der_hex);
        CHECK(c->signature.size() == 256);
        const auto& key = std::get<tls::crypto::RsaPublicKey>(*c->public_key);
        if (v.algorithm == SignatureAlgorithm::rsa_pss) {
            const bool is384 = std::strcmp(v.digest, "sha384") == 0;
            const auto hash = is384 ? tls::crypto::HashAlgorithm::sha384 : tls::crypto::HashAlgorithm::sha256;
            CHECK(c->signature_algorithm.pss.hash == hash);
            CHECK(c->signature_algorithm.pss.mgf1_hash == hash);
            CHECK(c->signature_algorithm.pss.salt_size == (is384 ? 48u : 32u));
            REQUIRE(provider.rsa_pss != nullptr);
            CHECK(provider.rsa_pss->verify(key, c->signature_algorithm.pss, c->tbs, c->signature).ok());
        } else if (v.algorithm == SignatureAlgorithm::rsa_pkcs1_sha256) {
            const auto* verifier = provider.find(tls::crypto::SignatureScheme::rsa_pkcs1_sha256);
            REQUIRE(verifier != nullptr);
            CHECK(verifier->verify(key, c->tbs, c->signature).ok());
        }
    }
}

TEST_CASE("x509: RSASSA-PSS (id-RSASSA-PSS) keys in certificates, with and without parameters",
          "[x509][certificate][rsa-pss]") {
    Pki pki;
    make_root(pki);
    const auto root = pki.cert("root");
    pki.key("leaf-pss", KeyType::rsa_pss2048);
    pki.key("leaf-pss384", KeyType::rsa_pss2048_sha384);
    pki.issue("leaf-pss", leaf_spec("leaf-pss"));
    pki.issue("leaf-pss384", leaf_spec("leaf-pss384"));

    // No parameters: a PSS-only key with no further restriction.
    const auto pss = pki.cert("leaf-pss");
    check_leaf_fields(pki, *pss, *root, "leaf-pss");
    REQUIRE(pss->public_key.has_value());
    const auto* key = std::get_if<tls::crypto::RsaPublicKey>(&*pss->public_key);
    REQUIRE(key != nullptr);
    CHECK(key->pss_only);
    CHECK_FALSE(key->pss_params.has_value());
    CHECK(key->modulus.size() == 256);
    CHECK(to_hex(key->exponent) == "010001");
    // The SPKI's AlgorithmIdentifier is the bare OID.
    CertTree tree(pki.der("leaf-pss"));
    CHECK(to_hex(tree.spki().children.at(0).encode()) == "300b06092a864886f70d01010a");
    // The same key from OpenSSL's own SPKI of the key file (the key views the DER).
    const ByteVec openssl_spki = pki.public_key_der("leaf-pss");
    auto from_openssl = parse_subject_public_key_info(openssl_spki);
    REQUIRE(from_openssl.ok());
    CHECK(std::get<tls::crypto::RsaPublicKey>(*from_openssl).pss_only);
    CHECK(same(std::get<tls::crypto::RsaPublicKey>(*from_openssl).modulus, key->modulus));

    // RSASSA-PSS-params in the SPKI: recorded as the key's restriction.
    const auto pss384 = pki.cert("leaf-pss384");
    const auto& restricted = std::get<tls::crypto::RsaPublicKey>(*pss384->public_key);
    CHECK(restricted.pss_only);
    REQUIRE(restricted.pss_params.has_value());
    CHECK(restricted.pss_params->hash == tls::crypto::HashAlgorithm::sha384);
    CHECK(restricted.pss_params->mgf1_hash == tls::crypto::HashAlgorithm::sha384);
    CHECK(restricted.pss_params->salt_size == 48);

    // A self-signed certificate from the PSS key: OpenSSL signs it with RSASSA-PSS
    // (here with the TLS salt length); cordon verifies it with explicit parameters.
    CertSpec s;
    s.subject = "/CN=self-pss";
    s.key = "leaf-pss";
    s.extensions = {"basicConstraints = critical,CA:TRUE"};
    s.extra_args = "-sigopt rsa_pss_saltlen:32";
    pki.issue("self-pss", s);
    const auto self = pki.cert("self-pss");
    CHECK(self->signature_algorithm.algorithm == SignatureAlgorithm::rsa_pss);
    CHECK(self->signature_algorithm.pss.hash == tls::crypto::HashAlgorithm::sha256);
    CHECK(self->signature_algorithm.pss.salt_size == 32);
    const auto& provider = tls::crypto::default_provider();
    REQUIRE(provider.rsa_pss != nullptr);
    const auto& self_key = std::get<tls::crypto::RsaPublicKey>(*self->public_key);
    CHECK(provider.rsa_pss->verify(self_key, self->signature_algorithm.pss, self->tbs, self->signature).ok());

    // Hand-made SPKIs around the PSS key's RSAPublicKey.
    const ByteVec bit_string = tree.spki().children.at(1).encode();
    const ByteVec pss_oid = from_hex("06092a864886f70d01010a");
    const auto spki_with = [&](const std::string& params_hex) {
        ByteVec algorithm = pss_oid;
        for (auto b : from_hex(params_hex)) algorithm.push_back(b);
        ByteVec body = encode_tlv(0x30, algorithm);
        for (auto b : bit_string) body.push_back(b);
        return encode_tlv(0x30, body);
    };
    auto bare = parse_subject_public_key_info(spki_with(""));
    REQUIRE(bare.ok());
    CHECK(std::get<tls::crypto::RsaPublicKey>(*bare).pss_only);
    // SHA-512 with MGF1-SHA-512 and salt 64, spelled out.
    auto sha512 = parse_subject_public_key_info(
        spki_with("3034a00f300d06096086480165030402030500a11c301a06092a864886f70d010108300d06096086480165030402030500"
                  "a203020140"));
    REQUIRE(sha512.ok());
    const auto& p512 = std::get<tls::crypto::RsaPublicKey>(*sha512).pss_params;
    REQUIRE(p512.has_value());
    CHECK(p512->hash == tls::crypto::HashAlgorithm::sha512);
    CHECK(p512->mgf1_hash == tls::crypto::HashAlgorithm::sha512);
    CHECK(p512->salt_size == 64);
    // An empty RSASSA-PSS-params: the defaults (SHA-1), which no TLS scheme fits.
    auto defaults = parse_subject_public_key_info(spki_with("3000"));
    REQUIRE(defaults.ok());
    CHECK(std::get<tls::crypto::RsaPublicKey>(*defaults).pss_params->hash == tls::crypto::HashAlgorithm::sha1);
    // MD5 as the hash, or a mask that is not MGF1: unsupported (the certificate still parses).
    CHECK(parse_subject_public_key_info(spki_with("3010a00e300c06082a864886f70d02050500")).error().code ==
          ErrorCode::unsupported);
    CHECK(parse_subject_public_key_info(spki_with("300fa10d300b06092a864886f70d010109")).error().code ==
          ErrorCode::unsupported);
    // NULL parameters, bytes after the parameters, a truncated SEQUENCE: malformed.
    CHECK(parse_subject_public_key_info(spki_with("0500")).error().code == ErrorCode::decode_error);
    CHECK(parse_subject_public_key_info(spki_with("30000500")).error().code == ErrorCode::decode_error);
    CHECK(parse_subject_public_key_info(spki_with("3002a0")).error().code == ErrorCode::decode_error);
}

TEST_CASE("x509: a v1 certificate (no version, no extensions)", "[x509][certificate]") {
    Pki pki;
    pki.key("key-1", KeyType::p256);
    CertSpec s;
    s.subject = "/CN=v1";
    s.key = "key-1";
    s.extensions = {};
    const ByteVec der = pki.issue("v1", s);
    const auto c = parse_cert(der);
    CHECK(c->version == 1);
    CHECK_FALSE(c->basic_constraints.has_value());
    CHECK_FALSE(c->key_usage.has_value());
    CHECK_FALSE(c->has_subject_alt_name);
    CHECK_FALSE(c->subject_key_id.has_value());
    CHECK(c->self_issued());

    // Unique identifiers and extensions need v2/v3.
    CertTree tree(der);
    REQUIRE_FALSE(tree.has_version());
    CertTree with_uid(der);
    with_uid.tbs().children.push_back(Tlv::primitive(0x81, {0x00, 0x01}));
    check_refused(with_uid.encode(), "issuerUniqueID in v1");
    CertTree with_ext(der);
    Tlv ext_list;
    ext_list.tag = 0x30;
    ext_list.children.push_back(make_extension(oid_certificate_policies, false, from_hex("3000")));
    Tlv wrapper;
    wrapper.tag = 0xa3;
    wrapper.children.push_back(ext_list);
    with_ext.tbs().children.push_back(wrapper);
    check_refused(with_ext.encode(), "extensions in v1");
}

TEST_CASE("x509: unknown critical extensions are recorded, not refused", "[x509][certificate]") {
    Pki pki;
    make_root(pki);
    pki.key("key-1", KeyType::p256);
    CertSpec s = leaf_spec("key-1");
    s.extensions.push_back("1.3.6.1.4.1.99999.1 = critical,DER:0500");
    pki.issue("critical", s);
    CHECK(pki.cert("critical")->has_unknown_critical_extension);
    s.extensions.back() = "1.3.6.1.4.1.99999.1 = DER:0500";
    pki.issue("noncritical", s);
    const auto c = pki.cert("noncritical");
    CHECK_FALSE(c->has_unknown_critical_extension);

    // The same by editing the tree: critical unknown recorded; a critical
    // recognised-but-ignored extension (certificatePolicies) is not "unknown".
    CertTree tree(c->der());
    tree.extensions().children.push_back(make_extension(oid_unknown, true, from_hex("0500")));
    CertTree policies_critical(c->der());
    for (auto& ext : policies_critical.extensions().children) {
        if (ext.children[0].value == oid_certificate_policies)
            ext.children.insert(ext.children.begin() + 1, Tlv::primitive(0x01, {0xff}));
    }
    // (1.3.6.1.4.1.99999.1 is already there, non-critical: the copy is a duplicate.)
    CHECK(message_of(tree.encode()) == std::string("duplicate extension"));
    auto ok = parse(policies_critical.encode());
    REQUIRE(ok.ok());
    CHECK_FALSE(ok->has_unknown_critical_extension);

    // A leaf with none of the usual extensions plus one unknown critical one.
    CertTree only(c->der());
    only.extensions().children.clear();
    only.extensions().children.push_back(make_extension(from_hex("2a0304"), true, {}));
    auto recorded = parse(only.encode());
    REQUIRE(recorded.ok());
    CHECK(recorded->has_unknown_critical_extension);
    only.extensions().children[0] = make_extension(from_hex("2a0304"), false, {});
    auto ignored = parse(only.encode());
    REQUIRE(ignored.ok());
    CHECK_FALSE(ignored->has_unknown_critical_extension);
}

TEST_CASE("x509: truncation at every length and trailing bytes are refused", "[x509][certificate][malformed]") {
    EcFixture f;
    REQUIRE(parse(f.leaf).ok());
    for (std::size_t n = 0; n < f.leaf.size(); ++n) {
        ByteVec cut(f.leaf.begin(), f.leaf.begin() + static_cast<std::ptrdiff_t>(n));
        auto c = parse(cut);
        if (c.ok() || c.error().code != ErrorCode::decode_error) {
            FAIL("prefix of " << n << " bytes: " << (c.ok() ? "accepted" : c.error().message));
        }
    }
    for (std::uint8_t extra : {0x00, 0x30, 0xff}) {
        ByteVec longer = f.leaf;
        longer.push_back(extra);
        check_refused(longer, "one trailing byte");
    }
    // The outer length claims one byte more than there is, or one less.
    ByteVec longer_claim = f.leaf;
    REQUIRE(longer_claim[1] == 0x82);
    longer_claim[3] = static_cast<std::uint8_t>(longer_claim[3] + 1);
    check_refused(longer_claim, "outer length one too long");
    ByteVec shorter_claim = f.leaf;
    shorter_claim[3] = static_cast<std::uint8_t>(shorter_claim[3] - 1);
    check_refused(shorter_claim, "outer length one too short");
}

TEST_CASE("x509: malformed variants of a good certificate", "[x509][certificate][malformed]") {
    static EcFixture f;  // made once, not once per SECTION
    // The tree round-trips: every refusal below is due to the one edit made.
    REQUIRE(CertTree(f.leaf).encode() == f.leaf);

    SECTION("outer and inner signature algorithms must be equal") {
        CertTree outer(f.leaf);
        outer.outer_algorithm().children[0].value.back() = 0x03;  // ecdsa-with-SHA384
        CHECK(message_of(outer.encode()) == std::string("outer and inner signature algorithms differ"));
        CertTree inner(f.leaf);
        inner.inner_algorithm().children[0].value.back() = 0x03;
        CHECK(message_of(inner.encode()) == std::string("outer and inner signature algorithms differ"));
        // Equal but encoded differently (NULL parameters added on one side) is a mismatch too.
        CertTree params(f.leaf);
        params.inner_algorithm().children.push_back(Tlv::primitive(0x05, {}));
        check_refused(params.encode(), "ECDSA parameters on one side");
        // Changed consistently, the certificate parses (the signature is checked later).
        CertTree both(f.leaf);
        both.outer_algorithm().children[0].value.back() = 0x03;
        both.inner_algorithm().children[0].value.back() = 0x03;
        auto c = parse(both.encode());
        REQUIRE(c.ok());
        CHECK(c->signature_algorithm.algorithm == SignatureAlgorithm::ecdsa_sha384);
        // RFC 5758 3.2: ECDSA parameters MUST be absent (here NULL on both sides).
        CertTree nulls(f.leaf);
        nulls.outer_algorithm().children.push_back(Tlv::primitive(0x05, {}));
        nulls.inner_algorithm().children.push_back(Tlv::primitive(0x05, {}));
        check_refused(nulls.encode(), "ECDSA with NULL parameters");
        // An unknown algorithm parses, as "unknown".
        CertTree unknown(f.leaf);
        unknown.outer_algorithm().children[0].value = {0x2a, 0x03, 0x04};
        unknown.inner_algorithm().children[0].value = {0x2a, 0x03, 0x04};
        auto u = parse(unknown.encode());
        REQUIRE(u.ok());
        CHECK(u->signature_algorithm.algorithm == SignatureAlgorithm::unknown);
    }

    SECTION("duplicate extensions") {
        CertTree tree(f.leaf);
        auto& exts = tree.extensions().children;
        Tlv san;
        for (const auto& e : exts)
            if (e.children[0].value == oid_san) san = e;
        REQUIRE(san.tag == 0x30);
        exts.push_back(san);
        CHECK(message_of(tree.encode()) == std::string("duplicate extension"));
        // Also for extensions cordon does not know, and with differing criticality.
        CertTree unknown(f.leaf);
        unknown.extensions().children.push_back(make_extension(oid_unknown, false, from_hex("0500")));
        unknown.extensions().children.push_back(make_extension(oid_unknown, true, from_hex("0500")));
        CHECK(message_of(unknown.encode()) == std::string("duplicate extension"));
        CertTree empty(f.leaf);
        empty.extensions().children.clear();
        CHECK(message_of(empty.encode()) == std::string("empty extensions"));
    }

    SECTION("version") {
        CertTree v1(f.leaf);
        v1.tbs().children[0].children[0].value = {0x00};
        CHECK(message_of(v1.encode()) == std::string("explicit v1 version (DER omits defaults)"));
        CertTree v2(f.leaf);
        v2.tbs().children[0].children[0].value = {0x01};
        CHECK(message_of(v2.encode()) == std::string("extensions in a certificate older than v3"));
        CertTree v4(f.leaf);
        v4.tbs().children[0].children[0].value = {0x03};
        CHECK(message_of(v4.encode()) == std::string("unknown certificate version"));
        CertTree negative(f.leaf);
        negative.tbs().children[0].children[0].value = {0xff};
        check_refused(negative.encode(), "negative version");
        CertTree padded(f.leaf);
        padded.tbs().children[0].children[0].value = {0x00, 0x02};
        check_refused(padded.encode(), "non-minimal version INTEGER");
        CertTree two(f.leaf);
        two.tbs().children[0].children.push_back(Tlv::primitive(0x02, {0x02}));
        check_refused(two.encode(), "two INTEGERs in [0]");
        // Without the version field, extensions are refused (v1).
        CertTree none(f.leaf);
        none.tbs().children.erase(none.tbs().children.begin());
        CHECK(message_of(none.encode()) == std::string("extensions in a certificate older than v3"));
    }

    SECTION("non-minimal and indefinite lengths") {
        // Outer SEQUENCE: 30 82 LL LL -> 30 83 00 LL LL.
        ByteVec outer = f.leaf;
        REQUIRE(outer[1] == 0x82);
        outer[1] = 0x83;
        outer.insert(outer.begin() + 2, 0x00);
        check_refused(outer, "length with a leading zero byte");
        // The serial INTEGER (9 bytes): 02 09 -> 02 81 09.
        CertTree tree(f.leaf);
        const ByteVec serial = tree.serial().encode();
        REQUIRE(serial[1] == 0x09);
        // Fix up the enclosing lengths (TBS and certificate) by re-encoding around the raw bytes.
        CertTree fixed(f.leaf);
        Tlv raw_tbs = fixed.tbs();
        ByteVec tbs_contents = raw_tbs.contents();
        const auto spos = std::search(tbs_contents.begin(), tbs_contents.end(), serial.begin(), serial.end());
        const auto off = spos - tbs_contents.begin();
        tbs_contents[static_cast<std::size_t>(off) + 1] = 0x81;
        tbs_contents.insert(tbs_contents.begin() + off + 2, 0x09);
        ByteVec cert_contents = encode_tlv(0x30, tbs_contents);
        const ByteVec alg = fixed.outer_algorithm().encode();
        const ByteVec sig = fixed.root.children.at(2).encode();
        cert_contents.insert(cert_contents.end(), alg.begin(), alg.end());
        cert_contents.insert(cert_contents.end(), sig.begin(), sig.end());
        check_refused(encode_tlv(0x30, cert_contents), "serial with a long-form length under 128");
        // Indefinite length (BER) on the outer SEQUENCE.
        ByteVec indefinite = {0x30, 0x80};
        const ByteVec inner = CertTree(f.leaf).root.contents();
        indefinite.insert(indefinite.end(), inner.begin(), inner.end());
        indefinite.insert(indefinite.end(), {0x00, 0x00});
        check_refused(indefinite, "indefinite length");
    }

    SECTION("validity times") {
        struct TimeCase {
            std::uint8_t tag;
            const char* value;
            bool valid;
        };
        const TimeCase cases[] = {
            {0x17, "260230120000Z", false},    // February 30
            {0x17, "270229120000Z", false},    // February 29 of a common year
            {0x17, "280229120000Z", true},     // ... of a leap year
            {0x17, "261301120000Z", false},    // 13th month
            {0x17, "260001120000Z", false},    // month 0
            {0x17, "260100120000Z", false},    // day 0
            {0x17, "260431120000Z", false},    // April 31
            {0x17, "261123240000Z", false},    // hour 24
            {0x17, "261123126000Z", false},    // minute 60
            {0x17, "261123120060Z", false},    // second 60 (no leap seconds)
            {0x17, "261123120000.5Z", false},  // fractional seconds
            {0x17, "2611231200000", false},    // no Z
            {0x17, "261123120000", false},     // no Z, short
            {0x17, "261123120000+0000", false},  // offset instead of Z
            {0x17, "2611231200Z", false},      // no seconds
            {0x17, "261123120000z", false},    // lower-case z
            {0x17, "26112312000 Z", false},    // space
            {0x18, "20261123120000.5Z", false},  // GeneralizedTime with fraction
            {0x18, "20261123120000Z", true},   // GeneralizedTime before 2050 (tolerated)
            {0x18, "2026112312000Z", false},   // GeneralizedTime, one digit short
            {0x18, "20261123120000", false},   // GeneralizedTime without Z
            {0x13, "261123120000Z", false},    // PrintableString
            {0x17, "491231235959Z", true},
            {0x17, "500101000000Z", true},
        };
        for (const auto& tc : cases) {
            for (int which : {0, 1}) {
                INFO((which == 0 ? "notBefore " : "notAfter ") << tc.value);
                CertTree tree(f.leaf);
                tree.validity().children.at(static_cast<std::size_t>(which)) = Tlv::primitive(tc.tag, bytes(tc.value));
                auto c = parse(tree.encode());
                CHECK(c.ok() == tc.valid);
                if (!c.ok()) CHECK(c.error().code == ErrorCode::decode_error);
            }
        }
        // The values: UTCTime 49 is 2049, 50 is 1950 (RFC 5280 4.1.2.5.1).
        CertTree tree(f.leaf);
        tree.validity().children[0] = Tlv::primitive(0x17, bytes("500101000000Z"));
        tree.validity().children[1] = Tlv::primitive(0x17, bytes("491231235959Z"));
        auto c = parse(tree.encode());
        REQUIRE(c.ok());
        CHECK(c->not_before == -631152000);
        CHECK(c->not_after == 2524607999);
        // A validity with a third time, or only one, is malformed.
        CertTree three(f.leaf);
        three.validity().children.push_back(three.validity().children[1]);
        check_refused(three.encode(), "three times");
        CertTree one(f.leaf);
        one.validity().children.pop_back();
        check_refused(one.encode(), "one time");
    }

    SECTION("serial numbers") {
        CertTree empty(f.leaf);
        empty.serial().value.clear();
        check_refused(empty.encode(), "empty serial");
        // A negative serial parses (as encoded); validation refuses it (verify_test).
        CertTree negative(f.leaf);
        negative.serial().value = {0x80, 0x01};
        auto c = parse(negative.encode());
        REQUIRE(c.ok());
        CHECK(to_hex(c->serial) == "8001");
    }

    SECTION("extension encodings") {
        auto with_extension = [&](const Tlv& ext) {
            CertTree t(f.leaf);
            t.extensions().children.push_back(ext);
            return t.encode();
        };
        auto replace_extension = [&](Bytes oid, const Tlv& ext) {
            CertTree t(f.leaf);
            for (auto& e : t.extensions().children)
                if (same(e.children[0].value, oid)) e = ext;
            return t.encode();
        };
        const ByteVec oid_bc = {0x55, 0x1d, 0x13}, oid_ku = {0x55, 0x1d, 0x0f}, oid_eku = {0x55, 0x1d, 0x25};
        const ByteVec oid_aki = {0x55, 0x1d, 0x23}, oid_ski = {0x55, 0x1d, 0x0e};
        const ByteVec oid_nc = {0x55, 0x1d, 0x1e};
        // keyUsage with no bit set (RFC 5280 4.2.1.3), and with non-zero unused bits.
        check_refused(replace_extension(oid_ku, make_extension(oid_ku, true, from_hex("030100"))), "keyUsage empty");
        check_refused(replace_extension(oid_ku, make_extension(oid_ku, true, from_hex("03020781"))),
                      "keyUsage unused bit set");
        auto ku = parse(replace_extension(oid_ku, make_extension(oid_ku, true, from_hex("03020780"))));
        REQUIRE(ku.ok());
        CHECK(*ku->key_usage == KeyUsage::digital_signature);
        // decipherOnly is bit 8, in the second byte.
        auto ku8 = parse(replace_extension(oid_ku, make_extension(oid_ku, true, from_hex("0303070080"))));
        REQUIRE(ku8.ok());
        CHECK(*ku8->key_usage == KeyUsage::decipher_only);
        // basicConstraints: BOOLEAN must be 00/FF; pathLen an unsigned INTEGER; nothing after it.
        check_refused(replace_extension(oid_bc, make_extension(oid_bc, true, from_hex("3003010101"))),
                      "cA BOOLEAN 01");
        check_refused(replace_extension(oid_bc, make_extension(oid_bc, true, from_hex("30060101ff0201ff"))),
                      "negative pathLen");
        check_refused(replace_extension(oid_bc, make_extension(oid_bc, true, from_hex("30060101ff02010000"))),
                      "trailing byte in the extension value");
        auto pathlen = parse(replace_extension(oid_bc, make_extension(oid_bc, true, from_hex("30060101ff020105"))));
        REQUIRE(pathlen.ok());
        CHECK(pathlen->basic_constraints->ca);
        CHECK(pathlen->basic_constraints->path_length == 5u);
        check_refused(replace_extension(oid_bc, make_extension(oid_bc, true, from_hex("300a0101ff02050100000000"))),
                      "pathLen over 32 bits");
        // extKeyUsage: not empty.
        check_refused(replace_extension(oid_eku, make_extension(oid_eku, false, from_hex("3000"))), "empty EKU");
        // subjectAltName: not empty, IA5 only, known tags only.
        check_refused(replace_extension(oid_san, make_extension(oid_san, false, from_hex("3000"))), "empty SAN");
        check_refused(replace_extension(oid_san, make_extension(oid_san, false, from_hex("300482026180"))),
                      "non-ASCII dNSName");
        check_refused(replace_extension(oid_san, make_extension(oid_san, false, from_hex("3003890161"))),
                      "GeneralName tag [9]");
        check_refused(replace_extension(oid_san, make_extension(oid_san, false, from_hex("300382016100"))),
                      "trailing byte after GeneralNames");
        // The extension's critical flag: BOOLEAN 00/FF only.
        Tlv bad_critical = make_extension(oid_unknown, false, from_hex("0500"));
        bad_critical.children.insert(bad_critical.children.begin() + 1, Tlv::primitive(0x01, {0x01}));
        check_refused(with_extension(bad_critical), "critical = 01");
        // nameConstraints: not empty, no minimum/maximum, IP with a mask, only in [0]/[1].
        check_refused(with_extension(make_extension(oid_nc, true, from_hex("3000"))), "empty nameConstraints");
        check_refused(with_extension(make_extension(oid_nc, true, from_hex("3002a000"))), "empty permitted subtrees");
        check_refused(with_extension(make_extension(oid_nc, true, from_hex("300aa0083006820161800101"))),
                      "subtree with a minimum");
        check_refused(with_extension(make_extension(oid_nc, true, from_hex("300aa0083006870401020304"))),
                      "iPAddress constraint without mask");
        auto nc = parse(with_extension(make_extension(oid_nc, true, from_hex("300ea10c300a8708c0a80000ffff0000"))));
        REQUIRE(nc.ok());
        REQUIRE(nc->name_constraints.has_value());
        CHECK(nc->name_constraints->permitted.empty());
        CHECK(nc->name_constraints->excluded.size() == 1);
        // authorityKeyIdentifier with issuer and serial: noted.
        auto aki = parse(replace_extension(oid_aki, make_extension(oid_aki, false, from_hex("300a800101a1008203010203"))));
        REQUIRE(aki.ok());
        CHECK(aki->authority_key_id_has_issuer_or_serial);
        CHECK(to_hex(*aki->authority_key_id) == "01");
        check_refused(replace_extension(oid_aki, make_extension(oid_aki, false, from_hex("30058001018300"))),
                      "AKI with an unknown field");
        // subjectKeyIdentifier must be an OCTET STRING.
        check_refused(replace_extension(oid_ski, make_extension(oid_ski, false, from_hex("030100"))),
                      "SKI as a BIT STRING");
        // An extension value that is not an OCTET STRING.
        Tlv not_octets = make_extension(oid_unknown, false, {});
        not_octets.children.back().tag = 0x03;
        check_refused(with_extension(not_octets), "extnValue not an OCTET STRING");
        // DER forbids an explicit DEFAULT (critical FALSE); cordon tolerates it, as
        // webpki and OpenSSL do (certificates in the wild carry it).
        Tlv explicit_false = make_extension(oid_unknown, false, from_hex("0500"));
        explicit_false.children.insert(explicit_false.children.begin() + 1, Tlv::primitive(0x01, {0x00}));
        auto tolerated = parse(with_extension(explicit_false));
        REQUIRE(tolerated.ok());
        CHECK_FALSE(tolerated->has_unknown_critical_extension);
    }

    SECTION("structure") {
        CertTree set_tag(f.leaf);
        set_tag.root.tag = 0x31;
        check_refused(set_tag.encode(), "certificate as a SET");
        CertTree sig_bits(f.leaf);
        sig_bits.root.children.at(2).value[0] = 0x01;
        check_refused(sig_bits.encode(), "signature BIT STRING with unused bits");
        CertTree extra(f.leaf);
        extra.root.children.push_back(Tlv::primitive(0x05, {}));
        check_refused(extra.encode(), "fourth element in Certificate");
        CertTree tbs_extra(f.leaf);
        tbs_extra.tbs().children.push_back(Tlv::primitive(0x05, {}));
        check_refused(tbs_extra.encode(), "element after the extensions");
        CertTree empty_rdn(f.leaf);
        empty_rdn.subject().children.at(0).children.clear();
        check_refused(empty_rdn.encode(), "empty RDN SET");
        CertTree bad_oid(f.leaf);
        bad_oid.subject().children.at(0).children.at(0).children.at(0).value = {0x55, 0x84};
        check_refused(bad_oid.encode(), "OID ending mid-subidentifier");
        CertTree padded_oid(f.leaf);
        padded_oid.subject().children.at(0).children.at(0).children.at(0).value = {0x80, 0x55, 0x04, 0x06};
        check_refused(padded_oid.encode(), "OID subidentifier with a 0x80 pad");
        // Unique identifiers are allowed (and skipped) in v3, in order, before the extensions.
        CertTree uids(f.leaf);
        auto& tbs = uids.tbs().children;
        tbs.insert(tbs.end() - 1, Tlv::primitive(0x81, {0x00, 0xaa}));
        tbs.insert(tbs.end() - 1, Tlv::primitive(0x82, {0x00, 0xbb}));
        CHECK(parse(uids.encode()).ok());
        // An empty subject is allowed by the parser (validation decides).
        CertTree empty_subject(f.leaf);
        empty_subject.subject().children.clear();
        auto es = parse(empty_subject.encode());
        REQUIRE(es.ok());
        CHECK(es->subject.rdns.empty());
    }

    SECTION("SubjectPublicKeyInfo") {
        // A key of an unsupported type parses with no public_key; malformed DER does not.
        CertTree unknown(f.leaf);
        unknown.spki().children.at(0).children.at(1).value = {0x2b, 0x81, 0x04, 0x00, 0x23};  // secp521r1
        auto c = parse(unknown.encode());
        REQUIRE(c.ok());
        CHECK_FALSE(c->public_key.has_value());
        CertTree bits(f.leaf);
        bits.spki().children.at(1).value[0] = 0x01;
        check_refused(bits.encode(), "key BIT STRING with unused bits");
    }
}

TEST_CASE("x509: many extensions: duplicates found without pairwise comparison", "[x509][certificate][malformed]") {
    // 5,000 distinct unknown extensions (55 KB). Finding a duplicate among them
    // pairwise took seconds (22 s for 100,000 in a Release build); sorted, it is
    // immediate. No time is asserted: a regression shows as a slow test.
    EcFixture f;
    CertTree tree(f.leaf);
    auto& exts = tree.extensions().children;
    for (std::uint32_t i = 0; i < 5000; ++i) {
        // 1.2.<i in base 128, three subidentifier bytes, the first never 0x80>
        const ByteVec oid = {0x2a, static_cast<std::uint8_t>(0x81 + ((i >> 14) & 0x3f)),
                             static_cast<std::uint8_t>(0x80 | ((i >> 7) & 0x7f)), static_cast<std::uint8_t>(i & 0x7f)};
        exts.push_back(make_extension(oid, false, {}));
    }
    auto many = parse(tree.encode());
    REQUIRE(many.ok());
    CHECK_FALSE(many->has_unknown_critical_extension);
    CHECK(many->subject_alt_names.size() == 6);
    exts.push_back(exts[exts.size() / 2]);
    CHECK(message_of(tree.encode()) == std::string("duplicate extension"));
    exts.back() = make_extension(ByteVec{0x2a, 0x81, 0x80, 0x05}, true, {});  // a duplicate of #5, now critical
    CHECK(message_of(tree.encode()) == std::string("duplicate extension"));
}
