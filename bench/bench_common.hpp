// Shared helpers for cordon-bench: the libraries under test, benchmark naming,
// OpenSSL handle ownership and error reporting.
//
// Every benchmark is named "<library>/<rest>", where <library> is cordon,
// cordon-sodium, cordon-mbedtls, cordon-native or openssl and <rest> is the same string for the
// same measurement in every library, so bench/ratios.py can pair them.
#pragma once

#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tls/crypto/provider.hpp"

namespace cordon_bench {

using tls::crypto::Bytes;
using tls::crypto::MutableBytes;

// A cordon provider under test and the library name it reports under.
struct Library {
    const char* name;
    const tls::crypto::CryptoProvider* provider;
};

// cordon (the default provider), cordon-sodium, cordon-mbedtls, cordon-native
// (cordon's own AES-GCM; it offers nothing else, so it shows in AEAD results only).
std::span<const Library> cordon_libraries();

inline constexpr const char* openssl_name = "openssl";

// Registers fn as "<library>/<rest>" with the settings every benchmark shares.
template <class Fn>
benchmark::internal::Benchmark* add(std::string_view library, std::string_view rest, Fn&& fn) {
    std::string name(library);
    name += '/';
    name += rest;
    return benchmark::RegisterBenchmark(name.c_str(), std::forward<Fn>(fn));
}

// Owning handles for OpenSSL objects.
struct OpensslFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
    void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
    void operator()(EVP_MD* p) const noexcept { EVP_MD_free(p); }
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
    void operator()(EVP_MAC* p) const noexcept { EVP_MAC_free(p); }
    void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
    void operator()(EVP_KDF* p) const noexcept { EVP_KDF_free(p); }
    void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};
template <class T>
using Owned = std::unique_ptr<T, OpensslFree>;

// Random bytes from OpenSSL's DRBG (test data and keys; never timed).
std::vector<std::uint8_t> random_bytes(std::size_t size);

// Marks the benchmark failed with "<what>: <cordon error code> (<message>)".
void skip(benchmark::State& state, const char* what, const tls::Error& error);
// Marks the benchmark failed with "<what>" plus OpenSSL's first queued error.
void skip_openssl(benchmark::State& state, const char* what);

// The OpenSSL digest fetched once, as performance-aware OpenSSL 3 code does
// (EVP_sha256() and friends re-resolve the implementation on every init).
const EVP_MD* openssl_md(tls::crypto::HashAlgorithm hash);

// Registration, one per source file.
void register_aead_benchmarks();
void register_hash_benchmarks();
void register_key_exchange_benchmarks();
void register_signature_benchmarks();
void register_record_benchmarks();
void register_x509_benchmarks();
void register_tls_benchmarks();

}  // namespace cordon_bench
