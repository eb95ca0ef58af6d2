// ECDSA P-256/SHA-256 and P-384/SHA-384 from mbedTLS: verification, and signing
// with RFC 6979 deterministic nonces (blinded with the caller's RNG).
#include <mbedtls/ecdsa.h>

#include <new>

#include "crypto/ecdsa_signature.hpp"
#include "crypto/mbedtls/mbedtls_backend.hpp"
#include "crypto/mbedtls/mbedtls_ec.hpp"

namespace tls::crypto::mbedtls {
namespace {

constexpr Error backend_failure{ErrorCode::crypto_backend, "mbedTLS ECDSA call failed"};

struct CurveHash {
    NamedGroup curve;
    const HashDescriptor* hash;
    mbedtls_md_type_t md;
};

Result<void> verify_with(const CurveHash& ch, const PublicKey& key, Bytes message, Bytes signature) noexcept {
    const auto* ec = std::get_if<EcPublicKey>(&key);
    if (ec == nullptr || ec->curve != ch.curve)
        return Error{ErrorCode::invalid_public_key, "signature scheme does not match the key's curve"};
    mbedtls_ecp_group* grp = thread_group(ch.curve);
    if (grp == nullptr) return backend_failure;
    EcPoint q;
    if (!read_public_point(*grp, ch.curve, ec->point, q))
        return Error{ErrorCode::invalid_public_key, "ECDSA public key is not a valid point"};
    auto parts = parse_ecdsa_signature(signature);
    if (!parts) return Error{ErrorCode::bad_signature, "ECDSA signature is not strict DER"};
    Mpi r, s;
    if (mbedtls_mpi_read_binary(&r.v, parts->r.data(), parts->r.size()) != 0 ||
        mbedtls_mpi_read_binary(&s.v, parts->s.data(), parts->s.size()) != 0)
        return Error{ErrorCode::bad_signature, "ECDSA signature integers too large"};
    std::uint8_t digest[64];
    Hash::digest(*ch.hash, message, digest);
    // Checks 1 <= r, s < n, then the verification equation.
    if (mbedtls_ecdsa_verify(grp, digest, ch.hash->output_size, &q.p, &r.v, &s.v) != 0)
        return Error{ErrorCode::bad_signature, "ECDSA signature does not verify"};
    return success();
}

constexpr CurveHash p256{NamedGroup::secp256r1, &sha256, MBEDTLS_MD_SHA256};
constexpr CurveHash p384{NamedGroup::secp384r1, &sha384, MBEDTLS_MD_SHA384};

Result<void> verify_p256(const PublicKey& k, Bytes m, Bytes s) noexcept { return verify_with(p256, k, m, s); }

Result<void> verify_any_hash(const EcPublicKey& key, HashAlgorithm hash, Bytes message, Bytes signature) noexcept {
    const HashDescriptor* descriptor = hash == HashAlgorithm::sha256   ? &sha256
                                       : hash == HashAlgorithm::sha384 ? &sha384
                                       : hash == HashAlgorithm::sha512 ? &sha512
                                                                       : nullptr;
    if (descriptor == nullptr) return Error{ErrorCode::unsupported, "ECDSA with this hash is not offered"};
    if (key.curve != NamedGroup::secp256r1 && key.curve != NamedGroup::secp384r1)
        return Error{ErrorCode::unsupported, "ECDSA on this curve is not offered"};
    const CurveHash ch{key.curve, descriptor, MBEDTLS_MD_NONE};
    return verify_with(ch, PublicKey(key), message, signature);
}
Result<void> verify_p384(const PublicKey& k, Bytes m, Bytes s) noexcept { return verify_with(p384, k, m, s); }

class EcdsaSigningKey final : public SigningKey {
public:
    explicit EcdsaSigningKey(const CurveHash& ch) noexcept : ch_(ch) {}

