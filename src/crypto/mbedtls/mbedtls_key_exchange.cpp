// ECDH on secp256r1/secp384r1 and X25519 from mbedTLS.
#include <mbedtls/ecdh.h>

#include <new>

#include "crypto/mbedtls/mbedtls_backend.hpp"
#include "crypto/mbedtls/mbedtls_ec.hpp"

namespace tls::crypto::mbedtls {
namespace {

constexpr Error bad_point{ErrorCode::invalid_public_key, "peer public key is not a valid point on the curve"};
constexpr Error backend_failure{ErrorCode::crypto_backend, "mbedTLS ECDH call failed"};

class EcdhKey final : public KeyExchangeKey {
public:
    explicit EcdhKey(NamedGroup group) noexcept : group_(group) {}

    // Sets the private scalar (big-endian for NIST curves; RFC 7748 bytes for
    // X25519, which mbedtls_ecp_read_key clamps) and derives the public key.
    bool set_private(Bytes scalar) noexcept {
        mbedtls_ecp_group* grp = thread_group(group_);
        if (grp == nullptr) return false;
        mbedtls_ecp_keypair kp;
        mbedtls_ecp_keypair_init(&kp);
        bool ok = mbedtls_ecp_read_key(grp->id, &kp, scalar.data(), scalar.size()) == 0 &&
                  mbedtls_mpi_copy(&d_.v, &kp.d) == 0;
        mbedtls_ecp_keypair_free(&kp);
        if (!ok) return false;
        public_size_ = public_point(*grp, d_.v, public_);
        return public_size_ != 0;
    }

    NamedGroup group() const noexcept override { return group_; }
    Bytes public_key() const noexcept override { return {public_, public_size_}; }

    Result<void> agree(Bytes peer, MutableBytes out) const noexcept override {
        const bool is_x25519 = group_ == NamedGroup::x25519;
        const std::size_t secret_size = is_x25519 ? 32 : nist_coordinate_size(group_);
        if (out.size() != secret_size) return Error{ErrorCode::invalid_argument, "wrong shared secret buffer size"};
        mbedtls_ecp_group* grp = thread_group(group_);
        if (grp == nullptr) return backend_failure;
        EcPoint q;
        if (is_x25519) {
            if (peer.size() != 32) return Error{ErrorCode::invalid_public_key, "X25519 public key must be 32 bytes"};
            // Reads little-endian and masks the top bit (RFC 7748 5).
            if (mbedtls_ecp_point_read_binary(grp, &q.p, peer.data(), peer.size()) != 0) return bad_point;
        } else if (!read_public_point(*grp, group_, peer, q)) {
            return bad_point;
        }
        Mpi z;
        int rc = mbedtls_ecdh_compute_shared(grp, &z.v, &q.p, &d_.v, rng_callback, &system_rng());
        if (rc != 0) {
            // For the NIST curves this includes a result at infinity (invalid peer point).
            return is_x25519 ? Error{ErrorCode::zero_shared_secret, "X25519 shared secret is all zeros"} : bad_point;
        }
        rc = is_x25519 ? mbedtls_mpi_write_binary_le(&z.v, out.data(), out.size())
                       : mbedtls_mpi_write_binary(&z.v, out.data(), out.size());
        if (rc != 0) return backend_failure;
        if (is_x25519) {
            std::uint8_t acc = 0;
            for (auto b : out) acc |= b;
            if (acc == 0) return Error{ErrorCode::zero_shared_secret, "X25519 shared secret is all zeros"};
        }
        return success();
    }

private:
    NamedGroup group_;
    Mpi d_;
    std::uint8_t public_[1 + 2 * 48] = {};
    std::size_t public_size_ = 0;
};

Result<std::unique_ptr<KeyExchangeKey>> make(NamedGroup group, Bytes scalar) noexcept {
    const std::size_t expected = group == NamedGroup::x25519 ? 32 : nist_coordinate_size(group);
    if (scalar.size() != expected) return Error{ErrorCode::invalid_argument, "wrong private key size"};
    std::unique_ptr<EcdhKey> key(new (std::nothrow) EcdhKey(group));
    if (!key) return Error{ErrorCode::internal_error, "out of memory"};
    if (!key->set_private(scalar)) return Error{ErrorCode::invalid_argument, "private key out of range for the curve"};
    return std::unique_ptr<KeyExchangeKey>(std::move(key));
}

template <NamedGroup G>
Result<std::unique_ptr<KeyExchangeKey>> from_private(Bytes scalar) noexcept {
    return make(G, scalar);
}

// Draws scalars from rng until one is valid (for NIST curves, rejection sampling
// of [1, n-1]: with P-256/P-384 a retry is needed with probability < 2^-32).
template <NamedGroup G>
Result<std::unique_ptr<KeyExchangeKey>> generate(Rng& rng) noexcept {
    const std::size_t size = G == NamedGroup::x25519 ? 32 : nist_coordinate_size(G);
    std::uint8_t scalar[48];
    for (int attempt = 0; attempt < 64; ++attempt) {
        TLS_TRY(rng.fill({scalar, size}));
        auto key = make(G, {scalar, size});
        secure_wipe(scalar, sizeof scalar);
        if (key.ok() || key.error().code != ErrorCode::invalid_argument) return key;
    }
    return Error{ErrorCode::rng_failure, "the RNG produced no valid private key in 64 attempts"};
}

}  // namespace

int rng_callback(void* p_rng, unsigned char* out, std::size_t size) {
    auto* rng = static_cast<Rng*>(p_rng);
    return rng->fill({out, size}).ok() ? 0 : -1;
}

const KeyExchangeDescriptor x25519{NamedGroup::x25519, "mbedtls", 32, 32, 32,
                                   generate<NamedGroup::x25519>, from_private<NamedGroup::x25519>};
const KeyExchangeDescriptor secp256r1{NamedGroup::secp256r1, "mbedtls", 65, 32, 32,
                                      generate<NamedGroup::secp256r1>, from_private<NamedGroup::secp256r1>};
const KeyExchangeDescriptor secp384r1{NamedGroup::secp384r1, "mbedtls", 97, 48, 48,
                                      generate<NamedGroup::secp384r1>, from_private<NamedGroup::secp384r1>};

}  // namespace tls::crypto::mbedtls
