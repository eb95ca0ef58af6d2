// Hashes, HMAC and HKDF-Expand:
//   hash/<hash>/<bytes>       one-shot digest of a message
//   hmac/<hash>/<bytes>       one MAC with a key set up once (the keyed pads are reused)
//   hkdf/<hash>/expand-32     one HKDF-Expand to 32 bytes with a TLS 1.3-sized label
#include <openssl/core_names.h>

#include <cstring>
#include <string>

#include "bench_common.hpp"

namespace cordon_bench {
namespace {

using tls::crypto::HashAlgorithm;
using tls::crypto::HashDescriptor;

constexpr HashAlgorithm hashes[] = {HashAlgorithm::sha256, HashAlgorithm::sha384, HashAlgorithm::sha512};
constexpr std::size_t hash_sizes[] = {64, 16384};
constexpr HashAlgorithm mac_hashes[] = {HashAlgorithm::sha256, HashAlgorithm::sha384};
constexpr std::size_t hmac_size = 1024;
constexpr std::size_t hkdf_output_size = 32;
// HkdfLabel for "tls13 c hs traffic" over a SHA-256 transcript hash: 2 + 1 + 18 + 1 + 32.
constexpr std::size_t hkdf_info_size = 54;

constexpr std::size_t max_output = 64;

// --- OpenSSL references (also used by the OpenSSL benchmarks) ---

bool openssl_digest(EVP_MD_CTX* ctx, const EVP_MD* md, Bytes data, std::uint8_t* out) {
    return EVP_DigestInit_ex(ctx, md, nullptr) == 1 && EVP_DigestUpdate(ctx, data.data(), data.size()) == 1 &&
           EVP_DigestFinal_ex(ctx, out, nullptr) == 1;
}

// An HMAC context keyed once; each MAC restarts it with the same key.
Owned<EVP_MAC_CTX> openssl_hmac_context(HashAlgorithm hash, Bytes key) {
    static const Owned<EVP_MAC> hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!hmac) return nullptr;
    Owned<EVP_MAC_CTX> ctx(EVP_MAC_CTX_new(hmac.get()));
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         const_cast<char*>(EVP_MD_get0_name(openssl_md(hash))), 0),
        OSSL_PARAM_construct_end()};
    if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1) return nullptr;
    return ctx;
}

bool openssl_hmac(EVP_MAC_CTX* ctx, Bytes data, std::uint8_t* out) {
    std::size_t len = 0;
    return EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 && EVP_MAC_update(ctx, data.data(), data.size()) == 1 &&
           EVP_MAC_final(ctx, out, &len, max_output) == 1;
}

// An HKDF context with the digest and expand-only mode set once.
Owned<EVP_KDF_CTX> openssl_hkdf_context(HashAlgorithm hash) {
    static const Owned<EVP_KDF> hkdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr));
    if (!hkdf) return nullptr;
    Owned<EVP_KDF_CTX> ctx(EVP_KDF_CTX_new(hkdf.get()));
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                         const_cast<char*>(EVP_MD_get0_name(openssl_md(hash))), 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode), OSSL_PARAM_construct_end()};
    if (!ctx || EVP_KDF_CTX_set_params(ctx.get(), params) != 1) return nullptr;
    return ctx;
}

// The PRK and info are passed on every call, as cordon's hkdf_expand takes them.
bool openssl_hkdf_expand(EVP_KDF_CTX* ctx, Bytes prk, Bytes info, MutableBytes out) {
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(prk.data()), prk.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()),
                                          info.size()),
        OSSL_PARAM_construct_end()};
    return EVP_KDF_derive(ctx, out.data(), out.size(), params) == 1;
}

// --- cordon ---

