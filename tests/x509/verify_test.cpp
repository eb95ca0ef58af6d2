// verify_certificate end to end, on chains the openssl CLI makes at run time
// (root -> intermediate -> leaf, RSA-2048 and ECDSA P-384/P-256): validity,
// issuers, host names and IP addresses, path building through shuffled pools,
// cross-signed roots and loops, basicConstraints/pathLen/keyUsage/EKU, name
// constraints, unsupported certificates, RSASSA-PSS CA keys (PSS only, within
// their parameters), and the bound on path-building work.
// Every failure is checked for its ErrorCode and for the alert a TLS stack
// sends for it (tls::alert_for).
//
// openssl's -days counts from now, so every check time is relative to the
// leaf's notBefore (t0); VerifyOptions::now makes each check exact.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "tls/alert.hpp"
#include "tls/crypto/provider.hpp"
#include "x509/verify.hpp"
#include "x509/x509_test_support.hpp"

using namespace tls::x509;
using namespace x509test;
using tls::AlertDescription;
using tls::ErrorCode;

namespace {

constexpr Time day = 86400;

// ---- a provider that counts signature verifications ------------------------

namespace counting {

std::size_t checks = 0;
const tls::crypto::CryptoProvider* base = nullptr;
constexpr std::size_t max_verifiers = 32;

template <std::size_t I>
tls::Result<void> verify(const tls::crypto::PublicKey& key, Bytes message, Bytes signature) noexcept {
    ++checks;
    return base->verifiers[I]->verify(key, message, signature);
}

tls::Result<void> verify_pss(const tls::crypto::RsaPublicKey& key, const tls::crypto::RsaPssParams& params,
                             Bytes message, Bytes signature) noexcept {
    ++checks;
    return base->rsa_pss->verify(key, params, message, signature);
}

using VerifyFn = decltype(&verify<0>);

template <std::size_t... I>
constexpr std::array<VerifyFn, sizeof...(I)> table(std::index_sequence<I...>) {
    return {&verify<I>...};
}

// The default provider with every signature verification counted in `checks`.
struct Provider {
    std::array<tls::crypto::SignatureVerifier, max_verifiers> verifiers{};
    std::array<const tls::crypto::SignatureVerifier*, max_verifiers> pointers{};
    tls::crypto::RsaPssVerifier pss{};
    tls::crypto::CryptoProvider provider = tls::crypto::default_provider();

    Provider() {
        base = &tls::crypto::default_provider();
        const auto fns = table(std::make_index_sequence<max_verifiers>());
        const std::size_t n = base->verifiers.size();
        REQUIRE(n <= max_verifiers);
        for (std::size_t i = 0; i < n; ++i) {
            verifiers[i] = *base->verifiers[i];
            verifiers[i].verify = fns[i];
            pointers[i] = &verifiers[i];
        }
        provider.verifiers = std::span<const tls::crypto::SignatureVerifier* const>(pointers.data(), n);
        if (base->rsa_pss != nullptr) {
            pss = *base->rsa_pss;
            pss.verify = &verify_pss;
            provider.rsa_pss = &pss;
        }
        checks = 0;
    }
    Provider(const Provider&) = delete;
    Provider& operator=(const Provider&) = delete;
};

}  // namespace counting

// ---- certificates ------------------------------------------------------------

enum class Alg { rsa, ecdsa };

std::vector<std::string> ca_extensions(const std::string& path_length = "") {
    return {"basicConstraints = critical,CA:TRUE" + (path_length.empty() ? "" : ",pathlen:" + path_length),
            "keyUsage = critical,keyCertSign,cRLSign"};
}

const char* default_san = "DNS:example.com,DNS:*.example.com,IP:192.0.2.1,IP:2001:db8::1";

std::vector<std::string> leaf_extensions(const std::string& san = default_san, const std::string& eku = "serverAuth") {
    std::vector<std::string> e = {"basicConstraints = critical,CA:FALSE", "keyUsage = critical,digitalSignature"};
    if (!eku.empty()) e.push_back("extendedKeyUsage = " + eku);
    if (!san.empty()) e.push_back("subjectAltName = " + san);
    return e;
}

constexpr const char* root_dn = "/C=US/O=Cordon Test/CN=Cordon Test Root";
constexpr const char* int_dn = "/C=US/O=Cordon Test/CN=Cordon Test Intermediate";
constexpr const char* leaf_dn = "/CN=example.com";

// root -> int -> leaf, for RSA-2048 (PKCS#1 SHA-256 throughout) or ECDSA (a
// P-384 root signing with SHA-384, a P-256 intermediate and leaf with SHA-256).
// Every certificate is signed with the hash its issuer's key calls for.
struct Chain {
    Pki pki;
    Alg alg;

    explicit Chain(Alg a) : alg(a) {
        const bool rsa = alg == Alg::rsa;
        key("root", rsa ? KeyType::rsa2048 : KeyType::p384);
        key("int", rsa ? KeyType::rsa2048 : KeyType::p256);
        key("leaf", rsa ? KeyType::rsa2048 : KeyType::p256);
        issue_root("root", ca_extensions(), 3650);
        issue_int("int", "root", ca_extensions(), 1825);
        issue_leaf("leaf", "int", leaf_extensions(), 90);
    }

    void key(const std::string& name, KeyType type) {
        pki.key(name, type);
        key_types_[name] = type;
    }
    KeyType root_key_type() const { return alg == Alg::rsa ? KeyType::rsa2048 : KeyType::p384; }

