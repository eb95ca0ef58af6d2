// Ephemeral key exchange: X25519 (RFC 7748) and ECDH on secp256r1/secp384r1,
// with public keys in their TLS wire form (32 bytes for X25519; the uncompressed
// X9.62 point 0x04 || X || Y for the NIST curves).
#pragma once

#include <cstddef>
#include <memory>

#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/rng.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls::crypto {

// One side's ephemeral private key, with its public key. Wiped on destruction.
class KeyExchangeKey {
public:
    virtual ~KeyExchangeKey() = default;
    virtual NamedGroup group() const noexcept = 0;
    // The public key in wire form.
    virtual Bytes public_key() const noexcept = 0;
    // Computes the shared secret with a peer public key into out
    // (descriptor.shared_secret_size bytes). Rejects malformed encodings,
    // points not on the curve, compressed points, and, for X25519, an all-zero
    // result (RFC 8446 7.4.2), with invalid_public_key or zero_shared_secret.
    virtual Result<void> agree(Bytes peer_public_key, MutableBytes out) const noexcept = 0;
};

struct KeyExchangeDescriptor {
    NamedGroup group;
    const char* backend;
    std::size_t public_key_size;
    std::size_t private_key_size;    // scalar bytes: 32 for X25519 and P-256, 48 for P-384
    std::size_t shared_secret_size;  // 32, 32, 48
    // A fresh key pair from rng.
    Result<std::unique_ptr<KeyExchangeKey>> (*generate)(Rng& rng);
    // A key pair from a given private scalar (big-endian for the NIST curves,
    // the RFC 7748 byte string for X25519): for exact tests (RFC 8448, Wycheproof).
    Result<std::unique_ptr<KeyExchangeKey>> (*from_private)(Bytes private_key);
};

}  // namespace tls::crypto
