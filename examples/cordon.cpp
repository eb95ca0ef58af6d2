// cordon: the command-line face of the library.
//   cordon client HOST:PORT [options]             a TLS client over TCP
//   cordon server --cert F --key F [options]      a TLS server over TCP (echo or --http)
//   cordon provider [default|sodium|mbedtls]      algorithm table + self-test
#include <cstdio>
#include <cstring>

#include "cli_common.hpp"
#include "tls/crypto.hpp"

namespace cli {

namespace {

const char* const main_usage =
    "usage: cordon <command> [options]\n"
    "commands:\n"
    "  client HOST[:PORT] [options]           connect with TLS, print what was negotiated,\n"
    "                                          send a request or stdin, print the response\n"
    "  server --cert CHAIN --key KEY [options] accept TLS connections: echo, or --http\n"
    "  provider [default|sodium|mbedtls]      which backend serves each algorithm, and the\n"
    "                                          provider self-test\n"
    "  help                                    this text\n"
    "`cordon <command> --help` describes a command's options.\n";

const char* const provider_usage =
    "usage: cordon provider [default|sodium|mbedtls]\n"
    "  prints which backend serves each algorithm and runs the provider self-test\n";

}  // namespace

int provider_command(int argc, char** argv) {
    const char* which = argc >= 1 ? argv[0] : "default";
    if (argc > 1) return bad_usage("provider takes one argument", provider_usage);
    if (std::strcmp(which, "-h") == 0 || std::strcmp(which, "--help") == 0) {
        std::printf("%s", provider_usage);
        return 0;
    }
    const tls::crypto::CryptoProvider* p = parse_provider(which);
    if (p == nullptr) return bad_usage(std::string("unknown provider \"") + which + "\"", provider_usage);

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

int main_command(int argc, char** argv) {
    if (argc < 2) return bad_usage("missing command", main_usage);
    const char* command = argv[1];
    if (std::strcmp(command, "client") == 0) return client_command(argc - 2, argv + 2);
    if (std::strcmp(command, "server") == 0) return server_command(argc - 2, argv + 2);
    if (std::strcmp(command, "provider") == 0) return provider_command(argc - 2, argv + 2);
    if (std::strcmp(command, "help") == 0 || std::strcmp(command, "--help") == 0 || std::strcmp(command, "-h") == 0) {
        std::printf("%s", main_usage);
        return 0;
    }
    return bad_usage(std::string("unknown command \"") + command + "\"", main_usage);
}

}  // namespace cli

int main(int argc, char** argv) { return cli::main_command(argc, argv); }
