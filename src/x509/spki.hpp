// SubjectPublicKeyInfo (RFC 5280 4.1.2.7) for the key types cordon accepts:
// RSA (rsaEncryption, RFC 3279 2.3.1, and id-RSASSA-PSS, RFC 4055 1.2), EC on
// P-256/P-384 with a named curve (RFC 5480), and Ed25519 (RFC 8410). The result
// views the input; nothing is copied.
#pragma once

#include "tls/crypto/signature.hpp"
#include "tls/result.hpp"

namespace tls::x509 {

// Parses a DER SubjectPublicKeyInfo. Unknown algorithms and explicit curve
// parameters give unsupported; malformed DER gives decode_error.
// id-RSASSA-PSS keys come back with pss_only set and, when the SPKI states
// them, pss_params; parameters naming an unknown hash or mask are unsupported.
Result<crypto::PublicKey> parse_subject_public_key_info(crypto::Bytes der) noexcept;

// RSASSA-PSS-params (RFC 4055 3.1): encoded is an AlgorithmIdentifier's
// parameters (the SEQUENCE, nothing after it). Absent fields take their defaults
// (SHA-1, MGF1 with SHA-1, salt 20, trailer 1). A hash other than SHA-1/256/384/512,
// a mask other than MGF1, a salt length above 65535 or a trailer other than 1 is
// unsupported; malformed DER is decode_error.
Result<crypto::RsaPssParams> parse_rsassa_pss_params(crypto::Bytes encoded) noexcept;

}  // namespace tls::x509
