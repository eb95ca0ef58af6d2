// PKCS#12 files made at run time by `openssl pkcs12 -export` (OpenSSL 3's
// default: PBES2/AES-256-CBC/PBKDF2-SHA256 with an HMAC-SHA256 MAC; and -legacy:
// 3DES key, 40-bit RC2 certificates, HMAC-SHA1 MAC) and by Java's keytool (JDK 17:
// PBES2/AES-256 with HMAC-SHA256, the form a Java server's keystore takes). RSA-2048
// and EC P-256 leaves under a two-certificate chain (root and intermediate CA).
// Each loaded key must sign what OpenSSL verifies with the leaf certificate, and
// the certificate and chain must come back in issuing order. Then: wrong password,
// truncation and corruption, limits, and the PKCS#12 KDF against OpenSSL's own.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pkcs12.h>

#include <cstring>

#include "support/hex.hpp"
#include "x509/key_tools.hpp"
#include "x509/pkcs12.hpp"
#include "x509/pkcs12_kdf.hpp"

using namespace tls;
using namespace tls::x509;
using crypto::SignatureScheme;
using keytest::read_bytes;
using keytest::run_ok;
using keytest::signs_for_openssl;
using keytest::TempDir;

namespace {

const crypto::CryptoProvider& provider = crypto::default_provider();

// Root CA -> intermediate CA (both EC P-256), made with the openssl CLI; leaves are issued on demand.
struct Pki {
    TempDir dir;
    Pki() {
        run_ok(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key "
                    "-out root.pem -subj /CN=Cordon-Test-Root -days 2 "
                    "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
        run_ok(dir, "printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' > ca.ext");
        run_ok(dir, "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout inter.key "
                    "-out inter.csr -subj /CN=Cordon-Test-Intermediate");
        run_ok(dir, "openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 2 -days 2 "
                    "-extfile ca.ext -out inter.pem");
        run_ok(dir, "cat inter.pem root.pem > chain.pem");
    }
    // Issues <name>.pem for <name>.csr from the intermediate.
    void issue(const std::string& name, int serial) {
        run_ok(dir, "openssl x509 -req -in " + name + ".csr -CA inter.pem -CAkey inter.key -set_serial " +
                        std::to_string(serial) + " -days 2 -out " + name + ".pem");
    }
    // A leaf with a fresh key ("rsa" or "ec") as <name>.key and <name>.pem.
    void leaf(const std::string& name, const std::string& type, int serial) {
        const std::string algorithm =
            type == "rsa" ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
        run_ok(dir, "openssl req " + algorithm + " -nodes -keyout " + name + ".key -out " + name + ".csr -subj /CN=" +
                        name + ".example");
        issue(name, serial);
    }
    std::vector<std::uint8_t> der(const std::string& name) {
        run_ok(dir, "openssl x509 -in " + name + ".pem -outform DER -out " + name + ".der");
        return read_bytes(dir.file(name + ".der"));
    }
};

std::string hex(crypto::Bytes b) { return test::to_hex(b); }

// The bundle holds the leaf, [intermediate, root] in that order, and a key that signs for OpenSSL.
void check_bundle(const Pkcs12Bundle& bundle, Pki& pki, const std::string& leaf, SignatureScheme scheme) {
    REQUIRE(bundle.certificate);
    CHECK(hex(bundle.certificate->der()) == hex(pki.der(leaf)));
    REQUIRE(bundle.chain.size() == 2);
    CHECK(hex(bundle.chain[0]->der()) == hex(pki.der("inter")));
    CHECK(hex(bundle.chain[1]->der()) == hex(pki.der("root")));
    REQUIRE(bundle.signing_key);
    CHECK(signs_for_openssl(*bundle.signing_key, scheme, pki.dir.file(leaf + ".pem")));
}

ErrorCode load_error(crypto::Bytes der, std::string_view password, const Pkcs12Options& options = {}) {
    auto r = load_pkcs12(der, password, provider, options);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().message);
    return r.error().code;
}

}  // namespace

