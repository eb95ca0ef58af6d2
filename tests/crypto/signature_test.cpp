#include <catch2/catch.hpp>

#include "crypto/ecdsa_signature.hpp"
#include "crypto/mbedtls/mbedtls_backend.hpp"
#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::ByteVec;

namespace {

struct KeyCase {
    const char* name;
    std::unique_ptr<SigningKey> key;
    std::vector<SignatureScheme> schemes;
};

std::vector<KeyCase> make_keys(const CryptoProvider& provider, test::TestRng& rng) {
    std::vector<KeyCase> keys;
    ByteVec seed(32);
    REQUIRE(rng.fill(seed).ok());
    if (auto k = provider.load_signing_key(Ed25519PrivateKey{seed}); k.ok())
        keys.push_back({"ed25519", std::move(*k), {SignatureScheme::ed25519}});
    for (auto [curve, size, scheme] : {std::tuple{NamedGroup::secp256r1, 32, SignatureScheme::ecdsa_secp256r1_sha256},
                                       std::tuple{NamedGroup::secp384r1, 48, SignatureScheme::ecdsa_secp384r1_sha384}}) {
        ByteVec scalar(static_cast<std::size_t>(size));
        REQUIRE(rng.fill(scalar).ok());
        scalar[0] &= 0x7f;  // below the group order
        if (auto k = provider.load_signing_key(EcPrivateKey{curve, scalar}); k.ok())
            keys.push_back({to_string(scheme), std::move(*k), {scheme}});
    }
    return keys;
}

std::unique_ptr<SigningKey>& rsa2048() {
    static std::unique_ptr<SigningKey> key = [] {
        test::TestRng rng(99);
        auto k = tls::crypto::mbedtls::generate_rsa_key(2048, rng);
        REQUIRE(k.ok());
        return std::move(*k);
    }();
    return key;
}

// An id-RSASSA-PSS key without parameters (RFC 4055): rsa_pss_pss_* only.
std::unique_ptr<SigningKey>& rsa_pss2048() {
    static std::unique_ptr<SigningKey> key = [] {
        test::TestRng rng(98);
        auto k = tls::crypto::mbedtls::generate_rsa_key(2048, rng, /*pss_only=*/true);
        REQUIRE(k.ok());
        return std::move(*k);
    }();
    return key;
}

constexpr SignatureScheme rsae_and_pkcs1[] = {
    SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384, SignatureScheme::rsa_pss_rsae_sha512,
    SignatureScheme::rsa_pkcs1_sha256,    SignatureScheme::rsa_pkcs1_sha384,    SignatureScheme::rsa_pkcs1_sha512};
constexpr SignatureScheme pss_pss[] = {SignatureScheme::rsa_pss_pss_sha256, SignatureScheme::rsa_pss_pss_sha384,
                                       SignatureScheme::rsa_pss_pss_sha512};

ByteVec sign(const SigningKey& key, SignatureScheme scheme, const ByteVec& message, test::TestRng& rng) {
    ByteVec sig(key.max_signature_size());
    auto n = key.sign(scheme, message, rng, sig);
    REQUIRE(n.ok());
    sig.resize(*n);
    return sig;
}

}  // namespace