    bool set_private(Bytes scalar) noexcept {
        mbedtls_ecp_group* grp = thread_group(ch_.curve);
        if (grp == nullptr) return false;
        if (scalar.size() != nist_coordinate_size(ch_.curve)) return false;
        if (mbedtls_mpi_read_binary(&d_.v, scalar.data(), scalar.size()) != 0) return false;
        if (mbedtls_ecp_check_privkey(grp, &d_.v) != 0) return false;
        public_size_ = public_point(*grp, d_.v, public_);
        return public_size_ != 0;
    }

    bool supports(SignatureScheme scheme) const noexcept override {
        return (ch_.curve == NamedGroup::secp256r1 && scheme == SignatureScheme::ecdsa_secp256r1_sha256) ||
               (ch_.curve == NamedGroup::secp384r1 && scheme == SignatureScheme::ecdsa_secp384r1_sha384);
    }
    // SEQUENCE header (2) + two INTEGERs of at most 2 + 1 + coordinate bytes each.
    std::size_t max_signature_size() const noexcept override {
        return 2 + 2 * (3 + nist_coordinate_size(ch_.curve));
    }

    Result<std::size_t> sign(SignatureScheme scheme, Bytes message, Rng& rng, MutableBytes out) const noexcept override {
        if (!supports(scheme)) return Error{ErrorCode::unsupported, "key cannot sign with this scheme"};
        mbedtls_ecp_group* grp = thread_group(ch_.curve);  // per thread: a shared key may sign from several
        if (grp == nullptr) return backend_failure;
        std::uint8_t digest[64];
        Hash::digest(*ch_.hash, message, digest);
        Mpi r, s;
        if (mbedtls_ecdsa_sign_det_ext(grp, &r.v, &s.v, &d_.v, digest, ch_.hash->output_size, ch_.md,
                                       rng_callback, &rng) != 0)
            return backend_failure;
        const std::size_t n = nist_coordinate_size(ch_.curve);
        std::uint8_t rb[48], sb[48];
        if (mbedtls_mpi_write_binary(&r.v, rb, n) != 0 || mbedtls_mpi_write_binary(&s.v, sb, n) != 0)
            return backend_failure;
        return encode_ecdsa_signature({rb, n}, {sb, n}, out);
    }

    PublicKey public_key() const noexcept override { return EcPublicKey{ch_.curve, Bytes(public_, public_size_)}; }

private:
    CurveHash ch_;
    Mpi d_;
    std::uint8_t public_[1 + 2 * 48] = {};
    std::size_t public_size_ = 0;
};

bool can_load(const PrivateKey& key) noexcept {
    const auto* ec = std::get_if<EcPrivateKey>(&key);
    return ec != nullptr && (ec->curve == NamedGroup::secp256r1 || ec->curve == NamedGroup::secp384r1);
}

Result<std::unique_ptr<SigningKey>> load(const PrivateKey& key) noexcept {
    if (!can_load(key)) return Error{ErrorCode::unsupported, "not a P-256 or P-384 private key"};
    const auto& ec = std::get<EcPrivateKey>(key);
    std::unique_ptr<EcdsaSigningKey> k(new (std::nothrow)
                                           EcdsaSigningKey(ec.curve == NamedGroup::secp256r1 ? p256 : p384));
    if (!k) return Error{ErrorCode::internal_error, "out of memory"};
    if (!k->set_private(ec.scalar)) return Error{ErrorCode::invalid_argument, "EC private key out of range"};
    return std::unique_ptr<SigningKey>(std::move(k));
}

}  // namespace

const EcdsaVerifier ecdsa_any_hash{"mbedtls", verify_any_hash};
const SignatureVerifier ecdsa_p256_sha256{SignatureScheme::ecdsa_secp256r1_sha256, "mbedtls", verify_p256};
const SignatureVerifier ecdsa_p384_sha384{SignatureScheme::ecdsa_secp384r1_sha384, "mbedtls", verify_p384};
const SigningKeyFactory ecdsa_keys{"mbedtls", "ECDSA P-256, P-384", can_load, load};

}  // namespace tls::crypto::mbedtls
