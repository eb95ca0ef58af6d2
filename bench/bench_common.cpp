#include "bench_common.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <cstdio>

namespace cordon_bench {

std::span<const Library> cordon_libraries() {
    static const Library libraries[] = {
        {"cordon", &tls::crypto::default_provider()},
        {"cordon-sodium", &tls::crypto::sodium_provider()},
        {"cordon-mbedtls", &tls::crypto::mbedtls_provider()},
        {"cordon-native", &tls::crypto::native_provider()},  // AES-GCM only
    };
    return libraries;
}

std::vector<std::uint8_t> random_bytes(std::size_t size) {
    std::vector<std::uint8_t> out(size);
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
        // Without test data nothing can be measured; this never happens on a working system.
        std::fputs("cordon-bench: RAND_bytes failed\n", stderr);
        std::abort();
    }
    return out;
}

void skip(benchmark::State& state, const char* what, const tls::Error& error) {
    std::string message(what);
    message += ": ";
    message += tls::to_string(error.code);
    message += " (";
    message += error.message;
    message += ')';
    state.SkipWithError(message.c_str());
}

void skip_openssl(benchmark::State& state, const char* what) {
    std::string message(what);
    if (unsigned long code = ERR_get_error(); code != 0) {
        char reason[256];
        ERR_error_string_n(code, reason, sizeof reason);
        message += ": ";
        message += reason;
    }
    ERR_clear_error();
    state.SkipWithError(message.c_str());
}

const EVP_MD* openssl_md(tls::crypto::HashAlgorithm hash) {
    using tls::crypto::HashAlgorithm;
    static const Owned<EVP_MD> sha1(EVP_MD_fetch(nullptr, "SHA1", nullptr));
    static const Owned<EVP_MD> sha256(EVP_MD_fetch(nullptr, "SHA256", nullptr));
    static const Owned<EVP_MD> sha384(EVP_MD_fetch(nullptr, "SHA384", nullptr));
    static const Owned<EVP_MD> sha512(EVP_MD_fetch(nullptr, "SHA512", nullptr));
    switch (hash) {
        case HashAlgorithm::sha1: return sha1.get();
        case HashAlgorithm::sha256: return sha256.get();
        case HashAlgorithm::sha384: return sha384.get();
        case HashAlgorithm::sha512: return sha512.get();
    }
    return nullptr;
}

}  // namespace cordon_bench
