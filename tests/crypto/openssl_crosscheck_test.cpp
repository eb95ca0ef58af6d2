// Cross-checks against OpenSSL's libcrypto (a test-only dependency): the same
// AEAD output, the same ECDH secrets, and signatures that each side verifies for
// the other, over random inputs and keys OpenSSL generates.
#include <catch2/catch.hpp>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <memory>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::ByteVec;

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxFree {
    void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

ByteVec random_bytes(test::TestRng& rng, std::size_t n) {
    ByteVec v(n);
    REQUIRE(rng.fill(v).ok());
    return v;
}

const EVP_CIPHER* openssl_cipher(AeadAlgorithm a) {
    switch (a) {
        case AeadAlgorithm::aes128_gcm: return EVP_aes_128_gcm();
        case AeadAlgorithm::aes256_gcm: return EVP_aes_256_gcm();
        case AeadAlgorithm::chacha20_poly1305: return EVP_chacha20_poly1305();
    }
    return nullptr;
}

void openssl_seal(AeadAlgorithm a, const ByteVec& key, const ByteVec& nonce, const ByteVec& aad, ByteVec& data,
                  ByteVec& tag) {
    std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
    int len = 0;
    REQUIRE(EVP_EncryptInit_ex(ctx.get(), openssl_cipher(a), nullptr, key.data(), nonce.data()) == 1);
    if (!aad.empty()) REQUIRE(EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1);
    if (!data.empty())
        REQUIRE(EVP_EncryptUpdate(ctx.get(), data.data(), &len, data.data(), static_cast<int>(data.size())) == 1);
    REQUIRE(EVP_EncryptFinal_ex(ctx.get(), nullptr, &len) == 1);
    tag.resize(16);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1);
}

Pkey openssl_keygen(const char* type, const char* param) {
    EVP_PKEY* key = nullptr;
    if (std::string(type) == "RSA") {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    } else if (std::string(type) == "RSA-PSS") {
        // An RSASSA-PSS key without parameters (EVP_PKEY_Q_keygen takes no size for it).
        std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr));
        REQUIRE(ctx != nullptr);
        REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) == 1);
        REQUIRE(EVP_PKEY_keygen(ctx.get(), &key) == 1);
    } else if (param != nullptr) {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, type, param);
    } else {
        key = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    }
    REQUIRE(key != nullptr);
    return Pkey(key);
}

ByteVec encoded_public(EVP_PKEY* key) {
    unsigned char* buf = nullptr;
    size_t n = EVP_PKEY_get1_encoded_public_key(key, &buf);
    REQUIRE(n > 0);
    ByteVec out(buf, buf + n);
    OPENSSL_free(buf);
    return out;
}

ByteVec bn_param(EVP_PKEY* key, const char* name, std::size_t pad = 0) {
    BIGNUM* bn = nullptr;
    REQUIRE(EVP_PKEY_get_bn_param(key, name, &bn) == 1);
    ByteVec out(pad ? pad : static_cast<std::size_t>(BN_num_bytes(bn)));
    REQUIRE(BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) == static_cast<int>(out.size()));
    BN_clear_free(bn);
    return out;
}

}  // namespace

TEST_CASE("AEAD output equals OpenSSL's, byte for byte", "[openssl][aead]") {
    test::TestRng rng(30);
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto* d : provider->aeads) {
            INFO(name << " " << to_string(d->algorithm));
            for (std::size_t len : {0u, 1u, 63u, 1024u, 16384u}) {
                auto key = random_bytes(rng, d->key_size), nonce = random_bytes(rng, 12),
                     aad = random_bytes(rng, 13), msg = random_bytes(rng, len);
                ByteVec ours = msg, our_tag(16), theirs = msg, their_tag;
                auto k = d->new_key(key);
                REQUIRE(k.ok());
                REQUIRE((*k)->seal(nonce, aad, ours, our_tag).ok());
                openssl_seal(d->algorithm, key, nonce, aad, theirs, their_tag);
                CHECK(ours == theirs);
                CHECK(our_tag == their_tag);
            }
        }
    }
}

