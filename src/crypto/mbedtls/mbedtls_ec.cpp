#include "crypto/mbedtls/mbedtls_ec.hpp"

#include "crypto/mbedtls/mbedtls_backend.hpp"

namespace tls::crypto::mbedtls {

bool EcGroup::load(NamedGroup group) noexcept {
    mbedtls_ecp_group_id id = MBEDTLS_ECP_DP_NONE;
    switch (group) {
        case NamedGroup::secp256r1: id = MBEDTLS_ECP_DP_SECP256R1; break;
        case NamedGroup::secp384r1: id = MBEDTLS_ECP_DP_SECP384R1; break;
        case NamedGroup::x25519: id = MBEDTLS_ECP_DP_CURVE25519; break;
        default: return false;
    }
    return mbedtls_ecp_group_load(&g, id) == 0;
}

mbedtls_ecp_group* thread_group(NamedGroup group) noexcept {
    struct Groups {
        EcGroup p256, p384, x25519;
        bool loaded = false;
    };
    thread_local Groups groups;
    if (!groups.loaded) {
        if (!groups.p256.load(NamedGroup::secp256r1) || !groups.p384.load(NamedGroup::secp384r1) ||
            !groups.x25519.load(NamedGroup::x25519))
            return nullptr;
        groups.loaded = true;
    }
    switch (group) {
        case NamedGroup::secp256r1: return &groups.p256.g;
        case NamedGroup::secp384r1: return &groups.p384.g;
        case NamedGroup::x25519: return &groups.x25519.g;
        default: return nullptr;
    }
}

std::size_t nist_coordinate_size(NamedGroup group) noexcept {
    switch (group) {
        case NamedGroup::secp256r1: return 32;
        case NamedGroup::secp384r1: return 48;
        default: return 0;
    }
}

std::size_t public_point(mbedtls_ecp_group& group, const mbedtls_mpi& d, MutableBytes out) noexcept {
    EcPoint q;
    if (mbedtls_ecp_mul(&group, &q.p, &d, &group.G, rng_callback, &system_rng()) != 0) return 0;
    std::size_t len = 0;
    if (mbedtls_ecp_point_write_binary(&group, &q.p, MBEDTLS_ECP_PF_UNCOMPRESSED, &len, out.data(), out.size()) != 0)
        return 0;
    return len;
}

bool read_public_point(const mbedtls_ecp_group& group, NamedGroup curve, Bytes encoded, EcPoint& out) noexcept {
    const std::size_t n = nist_coordinate_size(curve);
    // TLS 1.3 (4.2.8.2) and RFC 8422 allow only the uncompressed form.
    if (n == 0 || encoded.size() != 1 + 2 * n || encoded[0] != 0x04) return false;
    if (mbedtls_mpi_read_binary(&out.p.X, encoded.data() + 1, n) != 0) return false;
    if (mbedtls_mpi_read_binary(&out.p.Y, encoded.data() + 1 + n, n) != 0) return false;
    if (mbedtls_mpi_lset(&out.p.Z, 1) != 0) return false;
    // Coordinates in range and the curve equation holds.
    return mbedtls_ecp_check_pubkey(&group, &out.p) == 0;
}

}  // namespace tls::crypto::mbedtls