    // Issues `name` for `key` (signed by `issuer`'s key, or self-signed when empty).
    CertificatePtr issue(const std::string& name, const std::string& issuer, std::vector<std::string> extensions,
                         int days, const std::string& key, const std::string& subject) {
        CertSpec s;
        s.subject = subject;
        s.key = key;
        s.issuer = issuer;
        s.days = days;
        s.serial = std::to_string(++serial_);
        s.extensions = std::move(extensions);
        s.digest = digest_for(issuer.empty() ? key : key_of_.at(issuer));
        pki.issue(name, s);
        key_of_[name] = key;
        certs_.erase(name);
        return cert(name);
    }
    CertificatePtr issue_root(const std::string& name, std::vector<std::string> extensions, int days,
                              const std::string& key = "root", const std::string& subject = root_dn) {
        return issue(name, "", std::move(extensions), days, key, subject);
    }
    CertificatePtr issue_int(const std::string& name, const std::string& issuer, std::vector<std::string> extensions,
                             int days, const std::string& key = "int", const std::string& subject = int_dn) {
        return issue(name, issuer, std::move(extensions), days, key, subject);
    }
    CertificatePtr issue_leaf(const std::string& name, const std::string& issuer, std::vector<std::string> extensions,
                              int days = 90, const std::string& key = "leaf", const std::string& subject = leaf_dn) {
        return issue(name, issuer, std::move(extensions), days, key, subject);
    }

    // The certificate, parsed once (so the same object is returned every time).
    CertificatePtr cert(const std::string& name) const {
        auto& c = certs_[name];
        if (!c) c = pki.cert(name);
        return c;
    }
    TrustStore store(std::initializer_list<const char*> anchors = {"root"}) const {
        TrustStore s;
        for (const char* a : anchors) s.add(cert(a));
        return s;
    }
    // The leaf's notBefore: checks are made relative to it.
    Time t0() const { return cert("leaf")->not_before; }
    VerifyOptions options(Time at) const {
        VerifyOptions o;
        o.now = at;
        return o;
    }

private:
    // CABF BR 7.1.3.2: P-256 with SHA-256, P-384 with SHA-384; Ed25519 hashes itself.
    std::string digest_for(const std::string& signing_key) const {
        switch (key_types_.at(signing_key)) {
            case KeyType::p384:
            case KeyType::rsa_pss2048_sha384: return "sha384";
            case KeyType::ed25519: return "";
            case KeyType::rsa1024:
            case KeyType::rsa2048:
            case KeyType::rsa_pss2048:
            case KeyType::p256: break;
        }
        return "sha256";
    }

