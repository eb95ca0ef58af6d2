#include <catch2/catch.hpp>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;

TEST_CASE("The default provider offers everything TLS 1.3 and 1.2 need", "[provider]") {
    const auto& p = default_provider();
    for (auto a : {AeadAlgorithm::aes128_gcm, AeadAlgorithm::aes256_gcm, AeadAlgorithm::chacha20_poly1305})
        CHECK(p.find(a) != nullptr);
    for (auto h : {HashAlgorithm::sha256, HashAlgorithm::sha384, HashAlgorithm::sha512}) CHECK(p.find(h) != nullptr);
    for (auto g : {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1}) CHECK(p.find(g) != nullptr);
    for (auto s : {SignatureScheme::ed25519, SignatureScheme::ecdsa_secp256r1_sha256,
                   SignatureScheme::ecdsa_secp384r1_sha384, SignatureScheme::rsa_pss_rsae_sha256,
                   SignatureScheme::rsa_pss_rsae_sha384, SignatureScheme::rsa_pss_rsae_sha512,
                   SignatureScheme::rsa_pkcs1_sha256, SignatureScheme::rsa_pkcs1_sha384,
                   SignatureScheme::rsa_pkcs1_sha512, SignatureScheme::rsa_pss_pss_sha256,
                   SignatureScheme::rsa_pss_pss_sha384, SignatureScheme::rsa_pss_pss_sha512})
        CHECK(p.find(s) != nullptr);
    CHECK(p.rsa_pss != nullptr);
    CHECK(p.rng != nullptr);
    // Never SHA-1 signatures, never P-521 or X448.
    CHECK(p.find(SignatureScheme::rsa_pkcs1_sha1) == nullptr);
    CHECK(p.find(SignatureScheme::ecdsa_sha1) == nullptr);
    CHECK(p.find(NamedGroup::x448) == nullptr);
}

TEST_CASE("Providers are values a user can trim", "[provider]") {
    CryptoProvider p = default_provider();
    static const AeadDescriptor* const only_chacha[] = {default_provider().find(AeadAlgorithm::chacha20_poly1305)};
    p.aeads = only_chacha;
    CHECK(p.find(AeadAlgorithm::aes128_gcm) == nullptr);
    CHECK(p.find(AeadAlgorithm::chacha20_poly1305) != nullptr);
    p.signing_keys = {};
    const std::uint8_t seed[32] = {};
    CHECK(p.load_signing_key(Ed25519PrivateKey{seed}).error().code == tls::ErrorCode::unsupported);
}

TEST_CASE("describe() names the backend serving each algorithm", "[provider]") {
    const std::string text = describe(default_provider());
    CHECK(text.find("ChaCha20-Poly1305") != std::string::npos);
    CHECK(text.find("x25519") != std::string::npos);
    CHECK(text.find("sodium") != std::string::npos);
    CHECK(text.find("mbedtls") != std::string::npos);
    CHECK(std::string(tls::to_string(tls::ErrorCode::bad_record_mac)) == "bad_record_mac");
}

TEST_CASE("The system RNG fills buffers", "[rng]") {
    std::uint8_t a[32] = {}, b[32] = {};
    REQUIRE(system_rng().fill(a).ok());
    REQUIRE(system_rng().fill(b).ok());
    CHECK_FALSE(ct_equal(a, b));
}

TEST_CASE("Every provider passes its self-test", "[provider][selftest]") {
    for (const auto& [name, provider] : test::all_providers()) {
        auto results = self_test(*provider);
        // A full provider runs at least four checks; an AEAD-only one (native), one per AEAD.
        CHECK(results.size() >= (provider->hashes.empty() ? provider->aeads.size() : 4));
        for (const auto& r : results) {
            INFO(name << " " << r.algorithm << " (" << r.backend << "): " << r.check);
            CHECK(r.passed);
        }
    }
}

TEST_CASE("The self-test catches a broken backend", "[provider][selftest]") {
    // A provider whose SHA-256 is really SHA-512 truncated must fail its KAT.
    static HashDescriptor broken = *default_provider().find(HashAlgorithm::sha512);
    broken.algorithm = HashAlgorithm::sha256;
    broken.output_size = 32;
    static const HashDescriptor* const hashes[] = {&broken};
    CryptoProvider p = default_provider();
    p.hashes = hashes;
    bool any_failed = false;
    for (const auto& r : self_test(p)) any_failed |= !r.passed;
    CHECK(any_failed);
}
