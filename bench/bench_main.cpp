// cordon-bench: cordon's crypto providers against OpenSSL's libcrypto, measured
// in the same run. Pass any Google Benchmark flag, e.g.
//   cordon-bench --benchmark_filter=aead --benchmark_min_time=0.2
//   cordon-bench --benchmark_out=bench.json --benchmark_out_format=json
// and feed the JSON to bench/ratios.py.
#include <openssl/crypto.h>

#include <string>

#include "bench_common.hpp"

namespace {

// "AES-128-GCM=mbedtls SHA-256=sodium ...": which backend the default provider
// uses per algorithm, recorded in the JSON context so ratios.py can compare it
// with the measured sodium/mbedTLS winners.
std::string default_choices() {
    const auto& p = tls::crypto::default_provider();
    std::string out;
    auto add = [&](const char* algorithm, const char* backend) {
        if (!out.empty()) out += ' ';
        out += algorithm;
        out += '=';
        out += backend;
    };
    for (const auto* d : p.aeads) add(tls::crypto::to_string(d->algorithm), d->backend);
    for (const auto* d : p.hashes) add(tls::crypto::to_string(d->algorithm), d->backend);
    for (const auto* d : p.key_exchanges) add(tls::crypto::to_string(d->group), d->backend);
    for (const auto* d : p.verifiers) add(tls::crypto::to_string(d->scheme), d->backend);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    benchmark::AddCustomContext("openssl", OpenSSL_version(OPENSSL_VERSION));
    benchmark::AddCustomContext("cordon_default_provider", default_choices());

    cordon_bench::register_aead_benchmarks();
    cordon_bench::register_hash_benchmarks();
    cordon_bench::register_key_exchange_benchmarks();
    cordon_bench::register_signature_benchmarks();
    cordon_bench::register_record_benchmarks();
    cordon_bench::register_x509_benchmarks();
    cordon_bench::register_tls_benchmarks();

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
