// cordon: the command-line face of the library.
//   cordon provider [sodium|mbedtls|default]   algorithm table + self-test
// (`cordon client` and `cordon server` arrive with the TLS 1.3 engine.)
#include <cstdio>
#include <cstring>

#include "tls/crypto.hpp"

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: cordon provider [default|sodium|mbedtls]\n"
                 "  prints which backend serves each algorithm and runs the provider self-test\n");
    return 2;
}

int provider_command(const char* which) {
    const tls::crypto::CryptoProvider* p = &tls::crypto::default_provider();
    if (std::strcmp(which, "sodium") == 0) p = &tls::crypto::sodium_provider();
    else if (std::strcmp(which, "mbedtls") == 0) p = &tls::crypto::mbedtls_provider();
    else if (std::strcmp(which, "default") != 0) return usage();

    std::printf("%s\n", tls::crypto::describe(*p).c_str());
    std::printf("self-test:\n");
    int failures = 0;
    for (const auto& r : tls::crypto::self_test(*p)) {
        std::printf("  %-4s %-24s %-8s %s\n", r.passed ? "ok" : "FAIL", r.algorithm.c_str(), r.backend.c_str(),
                    r.check.c_str());
        failures += r.passed ? 0 : 1;
    }
    std::printf("%s\n", failures == 0 ? "self-test passed" : "SELF-TEST FAILED");
    return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 2 && std::strcmp(argv[1], "provider") == 0) return provider_command(argc >= 3 ? argv[2] : "default");
    return usage();
}
