// Signing and verifying a 128-byte message (about the size of a TLS 1.3
// CertificateVerify content) with each TLS signature scheme:
//   sign/<scheme>[/<rsa bits>], verify/<scheme>[/<rsa bits>]
//
// Every library uses the same key material: keys are generated once with
// OpenSSL and their components imported into cordon. Verification benchmarks
// all check the same OpenSSL-made signature.
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include <array>
#include <mutex>
#include <string>

#include "bench_common.hpp"

namespace cordon_bench {
namespace {

using tls::crypto::NamedGroup;
using tls::crypto::SignatureScheme;

constexpr std::size_t message_size = 128;
constexpr std::size_t max_signature_size = 512;  // RSA-4096; we use 2048

enum class KeyKind { ed25519, p256, p384, rsa2048, count };

struct SchemeInfo {
    SignatureScheme scheme;
    KeyKind kind;
    const char* digest;  // OpenSSL digest name; nullptr for Ed25519 (hashes internally)
    int rsa_padding;     // 0 unless RSA
    const char* suffix;  // appended to the name: the RSA key size
};

constexpr SchemeInfo schemes[] = {
    {SignatureScheme::ed25519, KeyKind::ed25519, nullptr, 0, ""},
    {SignatureScheme::ecdsa_secp256r1_sha256, KeyKind::p256, "SHA256", 0, ""},
    {SignatureScheme::ecdsa_secp384r1_sha384, KeyKind::p384, "SHA384", 0, ""},
    {SignatureScheme::rsa_pss_rsae_sha256, KeyKind::rsa2048, "SHA256", RSA_PKCS1_PSS_PADDING, "/2048"},
    {SignatureScheme::rsa_pkcs1_sha256, KeyKind::rsa2048, "SHA256", RSA_PKCS1_PADDING, "/2048"},
};

// A key pair held by OpenSSL, with its components as cordon takes them.
struct TestKey {
    Owned<EVP_PKEY> openssl;
    std::vector<std::vector<std::uint8_t>> parts;  // backing storage for the views below
    tls::crypto::PrivateKey private_key;
    tls::crypto::PublicKey public_key;

    Bytes keep(std::vector<std::uint8_t> bytes) {
        parts.push_back(std::move(bytes));
        return parts.back();
    }
};

std::vector<std::uint8_t> bn_param(EVP_PKEY* key, const char* name, std::size_t pad_to = 0) {
    BIGNUM* bn = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return {};
    std::vector<std::uint8_t> out(pad_to != 0 ? pad_to : static_cast<std::size_t>(BN_num_bytes(bn)));
    if (BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) < 0) out.clear();
    BN_clear_free(bn);
    return out;
}

bool make_ed25519(TestKey& k) {
    const auto seed = random_bytes(32);
    k.openssl.reset(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, seed.data(), seed.size()));
    std::vector<std::uint8_t> pub(32);
    std::size_t pub_size = pub.size();
    if (!k.openssl || EVP_PKEY_get_raw_public_key(k.openssl.get(), pub.data(), &pub_size) != 1) return false;
    k.private_key = tls::crypto::Ed25519PrivateKey{k.keep(seed)};
    k.public_key = tls::crypto::Ed25519PublicKey{k.keep(std::move(pub))};
    return true;
}

bool make_ec(TestKey& k, NamedGroup curve) {
    const bool p256 = curve == NamedGroup::secp256r1;
    k.openssl.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", p256 ? "P-256" : "P-384"));
    if (!k.openssl) return false;
    auto scalar = bn_param(k.openssl.get(), OSSL_PKEY_PARAM_PRIV_KEY, p256 ? 32 : 48);
    unsigned char* point = nullptr;
    const std::size_t point_size = EVP_PKEY_get1_encoded_public_key(k.openssl.get(), &point);
    std::vector<std::uint8_t> point_bytes(point, point + point_size);
    OPENSSL_free(point);
    if (scalar.empty() || point_size == 0) return false;
    k.private_key = tls::crypto::EcPrivateKey{curve, k.keep(std::move(scalar))};
    k.public_key = tls::crypto::EcPublicKey{curve, k.keep(std::move(point_bytes))};
    return true;
}

