// Which RSA keys go with which signature schemes (tls/crypto/signature.hpp):
// rsaEncryption keys with rsa_pss_rsae_* and rsa_pkcs1_*, id-RSASSA-PSS keys
// with rsa_pss_pss_* within their parameters (RFC 8446 4.2.3, RFC 4055 3.3).
// One place, so every backend's verifiers and signers apply the same rule.
#include "tls/crypto/signature.hpp"

namespace tls::crypto {
namespace {

constexpr Error mismatch{ErrorCode::illegal_parameter, "signature scheme does not match the key type"};

}  // namespace

Result<void> check_rsa_pss_params(const RsaPublicKey& key, const RsaPssParams& params) noexcept {
    if (!key.pss_only || !key.pss_params) return success();
    const RsaPssParams& allowed = *key.pss_params;
    if (params.hash != allowed.hash || params.mgf1_hash != allowed.mgf1_hash || params.salt_size < allowed.salt_size)
        return Error{ErrorCode::illegal_parameter, "RSASSA-PSS parameters outside those of the RSASSA-PSS key"};
    return success();
}

Result<void> check_rsa_scheme(const RsaPublicKey& key, SignatureScheme scheme) noexcept {
    HashAlgorithm pss_hash;
    switch (scheme) {
        case SignatureScheme::rsa_pkcs1_sha1:
        case SignatureScheme::rsa_pkcs1_sha256:
        case SignatureScheme::rsa_pkcs1_sha384:
        case SignatureScheme::rsa_pkcs1_sha512:
        case SignatureScheme::rsa_pss_rsae_sha256:
        case SignatureScheme::rsa_pss_rsae_sha384:
        case SignatureScheme::rsa_pss_rsae_sha512:
            if (key.pss_only) return mismatch;
            return success();
        case SignatureScheme::rsa_pss_pss_sha256: pss_hash = HashAlgorithm::sha256; break;
        case SignatureScheme::rsa_pss_pss_sha384: pss_hash = HashAlgorithm::sha384; break;
        case SignatureScheme::rsa_pss_pss_sha512: pss_hash = HashAlgorithm::sha512; break;
        default: return success();
    }
    if (!key.pss_only) return mismatch;
    // RFC 8446 4.2.3: salt length equal to the hash length, MGF1 with the scheme's hash.
    if (!check_rsa_pss_params(key, RsaPssParams{pss_hash, pss_hash, hash_output_size(pss_hash)}))
        return Error{ErrorCode::illegal_parameter, "signature scheme is outside the RSASSA-PSS key's parameters"};
    return success();
}

}  // namespace tls::crypto
