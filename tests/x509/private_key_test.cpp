// Private key files made at run time by the openssl command line, in every
// form it writes them: PKCS#8, SEC1, PKCS#1, and encrypted PKCS#8 under PBES2
// (AES-128/256-CBC, DES-EDE3-CBC; HMAC-SHA1/256/512) and the PKCS#12 PBEs. Each
// loaded key must sign what OpenSSL's libcrypto verifies with the public key
// OpenSSL extracted; RSASSA-PSS keys (with and without parameters) sign only
// rsa_pss_pss_* within them. Then the refusals: wrong password, bad padding, unsupported
// algorithms and curves, truncated or trailing DER, iteration limits.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include "support/hex.hpp"
#include "x509/key_tools.hpp"
#include "x509/private_key.hpp"
#include "x509/x509_test_support.hpp"

using namespace tls;
using namespace tls::x509;
using crypto::SignatureScheme;
using keytest::read_bytes;
using keytest::read_text;
using keytest::run_ok;
using keytest::signs_for_openssl;
using keytest::TempDir;

namespace {

const crypto::CryptoProvider& provider = crypto::default_provider();

ErrorCode load_error(const std::string& pem, const std::string& password = "correct",
                     const crypto::CryptoProvider& p = crypto::default_provider()) {
    auto key = load_private_key_pem(pem, password, p);
    REQUIRE_FALSE(key.ok());
    INFO(key.error().message);
    return key.error().code;
}

// One RSA-2048 key per test case (keygen is the slow part), in its public form too.
struct RsaFiles {
    TempDir dir;
    RsaFiles() {
        run_ok(dir, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem");
        run_ok(dir, "openssl pkey -in key.pem -pubout -out pub.pem");
    }
};

}  // namespace

TEST_CASE("RSA-2048 keys load from every PKCS#8, PKCS#1 and encrypted form and sign for OpenSSL", "[x509][keys]") {
    RsaFiles rsa;
    TempDir& dir = rsa.dir;
    struct Form {
        const char* file;
        const char* command;  // makes `file` from key.pem
    };
    const Form forms[] = {
        {"key.pem", "true"},  // PKCS#8 "PRIVATE KEY", as genpkey writes it
        {"pkcs1.pem", "openssl pkey -in key.pem -traditional -out pkcs1.pem"},
        {"aes256.pem", "openssl pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -passout pass:correct -out aes256.pem"},
        // hmacWithSHA1 is PBKDF2's DEFAULT prf, so OpenSSL leaves it out of the DER.
        {"aes128_sha1.pem",
         "openssl pkcs8 -topk8 -in key.pem -v2 aes-128-cbc -v2prf hmacWithSHA1 -passout pass:correct "
         "-out aes128_sha1.pem"},
        {"aes256_sha512.pem",
         "openssl pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -v2prf hmacWithSHA512 -passout pass:correct "
         "-out aes256_sha512.pem"},
        {"des3.pem", "openssl pkcs8 -topk8 -in key.pem -v2 des3 -passout pass:correct -out des3.pem"},
        {"pbe_sha1_3des.pem", "openssl pkcs8 -topk8 -in key.pem -v1 PBE-SHA1-3DES -passout pass:correct "
                              "-out pbe_sha1_3des.pem"},
    };
    std::vector<std::uint8_t> modulus;
    for (const auto& form : forms) {
        INFO(form.file);
        run_ok(dir, form.command);
        const std::string pem = read_text(dir.file(form.file));
        auto loaded = parse_private_key_pem(pem, "correct", provider);
        REQUIRE(loaded.ok());
        const auto* rsa_key = std::get_if<crypto::RsaPrivateKey>(&loaded->components());
        REQUIRE(rsa_key != nullptr);
        if (modulus.empty()) modulus.assign(rsa_key->modulus.begin(), rsa_key->modulus.end());
        CHECK(test::to_hex(rsa_key->modulus) == test::to_hex(modulus));
        auto key = load_signing_key(*loaded, provider);
        REQUIRE(key.ok());
        CHECK(signs_for_openssl(**key, SignatureScheme::rsa_pss_rsae_sha256, dir.file("pub.pem")));
        CHECK(signs_for_openssl(**key, SignatureScheme::rsa_pkcs1_sha256, dir.file("pub.pem")));
        if (pem.find("ENCRYPTED") != std::string::npos) {
            CHECK(load_error(pem, "wrong") == ErrorCode::bad_password);
            CHECK(load_error(pem, "") == ErrorCode::bad_password);
        }
    }
    // The mbedTLS provider alone has everything these need too.
    auto key = load_private_key_pem(read_text(dir.file("aes256.pem")), "correct", crypto::mbedtls_provider());
    REQUIRE(key.ok());
    CHECK(signs_for_openssl(**key, SignatureScheme::rsa_pss_rsae_sha256, dir.file("pub.pem")));
    // libsodium has no RSA, no CBC and no SHA-1: a clear refusal, not a crash.
    CHECK(load_error(read_text(dir.file("key.pem")), "", crypto::sodium_provider()) == ErrorCode::unsupported);
    CHECK(load_error(read_text(dir.file("aes256.pem")), "correct", crypto::sodium_provider()) ==
          ErrorCode::unsupported);
}

TEST_CASE("EC P-256 and P-384 keys load from SEC1 and PKCS#8 and sign for OpenSSL", "[x509][keys]") {
    TempDir dir;
    // ecparam writes an "EC PARAMETERS" block before the SEC1 key: it must be skipped.
    run_ok(dir, "openssl ecparam -name prime256v1 -genkey -out p256.pem");
    run_ok(dir, "openssl pkey -in p256.pem -pubout -out p256_pub.pem");
    run_ok(dir, "openssl pkcs8 -topk8 -nocrypt -in p256.pem -out p256_pkcs8.pem");
    run_ok(dir, "openssl pkcs8 -topk8 -in p256.pem -v2 aes-256-cbc -passout pass:correct -out p256_enc.pem");
    run_ok(dir, "openssl ec -in p256.pem -conv_form compressed -out p256_compressed.pem");
    run_ok(dir, "openssl ec -in p256.pem -no_public -out p256_nopub.pem");
    run_ok(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pem");
    run_ok(dir, "openssl pkey -in p384.pem -pubout -out p384_pub.pem");
    run_ok(dir, "openssl pkey -in p384.pem -traditional -out p384_sec1.pem");

    CHECK(read_text(dir.file("p256.pem")).find("EC PARAMETERS") != std::string::npos);
    for (const char* file : {"p256.pem", "p256_pkcs8.pem", "p256_enc.pem", "p256_compressed.pem", "p256_nopub.pem"}) {
        INFO(file);
        auto loaded = parse_private_key_pem(read_text(dir.file(file)), "correct", provider);
        REQUIRE(loaded.ok());
        const auto* ec = std::get_if<crypto::EcPrivateKey>(&loaded->components());
        REQUIRE(ec != nullptr);
        CHECK(ec->curve == crypto::NamedGroup::secp256r1);
        CHECK(ec->scalar.size() == 32);
        CHECK(loaded->stated_public_key().has_value() == (std::string(file) != "p256_nopub.pem"));
        auto key = load_signing_key(*loaded, provider);
        REQUIRE(key.ok());
        CHECK(signs_for_openssl(**key, SignatureScheme::ecdsa_secp256r1_sha256, dir.file("p256_pub.pem")));
        CHECK_FALSE((*key)->supports(SignatureScheme::ecdsa_secp384r1_sha384));
    }
    for (const char* file : {"p384.pem", "p384_sec1.pem"}) {
        INFO(file);
        auto key = load_private_key_pem(read_text(dir.file(file)), "", provider);
        REQUIRE(key.ok());
        CHECK(signs_for_openssl(**key, SignatureScheme::ecdsa_secp384r1_sha384, dir.file("p384_pub.pem")));
    }
    CHECK(load_error(read_text(dir.file("p256_enc.pem")), "wrong") == ErrorCode::bad_password);
}

TEST_CASE("Ed25519 keys load from PKCS#8 v1 and v2 and sign for OpenSSL", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm ed25519 -out ed.pem");
    run_ok(dir, "openssl pkey -in ed.pem -pubout -out ed_pub.pem");
    run_ok(dir, "openssl pkey -in ed.pem -pubout -outform DER -out ed_pub.der");
    // 40-bit RC2 needs OpenSSL's legacy provider to write; cordon reads it with its own RC2.
    run_ok(dir, "openssl pkcs8 -topk8 -in ed.pem -v1 PBE-SHA1-RC2-40 -provider legacy -provider default "
                "-passout pass:correct -out ed_rc2.pem");
    for (const char* file : {"ed.pem", "ed_rc2.pem"}) {
        INFO(file);
        auto key = load_private_key_pem(read_text(dir.file(file)), "correct", provider);
        REQUIRE(key.ok());
        CHECK(signs_for_openssl(**key, SignatureScheme::ed25519, dir.file("ed_pub.pem")));
    }
    CHECK(load_error(read_text(dir.file("ed_rc2.pem")), "wrong") == ErrorCode::bad_password);

    // RFC 5958 v2 (OneAsymmetricKey) with the public key beside the private one, built
    // from OpenSSL's v1 key: version 1, and [1] IMPLICIT BIT STRING after the key.
    auto v1 = parse_private_key_pem(read_text(dir.file("ed.pem")), "", provider);
    REQUIRE(v1.ok());
    const auto seed = std::get<crypto::Ed25519PrivateKey>(v1->components()).seed;
    const auto spki = read_bytes(dir.file("ed_pub.der"));
    const std::vector<std::uint8_t> public_key(spki.end() - 32, spki.end());
    auto v2 = [&](std::vector<std::uint8_t> pub) {
        using keytest::der_tlv;
        std::vector<std::uint8_t> body = {0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
        auto key = der_tlv(0x04, der_tlv(0x04, {seed.begin(), seed.end()}));
        body.insert(body.end(), key.begin(), key.end());
        pub.insert(pub.begin(), 0x00);  // no unused bits
        auto bits = der_tlv(0x81, pub);
        body.insert(body.end(), bits.begin(), bits.end());
        return der_tlv(0x30, body);
    };
    auto good = LoadedPrivateKey::parse(v2(public_key), PrivateKeyFormat::pkcs8);
    REQUIRE(good.ok());
    REQUIRE(good->stated_public_key().has_value());
    auto signer = load_signing_key(*good, provider);
    REQUIRE(signer.ok());
    CHECK(signs_for_openssl(**signer, SignatureScheme::ed25519, dir.file("ed_pub.pem")));
    auto other = public_key;
    other[5] ^= 1;
    auto bad = LoadedPrivateKey::parse(v2(other), PrivateKeyFormat::pkcs8);
    REQUIRE(bad.ok());  // the mismatch shows once the private key gives its public key
    CHECK(load_signing_key(*bad, provider).error().code == ErrorCode::invalid_argument);
    // A v1 key must not carry a public key (RFC 5958 2).
    auto v1_with_public = v2(public_key);
    v1_with_public[4] = 0x00;
    CHECK(LoadedPrivateKey::parse(v1_with_public, PrivateKeyFormat::pkcs8).error().code == ErrorCode::decode_error);
}

TEST_CASE("A SEC1 key whose public key is not its own is refused when loaded", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl ecparam -name prime256v1 -genkey -noout -out a.pem");
    run_ok(dir, "openssl ecparam -name prime256v1 -genkey -noout -out b.pem");
    run_ok(dir, "openssl ec -in a.pem -outform DER -out a.der");
    run_ok(dir, "openssl ec -in b.pem -outform DER -out b.der");
    auto a = read_bytes(dir.file("a.der"));
    const auto b = read_bytes(dir.file("b.der"));
    // The uncompressed point is the last 65 bytes of OpenSSL's SEC1 DER.
    REQUIRE(a.size() == b.size());
    std::copy(b.end() - 65, b.end(), a.end() - 65);
    auto key = LoadedPrivateKey::parse(a, PrivateKeyFormat::sec1);
    REQUIRE(key.ok());
    auto signer = load_signing_key(*key, provider);
    REQUIRE_FALSE(signer.ok());
    CHECK(signer.error().code == ErrorCode::invalid_argument);
}

TEST_CASE("Unsupported key types, curves and encryption schemes are refused clearly", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pem");
    struct Case {
        const char* command;  // writes out.pem
        ErrorCode expected;
    };
    const Case cases[] = {
        {"openssl genpkey -algorithm ed448 -out out.pem", ErrorCode::unsupported},
        {"openssl genpkey -algorithm x25519 -out out.pem", ErrorCode::unsupported},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out out.pem", ErrorCode::unsupported},
        {"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out out.pem", ErrorCode::unsupported},
        {"openssl ec -in p256.pem -param_enc explicit -out out.pem", ErrorCode::unsupported},
        {"openssl pkcs8 -topk8 -in p256.pem -v2 aes-192-cbc -passout pass:correct -out out.pem",
         ErrorCode::unsupported},
        {"openssl pkcs8 -topk8 -in p256.pem -scrypt -passout pass:correct -out out.pem", ErrorCode::unsupported},
        {"openssl pkcs8 -topk8 -in p256.pem -v1 PBE-MD5-DES -provider legacy -provider default "
         "-passout pass:correct -out out.pem",
         ErrorCode::unsupported},
        {"openssl pkcs8 -topk8 -in p256.pem -v2 aes-256-cbc -v2prf hmacWithSHA224 -passout pass:correct -out out.pem",
         ErrorCode::unsupported},
        // The pre-PKCS#8 OpenSSL encryption (Proc-Type/DEK-Info headers, MD5 key derivation).
        {"openssl pkey -in p256.pem -traditional -aes256 -passout pass:correct -out out.pem", ErrorCode::unsupported},
        {"openssl x509 -help >/dev/null 2>&1; printf 'no key here\\n' > out.pem", ErrorCode::decode_error},
        {"cat p256.pem p256.pem > out.pem", ErrorCode::decode_error},
    };
    for (const auto& c : cases) {
        INFO(c.command);
        run_ok(dir, c.command);
        CHECK(load_error(read_text(dir.file("out.pem"))) == c.expected);
    }
}

TEST_CASE("RSASSA-PSS keys (id-RSASSA-PSS) load from PKCS#8 and sign rsa_pss_pss_* only", "[x509][keys][rsa-pss]") {
    TempDir dir;
    // As `openssl genpkey -algorithm RSA-PSS` writes them: without parameters, and
    // with parameters that allow SHA-384 only (MGF1-SHA-384, salts of 48 bytes or more).
    run_ok(dir, "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out pss.pem");
    run_ok(dir, "openssl pkey -in pss.pem -pubout -out pss_pub.pem");
    run_ok(dir, "openssl pkcs8 -topk8 -in pss.pem -v2 aes-256-cbc -passout pass:correct -out pss_enc.pem");
    run_ok(dir, "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha384 "
                "-pkeyopt rsa_pss_keygen_mgf1_md:sha384 -pkeyopt rsa_pss_keygen_saltlen:48 -out pss384.pem");
    run_ok(dir, "openssl pkey -in pss384.pem -pubout -out pss384_pub.pem");

    const SignatureScheme rsae_and_pkcs1[] = {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
                                              SignatureScheme::rsa_pss_rsae_sha512, SignatureScheme::rsa_pkcs1_sha256,
                                              SignatureScheme::rsa_pkcs1_sha384, SignatureScheme::rsa_pkcs1_sha512};
    for (const char* file : {"pss.pem", "pss_enc.pem"}) {
        INFO(file);
        auto loaded = parse_private_key_pem(read_text(dir.file(file)), "correct", provider);
        REQUIRE(loaded.ok());
        const auto* rsa = std::get_if<crypto::RsaPrivateKey>(&loaded->components());
        REQUIRE(rsa != nullptr);
        CHECK(rsa->pss_only);
        CHECK_FALSE(rsa->pss_params.has_value());
        auto key = load_signing_key(*loaded, provider);
        REQUIRE(key.ok());
        const auto public_key = std::get<crypto::RsaPublicKey>((*key)->public_key());
        CHECK(public_key.pss_only);
        for (auto scheme : {SignatureScheme::rsa_pss_pss_sha256, SignatureScheme::rsa_pss_pss_sha384,
                            SignatureScheme::rsa_pss_pss_sha512}) {
            INFO(crypto::to_string(scheme));
            CHECK((*key)->supports(scheme));
            CHECK(signs_for_openssl(**key, scheme, dir.file("pss_pub.pem")));
        }
        for (auto scheme : rsae_and_pkcs1) {
            INFO(crypto::to_string(scheme));
            CHECK_FALSE((*key)->supports(scheme));
            CHECK_FALSE(signs_for_openssl(**key, scheme, dir.file("pss_pub.pem")));
        }
    }

    auto loaded = parse_private_key_pem(read_text(dir.file("pss384.pem")), "", provider);
    REQUIRE(loaded.ok());
    const auto& rsa = std::get<crypto::RsaPrivateKey>(loaded->components());
    CHECK(rsa.pss_only);
    REQUIRE(rsa.pss_params.has_value());
    CHECK(rsa.pss_params->hash == crypto::HashAlgorithm::sha384);
    CHECK(rsa.pss_params->mgf1_hash == crypto::HashAlgorithm::sha384);
    CHECK(rsa.pss_params->salt_size == 48);
    auto key = load_signing_key(*loaded, provider);
    REQUIRE(key.ok());
    CHECK((*key)->supports(SignatureScheme::rsa_pss_pss_sha384));
    CHECK(signs_for_openssl(**key, SignatureScheme::rsa_pss_pss_sha384, dir.file("pss384_pub.pem")));
    CHECK_FALSE((*key)->supports(SignatureScheme::rsa_pss_pss_sha256));
    CHECK_FALSE((*key)->supports(SignatureScheme::rsa_pss_pss_sha512));
    CHECK_FALSE((*key)->supports(SignatureScheme::rsa_pss_rsae_sha384));
    std::vector<std::uint8_t> signature((*key)->max_signature_size());
    test::TestRng rng(3);
    CHECK((*key)->sign(SignatureScheme::rsa_pss_pss_sha256, {}, rng, signature).error().code ==
          ErrorCode::unsupported);
}

TEST_CASE("RSASSA-PSS key parameters: defaults, unknown hashes and malformed DER", "[x509][keys][rsa-pss]") {
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -outform DER -out pss.der");
    const auto der = read_bytes(dir.file("pss.der"));
    // PrivateKeyInfo with the algorithm's parameters replaced by `params` (DER, or nothing).
    const auto with_params = [&](const std::vector<std::uint8_t>& params) {
        x509test::Tlv info = x509test::Tlv::parse(der);
        x509test::Tlv& algorithm = info.children.at(1);
        REQUIRE(algorithm.children.size() == 1);  // OpenSSL writes no parameters
        if (!params.empty()) algorithm.children.push_back(x509test::Tlv::parse(params));
        return info.encode();
    };
    const auto parse = [](const std::vector<std::uint8_t>& pkcs8) {
        return LoadedPrivateKey::parse(pkcs8, PrivateKeyFormat::pkcs8);
    };
    REQUIRE(parse(with_params({})).ok());
    // An empty RSASSA-PSS-params SEQUENCE: every field its default (SHA-1, MGF1-SHA-1,
    // salt 20). The key loads, and no TLS scheme is within those parameters.
    auto defaults = parse(with_params({0x30, 0x00}));
    REQUIRE(defaults.ok());
    const auto& rsa = std::get<crypto::RsaPrivateKey>(defaults->components());
    REQUIRE(rsa.pss_params.has_value());
    CHECK(rsa.pss_params->hash == crypto::HashAlgorithm::sha1);
    CHECK(rsa.pss_params->mgf1_hash == crypto::HashAlgorithm::sha1);
    CHECK(rsa.pss_params->salt_size == 20);
    auto signer = load_signing_key(*defaults, provider);
    REQUIRE(signer.ok());
    for (auto scheme : {SignatureScheme::rsa_pss_pss_sha256, SignatureScheme::rsa_pss_pss_sha384,
                        SignatureScheme::rsa_pss_pss_sha512, SignatureScheme::rsa_pss_rsae_sha256})
        CHECK_FALSE((*signer)->supports(scheme));
    // hashAlgorithm [0] MD5: unsupported. NULL parameters (RFC 4055 allows only
    // RSASSA-PSS-params or none) and bytes after the parameters: malformed.
    const std::vector<std::uint8_t> md5_params = {0x30, 0x10, 0xa0, 0x0e, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86,
                                                  0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05, 0x05, 0x00};
    CHECK(parse(with_params(md5_params)).error().code == ErrorCode::unsupported);
    CHECK(parse(with_params({0x05, 0x00})).error().code == ErrorCode::decode_error);
    auto trailing = with_params({0x30, 0x00});
    {
        x509test::Tlv info = x509test::Tlv::parse(trailing);
        info.children.at(1).children.push_back(x509test::Tlv::primitive(0x05, {}));
        CHECK(parse(info.encode()).error().code == ErrorCode::decode_error);
    }
}

TEST_CASE("Multi-prime RSA keys are refused", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_primes:3 "
                "-out mp.pem");
    run_ok(dir, "openssl pkey -in mp.pem -traditional -out mp_pkcs1.pem");
    CHECK(load_error(read_text(dir.file("mp.pem"))) == ErrorCode::unsupported);
    CHECK(load_error(read_text(dir.file("mp_pkcs1.pem"))) == ErrorCode::unsupported);
}

TEST_CASE("A key PEM among certificates is found and the certificates are skipped", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem "
                "-out cert.pem -subj /CN=bundle -days 1");
    run_ok(dir, "cat cert.pem key.pem cert.pem > bundle.pem");
    auto key = load_private_key_pem(read_text(dir.file("bundle.pem")), "", provider);
    REQUIRE(key.ok());
    CHECK(signs_for_openssl(**key, SignatureScheme::ecdsa_secp256r1_sha256, dir.file("cert.pem")));
    CHECK(load_error(read_text(dir.file("cert.pem"))) == ErrorCode::decode_error);
}

TEST_CASE("Truncated, extended and corrupted key DER is a decode error, never a crash", "[x509][keys]") {
    TempDir dir;
    // (genpkey -outform DER writes SEC1 for EC keys, so PKCS#8 DER comes from pkcs8 -topk8.)
    run_ok(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem");
    run_ok(dir, "openssl pkcs8 -topk8 -nocrypt -in key.pem -outform DER -out key.der");
    run_ok(dir, "openssl pkcs8 -topk8 -in key.pem -outform DER -v2 aes-256-cbc -iter 1 "
                "-passout pass:correct -out enc.der");
    run_ok(dir, "openssl ec -in key.pem -outform DER -out sec1.der");
    const auto pkcs8 = read_bytes(dir.file("key.der"));
    const auto sec1 = read_bytes(dir.file("sec1.der"));
    const auto enc = read_bytes(dir.file("enc.der"));
    REQUIRE(LoadedPrivateKey::parse(pkcs8, PrivateKeyFormat::pkcs8).ok());
    REQUIRE(LoadedPrivateKey::parse(sec1, PrivateKeyFormat::sec1).ok());
    REQUIRE(LoadedPrivateKey::decrypt_pkcs8(enc, "correct", provider).ok());

    for (std::size_t n = 0; n < pkcs8.size(); ++n) {
        const crypto::Bytes cut(pkcs8.data(), n);
        CHECK(LoadedPrivateKey::parse(cut, PrivateKeyFormat::pkcs8).error().code == ErrorCode::decode_error);
    }
    for (std::size_t n = 0; n < sec1.size(); ++n) {
        const crypto::Bytes cut(sec1.data(), n);
        CHECK(LoadedPrivateKey::parse(cut, PrivateKeyFormat::sec1).error().code == ErrorCode::decode_error);
    }
    for (std::size_t n = 0; n < enc.size(); ++n) {
        const crypto::Bytes cut(enc.data(), n);
        CHECK(LoadedPrivateKey::decrypt_pkcs8(cut, "correct", provider).error().code == ErrorCode::decode_error);
    }
    auto longer = pkcs8;
    longer.push_back(0);
    CHECK(LoadedPrivateKey::parse(longer, PrivateKeyFormat::pkcs8).error().code == ErrorCode::decode_error);
    // The wrong parser for the bytes is a decode error too.
    CHECK(LoadedPrivateKey::parse(pkcs8, PrivateKeyFormat::sec1).error().code == ErrorCode::decode_error);
    CHECK(LoadedPrivateKey::parse(pkcs8, PrivateKeyFormat::pkcs1).error().code == ErrorCode::decode_error);
    CHECK_FALSE(LoadedPrivateKey::parse(sec1, PrivateKeyFormat::pkcs1).ok());  // version 1 reads as multi-prime
    // Every single-bit flip of the encrypted key: some error or, where the flip lands in
    // a don't-care spot, the same key; never a crash.
    for (std::size_t i = 0; i < enc.size(); ++i) {
        auto flipped = enc;
        flipped[i] ^= 0x01;
        auto r = LoadedPrivateKey::decrypt_pkcs8(flipped, "correct", provider);
        if (r.ok()) CHECK(std::get<crypto::EcPrivateKey>(r->components()).scalar.size() == 32);
    }
}

TEST_CASE("Bad PKCS#7 padding under the right key is bad_password", "[x509][keys]") {
    // EncryptedPrivateKeyInfo built by hand: OpenSSL's PBKDF2 and AES-256-CBC (no padding)
    // over the key DER followed by padding of our choosing.
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem");
    run_ok(dir, "openssl pkcs8 -topk8 -nocrypt -in key.pem -outform DER -out key.der");
    const auto plain = read_bytes(dir.file("key.der"));
    const std::vector<std::uint8_t> salt = {1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<std::uint8_t> iv(16, 0x42);
    const std::string password = "correct";
    std::uint8_t key[32];
    REQUIRE(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                              static_cast<int>(salt.size()), 1000, EVP_sha256(), sizeof key, key) == 1);

    auto build = [&](const std::vector<std::uint8_t>& padding) {
        using keytest::der_tlv;
        std::vector<std::uint8_t> data = plain;
        data.insert(data.end(), padding.begin(), padding.end());
        REQUIRE(data.size() % 16 == 0);
        std::vector<std::uint8_t> out(data.size() + 16);
        EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
        int n = 0, m = 0;
        REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), nullptr, key, iv.data()) == 1);
        EVP_CIPHER_CTX_set_padding(ctx, 0);
        REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &n, data.data(), static_cast<int>(data.size())) == 1);
        REQUIRE(EVP_EncryptFinal_ex(ctx, out.data() + n, &m) == 1);
        EVP_CIPHER_CTX_free(ctx);
        out.resize(static_cast<std::size_t>(n + m));
        const std::vector<std::uint8_t> pbkdf2_oid = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
        const std::vector<std::uint8_t> pbes2_oid = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
        const std::vector<std::uint8_t> hmac_sha256_oid = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
        const std::vector<std::uint8_t> aes256_oid = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
        auto cat = [](std::initializer_list<std::vector<std::uint8_t>> parts) {
            std::vector<std::uint8_t> r;
            for (const auto& p : parts) r.insert(r.end(), p.begin(), p.end());
            return r;
        };
        auto prf = der_tlv(0x30, cat({der_tlv(0x06, hmac_sha256_oid), der_tlv(0x05, {})}));
        auto kdf_params = der_tlv(0x30, cat({der_tlv(0x04, salt), der_tlv(0x02, {0x03, 0xe8}), prf}));
        auto kdf = der_tlv(0x30, cat({der_tlv(0x06, pbkdf2_oid), kdf_params}));
        auto enc = der_tlv(0x30, cat({der_tlv(0x06, aes256_oid), der_tlv(0x04, iv)}));
        auto algorithm = der_tlv(0x30, cat({der_tlv(0x06, pbes2_oid), der_tlv(0x30, cat({kdf, enc}))}));
        return der_tlv(0x30, cat({algorithm, der_tlv(0x04, out)}));
    };
    const std::size_t pad = 16 - plain.size() % 16;
    auto padding = [&](std::uint8_t last, std::uint8_t fill) {
        std::vector<std::uint8_t> p(pad == 16 ? 16 : pad + 16, fill);
        p.back() = last;
        return p;
    };
    // Correct padding decrypts (so the builder is right) ...
    std::vector<std::uint8_t> good(pad, static_cast<std::uint8_t>(pad));
    REQUIRE(LoadedPrivateKey::decrypt_pkcs8(build(good), password, provider).ok());
    // ... and each broken padding is the wrong-password error.
    const std::vector<std::vector<std::uint8_t>> broken = {
        padding(0x00, 0x00),  // zero is never a padding length
        padding(0x11, 0x11),  // longer than a block
        padding(0x03, 0x02),  // length 3, but the bytes before it say 2
    };
    for (const auto& p : broken) {
        auto r = LoadedPrivateKey::decrypt_pkcs8(build(p), password, provider);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == ErrorCode::bad_password);
        CHECK(std::string(r.error().message) == "wrong password or corrupted data");
    }
    // Valid padding that strips too few bytes leaves trailing garbage: also the password error.
    std::vector<std::uint8_t> short_pad(pad + 16, 0x01);
    CHECK(LoadedPrivateKey::decrypt_pkcs8(build(short_pad), password, provider).error().code ==
          ErrorCode::bad_password);
}