bool make_rsa(TestKey& k, unsigned bits) {
    k.openssl.reset(EVP_RSA_gen(bits));
    if (!k.openssl) return false;
    EVP_PKEY* key = k.openssl.get();
    tls::crypto::RsaPrivateKey rsa;
    rsa.modulus = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_N));
    rsa.public_exponent = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_E));
    rsa.private_exponent = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_D));
    rsa.prime1 = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR1));
    rsa.prime2 = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_FACTOR2));
    rsa.exponent1 = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT1));
    rsa.exponent2 = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_EXPONENT2));
    rsa.coefficient = k.keep(bn_param(key, OSSL_PKEY_PARAM_RSA_COEFFICIENT1));
    for (const auto& part : k.parts)
        if (part.empty()) return false;
    k.private_key = rsa;
    k.public_key = tls::crypto::RsaPublicKey{rsa.modulus, rsa.public_exponent};
    return true;
}

// The process-wide key of a kind, made on first use (RSA generation takes a
// while, so only benchmarks that run pay for it); nullptr if OpenSSL failed.
const TestKey* test_key(KeyKind kind) {
    static std::array<TestKey, static_cast<std::size_t>(KeyKind::count)> keys;
    static std::array<std::once_flag, static_cast<std::size_t>(KeyKind::count)> made;
    static std::array<bool, static_cast<std::size_t>(KeyKind::count)> ok{};
    const auto i = static_cast<std::size_t>(kind);
    std::call_once(made[i], [&] {
        TestKey& k = keys[i];
        switch (kind) {
            case KeyKind::ed25519: ok[i] = make_ed25519(k); break;
            case KeyKind::p256: ok[i] = make_ec(k, NamedGroup::secp256r1); break;
            case KeyKind::p384: ok[i] = make_ec(k, NamedGroup::secp384r1); break;
            case KeyKind::rsa2048: ok[i] = make_rsa(k, 2048); break;
            case KeyKind::count: break;
        }
    });
    return ok[i] ? &keys[i] : nullptr;
}

// A private key of the kind with empty components: enough for can_load().
tls::crypto::PrivateKey sample_private_key(KeyKind kind) {
    switch (kind) {
        case KeyKind::ed25519: return tls::crypto::Ed25519PrivateKey{};
        case KeyKind::p256: return tls::crypto::EcPrivateKey{NamedGroup::secp256r1, {}};
        case KeyKind::p384: return tls::crypto::EcPrivateKey{NamedGroup::secp384r1, {}};
        case KeyKind::rsa2048:
        case KeyKind::count: break;
    }
    return tls::crypto::RsaPrivateKey{};
}

bool provider_can_sign(const tls::crypto::CryptoProvider& provider, KeyKind kind) {
    const auto sample = sample_private_key(kind);
    for (const auto* factory : provider.signing_keys)
        if (factory->can_load(sample)) return true;
    return false;
}

// --- OpenSSL, as libssl signs and verifies: a fresh init per signature on a reused context ---

bool openssl_init(EVP_MD_CTX* ctx, const SchemeInfo& info, EVP_PKEY* key, bool sign) {
    EVP_PKEY_CTX* pctx = nullptr;
    EVP_MD_CTX_reset(ctx);
    const int rc = sign ? EVP_DigestSignInit_ex(ctx, &pctx, info.digest, nullptr, nullptr, key, nullptr)
                        : EVP_DigestVerifyInit_ex(ctx, &pctx, info.digest, nullptr, nullptr, key, nullptr);
    if (rc != 1) return false;
    if (info.rsa_padding == 0) return true;
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, info.rsa_padding) != 1) return false;
    // rsa_pss_rsae_*: salt as long as the digest, MGF1 with the same digest (its default).
    return info.rsa_padding != RSA_PKCS1_PSS_PADDING ||
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
}

bool openssl_sign(EVP_MD_CTX* ctx, const SchemeInfo& info, EVP_PKEY* key, Bytes message, std::uint8_t* signature,
                  std::size_t& signature_size) {
    signature_size = max_signature_size;
    return openssl_init(ctx, info, key, true) &&
           EVP_DigestSign(ctx, signature, &signature_size, message.data(), message.size()) == 1;
}

bool openssl_verify(EVP_MD_CTX* ctx, const SchemeInfo& info, EVP_PKEY* key, Bytes message, Bytes signature) {
    return openssl_init(ctx, info, key, false) &&
           EVP_DigestVerify(ctx, signature.data(), signature.size(), message.data(), message.size()) == 1;
}

// --- cordon ---