TEST_CASE("Every signing key's signatures verify, and tampered ones do not", "[signature]") {
    test::TestRng rng(20);
    const ByteVec message = {'T', 'L', 'S', ' ', '1', '.', '3', 0x20, 0x00, 0xff};
    for (const auto& [pname, provider] : test::all_providers()) {
        auto keys = make_keys(*provider, rng);
        if (provider->rsa_pss != nullptr) {
            // RSA signing comes from mbedTLS; verify through each provider that has the schemes.
            keys.push_back({"rsa2048", nullptr, {std::begin(rsae_and_pkcs1), std::end(rsae_and_pkcs1)}});
            keys.push_back({"rsa-pss2048", nullptr, {std::begin(pss_pss), std::end(pss_pss)}});
        }
        for (auto& kc : keys) {
            const SigningKey& key = kc.key                                 ? *kc.key
                                    : std::string(kc.name) == "rsa2048" ? *rsa2048()
                                                                        : *rsa_pss2048();
            for (auto scheme : kc.schemes) {
                INFO(pname << " " << kc.name << " " << to_string(scheme));
                const SignatureVerifier* verifier = provider->find(scheme);
                REQUIRE(verifier != nullptr);
                REQUIRE(key.supports(scheme));
                ByteVec sig(key.max_signature_size());
                auto n = key.sign(scheme, message, rng, sig);
                REQUIRE(n.ok());
                sig.resize(*n);
                CHECK(verifier->verify(key.public_key(), message, sig).ok());
                ByteVec bad = sig;
                bad[bad.size() / 2] ^= 0x01;
                CHECK_FALSE(verifier->verify(key.public_key(), message, bad).ok());
                ByteVec other = message;
                other[0] ^= 1;
                CHECK(verifier->verify(key.public_key(), other, sig).error().code == tls::ErrorCode::bad_signature);
                ByteVec truncated(sig.begin(), sig.end() - 1);
                CHECK_FALSE(verifier->verify(key.public_key(), message, truncated).ok());
            }
        }
    }
}

TEST_CASE("A key refuses schemes it cannot produce", "[signature]") {
    test::TestRng rng(21);
    auto keys = make_keys(default_provider(), rng);
    REQUIRE(keys.size() == 3);
    ByteVec sig(600);
    CHECK_FALSE(keys[0].key->supports(SignatureScheme::ecdsa_secp256r1_sha256));
    CHECK(keys[1].key->sign(SignatureScheme::ecdsa_secp384r1_sha384, {}, rng, sig).error().code ==
          tls::ErrorCode::unsupported);
    CHECK_FALSE(rsa2048()->supports(SignatureScheme::rsa_pkcs1_sha1));
    ByteVec tiny(10);
    CHECK(rsa2048()->sign(SignatureScheme::rsa_pss_rsae_sha256, {}, rng, tiny).error().code ==
          tls::ErrorCode::buffer_too_small);
}

TEST_CASE("Verifiers refuse a key of the wrong type or curve", "[signature]") {
    test::TestRng rng(22);
    auto keys = make_keys(default_provider(), rng);
    const ByteVec msg = {'m'};
    ByteVec sig(200);
    auto n = keys[1].key->sign(SignatureScheme::ecdsa_secp256r1_sha256, msg, rng, sig);
    REQUIRE(n.ok());
    sig.resize(*n);
    const auto& p = default_provider();
    // A P-384 key given to the P-256 verifier, and an Ed25519 key to ECDSA.
    CHECK(p.find(SignatureScheme::ecdsa_secp256r1_sha256)->verify(keys[2].key->public_key(), msg, sig).error().code ==
          tls::ErrorCode::invalid_public_key);
    CHECK_FALSE(p.find(SignatureScheme::ecdsa_secp256r1_sha256)->verify(keys[0].key->public_key(), msg, sig).ok());
    CHECK_FALSE(p.find(SignatureScheme::rsa_pss_rsae_sha256)->verify(keys[1].key->public_key(), msg, sig).ok());
}

TEST_CASE("An RSASSA-PSS key signs only rsa_pss_pss_*, an rsaEncryption key everything else", "[signature][rsa-pss]") {
    test::TestRng rng(24);
    const SigningKey& pss = *rsa_pss2048();
    const SigningKey& rsae = *rsa2048();
    ByteVec sig(pss.max_signature_size());
    for (auto scheme : rsae_and_pkcs1) {
        INFO(to_string(scheme));
        CHECK_FALSE(pss.supports(scheme));
        CHECK(pss.sign(scheme, {}, rng, sig).error().code == tls::ErrorCode::unsupported);
        CHECK(rsae.supports(scheme));
    }
    for (auto scheme : pss_pss) {
        INFO(to_string(scheme));
        CHECK(pss.supports(scheme));
        CHECK_FALSE(rsae.supports(scheme));
        CHECK(rsae.sign(scheme, {}, rng, sig).error().code == tls::ErrorCode::unsupported);
    }
    // The public key says which kind it is.
    CHECK(std::get<RsaPublicKey>(pss.public_key()).pss_only);
    CHECK_FALSE(std::get<RsaPublicKey>(pss.public_key()).pss_params.has_value());
    CHECK_FALSE(std::get<RsaPublicKey>(rsae.public_key()).pss_only);
}

