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

}  // namespace

TEST_CASE("Every signing key's signatures verify, and tampered ones do not", "[signature]") {
    test::TestRng rng(20);
    const ByteVec message = {'T', 'L', 'S', ' ', '1', '.', '3', 0x20, 0x00, 0xff};
    for (const auto& [pname, provider] : test::all_providers()) {
        auto keys = make_keys(*provider, rng);
        if (provider->rsa_pss != nullptr) {
            // RSA signing comes from mbedTLS; verify through each provider that has the schemes.
            keys.push_back({"rsa2048", nullptr,
                            {SignatureScheme::rsa_pss_rsae_sha256, SignatureScheme::rsa_pss_rsae_sha384,
                             SignatureScheme::rsa_pss_rsae_sha512, SignatureScheme::rsa_pkcs1_sha256,
                             SignatureScheme::rsa_pkcs1_sha384, SignatureScheme::rsa_pkcs1_sha512}});
        }
        for (auto& kc : keys) {
            const SigningKey& key = kc.key ? *kc.key : *rsa2048();
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
