// Every Wycheproof file in ../shared/testdata/wycheproof, run against every
// provider that offers its algorithm. Valid cases must be accepted with the
// exact output, invalid ones rejected; "acceptable" cases are decided as
// documented at each call site. Zero failures allowed.
//
// Files no provider offers (and so not run): extra/ecdsa_secp521r1_sha512_test.json
// (cordon does not offer P-521) and extra/rsa_pkcs1_2048_test.json (RSAES
// decryption: cordon never does RSA key transport).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <iostream>

#include "crypto/ecdsa_signature.hpp"
#include "support/hex.hpp"
#include "support/wycheproof.hpp"
#include "tls/crypto.hpp"
#include "x509/spki.hpp"

using namespace tls::crypto;
using test::ByteVec;
using test::from_hex;
using test::Tally;
using nlohmann::json;

namespace {

ByteVec hex(const json& v) { return from_hex(v.get<std::string>()); }

// Reports a tally and fails the test on any wrong decision.
void check(const std::string& file, const char* provider, const Tally& tally, int expected_cases) {
    const int decided = tally.valid_accepted + tally.invalid_rejected + tally.acceptable_accepted +
                        tally.acceptable_rejected + tally.not_applicable + static_cast<int>(tally.failures.size());
    std::cout << "wycheproof " << file << " [" << provider << "]: " << tally.summary() << "\n";
    INFO(file << " [" << provider << "] " << tally.summary());
    for (const auto& f : tally.failures) UNSCOPED_INFO(f);
    CHECK(tally.failures.empty());
    CHECK(decided == expected_cases);  // every case was looked at
}

std::optional<HashAlgorithm> hash_by_name(const std::string& name) {
    if (name == "SHA-1") return HashAlgorithm::sha1;
    if (name == "SHA-256") return HashAlgorithm::sha256;
    if (name == "SHA-384") return HashAlgorithm::sha384;
    if (name == "SHA-512") return HashAlgorithm::sha512;
    return std::nullopt;  // SHA-224, SHA-512/256, SHA3: not offered
}

// ---------------------------------------------------------------- AEAD

void run_aead(const std::string& file) {
    const json doc = test::load_wycheproof(file);
    int total = doc["numberOfTests"];
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        Tally tally;
        bool offered_any = false;
        for (const auto& group : doc["testGroups"]) {
            const int key_bits = group["keySize"];
            for (const auto& tc : group["tests"]) {
                const std::string& algorithm = doc["algorithm"];
                const AeadDescriptor* aead = nullptr;
                if (algorithm == "CHACHA20-POLY1305") aead = provider->find(AeadAlgorithm::chacha20_poly1305);
                else if (key_bits == 128) aead = provider->find(AeadAlgorithm::aes128_gcm);
                else if (key_bits == 256) aead = provider->find(AeadAlgorithm::aes256_gcm);
                ByteVec key = hex(tc["key"]), iv = hex(tc["iv"]), aad = hex(tc["aad"]), msg = hex(tc["msg"]),
                        ct = hex(tc["ct"]), tag = hex(tc["tag"]);
                if (aead == nullptr) {
                    // AES-192 is not a TLS cipher; algorithms this provider lacks are counted too.
                    ++tally.not_applicable;
                    continue;
                }
                offered_any = true;
                auto k = aead->new_key(key);
                REQUIRE(k.ok());
                if (iv.size() != aead_nonce_size) {
                    // TLS nonces are 12 bytes: the API must refuse other sizes. For "invalid"
                    // cases that refusal is the expected rejection; a "valid" case with another
                    // IV size is outside TLS and not applicable.
                    ByteVec buf = ct;
                    auto r = (*k)->open(iv, aad, buf, tag);
                    REQUIRE_FALSE(r.ok());
                    CHECK(r.error().code == tls::ErrorCode::invalid_argument);
                    if (tc["result"] == "valid") ++tally.not_applicable;
                    else tally.record(tc, false);
                    continue;
                }
                // Seal: for valid cases the ciphertext and tag must match exactly.
                if (tc["result"] == "valid") {
                    ByteVec buf = msg, out_tag(aead_tag_size);
                    REQUIRE((*k)->seal(iv, aad, buf, out_tag).ok());
                    CHECK(test::to_hex(buf) == test::to_hex(ct));
                    CHECK(test::to_hex(out_tag) == test::to_hex(tag));
                }
                // Open in place.
                ByteVec buf = ct;
                bool accepted = false;
                if (tag.size() == aead_tag_size) {
                    auto r = (*k)->open(iv, aad, buf, tag);
                    accepted = r.ok();
                    if (!accepted) {
                        CHECK(r.error().code == tls::ErrorCode::bad_record_mac);
                        // No unauthenticated plaintext is left behind.
                        CHECK(std::all_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b == 0; }));
                    }
                }
                tally.record(tc, accepted, buf == msg);
            }
        }
        if (!offered_any) continue;
        ++providers_run;
        check(file, pname, tally, total);
    }
    CHECK(providers_run >= 2);  // at least two backends cross-check each AEAD file
}