TEST_CASE("RSA verifiers refuse a scheme that does not match the key type (RFC 8446 4.2.3)", "[signature][rsa-pss]") {
    test::TestRng rng(25);
    const ByteVec msg = {'k', 'e', 'y', ' ', 't', 'y', 'p', 'e'};
    for (const auto& [pname, provider] : test::all_providers()) {
        if (provider->find(SignatureScheme::rsa_pss_pss_sha256) == nullptr) continue;
        INFO(pname);
        // rsa_pss_rsae_sha256 and rsa_pss_pss_sha256 produce the same kind of
        // signature; only the key's type tells them apart. Each verifier refuses
        // the other kind of key even though the arithmetic would check out.
        const ByteVec rsae_sig = sign(*rsa2048(), SignatureScheme::rsa_pss_rsae_sha256, msg, rng);
        const ByteVec pss_sig = sign(*rsa_pss2048(), SignatureScheme::rsa_pss_pss_sha256, msg, rng);
        const PublicKey rsae_key = rsa2048()->public_key();
        const PublicKey pss_key = rsa_pss2048()->public_key();
        const auto* rsae_verifier = provider->find(SignatureScheme::rsa_pss_rsae_sha256);
        const auto* pss_verifier = provider->find(SignatureScheme::rsa_pss_pss_sha256);
        CHECK(rsae_verifier->verify(rsae_key, msg, rsae_sig).ok());
        CHECK(pss_verifier->verify(pss_key, msg, pss_sig).ok());

        auto r = pss_verifier->verify(rsae_key, msg, rsae_sig);
        CHECK(r.error().code == tls::ErrorCode::illegal_parameter);
        CHECK(std::string(r.error().message) == "signature scheme does not match the key type");
        CHECK(rsae_verifier->verify(pss_key, msg, pss_sig).error().code == tls::ErrorCode::illegal_parameter);
        // The same modulus relabelled verifies: the refusal is the key type alone.
        RsaPublicKey relabelled = std::get<RsaPublicKey>(rsae_key);
        relabelled.pss_only = true;
        CHECK(pss_verifier->verify(relabelled, msg, rsae_sig).ok());
        // PKCS#1 v1.5 never with an RSASSA-PSS key.
        for (auto scheme : {SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::rsa_pkcs1_sha384,
                            SignatureScheme::rsa_pkcs1_sha512, SignatureScheme::rsa_pss_rsae_sha384,
                            SignatureScheme::rsa_pss_rsae_sha512}) {
            const ByteVec sig = sign(*rsa2048(), scheme, msg, rng);
            CHECK(provider->find(scheme)->verify(relabelled, msg, sig).error().code ==
                  tls::ErrorCode::illegal_parameter);
        }
    }
}