void cordon_hash(benchmark::State& state, const HashDescriptor& descriptor, std::size_t size) {
    const auto data = random_bytes(size);
    std::uint8_t out[max_output], expected[max_output];
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || !openssl_digest(ctx.get(), openssl_md(descriptor.algorithm), data, expected))
        return skip_openssl(state, "OpenSSL reference digest");
    tls::crypto::Hash::digest(descriptor, data, out);
    if (std::memcmp(out, expected, descriptor.output_size) != 0)
        return state.SkipWithError("digest differs from OpenSSL's");

    for (auto _ : state) {
        tls::crypto::Hash::digest(descriptor, data, out);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void cordon_hmac(benchmark::State& state, const HashDescriptor& descriptor, std::size_t size) {
    const auto key = random_bytes(descriptor.output_size);
    const auto data = random_bytes(size);
    std::uint8_t out[max_output], expected[max_output];
    auto ctx = openssl_hmac_context(descriptor.algorithm, key);
    if (!ctx || !openssl_hmac(ctx.get(), data, expected)) return skip_openssl(state, "OpenSSL reference HMAC");

    tls::crypto::Hmac hmac(descriptor, key);
    hmac.update(data);
    hmac.finish(out);
    if (std::memcmp(out, expected, descriptor.output_size) != 0)
        return state.SkipWithError("HMAC differs from OpenSSL's");

    for (auto _ : state) {
        hmac.update(data);
        hmac.finish(out);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void cordon_hkdf_expand(benchmark::State& state, const HashDescriptor& descriptor) {
    const auto prk = random_bytes(descriptor.output_size);
    const auto info = random_bytes(hkdf_info_size);
    std::uint8_t out[hkdf_output_size], expected[hkdf_output_size];
    auto ctx = openssl_hkdf_context(descriptor.algorithm);
    if (!ctx || !openssl_hkdf_expand(ctx.get(), prk, info, expected))
        return skip_openssl(state, "OpenSSL reference HKDF");
    if (auto r = tls::crypto::hkdf_expand(descriptor, prk, info, out); !r) return skip(state, "hkdf_expand", r.error());
    if (std::memcmp(out, expected, sizeof out) != 0) return state.SkipWithError("HKDF-Expand differs from OpenSSL's");

    for (auto _ : state) {
        if (auto r = tls::crypto::hkdf_expand(descriptor, prk, info, out); !r) {
            skip(state, "hkdf_expand", r.error());
            break;
        }
        benchmark::ClobberMemory();
    }
}

// --- OpenSSL ---

void openssl_hash(benchmark::State& state, HashAlgorithm hash, std::size_t size) {
    const auto data = random_bytes(size);
    const EVP_MD* md = openssl_md(hash);
    std::uint8_t out[max_output];
    Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
    if (!ctx || md == nullptr) return skip_openssl(state, "EVP_MD_CTX_new");
    for (auto _ : state) {
        if (!openssl_digest(ctx.get(), md, data, out)) {
            skip_openssl(state, "EVP_Digest*");
            break;
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void openssl_hmac_bench(benchmark::State& state, HashAlgorithm hash, std::size_t size) {
    const auto key = random_bytes(tls::crypto::hash_output_size(hash));
    const auto data = random_bytes(size);
    std::uint8_t out[max_output];
    auto ctx = openssl_hmac_context(hash, key);
    if (!ctx) return skip_openssl(state, "EVP_MAC_init");
    for (auto _ : state) {
        if (!openssl_hmac(ctx.get(), data, out)) {
            skip_openssl(state, "EVP_MAC_*");
            break;
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void openssl_hkdf_bench(benchmark::State& state, HashAlgorithm hash) {
    const auto prk = random_bytes(tls::crypto::hash_output_size(hash));
    const auto info = random_bytes(hkdf_info_size);
    std::uint8_t out[hkdf_output_size];
    auto ctx = openssl_hkdf_context(hash);
    if (!ctx) return skip_openssl(state, "EVP_KDF_CTX_set_params");
    for (auto _ : state) {
        if (!openssl_hkdf_expand(ctx.get(), prk, info, out)) {
            skip_openssl(state, "EVP_KDF_derive");
            break;
        }
        benchmark::ClobberMemory();
    }
}

// Registers one measurement for every library that offers the hash.
template <class CordonFn, class OpensslFn>
void add_all(HashAlgorithm hash, const std::string& rest, CordonFn cordon_fn, OpensslFn openssl_fn) {
    for (const Library& library : cordon_libraries()) {
        const HashDescriptor* d = library.provider->find(hash);
        if (d == nullptr) continue;  // e.g. libsodium has no SHA-384
        add(library.name, rest, [d, cordon_fn](benchmark::State& state) { cordon_fn(state, *d); });
    }
    add(openssl_name, rest, [hash, openssl_fn](benchmark::State& state) { openssl_fn(state, hash); });
}

}  // namespace

void register_hash_benchmarks() {
    for (HashAlgorithm hash : hashes) {
        for (std::size_t size : hash_sizes) {
            add_all(
                hash, std::string("hash/") + tls::crypto::to_string(hash) + "/" + std::to_string(size),
                [size](benchmark::State& s, const HashDescriptor& d) { cordon_hash(s, d, size); },
                [size](benchmark::State& s, HashAlgorithm h) { openssl_hash(s, h, size); });
        }
    }
    for (HashAlgorithm hash : mac_hashes) {
        add_all(
            hash, std::string("hmac/") + tls::crypto::to_string(hash) + "/" + std::to_string(hmac_size),
            [](benchmark::State& s, const HashDescriptor& d) { cordon_hmac(s, d, hmac_size); },
            [](benchmark::State& s, HashAlgorithm h) { openssl_hmac_bench(s, h, hmac_size); });
    }
    for (HashAlgorithm hash : mac_hashes) {
        add_all(
            hash, std::string("hkdf/") + tls::crypto::to_string(hash) + "/expand-" + std::to_string(hkdf_output_size),
            [](benchmark::State& s, const HashDescriptor& d) { cordon_hkdf_expand(s, d); },
            [](benchmark::State& s, HashAlgorithm h) { openssl_hkdf_bench(s, h); });
    }
}

}  // namespace cordon_bench
