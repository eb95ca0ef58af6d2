// cordon's own AES-GCM ("native" backend): AES-128-GCM and AES-256-GCM with the
// x86-64 AES-NI and PCLMULQDQ instructions, for CPUs where the packaged libraries
// are slow (Debian's mbedTLS runs AES-GCM at a tenth of OpenSSL's speed, and
// libsodium has no AES-128-GCM). Assembled into native_provider().
#pragma once

#include "tls/crypto/provider.hpp"

namespace tls::crypto::native {

// Usable only if aes_gcm_available(); otherwise new_key() fails with unsupported.
extern const AeadDescriptor aes128_gcm;
extern const AeadDescriptor aes256_gcm;

// The CPU has AES-NI, PCLMULQDQ, SSSE3 and SSE4.1 (checked once, at run time).
// Always false on other architectures.
bool aes_gcm_available() noexcept;

}  // namespace tls::crypto::native