TEST_CASE("Iteration counts above the limit are refused before any work", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem");
    run_ok(dir, "openssl pkcs8 -topk8 -in key.pem -v2 aes-256-cbc -iter 20000 -passout pass:correct -out enc.pem");
    const std::string pem = read_text(dir.file("enc.pem"));
    CHECK(parse_private_key_pem(pem, "correct", provider).ok());
    auto limited = parse_private_key_pem(pem, "correct", provider, KdfLimits{10000});
    REQUIRE_FALSE(limited.ok());
    CHECK(limited.error().code == ErrorCode::unsupported);
}

TEST_CASE("A moved LoadedPrivateKey keeps valid components", "[x509][keys]") {
    TempDir dir;
    run_ok(dir, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out key.pem");
    run_ok(dir, "openssl pkey -in key.pem -pubout -out pub.pem");
    auto parsed = parse_private_key_pem(read_text(dir.file("key.pem")), "", provider);
    REQUIRE(parsed.ok());
    LoadedPrivateKey moved = std::move(*parsed);
    std::vector<LoadedPrivateKey> keys;
    keys.push_back(std::move(moved));
    keys.reserve(16);  // reallocation moves it again
    auto signer = load_signing_key(keys.front(), provider);
    REQUIRE(signer.ok());
    CHECK(signs_for_openssl(**signer, SignatureScheme::ecdsa_secp384r1_sha384, dir.file("pub.pem")));
    CHECK(keys.front().der().size() > 0);
}