TEST_CASE("openssl pkcs12 -export files load: default and -legacy, RSA and EC leaves", "[x509][pkcs12]") {
    Pki pki;
    pki.leaf("rsa", "rsa", 3);
    pki.leaf("ec", "ec", 4);
    struct Case {
        const char* leaf;
        const char* options;
        SignatureScheme scheme;
    };
    const Case cases[] = {
        {"rsa", "", SignatureScheme::rsa_pss_rsae_sha256},
        {"rsa", "-legacy", SignatureScheme::rsa_pkcs1_sha256},
        {"ec", "", SignatureScheme::ecdsa_secp256r1_sha256},
        {"ec", "-legacy", SignatureScheme::ecdsa_secp256r1_sha256},
    };
    for (const auto& c : cases) {
        INFO(c.leaf << " " << c.options);
        const std::string leaf = c.leaf;
        run_ok(pki.dir, "openssl pkcs12 -export " + std::string(c.options) + " -inkey " + leaf + ".key -in " + leaf +
                            ".pem -certfile chain.pem -passout pass:s3cret -out out.p12");
        const auto der = read_bytes(pki.dir.file("out.p12"));
        auto bundle = load_pkcs12(der, "s3cret", provider);
        REQUIRE(bundle.ok());
        check_bundle(*bundle, pki, leaf, c.scheme);
        CHECK(load_error(der, "wrong") == ErrorCode::bad_password);
        CHECK(load_error(der, "") == ErrorCode::bad_password);
        // The mbedTLS provider has AES, 3DES and SHA-1 but not RC2: the legacy file's
        // RC2-encrypted certificates are a clear refusal there.
        auto with_mbedtls = load_pkcs12(der, "s3cret", crypto::mbedtls_provider());
        if (std::string(c.options) == "-legacy") CHECK(with_mbedtls.error().code == ErrorCode::unsupported);
        else CHECK(with_mbedtls.ok());
    }
}

TEST_CASE("Other openssl pkcs12 encodings: key and certificate PBEs, no encryption, iteration 1, no MAC",
          "[x509][pkcs12]") {
    Pki pki;
    pki.leaf("leaf", "ec", 3);
    const std::string base = "openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile chain.pem ";
    const char* variants[] = {
        "-keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1",
        "-keypbe AES-128-CBC -certpbe AES-256-CBC -macalg sha512",
        "-keypbe NONE -certpbe NONE",  // an unencrypted keyBag and certificates in plain data
        "-noiter -nomaciter",          // iteration counts of 1 (the MacData DEFAULT)
        "-legacy -noiter -nomaciter",
    };
    for (const char* v : variants) {
        INFO(v);
        run_ok(pki.dir, base + v + " -passout pass:s3cret -out out.p12");
        const auto der = read_bytes(pki.dir.file("out.p12"));
        auto bundle = load_pkcs12(der, "s3cret", provider);
        REQUIRE(bundle.ok());
        check_bundle(*bundle, pki, "leaf", SignatureScheme::ecdsa_secp256r1_sha256);
        CHECK(load_error(der, "S3cret") == ErrorCode::bad_password);
    }

    // Without a MAC the file still loads (OpenSSL reads it too), unless a MAC is required;
    // a wrong password then shows as an item that does not decrypt.
    run_ok(pki.dir, base + "-nomac -passout pass:s3cret -out nomac.p12");
    const auto nomac = read_bytes(pki.dir.file("nomac.p12"));
    REQUIRE(load_pkcs12(nomac, "s3cret", provider).ok());
    CHECK(load_error(nomac, "wrong") == ErrorCode::bad_password);
    Pkcs12Options strict;
    strict.require_mac = true;
    CHECK(load_error(nomac, "s3cret", strict) == ErrorCode::unsupported);
}

TEST_CASE("Empty and non-ASCII passwords use the BMPString encoding OpenSSL uses", "[x509][pkcs12]") {
    Pki pki;
    pki.leaf("leaf", "ec", 3);
    const std::string base = "openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile chain.pem ";
    for (const char* mode : {"", "-legacy"}) {
        INFO(mode);
        run_ok(pki.dir, base + mode + " -passout pass: -out empty.p12");
        const auto empty = read_bytes(pki.dir.file("empty.p12"));
        auto bundle = load_pkcs12(empty, "", provider);
        REQUIRE(bundle.ok());
        check_bundle(*bundle, pki, "leaf", SignatureScheme::ecdsa_secp256r1_sha256);
        CHECK(load_error(empty, "x") == ErrorCode::bad_password);

        // "pässwörd €𝄞": two-byte, three-byte and four-byte (surrogate pair) UTF-8.
        const std::string password = "p\xc3\xa4ssw\xc3\xb6rd \xe2\x82\xac\xf0\x9d\x84\x9e";
        run_ok(pki.dir, base + mode + " -passout 'pass:" + password + "' -out unicode.p12");
        const auto unicode = read_bytes(pki.dir.file("unicode.p12"));
        REQUIRE(load_pkcs12(unicode, password, provider).ok());
        CHECK(load_error(unicode, "passwort") == ErrorCode::bad_password);
        CHECK(load_error(unicode, "\xff\xfe") == ErrorCode::invalid_argument);  // not UTF-8
    }
}