TEST_CASE("ECDH and X25519 agree with OpenSSL", "[openssl][kx]") {
    test::TestRng rng(31);
    struct G {
        NamedGroup group;
        const char* type;
        const char* param;
    };
    for (auto g : {G{NamedGroup::x25519, "X25519", nullptr}, G{NamedGroup::secp256r1, "EC", "P-256"},
                   G{NamedGroup::secp384r1, "EC", "P-384"}}) {
        for (const auto& [name, provider] : test::all_providers()) {
            const auto* d = provider->find(g.group);
            if (d == nullptr) continue;
            INFO(name << " " << to_string(g.group));
            for (int i = 0; i < 5; ++i) {
                Pkey theirs = openssl_keygen(g.type, g.param);
                auto ours = d->generate(rng);
                REQUIRE(ours.ok());
                // Our side.
                ByteVec our_secret(d->shared_secret_size);
                REQUIRE((*ours)->agree(encoded_public(theirs.get()), our_secret).ok());
                // Their side, with our public key.
                Pkey peer(EVP_PKEY_new());
                REQUIRE(EVP_PKEY_copy_parameters(peer.get(), theirs.get()) == 1);
                auto pub = (*ours)->public_key();
                REQUIRE(EVP_PKEY_set1_encoded_public_key(peer.get(), pub.data(), pub.size()) == 1);
                std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new(theirs.get(), nullptr));
                REQUIRE(EVP_PKEY_derive_init(ctx.get()) == 1);
                REQUIRE(EVP_PKEY_derive_set_peer(ctx.get(), peer.get()) == 1);
                size_t n = 0;
                REQUIRE(EVP_PKEY_derive(ctx.get(), nullptr, &n) == 1);
                ByteVec their_secret(n);
                REQUIRE(EVP_PKEY_derive(ctx.get(), their_secret.data(), &n) == 1);
                CHECK(our_secret == their_secret);
            }
        }
    }
}

namespace {

struct SigCase {
    SignatureScheme scheme;
    const EVP_MD* md;  // nullptr for Ed25519
    bool pss;
};

// OpenSSL signs `msg` with key under the scheme's parameters.
ByteVec openssl_sign(EVP_PKEY* key, const SigCase& c, const ByteVec& msg) {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    REQUIRE(EVP_DigestSignInit(ctx.get(), &pctx, c.md, nullptr, key) == 1);
    if (c.pss) {
        REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
    }
    size_t n = 0;
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &n, msg.data(), msg.size()) == 1);
    ByteVec sig(n);
    REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &n, msg.data(), msg.size()) == 1);
    sig.resize(n);
    return sig;
}

bool openssl_verify(EVP_PKEY* key, const SigCase& c, const ByteVec& msg, const ByteVec& sig) {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    REQUIRE(EVP_DigestVerifyInit(ctx.get(), &pctx, c.md, nullptr, key) == 1);
    if (c.pss) {
        REQUIRE(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
        REQUIRE(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
    }
    return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), msg.data(), msg.size()) == 1;
}

// Loads OpenSSL's private key into cordon through the component structs.
std::unique_ptr<SigningKey> import_key(const CryptoProvider& provider, EVP_PKEY* key, const char* type,
                                       const char* curve) {
    const std::string t = type;
    std::vector<ByteVec> parts;
    tls::Result<std::unique_ptr<SigningKey>> loaded = tls::Error{tls::ErrorCode::unsupported, ""};
    if (t == "ED25519") {
        ByteVec seed(32);
        size_t n = seed.size();
        REQUIRE(EVP_PKEY_get_raw_private_key(key, seed.data(), &n) == 1);
        loaded = provider.load_signing_key(Ed25519PrivateKey{seed});
    } else if (t == "EC") {
        const bool p256 = std::string(curve) == "P-256";
        ByteVec d = bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, p256 ? 32 : 48);
        loaded = provider.load_signing_key(EcPrivateKey{p256 ? NamedGroup::secp256r1 : NamedGroup::secp384r1, d});
    } else {
        for (const char* p : {OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
                              OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
                              OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1})
            parts.push_back(bn_param(key, p));
        RsaPrivateKey rsa{parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], parts[6], parts[7]};
        rsa.pss_only = t == "RSA-PSS";  // an id-RSASSA-PSS key, as OpenSSL's RSA-PSS type is
        loaded = provider.load_signing_key(rsa);
    }
    if (!loaded.ok()) return nullptr;
    return std::move(*loaded);
}

}  // namespace

