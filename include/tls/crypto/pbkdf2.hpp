// PBKDF2 (RFC 8018 5.2) with HMAC over any provider hash: the key derivation
// of PBES2-encrypted PKCS#8 keys and of modern PKCS#12 files. Like HMAC and
// HKDF it is a construction, implemented once here for every backend's hash.
#pragma once

#include <cstdint>

#include "tls/crypto/hash.hpp"

namespace tls::crypto {

// Derives out.size() bytes from password and salt with `iterations` rounds of
// HMAC-`hash`. Fails with invalid_argument when iterations is 0 or out is
// longer than (2^32 - 1) * hLen (RFC 8018 5.2 step 1). The caller bounds
// iterations: the cost is linear in it.
Result<void> pbkdf2_hmac(const HashDescriptor& hash, Bytes password, Bytes salt, std::uint32_t iterations,
                         MutableBytes out) noexcept;

}  // namespace tls::crypto