TEST_CASE("Java keytool PKCS12 keystores load: RSA with a CA-signed chain, EC self-signed", "[x509][pkcs12][java]") {
    INFO("keytool comes with a JDK; tools/install-deps.sh installs openjdk-17-jdk-headless");
    REQUIRE(keytest::have_program("keytool"));
    Pki pki;
    const std::string store = "keytool -keystore ks.p12 -storetype PKCS12 -storepass changeit1 ";
    // RSA-2048 key made by keytool, certified by our intermediate; the reply carries the
    // whole chain, and the root also goes in as a trusted certificate entry.
    run_ok(pki.dir, store + "-genkeypair -alias server -keyalg RSA -keysize 2048 -dname CN=java.example -validity 2");
    run_ok(pki.dir, store + "-certreq -alias server -file java.csr");
    pki.issue("java", 5);
    run_ok(pki.dir, store + "-importcert -alias root -file root.pem -noprompt");
    run_ok(pki.dir, "cat java.pem inter.pem root.pem > reply.pem");
    run_ok(pki.dir, store + "-importcert -alias server -file reply.pem -noprompt");
    const auto der = read_bytes(pki.dir.file("ks.p12"));
    auto bundle = load_pkcs12(der, "changeit1", provider);
    REQUIRE(bundle.ok());
    check_bundle(*bundle, pki, "java", SignatureScheme::rsa_pss_rsae_sha256);
    CHECK(load_error(der, "changeit2") == ErrorCode::bad_password);

    // EC P-256, self-signed: no chain.
    run_ok(pki.dir, "keytool -keystore ec.p12 -storetype PKCS12 -storepass changeit1 -genkeypair -alias ec "
                    "-keyalg EC -groupname secp256r1 -dname CN=java-ec.example -validity 2");
    auto ec = load_pkcs12(read_bytes(pki.dir.file("ec.p12")), "changeit1", provider);
    REQUIRE(ec.ok());
    CHECK(ec->chain.empty());
    CHECK(ec->certificate->self_issued());
    keytest::write_bytes(pki.dir.file("ec_cert.der"), ec->certificate->der());
    run_ok(pki.dir, "openssl x509 -inform DER -in ec_cert.der -out ec_cert.pem");
    CHECK(signs_for_openssl(*ec->signing_key, SignatureScheme::ecdsa_secp256r1_sha256, pki.dir.file("ec_cert.pem")));
}

TEST_CASE("Truncated and corrupted PKCS#12 files are refused, never crash", "[x509][pkcs12]") {
    Pki pki;
    pki.leaf("leaf", "ec", 3);
    run_ok(pki.dir, "openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile chain.pem -passout pass:s3cret "
                    "-out out.p12");
    const auto der = read_bytes(pki.dir.file("out.p12"));
    REQUIRE(load_pkcs12(der, "s3cret", provider).ok());
    for (std::size_t n = 0; n < der.size(); ++n)
        CHECK(load_error(crypto::Bytes(der.data(), n), "s3cret") == ErrorCode::decode_error);
    auto longer = der;
    longer.push_back(0);
    CHECK(load_error(longer, "s3cret") == ErrorCode::decode_error);
    // Every byte is either structure or under the MAC: any flip must be refused.
    for (std::size_t i = 0; i < der.size(); i += 5) {
        auto flipped = der;
        flipped[i] ^= 0x20;
        auto r = load_pkcs12(flipped, "s3cret", provider);
        CHECK_FALSE(r.ok());
    }
}

