// A power-on style self-test of a provider: known-answer tests where a short
// published vector exists, round trips elsewhere. For start-up checks of a
// user-supplied backend, and for the demo.
#pragma once

#include <string>
#include <vector>

#include "tls/crypto/provider.hpp"

namespace tls::crypto {

struct SelfTestResult {
    std::string algorithm;  // "AES-128-GCM", "x25519", ...
    std::string backend;
    std::string check;      // what was checked ("RFC 8439 2.8.2 vector", "sign/verify round trip")
    bool passed;
};

std::vector<SelfTestResult> self_test(const CryptoProvider& provider);

}  // namespace tls::crypto
