// SubjectPublicKeyInfo (RFC 5280 4.1.2.7) for the key types cordon accepts:
// RSA (RFC 3279 2.3.1), EC on P-256/P-384 with a named curve (RFC 5480), and
// Ed25519 (RFC 8410). The result views the input; nothing is copied.
#pragma once

#include "tls/crypto/signature.hpp"
#include "tls/result.hpp"

namespace tls::x509 {

// Parses a DER SubjectPublicKeyInfo. Unknown algorithms and explicit curve
// parameters give unsupported; malformed DER gives decode_error.
Result<crypto::PublicKey> parse_subject_public_key_info(crypto::Bytes der) noexcept;

}  // namespace tls::x509