TEST_CASE("Wycheproof AES-GCM", "[wycheproof][aead]") { run_aead("aes_gcm_test.json"); }
TEST_CASE("Wycheproof ChaCha20-Poly1305", "[wycheproof][aead]") { run_aead("chacha20_poly1305_test.json"); }

// ---------------------------------------------------------------- HMAC and HKDF

void run_hmac(const std::string& file, HashAlgorithm h) {
    const json doc = test::load_wycheproof(file);
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        const HashDescriptor* hash = provider->find(h);
        if (hash == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            const std::size_t tag_bytes = group["tagSize"].get<std::size_t>() / 8;
            for (const auto& tc : group["tests"]) {
                ByteVec key = hex(tc["key"]), msg = hex(tc["msg"]), tag = hex(tc["tag"]);
                std::uint8_t out[64];
                Hmac::mac(*hash, key, msg, out);
                // A MAC check compares the (possibly truncated) tag in constant time.
                const bool accepted = tag.size() == tag_bytes && ct_equal(Bytes(out, tag_bytes), tag);
                tally.record(tc, accepted);
            }
        }
        check(file, pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 1);
}

TEST_CASE("Wycheproof HMAC-SHA-256", "[wycheproof][hmac]") { run_hmac("hmac_sha256_test.json", HashAlgorithm::sha256); }
TEST_CASE("Wycheproof HMAC-SHA-384", "[wycheproof][hmac]") { run_hmac("hmac_sha384_test.json", HashAlgorithm::sha384); }

void run_hkdf(const std::string& file, HashAlgorithm h) {
    const json doc = test::load_wycheproof(file);
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        const HashDescriptor* hash = provider->find(h);
        if (hash == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            for (const auto& tc : group["tests"]) {
                ByteVec ikm = hex(tc["ikm"]), salt = hex(tc["salt"]), info = hex(tc["info"]);
                const std::size_t size = tc["size"];
                std::uint8_t prk[64];
                hkdf_extract(*hash, salt, ikm, prk);
                ByteVec okm(size);
                auto r = hkdf_expand(*hash, Bytes(prk, hash->output_size), info, okm);
                tally.record(tc, r.ok(), r.ok() && test::to_hex(okm) == tc["okm"].get<std::string>());
            }
        }
        check(file, pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 1);
}

TEST_CASE("Wycheproof HKDF-SHA-256", "[wycheproof][hkdf]") { run_hkdf("hkdf_sha256_test.json", HashAlgorithm::sha256); }
TEST_CASE("Wycheproof HKDF-SHA-384", "[wycheproof][hkdf]") { run_hkdf("hkdf_sha384_test.json", HashAlgorithm::sha384); }

// ---------------------------------------------------------------- key exchange