TEST_CASE("Signatures verify both ways with OpenSSL", "[openssl][signature]") {
    test::TestRng rng(32);
    struct K {
        const char* type;
        const char* curve;
        std::vector<SigCase> cases;
    };
    const std::vector<K> keys = {
        {"ED25519", nullptr, {{SignatureScheme::ed25519, nullptr, false}}},
        {"EC", "P-256", {{SignatureScheme::ecdsa_secp256r1_sha256, EVP_sha256(), false}}},
        {"EC", "P-384", {{SignatureScheme::ecdsa_secp384r1_sha384, EVP_sha384(), false}}},
        {"RSA", nullptr,
         {{SignatureScheme::rsa_pss_rsae_sha256, EVP_sha256(), true},
          {SignatureScheme::rsa_pss_rsae_sha384, EVP_sha384(), true},
          {SignatureScheme::rsa_pss_rsae_sha512, EVP_sha512(), true},
          {SignatureScheme::rsa_pkcs1_sha256, EVP_sha256(), false},
          {SignatureScheme::rsa_pkcs1_sha384, EVP_sha384(), false},
          {SignatureScheme::rsa_pkcs1_sha512, EVP_sha512(), false}}},
        {"RSA-PSS", nullptr,
         {{SignatureScheme::rsa_pss_pss_sha256, EVP_sha256(), true},
          {SignatureScheme::rsa_pss_pss_sha384, EVP_sha384(), true},
          {SignatureScheme::rsa_pss_pss_sha512, EVP_sha512(), true}}},
    };
    int signed_by_cordon = 0;
    for (const auto& k : keys) {
        Pkey theirs = openssl_keygen(k.type, k.curve);
        for (const auto& [pname, provider] : test::all_providers()) {
            auto ours = import_key(*provider, theirs.get(), k.type, k.curve);
            for (const auto& c : k.cases) {
                const SignatureVerifier* verifier = provider->find(c.scheme);
                if (verifier == nullptr) continue;
                INFO(pname << " " << to_string(c.scheme));
                ByteVec msg = random_bytes(rng, 130);
                // OpenSSL signs, cordon verifies.
                ByteVec sig = openssl_sign(theirs.get(), c, msg);
                if (ours) {
                    CHECK(verifier->verify(ours->public_key(), msg, sig).ok());
                    // cordon signs, OpenSSL verifies.
                    ByteVec our_sig(ours->max_signature_size());
                    auto n = ours->sign(c.scheme, msg, rng, our_sig);
                    REQUIRE(n.ok());
                    our_sig.resize(*n);
                    CHECK(openssl_verify(theirs.get(), c, msg, our_sig));
                    ++signed_by_cordon;
                }
            }
        }
    }
    // Ed25519 on sodium, 11 ECDSA/RSA schemes on mbedTLS, all 12 on the default provider.
    CHECK(signed_by_cordon == 24);
}

TEST_CASE("ECDSA with any hash on either curve (TLS 1.2) verifies what OpenSSL signs", "[openssl][signature]") {
    test::TestRng rng(33);
    const EVP_MD* mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    const tls::crypto::HashAlgorithm hashes[] = {tls::crypto::HashAlgorithm::sha256, tls::crypto::HashAlgorithm::sha384,
                                                 tls::crypto::HashAlgorithm::sha512};
    int verified = 0;
    for (const char* curve : {"P-256", "P-384"}) {
        Pkey theirs = openssl_keygen("EC", curve);
        for (const auto& [pname, provider] : test::all_providers()) {
            if (provider->ecdsa == nullptr) continue;
            auto ours = import_key(*provider, theirs.get(), "EC", curve);
            REQUIRE(ours);
            const auto public_key = ours->public_key();
            const auto& ec = std::get<tls::crypto::EcPublicKey>(public_key);
            for (std::size_t i = 0; i < 3; ++i) {
                INFO(pname << " " << curve << " hash " << i);
                const SigCase c{SignatureScheme::ecdsa_secp256r1_sha256, mds[i], false};
                ByteVec msg = random_bytes(rng, 77);
                ByteVec sig = openssl_sign(theirs.get(), c, msg);
                CHECK(provider->ecdsa->verify(ec, hashes[i], msg, sig).ok());
                // The hash is bound: another hash, or another message, does not verify.
                CHECK_FALSE(provider->ecdsa->verify(ec, hashes[(i + 1) % 3], msg, sig).ok());
                msg[0] ^= 1;
                CHECK_FALSE(provider->ecdsa->verify(ec, hashes[i], msg, sig).ok());
                ++verified;
            }
        }
    }
    CHECK(verified >= 6);  // both curves x three hashes on at least one provider
}
