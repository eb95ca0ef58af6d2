// A client connection (cordon_fuzz::FuzzClient: TLS 1.3 and 1.2, deterministic
// RNG, fixed clock, trusting the test PKI's root, an empty session cache or,
// with flag bit 5, one holding a TLS 1.2 session; bit 6: a client certificate;
// bit 7: 0-RTT with a TLS 1.3 session and early data written at creation) fed the fuzzer input as
// everything the server sent, in input-chosen chunks. Layout and shared loop:
// fuzz_connection.hpp.
//
// Invariants checked (a violation aborts, so libFuzzer keeps the input):
//  - no crash, leak, hang or UB, whatever the server sends;
//  - failed exactly when error() is set; an established connection reports
//    TLS 1.3 or 1.2, a suite, the server's chain and, unless it resumed, a
//    group and a signature scheme;
//  - feed() never takes more than offered and refuses bytes only once ended;
//  - the bytes fed in the planned chunks and fed at once give the same output,
//    the same application data, the same final state and the same error.
#include "fuzz_connection.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static cordon_fuzz::FuzzClient client;
    cordon_fuzz::run_both_ways(data, size, [](const cordon_fuzz::Plan& plan) { return client.connect(plan.resume, plan.variant); });
    return 0;
}