// Big-endian scalar from Wycheproof (may carry a leading 00 or be short) as exactly n bytes.
std::optional<ByteVec> fixed_width(ByteVec v, std::size_t n) {
    while (v.size() > n && v.front() == 0) v.erase(v.begin());
    if (v.size() > n) return std::nullopt;
    v.insert(v.begin(), n - v.size(), 0);
    return v;
}

bool has_flag(const json& tc, const char* flag) {
    for (const auto& f : tc["flags"])
        if (f == flag) return true;
    return false;
}

TEST_CASE("Wycheproof X25519", "[wycheproof][kx]") {
    const json doc = test::load_wycheproof("x25519_test.json");
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        const KeyExchangeDescriptor* kx = provider->find(NamedGroup::x25519);
        if (kx == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            for (const auto& tc : group["tests"]) {
                ByteVec priv = hex(tc["private"]), pub = hex(tc["public"]), shared = hex(tc["shared"]);
                auto key = kx->from_private(priv);
                REQUIRE(key.ok());
                ByteVec out(32);
                auto r = (*key)->agree(pub, out);
                // RFC 8446 7.4.2: an all-zero X25519 result must abort the handshake.
                if (has_flag(tc, "ZeroSharedSecret")) CHECK_FALSE(r.ok());
                tally.record(tc, r.ok(), out == shared);
            }
        }
        check("x25519_test.json", pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 2);
}

// ECDH with raw points (the TLS key_share form) or SPKI-wrapped public keys.
void run_ecdh(const std::string& file, NamedGroup curve, bool spki) {
    const json doc = test::load_wycheproof(file);
    const std::size_t n = curve == NamedGroup::secp256r1 ? 32 : 48;
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        const KeyExchangeDescriptor* kx = provider->find(curve);
        if (kx == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            for (const auto& tc : group["tests"]) {
                auto priv = fixed_width(hex(tc["private"]), n);
                REQUIRE(priv.has_value());
                ByteVec pub = hex(tc["public"]), shared = hex(tc["shared"]);
                auto key = kx->from_private(*priv);
                REQUIRE(key.ok());
                Bytes point = pub;
                bool parsed = true;
                if (spki) {
                    // Strict DER and named curves only: BER variants and explicit curve
                    // parameters ("acceptable" in Wycheproof) are rejected.
                    auto pk = tls::x509::parse_subject_public_key_info(pub);
                    const auto* ec = pk.ok() ? std::get_if<EcPublicKey>(&*pk) : nullptr;
                    parsed = ec != nullptr && ec->curve == curve;
                    if (parsed) point = ec->point;
                }
                ByteVec out(n);
                // Compressed points ("acceptable") are rejected: TLS allows only uncompressed.
                const bool accepted = parsed && (*key)->agree(point, out).ok();
                tally.record(tc, accepted, out == shared);
            }
        }
        check(file, pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 1);
}

TEST_CASE("Wycheproof ECDH P-256 (points)", "[wycheproof][kx]") {
    run_ecdh("ecdh_secp256r1_ecpoint_test.json", NamedGroup::secp256r1, false);
}
TEST_CASE("Wycheproof ECDH P-384 (points)", "[wycheproof][kx]") {
    run_ecdh("ecdh_secp384r1_ecpoint_test.json", NamedGroup::secp384r1, false);
}
TEST_CASE("Wycheproof ECDH P-256 (SPKI)", "[wycheproof][kx]") {
    run_ecdh("ecdh_secp256r1_test.json", NamedGroup::secp256r1, true);
}
TEST_CASE("Wycheproof ECDH P-384 (SPKI)", "[wycheproof][kx]") {
    run_ecdh("ecdh_secp384r1_test.json", NamedGroup::secp384r1, true);
}

// ---------------------------------------------------------------- signatures

