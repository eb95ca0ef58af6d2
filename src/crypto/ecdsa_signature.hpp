// The DER form of an ECDSA signature (RFC 3279 2.2.3, used by TLS and X.509):
//   Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }
// Parsed strictly (DER only, no trailing bytes, non-negative minimal integers),
// independent of any backend.
#pragma once

#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

struct EcdsaSignatureParts {
    Bytes r;  // big-endian magnitude, no leading zero byte
    Bytes s;
};

Result<EcdsaSignatureParts> parse_ecdsa_signature(Bytes der) noexcept;

// Encodes r and s (big-endian, any leading zeros) as DER into out; returns the size.
Result<std::size_t> encode_ecdsa_signature(Bytes r, Bytes s, MutableBytes out) noexcept;

}  // namespace tls::crypto
