// Randomness. cordon draws every random byte through an Rng the caller can
// replace: the default reads the operating system's CSPRNG; tests inject a
// deterministic one so handshakes are reproducible byte for byte.
#pragma once

#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

class Rng {
public:
    virtual ~Rng() = default;
    // Fills out with random bytes, or fails with rng_failure.
    virtual Result<void> fill(MutableBytes out) noexcept = 0;
};

// The operating system's CSPRNG (getrandom(2)). Stateless, thread-safe.
Rng& system_rng() noexcept;

}  // namespace tls::crypto
