// A server connection (cordon_fuzz::FuzzServer: TLS 1.3 and 1.2, leaf-p256
// with its intermediate, X25519 and P-256, ALPN http/1.1, session tickets under
// fixed keys, deterministic RNG, fixed clock; bit 6: asks for a client
// certificate, optional; bit 7: accepts 0-RTT) fed the fuzzer input as everything the client sent, in input-chosen
// chunks. Layout and shared loop: fuzz_connection.hpp.
//
// Invariants checked (a violation aborts, so libFuzzer keeps the input):
//  - no crash, leak, hang or UB, whatever the client sends;
//  - failed exactly when error() is set; an established connection reports
//    TLS 1.3 or 1.2, a suite and, unless it resumed, a group and a signature
//    scheme;
//  - feed() never takes more than offered and refuses bytes only once ended;
//  - the bytes fed in the planned chunks and fed at once give the same output,
//    the same application data, the same final state and the same error.
#include "fuzz_connection.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // One server per variant (flag bits 6 and 7).
    static cordon_fuzz::FuzzServer servers[4] = {
        cordon_fuzz::FuzzServer({}, {}), cordon_fuzz::FuzzServer({}, {.mutual_tls = true}),
        cordon_fuzz::FuzzServer({}, {.early_data = true}),
        cordon_fuzz::FuzzServer({}, {.mutual_tls = true, .early_data = true})};
    cordon_fuzz::run_both_ways(data, size, [](const cordon_fuzz::Plan& plan) {
        return servers[(plan.variant.mutual_tls ? 1 : 0) | (plan.variant.early_data ? 2 : 0)].accept();
    });
    return 0;
}