    int serial_ = 0;
    mutable std::map<std::string, CertificatePtr> certs_;
    std::map<std::string, KeyType> key_types_;
    std::map<std::string, std::string> key_of_;  // certificate -> key
};

tls::Result<VerifiedPath> verify(const CertificatePtr& leaf, std::vector<CertificatePtr> intermediates,
                                 const TrustStore& store, const VerifyOptions& options) {
    return verify_certificate(leaf, intermediates, store, options);
}

// A failure with this code, and the alert cordon sends for it.
#define CHECK_FAILS_WITH(result, expected_code, expected_alert)                              \
    do {                                                                                     \
        const auto& r_ = (result);                                                           \
        REQUIRE_FALSE(r_.ok());                                                              \
        INFO("error: " << tls::to_string(r_.error().code) << " (" << r_.error().message << ")"); \
        CHECK(r_.error().code == (expected_code));                                           \
        CHECK(tls::alert_for(r_.error().code) == std::optional<AlertDescription>(expected_alert)); \
    } while (0)

#define CHECK_VALID(result)                                                                  \
    do {                                                                                     \
        const auto& r_ = (result);                                                           \
        if (!r_.ok()) FAIL("refused: " << tls::to_string(r_.error().code) << " (" << r_.error().message << ")"); \
    } while (0)

// The path is these certificates (compared by their DER), in this order.
bool path_is(const tls::Result<VerifiedPath>& r, std::initializer_list<CertificatePtr> expected) {
    if (!r.ok() || r->certificates.size() != expected.size()) return false;
    return std::equal(expected.begin(), expected.end(), r->certificates.begin(),
                      [](const CertificatePtr& a, const CertificatePtr& b) {
                          return std::ranges::equal(a->der(), b->der());
                      });
}

PeerName dns(const char* name) { return PeerName{PeerName::Kind::dns, name}; }
PeerName ip(const char* address) { return PeerName{PeerName::Kind::ip, address}; }

// The scenarios both key types go through.
void core_scenarios(Chain& c) {
    const auto root = c.cert("root"), inter = c.cert("int"), leaf = c.cert("leaf");
    const TrustStore store = c.store();
    const Time t = c.t0() + day;

    SECTION("a valid chain gives the path leaf, intermediate, root") {
        auto r = verify(leaf, {inter}, store, c.options(t));
        CHECK_VALID(r);
        CHECK(path_is(r, {leaf, inter, root}));
        // The first and last second of the leaf's validity are inside it (RFC 5280 4.1.2.5).
        CHECK_VALID(verify(leaf, {inter}, store, c.options(leaf->not_before)));
        CHECK_VALID(verify(leaf, {inter}, store, c.options(leaf->not_after)));
    }

    SECTION("host names and IP addresses from the subjectAltName") {
        for (const char* name : {"example.com", "EXAMPLE.com", "example.com.", "www.example.com", "a-b.example.com"}) {
            INFO(name);
            auto o = c.options(t);
            o.peer_name = dns(name);
            CHECK_VALID(verify(leaf, {inter}, store, o));
        }
        for (const char* address : {"192.0.2.1", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:db8::0.0.0.1"}) {
            INFO(address);
            auto o = c.options(t);
            o.peer_name = ip(address);
            CHECK_VALID(verify(leaf, {inter}, store, o));
        }
    }

    SECTION("a name the certificate does not carry: certificate_name_mismatch, alert bad_certificate") {
        // example.org; two labels under the wildcard; the subject CN is never used
        // (RFC 6125 6.4.4: "Cordon Test Intermediate" has no SAN anyway).
        for (const char* name : {"example.org", "a.b.example.com", "com", "example.co", "xample.com"}) {
            INFO(name);
            auto o = c.options(t);
            o.peer_name = dns(name);
            CHECK_FAILS_WITH(verify(leaf, {inter}, store, o), ErrorCode::certificate_name_mismatch,
                             AlertDescription::bad_certificate);
        }
        for (const char* address : {"192.0.2.2", "2001:db8::2", "::ffff:192.0.2.1"}) {
            INFO(address);
            auto o = c.options(t);
            o.peer_name = ip(address);
            CHECK_FAILS_WITH(verify(leaf, {inter}, store, o), ErrorCode::certificate_name_mismatch,
                             AlertDescription::bad_certificate);
        }
        // An IP address never matches a dNSName: "example.com" is not an IP address,
        // and "192.0.2.1" is not a DNS name (both are the caller's mistake).
        auto o = c.options(t);
        o.peer_name = ip("example.com");
        CHECK_FAILS_WITH(verify(leaf, {inter}, store, o), ErrorCode::invalid_argument, AlertDescription::internal_error);
        o.peer_name = dns("192.0.2.1");
        CHECK_FAILS_WITH(verify(leaf, {inter}, store, o), ErrorCode::invalid_argument, AlertDescription::internal_error);
    }

    SECTION("expired or not yet valid: certificate_expired, alert certificate_expired") {
        CHECK_FAILS_WITH(verify(leaf, {inter}, store, c.options(leaf->not_after + 1)), ErrorCode::certificate_expired,
                         AlertDescription::certificate_expired);
        CHECK_FAILS_WITH(verify(leaf, {inter}, store, c.options(leaf->not_before - 1)), ErrorCode::certificate_expired,
                         AlertDescription::certificate_expired);
        // The intermediate and the root, re-issued (same name and key) for one day only.
        const auto short_int = c.issue_int("int-1day", "root", ca_extensions(), 1);
        const auto short_root = c.issue_root("root-1day", ca_extensions(), 1);
        const Time later = c.t0() + 2 * day;
        CHECK_FAILS_WITH(verify(leaf, {short_int}, store, c.options(later)), ErrorCode::certificate_expired,
                         AlertDescription::certificate_expired);
        TrustStore short_store;
        short_store.add(short_root);
        CHECK_FAILS_WITH(verify(leaf, {inter}, short_store, c.options(later)), ErrorCode::certificate_expired,
                         AlertDescription::certificate_expired);
        // With the long-lived twins available too, the path goes around the expired ones.
        short_store.add(root);
        auto r = verify(leaf, {short_int, inter}, short_store, c.options(later));
        CHECK_VALID(r);
        CHECK(path_is(r, {leaf, inter, root}));
        // An intermediate not yet valid at the time of the check.
        CHECK_FAILS_WITH(verify(leaf, {inter}, store, c.options(inter->not_before - 1)),
                         ErrorCode::certificate_expired, AlertDescription::certificate_expired);
    }

    SECTION("no path to a trust anchor: unknown_issuer, alert unknown_ca") {
        CHECK_FAILS_WITH(verify(leaf, {inter}, TrustStore(), c.options(t)), ErrorCode::unknown_issuer,
                         AlertDescription::unknown_ca);
        CHECK_FAILS_WITH(verify(leaf, {}, store, c.options(t)), ErrorCode::unknown_issuer, AlertDescription::unknown_ca);
        // Trusting the intermediate's issuer's sibling: another root, another name.
        c.key("other", KeyType::p256);
        TrustStore other;
        other.add(c.issue_root("other-root", ca_extensions(), 3650, "other", "/CN=Some Other Root"));
        CHECK_FAILS_WITH(verify(leaf, {inter}, other, c.options(t)), ErrorCode::unknown_issuer,
                         AlertDescription::unknown_ca);
        // Trusting the intermediate itself is enough (it is an anchor, not a root).
        TrustStore int_only;
        int_only.add(inter);
        auto r = verify(leaf, {}, int_only, c.options(t));
        CHECK_VALID(r);
        CHECK(path_is(r, {leaf, inter}));
        // A trust anchor with the root's name but another key: the signature does not
        // verify. cordon reports the furthest failure (bad_signature), as rustls does,
        // so the alert is decrypt_error.
        c.key("imposter", c.root_key_type());
        TrustStore imposter;
        imposter.add(c.issue_root("imposter-root", ca_extensions(), 3650, "imposter"));
        CHECK_FAILS_WITH(verify(leaf, {inter}, imposter, c.options(t)), ErrorCode::bad_signature,
                         AlertDescription::decrypt_error);
    }

    SECTION("a damaged signature: bad_signature, alert decrypt_error") {
        ByteVec der = c.pki.der("leaf");
        der.back() ^= 0x01;  // the last byte of the signature
        const auto broken = parse_cert(der);
        CHECK_FAILS_WITH(verify(broken, {inter}, store, c.options(t)), ErrorCode::bad_signature,
                         AlertDescription::decrypt_error);
        ByteVec tbs = c.pki.der("leaf");
        // A changed byte in the signed part (the subject's "example"): same result.
        const std::string needle = "example";
        auto at = std::search(tbs.begin(), tbs.end(), needle.begin(), needle.end());
        REQUIRE(at != tbs.end());
        *at = 'E';
        CHECK_FAILS_WITH(verify(parse_cert(tbs), {inter}, store, c.options(t)), ErrorCode::bad_signature,
                         AlertDescription::decrypt_error);
    }
}

}  // namespace

TEST_CASE("verify: RSA-2048 chain", "[x509][verify]") {
    static Chain chain(Alg::rsa);  // three RSA keys: made once for all sections
    core_scenarios(chain);
}

TEST_CASE("verify: ECDSA chain (P-384 root, P-256 intermediate and leaf)", "[x509][verify]") {
    static Chain chain(Alg::ecdsa);
    core_scenarios(chain);
}

TEST_CASE("verify: path building through shuffled pools, cross-signed roots and loops", "[x509][verify]") {
    static Chain c(Alg::ecdsa);
    const auto root = c.cert("root"), inter = c.cert("int"), leaf = c.cert("leaf");
    const TrustStore store = c.store();
    const Time t = c.t0() + day;

    SECTION("intermediates in any order, with junk, duplicates and null entries") {
        c.key("junk", KeyType::p256);
        const auto junk_leaf = c.issue_leaf("junk-leaf", "root", leaf_extensions("DNS:junk.example"), 90, "junk",
                                            "/CN=junk.example");
        const auto junk_ca = c.issue_int("junk-ca", "root", ca_extensions(), 90, "junk", "/CN=Junk CA");
        std::vector<CertificatePtr> pool = {junk_leaf, inter, nullptr, root, junk_ca, inter, leaf, inter};
        std::sort(pool.begin(), pool.end());  // an arbitrary order
        do {
            auto o = c.options(t);
            o.peer_name = dns("example.com");
            auto r = verify(leaf, pool, store, o);
            CHECK_VALID(r);
            CHECK(path_is(r, {leaf, inter, root}));
        } while (std::next_permutation(pool.begin(), pool.begin() + 4));
    }

    SECTION("a cross-signed root: either root anchors the chain") {
        // A new root (R2) with its own key; the old root cross-signs it (X); R2 issues
        // an intermediate and a leaf. The pool holds R2 self-signed (a dead end when
        // only the old root is trusted), X, and the intermediate.
        c.key("r2", KeyType::p384);
        c.key("i2", KeyType::p256);
        const char* r2_dn = "/C=US/O=Cordon Test/CN=Cordon Test Root R2";
        const auto r2 = c.issue_root("r2", ca_extensions(), 3650, "r2", r2_dn);
        const auto cross = c.issue_int("r2-cross", "root", ca_extensions(), 1825, "r2", r2_dn);
        const auto i2 = c.issue_int("i2", "r2", ca_extensions(), 1825, "i2", "/CN=Cordon Test I2");
        const auto leaf2 = c.issue_leaf("leaf2", "i2", leaf_extensions(), 90);
        const std::vector<CertificatePtr> pool = {r2, cross, i2};

        auto old_only = verify(leaf2, pool, store, c.options(t));
        CHECK_VALID(old_only);
        CHECK(path_is(old_only, {leaf2, i2, cross, root}));
        auto new_only = verify(leaf2, pool, c.store({"r2"}), c.options(t));
        CHECK_VALID(new_only);
        CHECK(path_is(new_only, {leaf2, i2, r2}));
        // Without the cross-certificate, the old root alone cannot anchor it.
        CHECK_FAILS_WITH(verify(leaf2, {r2, i2}, store, c.options(t)), ErrorCode::unknown_issuer,
                         AlertDescription::unknown_ca);
        // Trusting both roots: a path to one of them.
        TrustStore both = c.store({"root", "r2"});
        auto r = verify(leaf2, pool, both, c.options(t));
        CHECK_VALID(r);
        CHECK(r->certificates.back()->not_after > t);
    }

    SECTION("a loop of CAs that certify each other ends in unknown_issuer") {
        // A and B, each issued by the other; the leaf is issued by A. No anchor.
        c.key("a", KeyType::p256);
        c.key("b", KeyType::p256);
        c.issue_root("a0", ca_extensions(), 365, "a", "/CN=Loop A");
        c.issue_root("b0", ca_extensions(), 365, "b", "/CN=Loop B");
        const auto a = c.issue_int("loop-a", "b0", ca_extensions(), 365, "a", "/CN=Loop A");
        const auto b = c.issue_int("loop-b", "a0", ca_extensions(), 365, "b", "/CN=Loop B");
        const auto loop_leaf = c.issue_leaf("loop-leaf", "a0", leaf_extensions(), 90);
        counting::Provider counter;
        auto o = c.options(t);
        o.provider = &counter.provider;
        CHECK_FAILS_WITH(verify(loop_leaf, {a, b, c.cert("a0"), c.cert("b0")}, store, o), ErrorCode::unknown_issuer,
                         AlertDescription::unknown_ca);
        CHECK(counting::checks > 0);
        CHECK(counting::checks <= o.max_signature_checks);
        // Trusting A (self-signed) ends it at once.
        TrustStore a_store;
        a_store.add(c.cert("a0"));
        auto r = verify(loop_leaf, {a, b}, a_store, c.options(t));
        CHECK_VALID(r);
        CHECK(r->certificates.size() == 2);
    }

    SECTION("the depth limit counts intermediates") {
        // root -> int -> sub -> leaf3: two intermediates.
        c.key("sub", KeyType::p256);
        const auto sub = c.issue_int("sub", "int", ca_extensions(), 365, "sub", "/CN=Cordon Test Sub");
        const auto leaf3 = c.issue_leaf("leaf3", "sub", leaf_extensions(), 90);
        auto o = c.options(t);
        o.max_intermediates = 2;
        CHECK_VALID(verify(leaf3, {sub, inter}, store, o));
        o.max_intermediates = 1;
        CHECK_FAILS_WITH(verify(leaf3, {sub, inter}, store, o), ErrorCode::unknown_issuer, AlertDescription::unknown_ca);
    }

    SECTION("no leaf") {
        auto r = verify_certificate(nullptr, {}, store, c.options(t));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::invalid_argument);
    }
}