// Runs a signature file: for each provider that has `scheme`, each case through
// verifier->verify with the key the group gives, checking the SPKI form too.
// as_pss_key relabels the (rsaEncryption) RSA key as an id-RSASSA-PSS one, for
// the rsa_pss_pss_* verifiers: the same arithmetic, only the key type differs.
template <class MakeKey>
void run_signature(const std::string& file, SignatureScheme scheme, MakeKey make_key, bool as_pss_key = false) {
    const json doc = test::load_wycheproof(file);
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        const SignatureVerifier* verifier = provider->find(scheme);
        if (verifier == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            std::vector<ByteVec> storage;
            PublicKey key = make_key(group, storage);
            // The DER SubjectPublicKeyInfo in the group must parse to the same key.
            ByteVec der = hex(group["publicKeyDer"]);
            auto parsed = tls::x509::parse_subject_public_key_info(der);
            REQUIRE(parsed.ok());
            REQUIRE(parsed->index() == key.index());
            if (as_pss_key) {
                std::get<RsaPublicKey>(key).pss_only = true;
                std::get<RsaPublicKey>(*parsed).pss_only = true;
            }
            for (const auto& tc : group["tests"]) {
                ByteVec msg = hex(tc["msg"]), sig = hex(tc["sig"]);
                auto r = verifier->verify(key, msg, sig);
                auto r2 = verifier->verify(*parsed, msg, sig);
                CHECK(r.ok() == r2.ok());
                tally.record(tc, r.ok());
            }
        }
        check(file, pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 1);
}

PublicKey ec_key(const json& group, std::vector<ByteVec>& storage, NamedGroup curve) {
    storage.push_back(hex(group["publicKey"]["uncompressed"]));
    return EcPublicKey{curve, storage.back()};
}

PublicKey rsa_key(const json& group, std::vector<ByteVec>& storage) {
    storage.push_back(hex(group["publicKey"]["modulus"]));
    storage.push_back(hex(group["publicKey"]["publicExponent"]));
    return RsaPublicKey{storage[0], storage[1]};
}

TEST_CASE("Wycheproof ECDSA P-256 SHA-256", "[wycheproof][signature]") {
    run_signature("ecdsa_secp256r1_sha256_test.json", SignatureScheme::ecdsa_secp256r1_sha256,
                  [](const json& g, std::vector<ByteVec>& s) { return ec_key(g, s, NamedGroup::secp256r1); });
}
TEST_CASE("Wycheproof ECDSA P-384 SHA-384", "[wycheproof][signature]") {
    run_signature("ecdsa_secp384r1_sha384_test.json", SignatureScheme::ecdsa_secp384r1_sha384,
                  [](const json& g, std::vector<ByteVec>& s) { return ec_key(g, s, NamedGroup::secp384r1); });
}
// The same vectors through the TLS 1.2 verifier that takes the hash apart from
// the curve (provider.ecdsa): it must accept and refuse exactly as the scheme's.
void run_ecdsa_any_hash(const std::string& file, NamedGroup curve, tls::crypto::HashAlgorithm hash) {
    const json doc = test::load_wycheproof(file);
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        if (provider->ecdsa == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            std::vector<ByteVec> storage;
            const PublicKey key = ec_key(group, storage, curve);
            for (const auto& tc : group["tests"]) {
                ByteVec msg = hex(tc["msg"]), sig = hex(tc["sig"]);
                tally.record(tc, provider->ecdsa->verify(std::get<EcPublicKey>(key), hash, msg, sig).ok());
            }
        }
        check(file + " (any-hash ECDSA)", pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 1);
}

TEST_CASE("Wycheproof ECDSA through the any-hash (TLS 1.2) verifier", "[wycheproof][signature]") {
    run_ecdsa_any_hash("ecdsa_secp256r1_sha256_test.json", NamedGroup::secp256r1, tls::crypto::HashAlgorithm::sha256);
    run_ecdsa_any_hash("ecdsa_secp384r1_sha384_test.json", NamedGroup::secp384r1, tls::crypto::HashAlgorithm::sha384);
}