TEST_CASE("An RSASSA-PSS key's parameters restrict the schemes and explicit parameters it verifies",
          "[signature][rsa-pss]") {
    test::TestRng rng(26);
    const ByteVec msg = {'p', 'a', 'r', 'a', 'm', 's'};
    const auto& p = default_provider();
    const ByteVec sig256 = sign(*rsa_pss2048(), SignatureScheme::rsa_pss_pss_sha256, msg, rng);
    const ByteVec sig384 = sign(*rsa_pss2048(), SignatureScheme::rsa_pss_pss_sha384, msg, rng);
    RsaPublicKey key = std::get<RsaPublicKey>(rsa_pss2048()->public_key());
    const auto* v256 = p.find(SignatureScheme::rsa_pss_pss_sha256);
    const auto* v384 = p.find(SignatureScheme::rsa_pss_pss_sha384);

    key.pss_params = RsaPssParams{HashAlgorithm::sha256, HashAlgorithm::sha256, 32};
    CHECK(v256->verify(key, msg, sig256).ok());
    CHECK(v384->verify(key, msg, sig384).error().code == tls::ErrorCode::illegal_parameter);
    CHECK(check_rsa_scheme(key, SignatureScheme::rsa_pss_pss_sha256).ok());
    CHECK_FALSE(check_rsa_scheme(key, SignatureScheme::rsa_pss_pss_sha512).ok());
    // The stated salt length is a minimum: 20 allows TLS's 32, 33 does not.
    key.pss_params = RsaPssParams{HashAlgorithm::sha256, HashAlgorithm::sha256, 20};
    CHECK(v256->verify(key, msg, sig256).ok());
    key.pss_params = RsaPssParams{HashAlgorithm::sha256, HashAlgorithm::sha256, 33};
    CHECK(v256->verify(key, msg, sig256).error().code == tls::ErrorCode::illegal_parameter);
    // MGF1 with another hash than the signature's: no TLS scheme fits.
    key.pss_params = RsaPssParams{HashAlgorithm::sha384, HashAlgorithm::sha256, 48};
    CHECK(v384->verify(key, msg, sig384).error().code == tls::ErrorCode::illegal_parameter);
    key.pss_params = RsaPssParams{HashAlgorithm::sha384, HashAlgorithm::sha384, 48};
    CHECK(v384->verify(key, msg, sig384).ok());
    CHECK(v256->verify(key, msg, sig256).error().code == tls::ErrorCode::illegal_parameter);

    // Explicit-parameter PSS (X.509 signatures) within the key's parameters only.
    REQUIRE(p.rsa_pss != nullptr);
    const RsaPssParams explicit256{HashAlgorithm::sha256, HashAlgorithm::sha256, 32};
    CHECK(p.rsa_pss->verify(key, explicit256, msg, sig256).error().code == tls::ErrorCode::illegal_parameter);
    key.pss_params.reset();
    CHECK(p.rsa_pss->verify(key, explicit256, msg, sig256).ok());
    key.pss_only = false;  // an rsaEncryption key may verify RSASSA-PSS with any parameters
    CHECK(p.rsa_pss->verify(key, explicit256, msg, sig256).ok());
}

TEST_CASE("RSA keys below 2048 bits are refused", "[signature]") {
    test::TestRng rng(23);
    CHECK(tls::crypto::mbedtls::generate_rsa_key(1024, rng).error().code == tls::ErrorCode::weak_key);
    // A 1024-bit modulus (odd; the check is on size before any arithmetic matters).
    ByteVec modulus(128, 0xc5), exponent = {0x01, 0x00, 0x01}, sig(128, 0x11);
    modulus.back() |= 1;
    const ByteVec msg = {'m'};
    auto r = default_provider().find(SignatureScheme::rsa_pss_rsae_sha256)->verify(RsaPublicKey{modulus, exponent}, msg, sig);
    CHECK(r.error().code == tls::ErrorCode::weak_key);
}

TEST_CASE("ECDSA DER signatures: strict parse and canonical encode", "[signature][der]") {
    auto der = test::from_hex("3006020101020102");
    auto parts = parse_ecdsa_signature(der);
    REQUIRE(parts.ok());
    std::uint8_t out[16];
    auto n = encode_ecdsa_signature(parts->r, parts->s, out);
    REQUIRE(n.ok());
    CHECK(test::to_hex({out, *n}) == "3006020101020102");
    // High bit set gets a 00 pad; leading zeros are stripped.
    const std::uint8_t r[] = {0x00, 0x00, 0x80}, s[] = {0x7f};
    n = encode_ecdsa_signature(r, s, out);
    REQUIRE(n.ok());
    CHECK(test::to_hex({out, *n}) == "30070202008002017f");
    for (const char* bad : {"300602010102010200", "3006020101020101" "00", "3007020101020102", "3106020101020102",
                            "30060201ff020102", "300702020001020102"}) {
        INFO(bad);
        CHECK_FALSE(parse_ecdsa_signature(test::from_hex(bad)).ok());
    }
}