TEST_CASE("verify: basicConstraints, pathLenConstraint and keyUsage of issuers", "[x509][verify]") {
    static Chain c(Alg::ecdsa);
    const auto root = c.cert("root"), inter = c.cert("int"), leaf = c.cert("leaf");
    const TrustStore store = c.store();
    const Time t = c.t0() + day;

    SECTION("pathLenConstraint") {
        // A root with pathLen 0 cannot have an intermediate under it.
        TrustStore pl0;
        pl0.add(c.issue_root("root-pl0", ca_extensions("0"), 3650));
        CHECK_FAILS_WITH(verify(leaf, {inter}, pl0, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        TrustStore pl1;
        pl1.add(c.issue_root("root-pl1", ca_extensions("1"), 3650));
        CHECK_VALID(verify(leaf, {inter}, pl1, c.options(t)));
        // An intermediate with pathLen 0 may issue leaves, but no further CA.
        const auto int_pl0 = c.issue_int("int-pl0", "root", ca_extensions("0"), 1825);
        CHECK_VALID(verify(leaf, {int_pl0}, store, c.options(t)));
        c.key("sub", KeyType::p256);
        const auto sub = c.issue_int("sub", "int-pl0", ca_extensions(), 365, "sub", "/CN=Cordon Test Sub");
        const auto leaf3 = c.issue_leaf("leaf3", "sub", leaf_extensions(), 90);
        CHECK_FAILS_WITH(verify(leaf3, {sub, int_pl0}, store, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        // The same sub-CA under the pathLen-free intermediate is fine.
        CHECK_VALID(verify(leaf3, {sub, inter}, store, c.options(t)));
        // The root's pathLen 1 allows exactly that one extra level... and not two.
        CHECK_FAILS_WITH(verify(leaf3, {sub, inter}, pl1, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
    }

    SECTION("an issuer that is not a CA") {
        // No basicConstraints at all (keyUsage keyCertSign alone does not make a CA).
        const auto no_bc = c.issue_int("int-nobc", "root", {"keyUsage = critical,keyCertSign,cRLSign"}, 1825);
        CHECK_FAILS_WITH(verify(leaf, {no_bc}, store, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        const auto not_ca = c.issue_int("int-notca", "root",
                                        {"basicConstraints = critical,CA:FALSE", "keyUsage = critical,keyCertSign"}, 1825);
        CHECK_FAILS_WITH(verify(leaf, {not_ca}, store, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        // RFC 5280 4.2.1.9: a CA's basicConstraints is critical.
        const auto noncritical =
            c.issue_int("int-ncbc", "root", {"basicConstraints = CA:TRUE", "keyUsage = critical,keyCertSign"}, 1825);
        CHECK_FAILS_WITH(verify(leaf, {noncritical}, store, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        // keyUsage without keyCertSign.
        const auto no_certsign = c.issue_int(
            "int-noku", "root", {"basicConstraints = critical,CA:TRUE", "keyUsage = critical,digitalSignature"}, 1825);
        CHECK_FAILS_WITH(verify(leaf, {no_certsign}, store, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        // A CA without keyUsage at all is accepted (RFC 5280 4.2.1.3 "SHOULD" only).
        const auto no_ku = c.issue_int("int-nokuext", "root", {"basicConstraints = critical,CA:TRUE"}, 1825);
        CHECK_VALID(verify(leaf, {no_ku}, store, c.options(t)));
        // A trusted root that is not a CA anchors nothing either.
        TrustStore leafy;
        leafy.add(c.issue_root("root-notca", {"basicConstraints = critical,CA:FALSE"}, 3650));
        CHECK_FAILS_WITH(verify(leaf, {inter}, leafy, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
    }

    SECTION("end-entity rules") {
        // A CA certificate as the leaf.
        CHECK_FAILS_WITH(verify(inter, {}, store, c.options(t)), ErrorCode::bad_certificate,
                         AlertDescription::bad_certificate);
        // keyCertSign in a leaf.
        auto ext = leaf_extensions();
        ext[1] = "keyUsage = critical,digitalSignature,keyCertSign";
        CHECK_FAILS_WITH(verify(c.issue_leaf("leaf-certsign", "int", ext), {inter}, store, c.options(t)),
                         ErrorCode::bad_certificate, AlertDescription::bad_certificate);
        // No subjectAltName.
        CHECK_FAILS_WITH(verify(c.issue_leaf("leaf-nosan", "int", leaf_extensions("")), {inter}, store, c.options(t)),
                         ErrorCode::bad_certificate, AlertDescription::bad_certificate);
        // No authorityKeyIdentifier (OpenSSL adds one unless told not to).
        ext = leaf_extensions();
        ext.push_back("authorityKeyIdentifier = none");
        CHECK_FAILS_WITH(verify(c.issue_leaf("leaf-noaki", "int", ext), {inter}, store, c.options(t)),
                         ErrorCode::bad_certificate, AlertDescription::bad_certificate);
        // A v1 leaf.
        CHECK_FAILS_WITH(verify(c.issue_leaf("leaf-v1", "int", {}), {inter}, store, c.options(t)),
                         ErrorCode::bad_certificate, AlertDescription::bad_certificate);
    }
}

TEST_CASE("verify: extended key usage and the purpose asked for", "[x509][verify]") {
    static Chain c(Alg::ecdsa);
    const auto inter = c.cert("int");
    const TrustStore store = c.store();
    const Time t = c.t0() + day;
    auto server = c.options(t);
    auto client = c.options(t);
    client.purpose = Purpose::client_auth;

    const auto client_only = c.issue_leaf("leaf-client", "int", leaf_extensions(default_san, "clientAuth"));
    CHECK_FAILS_WITH(verify(client_only, {inter}, store, server), ErrorCode::bad_certificate,
                     AlertDescription::bad_certificate);
    CHECK_VALID(verify(client_only, {inter}, store, client));

    const auto server_only = c.cert("leaf");
    CHECK_FAILS_WITH(verify(server_only, {inter}, store, client), ErrorCode::bad_certificate,
                     AlertDescription::bad_certificate);

    const auto both = c.issue_leaf("leaf-both", "int", leaf_extensions(default_san, "serverAuth,clientAuth"));
    CHECK_VALID(verify(both, {inter}, store, server));
    CHECK_VALID(verify(both, {inter}, store, client));

    // No extendedKeyUsage: any purpose (RFC 5280 4.2.1.12).
    const auto none = c.issue_leaf("leaf-noeku", "int", leaf_extensions(default_san, ""));
    CHECK_VALID(verify(none, {inter}, store, server));
    CHECK_VALID(verify(none, {inter}, store, client));

    // anyExtendedKeyUsage in a leaf is refused by the web PKI profile.
    const auto any = c.issue_leaf("leaf-any", "int", leaf_extensions(default_san, "anyExtendedKeyUsage"));
    CHECK_FAILS_WITH(verify(any, {inter}, store, server), ErrorCode::bad_certificate, AlertDescription::bad_certificate);

    // An intermediate restricted to clientAuth cannot issue server certificates.
    auto ext = ca_extensions();
    ext.push_back("extendedKeyUsage = clientAuth");
    const auto client_int = c.issue_int("int-client", "root", ext, 1825);
    CHECK_FAILS_WITH(verify(c.cert("leaf-both"), {client_int}, store, server), ErrorCode::bad_certificate,
                     AlertDescription::bad_certificate);
    CHECK_VALID(verify(c.cert("leaf-both"), {client_int}, store, client));
    ext.back() = "extendedKeyUsage = serverAuth,clientAuth";
    CHECK_VALID(verify(c.cert("leaf-both"), {c.issue_int("int-both", "root", ext, 1825)}, store, server));
}

TEST_CASE("verify: unsupported certificates", "[x509][verify]") {
    static Chain c(Alg::ecdsa);
    const auto inter = c.cert("int");
    const TrustStore store = c.store();
    const Time t = c.t0() + day;

    SECTION("an unknown critical extension: unsupported_certificate, alert unsupported_certificate") {
        auto ext = leaf_extensions();
        ext.push_back("1.3.6.1.4.1.99999.1 = critical,DER:0500");
        CHECK_FAILS_WITH(verify(c.issue_leaf("leaf-crit", "int", ext), {inter}, store, c.options(t)),
                         ErrorCode::unsupported_certificate, AlertDescription::unsupported_certificate);
        ext.back() = "1.3.6.1.4.1.99999.1 = DER:0500";  // the same, non-critical: ignored
        CHECK_VALID(verify(c.issue_leaf("leaf-noncrit", "int", ext), {inter}, store, c.options(t)));
        // In an intermediate too.
        auto ca = ca_extensions();
        ca.push_back("1.3.6.1.4.1.99999.1 = critical,DER:0500");
        CHECK_FAILS_WITH(verify(c.cert("leaf"), {c.issue_int("int-crit", "root", ca, 1825)}, store, c.options(t)),
                         ErrorCode::unsupported_certificate, AlertDescription::unsupported_certificate);
    }

    SECTION("weak signature algorithms and keys") {
        // SHA-1 (the intermediate's key, signing the leaf with SHA-1).
        CertSpec s;
        s.subject = leaf_dn;
        s.key = "leaf";
        s.issuer = "int";
        s.days = 90;
        s.serial = "4242";
        s.extensions = leaf_extensions();
        s.digest = "sha1";
        c.pki.issue("leaf-sha1", s);
        CHECK_FAILS_WITH(verify(c.cert("leaf-sha1"), {inter}, store, c.options(t)), ErrorCode::unsupported_certificate,
                         AlertDescription::unsupported_certificate);
        // A P-256 key signing with SHA-384 (CABF pairs P-256 with SHA-256 only).
        s.digest = "sha384";
        s.serial = "4243";
        c.pki.issue("leaf-p256-sha384", s);
        CHECK_FAILS_WITH(verify(c.cert("leaf-p256-sha384"), {inter}, store, c.options(t)),
                         ErrorCode::unsupported_certificate, AlertDescription::unsupported_certificate);
        // RSA-1024 in the leaf.
        c.key("rsa1024", KeyType::rsa1024);
        const auto small = c.issue_leaf("leaf-rsa1024", "int", leaf_extensions(), 90, "rsa1024");
        CHECK_FAILS_WITH(verify(small, {inter}, store, c.options(t)), ErrorCode::unsupported_certificate,
                         AlertDescription::unsupported_certificate);
        // An Ed25519 leaf is fine.
        c.key("ed", KeyType::ed25519);
        CHECK_VALID(verify(c.issue_leaf("leaf-ed", "int", leaf_extensions(), 90, "ed"), {inter}, store, c.options(t)));
    }
}

TEST_CASE("verify: RSASSA-PSS CA keys sign RSASSA-PSS only, within their parameters", "[x509][verify][rsa-pss]") {
    Pki pki;
    int serial = 0;
    const auto issue = [&](const std::string& name, const std::string& key, const std::string& issuer,
                           const std::string& subject, std::vector<std::string> extensions, const std::string& digest,
                           const std::string& sigopts) {
        CertSpec s;
        s.subject = subject;
        s.key = key;
        s.issuer = issuer;
        s.days = issuer.empty() ? 3650 : 90;
        s.serial = std::to_string(++serial);
        s.extensions = std::move(extensions);
        s.digest = digest;
        s.extra_args = sigopts;
        pki.issue(name, s);
        return pki.cert(name);
    };
    pki.key("pss", KeyType::rsa_pss2048);
    pki.key("pss384", KeyType::rsa_pss2048_sha384);
    pki.key("leaf", KeyType::p256);
    // The same keys as rsaEncryption keys: OpenSSL signs with them what the PSS
    // keys never would (PKCS#1 v1.5, PSS outside the key's parameters).
    const ByteVec rsa_encryption = test::from_hex("300d06092a864886f70d0101010500");
    pki.rewrite_key_algorithm("pss", "pss-twin", rsa_encryption);
    pki.rewrite_key_algorithm("pss384", "pss384-twin", rsa_encryption);
    const std::string salt32 = "-sigopt rsa_pss_saltlen:32";
    const std::string pss_salt32 = "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32";

    // A root with an id-RSASSA-PSS key, and its rsaEncryption twin (same name and modulus).
    const auto root = issue("root", "pss", "", root_dn, ca_extensions(), "sha256", salt32);
    const auto twin = issue("twin", "pss-twin", "", root_dn, ca_extensions(), "sha256", "");
    REQUIRE(std::get<tls::crypto::RsaPublicKey>(*root->public_key).pss_only);
    REQUIRE_FALSE(std::get<tls::crypto::RsaPublicKey>(*twin->public_key).pss_only);
    TrustStore pss_store, twin_store;
    pss_store.add(root);
    twin_store.add(twin);

    // RSASSA-PSS (SHA-256, salt 32) by the PSS key: valid.
    const auto good = issue("good", "leaf", "root", leaf_dn, leaf_extensions(), "sha256", salt32);
    VerifyOptions o;
    o.now = good->not_before + day;
    CHECK(good->signature_algorithm.algorithm == SignatureAlgorithm::rsa_pss);
    CHECK_VALID(verify(good, {}, pss_store, o));
    CHECK_VALID(verify(good, {}, twin_store, o));  // an rsaEncryption key may sign PSS too

    // PKCS#1 v1.5 by the same modulus: fine under the rsaEncryption twin, refused
    // under the PSS key (RFC 4055 1.2), although the arithmetic checks out.
    const auto pkcs1 = issue("pkcs1", "leaf", "twin", leaf_dn, leaf_extensions(), "sha256", "");
    CHECK(pkcs1->signature_algorithm.algorithm == SignatureAlgorithm::rsa_pkcs1_sha256);
    CHECK_VALID(verify(pkcs1, {}, twin_store, o));
    CHECK_FAILS_WITH(verify(pkcs1, {}, pss_store, o), ErrorCode::unsupported_certificate,
                     AlertDescription::unsupported_certificate);

    // A root whose PSS key allows SHA-384 (salt 48+) only.
    const auto root384 = issue("root384", "pss384", "", "/CN=PSS-384 Root", ca_extensions(), "sha384", "");
    const auto twin384 = issue("twin384", "pss384-twin", "", "/CN=PSS-384 Root", ca_extensions(), "sha384", "");
    REQUIRE(std::get<tls::crypto::RsaPublicKey>(*root384->public_key).pss_params.has_value());
    TrustStore store384, twin384_store;
    store384.add(root384);
    twin384_store.add(twin384);
    const auto good384 = issue("good384", "leaf", "root384", leaf_dn, leaf_extensions(), "sha384", "");
    CHECK(good384->signature_algorithm.pss.hash == tls::crypto::HashAlgorithm::sha384);
    CHECK(good384->signature_algorithm.pss.salt_size == 48);
    CHECK_VALID(verify(good384, {}, store384, o));
    // SHA-256 PSS by the same modulus: outside the key's parameters (RFC 4055 3.3).
    const auto outside = issue("outside", "leaf", "twin384", leaf_dn, leaf_extensions(), "sha256", pss_salt32);
    CHECK(outside->signature_algorithm.algorithm == SignatureAlgorithm::rsa_pss);
    CHECK_VALID(verify(outside, {}, twin384_store, o));
    CHECK_FAILS_WITH(verify(outside, {}, store384, o), ErrorCode::unsupported_certificate,
                     AlertDescription::unsupported_certificate);
}

TEST_CASE("verify: name constraints end to end", "[x509][verify][constraints]") {
    static Chain c(Alg::ecdsa);
    const TrustStore store = c.store();
    const Time t = c.t0() + day;
    auto constrained = [&](const std::string& name, const std::string& constraints) {
        auto ext = ca_extensions();
        ext.push_back("nameConstraints = critical," + constraints);
        ext.push_back("[nc_dir]");
        ext.push_back("C = US");
        ext.push_back("O = Bad");
        return c.issue_int(name, "root", ext, 1825);
    };
    auto leaf_with = [&](const std::string& name, const std::string& san, const std::string& subject = leaf_dn) {
        return c.issue_leaf(name, "int", leaf_extensions(san), 90, "leaf", subject);
    };
    auto check = [&](const CertificatePtr& inter, const CertificatePtr& leaf, bool valid) {
        auto r = verify(leaf, {inter}, store, c.options(t));
        if (valid) {
            CHECK_VALID(r);
        } else {
            CHECK_FAILS_WITH(r, ErrorCode::bad_certificate, AlertDescription::bad_certificate);
        }
    };

    SECTION("dNSName: permitted and excluded, wildcards against excluded subtrees") {
        const auto nc = constrained("int-nc-dns", "permitted;DNS:example.com,excluded;DNS:www.example.com");
        check(nc, leaf_with("l-ok", "DNS:example.com,DNS:api.example.com"), true);
        check(nc, leaf_with("l-outside", "DNS:example.com,DNS:example.org"), false);   // not permitted
        check(nc, leaf_with("l-excluded", "DNS:www.example.com"), false);
        check(nc, leaf_with("l-excluded-sub", "DNS:a.www.example.com"), false);
        // "*.example.com" also stands for www.example.com: refused under the exclusion.
        check(nc, leaf_with("l-wild", "DNS:*.example.com"), false);
        // "*.api.example.com" cannot be www.example.com or below it.
        check(nc, leaf_with("l-wild-ok", "DNS:*.api.example.com"), true);
        // Without the exclusion, the wildcard is inside the permitted subtree.
        const auto permit_only = constrained("int-nc-permit", "permitted;DNS:example.com");
        check(permit_only, leaf_with("l-wild2", "DNS:*.example.com"), true);
        const auto permit_sub = constrained("int-nc-sub", "permitted;DNS:api.example.com");
        check(permit_sub, leaf_with("l-wild3", "DNS:*.example.com"), false);
        // A leaf with only an IP address is not touched by DNS constraints.
        check(nc, leaf_with("l-ip-only", "IP:192.0.2.1"), true);
    }

    SECTION("iPAddress") {
        const auto nc = constrained("int-nc-ip", "permitted;IP:192.0.2.0/255.255.255.0,excluded;IP:192.0.2.128/255.255.255.128,"
                                                 "permitted;IP:2001:db8::/ffff:ffff::");
        check(nc, leaf_with("l-ip", "DNS:example.com,IP:192.0.2.1,IP:2001:db8::1"), true);
        check(nc, leaf_with("l-ip-out", "IP:198.51.100.1"), false);
        check(nc, leaf_with("l-ip-excl", "IP:192.0.2.200"), false);
        check(nc, leaf_with("l-ip6-out", "IP:2001:db9::1"), false);
    }

    SECTION("rfc822Name and directoryName") {
        const auto nc = constrained("int-nc-mail", "permitted;email:.example.com,excluded;email:root@mail.example.com,"
                                                   "excluded;dirName:nc_dir");
        check(nc, leaf_with("l-mail", "DNS:example.com,email:alice@mail.example.com"), true);
        check(nc, leaf_with("l-mail-out", "DNS:example.com,email:alice@example.org"), false);
        check(nc, leaf_with("l-mail-excl", "DNS:example.com,email:root@mail.example.com"), false);
        // The subject is checked as a directoryName.
        check(nc, leaf_with("l-dir-excl", "DNS:example.com", "/C=US/O=Bad/CN=example.com"), false);
        check(nc, leaf_with("l-dir-ok", "DNS:example.com", "/C=US/O=Good/CN=example.com"), true);
    }

    SECTION("constraints apply below the CA that sets them, through other intermediates") {
        // A root-level constraint on the trust anchor, with the ordinary intermediate below it.
        auto ext = ca_extensions();
        ext.push_back("nameConstraints = critical,permitted;DNS:example.org");
        TrustStore constrained_root;
        constrained_root.add(c.issue_root("root-nc", ext, 3650));
        CHECK_FAILS_WITH(verify(c.cert("leaf"), {c.cert("int")}, constrained_root, c.options(t)),
                         ErrorCode::bad_certificate, AlertDescription::bad_certificate);
        ext.back() = "nameConstraints = critical,permitted;DNS:example.com";
        TrustStore fitting_root;
        fitting_root.add(c.issue_root("root-nc2", ext, 3650));
        CHECK_VALID(verify(c.cert("leaf"), {c.cert("int")}, fitting_root, c.options(t)));
    }
}

TEST_CASE("verify: path building work is bounded (50 decoy intermediates)", "[x509][verify][bounds]") {
    Chain c(Alg::ecdsa);
    const auto inter = c.cert("int"), leaf = c.cert("leaf");
    const TrustStore store = c.store();
    const Time t = c.t0() + day;
    // 50 CAs with the intermediate's exact name, each with its own key, none of
    // which signed the leaf: each is a candidate that costs a signature check.
    std::vector<CertificatePtr> decoys;
    for (int i = 0; i < 50; ++i) {
        CertSpec s;
        s.subject = int_dn;
        s.new_key = KeyType::p256;
        s.issuer = "root";
        s.days = 365;
        s.serial = std::to_string(1000 + i);
        s.extensions = ca_extensions();
        s.digest = "sha384";
        const std::string name = "decoy" + std::to_string(i);
        c.pki.issue(name, s);
        decoys.push_back(c.cert(name));
    }
    counting::Provider counter;
    auto o = c.options(t);
    o.provider = &counter.provider;

    // Within the default budget (64): every decoy is tried once, then the search ends.
    REQUIRE(o.max_signature_checks == 64);
    auto r = verify(leaf, decoys, store, o);
    REQUIRE_FALSE(r.ok());
    CHECK(counting::checks == 50);
    // The real intermediate after the decoys: its subjectKeyIdentifier matches the
    // leaf's authorityKeyIdentifier, so it is tried first: 2 checks (leaf, intermediate).
    counting::checks = 0;
    auto with_real = decoys;
    with_real.push_back(inter);
    CHECK_VALID(verify(leaf, with_real, store, o));
    CHECK(counting::checks == 2);

    // A small budget: the search gives up after exactly that many checks, as unknown_issuer.
    for (std::size_t budget : {1u, 10u}) {
        INFO("budget " << budget);
        counting::checks = 0;
        o.max_signature_checks = budget;
        CHECK_FAILS_WITH(verify(leaf, decoys, store, o), ErrorCode::unknown_issuer, AlertDescription::unknown_ca);
        CHECK(counting::checks == budget);
    }
}

TEST_CASE("verify: path building work is bounded (a mesh of cross-certified CAs)", "[x509][verify][bounds]") {
    // Five keys, all under one name ("CN=Mesh"), each key certified by every other:
    // 25 self-issued CA certificates whose signatures all verify, so the number of
    // paths grows factorially with the keys. No anchor has the name: the search
    // must end within the signature budget.
    Chain c(Alg::ecdsa);
    const TrustStore store = c.store();
    constexpr int keys = 5;
    for (int i = 0; i < keys; ++i) c.key("mesh-key" + std::to_string(i), KeyType::p256);
    std::vector<CertificatePtr> mesh;
    auto self = [](int i) { return "mesh" + std::to_string(i) + "-" + std::to_string(i); };
    for (int i = 0; i < keys; ++i)
        mesh.push_back(c.issue_root(self(i), ca_extensions(), 365, "mesh-key" + std::to_string(i), "/CN=Mesh"));
    for (int i = 0; i < keys; ++i) {
        for (int j = 0; j < keys; ++j) {
            if (i == j) continue;
            const std::string name = "mesh" + std::to_string(i) + "-by-" + std::to_string(j);
            mesh.push_back(c.issue_int(name, self(j), ca_extensions(), 365, "mesh-key" + std::to_string(i), "/CN=Mesh"));
        }
    }
    const auto leaf = c.issue_leaf("mesh-leaf", "mesh0-0", leaf_extensions(), 90);
    counting::Provider counter;
    auto o = c.options(c.t0() + day);
    o.provider = &counter.provider;
    CHECK_FAILS_WITH(verify(leaf, mesh, store, o), ErrorCode::unknown_issuer, AlertDescription::unknown_ca);
    CHECK(counting::checks == o.max_signature_checks);
    // Trusting one of the mesh keys (self-signed), a path exists. Every certificate
    // named "CN=Mesh" is a candidate issuer of every other (candidates are chosen
    // by name, not by key identifier), so the default budget runs out before the
    // search reaches it: a valid chain is refused, by design of the bound.
    TrustStore mesh_store;
    mesh_store.add(mesh[3]);
    counting::checks = 0;
    CHECK_FAILS_WITH(verify(leaf, mesh, mesh_store, o), ErrorCode::unknown_issuer, AlertDescription::unknown_ca);
    CHECK(counting::checks == o.max_signature_checks);
    // With a larger budget the same search finds it.
    counting::checks = 0;
    o.max_signature_checks = 10000;
    auto found = verify(leaf, mesh, mesh_store, o);
    CHECK_VALID(found);
    INFO("signature checks: " << counting::checks);
    CHECK(counting::checks < 10000);
    CHECK(std::ranges::equal(found->certificates.back()->der(), mesh[3]->der()));
}

TEST_CASE("verify: trust store from PEM", "[x509][verify]") {
    static Chain c(Alg::ecdsa);
    TrustStore store;
    auto added = store.add_pem("some text\n" + c.pki.pem("root") + c.pki.pem("int"));
    REQUIRE(added.ok());
    CHECK(*added == 2);
    CHECK(store.anchors().size() == 2);
    store.add(c.cert("root"));  // the same certificate again: not added twice
    CHECK(store.anchors().size() == 2);
    CHECK_VALID(verify(c.cert("leaf"), {}, store, c.options(c.t0() + day)));
}