TEST_CASE("Wycheproof Ed25519", "[wycheproof][signature]") {
    run_signature("ed25519_test.json", SignatureScheme::ed25519, [](const json& g, std::vector<ByteVec>& s) {
        s.push_back(hex(g["publicKey"]["pk"]));
        return PublicKey(Ed25519PublicKey{s.back()});
    });
}
// "acceptable" MissingNull (DigestInfo without the NULL parameter): rejected, since
// cordon compares against the one canonical encoding (RFC 8017 8.2.2).
TEST_CASE("Wycheproof RSA PKCS#1 v1.5 SHA-256", "[wycheproof][signature]") {
    run_signature("rsa_signature_2048_sha256_test.json", SignatureScheme::rsa_pkcs1_sha256, rsa_key);
}
TEST_CASE("Wycheproof RSA PKCS#1 v1.5 SHA-384", "[wycheproof][signature]") {
    run_signature("extra/rsa_signature_2048_sha384_test.json", SignatureScheme::rsa_pkcs1_sha384, rsa_key);
}
TEST_CASE("Wycheproof RSA-PSS SHA-256 (rsa_pss_rsae_sha256)", "[wycheproof][signature]") {
    run_signature("rsa_pss_2048_sha256_mgf1_32_test.json", SignatureScheme::rsa_pss_rsae_sha256, rsa_key);
}
TEST_CASE("Wycheproof RSA-PSS SHA-384 (rsa_pss_rsae_sha384)", "[wycheproof][signature]") {
    run_signature("extra/rsa_pss_2048_sha384_mgf1_48_test.json", SignatureScheme::rsa_pss_rsae_sha384, rsa_key);
}
TEST_CASE("Wycheproof RSA-PSS SHA-256 with an RSASSA-PSS key (rsa_pss_pss_sha256)", "[wycheproof][signature]") {
    run_signature("rsa_pss_2048_sha256_mgf1_32_test.json", SignatureScheme::rsa_pss_pss_sha256, rsa_key, true);
}
TEST_CASE("Wycheproof RSA-PSS SHA-384 with an RSASSA-PSS key (rsa_pss_pss_sha384)", "[wycheproof][signature]") {
    run_signature("extra/rsa_pss_2048_sha384_mgf1_48_test.json", SignatureScheme::rsa_pss_pss_sha384, rsa_key, true);
}

// RSASSA-PSS with explicit parameters (as X.509 may carry them), every file.
// Combinations with SHA-1 or SHA-224 are not offered (policy: no SHA-1
// signatures; SHA-224 is in no TLS or web PKI profile) and counted not applicable.
void run_pss_params(const std::string& file) {
    const json doc = test::load_wycheproof(file);
    int providers_run = 0;
    for (const auto& [pname, provider] : test::all_providers()) {
        if (provider->rsa_pss == nullptr) continue;
        ++providers_run;
        Tally tally;
        for (const auto& group : doc["testGroups"]) {
            std::vector<ByteVec> storage;
            PublicKey key = rsa_key(group, storage);
            auto h = hash_by_name(group["sha"]);
            auto mgf = hash_by_name(group["mgfSha"]);
            const bool offered = h && mgf && *h != HashAlgorithm::sha1 && *mgf != HashAlgorithm::sha1;
            for (const auto& tc : group["tests"]) {
                if (!offered) {
                    ++tally.not_applicable;
                    continue;
                }
                ByteVec msg = hex(tc["msg"]), sig = hex(tc["sig"]);
                RsaPssParams params{*h, *mgf, group["sLen"].get<std::size_t>()};
                auto r = provider->rsa_pss->verify(std::get<RsaPublicKey>(key), params, msg, sig);
                tally.record(tc, r.ok());
            }
        }
        check(file, pname, tally, doc["numberOfTests"]);
    }
    CHECK(providers_run >= 1);
}

TEST_CASE("Wycheproof RSA-PSS explicit parameters", "[wycheproof][signature]") {
    run_pss_params("rsa_pss_misc_test.json");
    run_pss_params("rsa_pss_2048_sha256_mgf1_32_test.json");
    run_pss_params("extra/rsa_pss_2048_sha384_mgf1_48_test.json");
}

}  // namespace
