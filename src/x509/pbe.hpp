// Password-based decryption as key files use it: PBES2 (RFC 8018 6.2: PBKDF2
// with AES-128/256-CBC or DES-EDE3-CBC) and the PKCS#12 PBEs (RFC 7292 C: SHA-1
// with 3-key 3DES or 40-bit RC2). Shared by encrypted PKCS#8 keys and PKCS#12.
// Key derivation is the constructions' (PBKDF2, the PKCS#12 KDF); the block
// ciphers come from the provider.
#pragma once

#include <cstdint>

#include "codec/reader.hpp"
#include "tls/crypto/provider.hpp"
#include "tls/result.hpp"

namespace tls::x509 {

// Iteration counts above the limit are refused before any work is done, so a
// hostile file cannot buy minutes of CPU. Tools write 2,048 (OpenSSL) to
// 10,000 (Java); ten million is a generous ceiling. Fuzzers set a small one.
inline constexpr std::uint32_t default_max_kdf_iterations = 10'000'000;

struct KdfLimits {
    std::uint32_t max_iterations = default_max_kdf_iterations;
};

// One password in both encodings the schemes use.
struct Password {
    crypto::Bytes utf8;  // PBES2 and PBMAC1: the octets as given (RFC 8018 3)
    crypto::Bytes bmp;   // the PKCS#12 KDF: a BMPString with its terminator (RFC 7292 B.1)
};

// The one error for a password that does not open the data: a wrong password
// and corrupted ciphertext look the same, and saying which would need a MAC.
inline constexpr Error wrong_password{ErrorCode::bad_password, "wrong password or corrupted data"};

// Decrypts ciphertext under `algorithm` (a whole DER AlgorithmIdentifier) and
// removes the padding (RFC 8018 6.1.1 step 4 / RFC 5652 6.3), returning exactly
// the plaintext. Errors: unsupported (scheme, KDF, PRF or cipher not offered, or
// an iteration count over the limit), decode_error (malformed parameters, or
// ciphertext that is not a whole number of blocks), bad_password (bad padding).
Result<crypto::SecretBuffer> pbe_decrypt(crypto::Bytes algorithm, const Password& password, crypto::Bytes ciphertext,
                                         const crypto::CryptoProvider& provider, const KdfLimits& limits);

// PBKDF2-params (RFC 8018 A.2), shared with PBMAC1 (RFC 9579).
struct Pbkdf2Params {
    crypto::Bytes salt;
    std::uint32_t iterations = 0;
    std::size_t key_length = 0;  // 0 when absent
    const crypto::HashDescriptor* prf = nullptr;
};

// Reads a keyDerivationFunc AlgorithmIdentifier that must be id-PBKDF2, checks
// the iteration count against the limit and finds the PRF's hash in provider.
Result<Pbkdf2Params> read_pbkdf2_algorithm(codec::Reader& reader, const crypto::CryptoProvider& provider,
                                           const KdfLimits& limits);

// Reads an HMAC AlgorithmIdentifier (hmacWithSHA1/256/384/512, RFC 8018 B.1)
// and returns the provider's hash for it.
Result<const crypto::HashDescriptor*> read_hmac_algorithm(codec::Reader& reader,
                                                          const crypto::CryptoProvider& provider);

}  // namespace tls::x509