void cordon_sign(benchmark::State& state, const tls::crypto::CryptoProvider& provider, const SchemeInfo& info) {
    const TestKey* key = test_key(info.kind);
    if (key == nullptr) return skip_openssl(state, "OpenSSL key generation");
    auto signer = provider.load_signing_key(key->private_key);
    if (!signer) return skip(state, "load_signing_key", signer.error());
    if (!(*signer)->supports(info.scheme)) return state.SkipWithError("loaded key does not support the scheme");
    tls::crypto::Rng& rng = provider.rng != nullptr ? *provider.rng : tls::crypto::system_rng();
    const auto message = random_bytes(message_size);
    std::vector<std::uint8_t> signature((*signer)->max_signature_size());

    // One signature must verify under OpenSSL, or the numbers mean nothing.
    auto first = (*signer)->sign(info.scheme, message, rng, signature);
    if (!first) return skip(state, "sign", first.error());
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || !openssl_verify(ctx.get(), info, key->openssl.get(), message, Bytes(signature).first(*first)))
        return skip_openssl(state, "OpenSSL rejects cordon's signature");

    for (auto _ : state) {
        if (auto r = (*signer)->sign(info.scheme, message, rng, signature); !r) {
            skip(state, "sign", r.error());
            break;
        }
        benchmark::ClobberMemory();
    }
}

void cordon_verify(benchmark::State& state, const tls::crypto::SignatureVerifier& verifier, const SchemeInfo& info) {
    const TestKey* key = test_key(info.kind);
    if (key == nullptr) return skip_openssl(state, "OpenSSL key generation");
    const auto message = random_bytes(message_size);
    std::uint8_t signature[max_signature_size];
    std::size_t signature_size = 0;
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || !openssl_sign(ctx.get(), info, key->openssl.get(), message, signature, signature_size))
        return skip_openssl(state, "OpenSSL reference signature");
    const Bytes sig(signature, signature_size);

    // A verifier that accepts everything would be fast and useless: it must
    // reject the signature over a different message.
    auto other = message;
    other[0] ^= 1;
    if (verifier.verify(key->public_key, other, sig).ok())
        return state.SkipWithError("verifier accepts a signature over another message");

    for (auto _ : state) {
        if (auto r = verifier.verify(key->public_key, message, sig); !r) {
            skip(state, "verify", r.error());
            break;
        }
    }
}

// --- OpenSSL ---

void openssl_sign_bench(benchmark::State& state, const SchemeInfo& info) {
    const TestKey* key = test_key(info.kind);
    if (key == nullptr) return skip_openssl(state, "OpenSSL key generation");
    const auto message = random_bytes(message_size);
    std::uint8_t signature[max_signature_size];
    std::size_t signature_size = 0;
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx) return skip_openssl(state, "EVP_MD_CTX_new");
    for (auto _ : state) {
        if (!openssl_sign(ctx.get(), info, key->openssl.get(), message, signature, signature_size)) {
            skip_openssl(state, "EVP_DigestSign");
            break;
        }
        benchmark::ClobberMemory();
    }
}

void openssl_verify_bench(benchmark::State& state, const SchemeInfo& info) {
    const TestKey* key = test_key(info.kind);
    if (key == nullptr) return skip_openssl(state, "OpenSSL key generation");
    const auto message = random_bytes(message_size);
    std::uint8_t signature[max_signature_size];
    std::size_t signature_size = 0;
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || !openssl_sign(ctx.get(), info, key->openssl.get(), message, signature, signature_size))
        return skip_openssl(state, "OpenSSL reference signature");
    const Bytes sig(signature, signature_size);
    for (auto _ : state) {
        if (!openssl_verify(ctx.get(), info, key->openssl.get(), message, sig)) {
            skip_openssl(state, "EVP_DigestVerify");
            break;
        }
    }
}

}  // namespace

void register_signature_benchmarks() {
    for (const SchemeInfo& info : schemes) {
        const std::string name = std::string(tls::crypto::to_string(info.scheme)) + info.suffix;
        for (const Library& library : cordon_libraries()) {
            if (!provider_can_sign(*library.provider, info.kind)) continue;
            const auto* provider = library.provider;
            add(library.name, "sign/" + name,
                [provider, &info](benchmark::State& state) { cordon_sign(state, *provider, info); })
                ->Unit(benchmark::kMicrosecond);
        }
        add(openssl_name, "sign/" + name, [&info](benchmark::State& state) { openssl_sign_bench(state, info); })
            ->Unit(benchmark::kMicrosecond);

        for (const Library& library : cordon_libraries()) {
            const auto* verifier = library.provider->find(info.scheme);
            if (verifier == nullptr) continue;
            add(library.name, "verify/" + name,
                [verifier, &info](benchmark::State& state) { cordon_verify(state, *verifier, info); })
                ->Unit(benchmark::kMicrosecond);
        }
        add(openssl_name, "verify/" + name, [&info](benchmark::State& state) { openssl_verify_bench(state, info); })
            ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace cordon_bench
