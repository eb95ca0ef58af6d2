// The TLS 1.3 cipher suites (RFC 8446 B.4): each names an AEAD and the hash of
// its key schedule, resolved against the configured provider.
#pragma once

#include <optional>

#include "tls/crypto/provider.hpp"
#include "tls/protocol.hpp"

namespace tls::handshake {

struct SuiteParams {
    CipherSuite suite;
    const crypto::AeadDescriptor* aead;
    const crypto::HashDescriptor* hash;
};

// The algorithms of a TLS 1.3 suite.
struct Tls13SuiteAlgorithms {
    crypto::AeadAlgorithm aead;
    crypto::HashAlgorithm hash;
};
std::optional<Tls13SuiteAlgorithms> tls13_suite_algorithms(CipherSuite suite) noexcept;

// The suite with the provider's implementations, or nothing when the provider lacks one.
std::optional<SuiteParams> resolve_suite(const crypto::CryptoProvider& provider, CipherSuite suite) noexcept;

}  // namespace tls::handshake