TEST_CASE("PKCS#12 limits and the files load_pkcs12 cannot use", "[x509][pkcs12]") {
    Pki pki;
    pki.leaf("leaf", "ec", 3);
    pki.leaf("other", "ec", 4);
    const std::string base = "openssl pkcs12 -export -passout pass:s3cret ";
    run_ok(pki.dir, base + "-inkey leaf.key -in leaf.pem -certfile chain.pem -out out.p12");
    const auto der = read_bytes(pki.dir.file("out.p12"));
    Pkcs12Options low;
    low.limits.max_iterations = 1000;  // OpenSSL writes 2048
    CHECK(load_error(der, "s3cret", low) == ErrorCode::unsupported);
    Pkcs12Options few;
    few.max_encrypted_items = 1;  // the file has two: the certificates and the key
    CHECK(load_error(der, "s3cret", few) == ErrorCode::unsupported);

    // Certificates only: parse_pkcs12 reads them, load_pkcs12 wants a key.
    run_ok(pki.dir, base + "-nokeys -in leaf.pem -certfile chain.pem -out certs.p12");
    const auto certs = read_bytes(pki.dir.file("certs.p12"));
    auto contents = parse_pkcs12(certs, "s3cret", provider);
    REQUIRE(contents.ok());
    CHECK(contents->keys.empty());
    CHECK(contents->certificates.size() == 3);
    CHECK(load_error(certs, "s3cret") == ErrorCode::unsupported);

    // A key with no certificate of its own: only other keys' certificates.
    run_ok(pki.dir, base + "-nocerts -inkey other.key -out key_only.p12");
    CHECK(load_error(read_bytes(pki.dir.file("key_only.p12")), "s3cret") == ErrorCode::bad_certificate);
}

TEST_CASE("The PKCS#12 KDF matches OpenSSL's PKCS12_key_gen", "[x509][pkcs12][kdf]") {
    const std::vector<std::uint8_t> salt = test::from_hex("0a58cf64530d823f");
    struct Md {
        crypto::HashAlgorithm hash;
        const EVP_MD* md;
    };
    const Md mds[] = {{crypto::HashAlgorithm::sha1, EVP_sha1()},
                      {crypto::HashAlgorithm::sha256, EVP_sha256()},
                      {crypto::HashAlgorithm::sha512, EVP_sha512()}};
    for (const auto& [algorithm, md] : mds) {
        const crypto::HashDescriptor& hash = *provider.find(algorithm);
        for (const char* password : {"", "smeg", "queeg", "p\xc3\xa4ssw\xc3\xb6rd \xf0\x9d\x84\x9e"}) {
            auto bmp = pkcs12_bmp_password(password);
            REQUIRE(bmp.ok());
            for (auto purpose : {Pkcs12Purpose::key, Pkcs12Purpose::iv, Pkcs12Purpose::mac}) {
                for (std::size_t length : {5u, 8u, 20u, 24u, 33u, 100u, 200u}) {
                    for (std::uint32_t iterations : {1u, 2u, 1000u}) {
                        INFO(crypto::to_string(algorithm) << " '" << password << "' id " << int(purpose) << " length "
                                                          << length << " iterations " << iterations);
                        std::vector<std::uint8_t> ours(length), theirs(length);
                        REQUIRE(pkcs12_kdf(hash, bmp->bytes(), salt, iterations, purpose, ours).ok());
                        REQUIRE(PKCS12_key_gen_utf8(password, static_cast<int>(std::strlen(password)),
                                                    const_cast<std::uint8_t*>(salt.data()),
                                                    static_cast<int>(salt.size()), static_cast<int>(purpose),
                                                    static_cast<int>(iterations), static_cast<int>(length),
                                                    theirs.data(), md) == 1);
                        CHECK(hex(ours) == hex(theirs));
                    }
                }
            }
        }
    }
}

TEST_CASE("Passwords become BMPStrings with a terminator, and bad UTF-8 is refused", "[x509][pkcs12][kdf]") {
    auto bmp = [](std::string_view s) {
        auto r = pkcs12_bmp_password(s);
        REQUIRE(r.ok());
        return hex(r->bytes());
    };
    CHECK(bmp("") == "0000");
    CHECK(bmp("Ab") == "004100620000");
    CHECK(bmp("\xc3\xa4") == "00e40000");                // U+00E4
    CHECK(bmp("\xe2\x82\xac") == "20ac0000");            // U+20AC
    CHECK(bmp("\xf0\x9d\x84\x9e") == "d834dd1e0000");    // U+1D11E as a surrogate pair
    for (std::string_view bad : {"\x80", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff"}) {
        auto r = pkcs12_bmp_password(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::invalid_argument);
    }
}
