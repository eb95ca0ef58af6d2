// RSA from mbedTLS: PKCS#1 v1.5 and PSS verification, signing, key generation.
// For verification mbedTLS supplies only the RSA public operation: the PKCS#1
// v1.5 encoding is built and compared by cordon (encode-then-compare, RFC 8017
// 8.2.2, so no ASN.1 from the signature is ever parsed) and EMSA-PSS is checked
// by cordon too. Signing uses mbedTLS' own padding code.
#include <mbedtls/rsa.h>

#include <mutex>
#include <new>
#include <optional>
#include <vector>

#include "crypto/mbedtls/mbedtls_backend.hpp"

namespace tls::crypto::mbedtls {
namespace {

constexpr Error backend_failure{ErrorCode::crypto_backend, "mbedTLS RSA call failed"};
constexpr Error bad_rsa_key{ErrorCode::invalid_public_key, "invalid RSA public key"};
constexpr Error rsa_failed{ErrorCode::bad_signature, "RSA signature does not verify"};
// Large public exponents make verification slow for no benefit (BoringSSL uses the same bound).
constexpr std::size_t max_exponent_bits = 33;

struct RsaContext {
    mbedtls_rsa_context ctx;
    RsaContext() noexcept { mbedtls_rsa_init(&ctx, MBEDTLS_RSA_PKCS_V15, 0); }
    ~RsaContext() { mbedtls_rsa_free(&ctx); }
    RsaContext(const RsaContext&) = delete;
    RsaContext& operator=(const RsaContext&) = delete;
};

Result<void> import_public(const RsaPublicKey& key, RsaContext& rsa) noexcept {
    if (key.modulus.empty() || key.exponent.empty()) return bad_rsa_key;
    if (mbedtls_rsa_import_raw(&rsa.ctx, key.modulus.data(), key.modulus.size(), nullptr, 0, nullptr, 0, nullptr, 0,
                               key.exponent.data(), key.exponent.size()) != 0 ||
        mbedtls_rsa_complete(&rsa.ctx) != 0)
        return bad_rsa_key;
    const std::size_t bits = mbedtls_mpi_bitlen(&rsa.ctx.N);
    if (bits < rsa_min_bits || bits > rsa_max_bits)
        return Error{ErrorCode::weak_key, "RSA modulus outside 2048..8192 bits"};
    if (mbedtls_mpi_bitlen(&rsa.ctx.E) > max_exponent_bits) return bad_rsa_key;
    // N odd, E odd and >= 3, E < N.
    if (mbedtls_rsa_check_pubkey(&rsa.ctx) != 0) return bad_rsa_key;
    return success();
}

const HashDescriptor* hash_for(HashAlgorithm h) noexcept {
    switch (h) {
        case HashAlgorithm::sha1: return &sha1;
        case HashAlgorithm::sha256: return &sha256;
        case HashAlgorithm::sha384: return &sha384;
        case HashAlgorithm::sha512: return &sha512;
    }
    return nullptr;
}

mbedtls_md_type_t md_for(HashAlgorithm h) noexcept {
    switch (h) {
        case HashAlgorithm::sha1: return MBEDTLS_MD_SHA1;
        case HashAlgorithm::sha256: return MBEDTLS_MD_SHA256;
        case HashAlgorithm::sha384: return MBEDTLS_MD_SHA384;
        case HashAlgorithm::sha512: return MBEDTLS_MD_SHA512;
    }
    return MBEDTLS_MD_NONE;
}

// DER DigestInfo prefixes (RFC 8017 9.2 note 1) for the hashes TLS allows.
constexpr std::uint8_t digest_info_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                               0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
constexpr std::uint8_t digest_info_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                               0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
constexpr std::uint8_t digest_info_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                               0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

Bytes digest_info_prefix(HashAlgorithm h) noexcept {
    switch (h) {
        case HashAlgorithm::sha256: return digest_info_sha256;
        case HashAlgorithm::sha384: return digest_info_sha384;
        case HashAlgorithm::sha512: return digest_info_sha512;
        case HashAlgorithm::sha1: break;  // never for TLS or certificate signatures in cordon
    }
    return {};
}

Result<void> verify_pkcs1(HashAlgorithm h, const RsaPublicKey& key, Bytes message, Bytes signature) noexcept {
    RsaContext rsa;
    TLS_TRY(import_public(key, rsa));
    const std::size_t k = rsa.ctx.len;
    // RFC 8017 8.2.2 step 1: the signature is exactly k bytes.
    if (signature.size() != k) return rsa_failed;
    std::vector<std::uint8_t> em(k), expected(k);
    // Fails when signature >= N.
    if (mbedtls_rsa_public(&rsa.ctx, signature.data(), em.data()) != 0) return rsa_failed;
    // EM' = 0x00 || 0x01 || PS (0xff...) || 0x00 || DigestInfo || H.
    const Bytes prefix = digest_info_prefix(h);
    const std::size_t hlen = hash_output_size(h);
    const std::size_t t_len = prefix.size() + hlen;
    if (prefix.empty() || k < t_len + 11) return rsa_failed;
    expected[0] = 0x00;
    expected[1] = 0x01;
    std::size_t i = 2;
    for (; i < k - t_len - 1; ++i) expected[i] = 0xff;
    expected[i++] = 0x00;
    for (auto b : prefix) expected[i++] = b;
    Hash::digest(*hash_for(h), message, MutableBytes(expected.data() + i, hlen));
    if (!ct_equal(em, expected)) return rsa_failed;
    return success();
}

// MGF1 (RFC 8017 B.2.1): XORs the mask generated from seed into out.
void mgf1_xor(const HashDescriptor& hash, Bytes seed, MutableBytes out) noexcept {
    std::uint8_t block[64];
    std::size_t done = 0;
    for (std::uint32_t counter = 0; done < out.size(); ++counter) {
        const std::uint8_t c[4] = {static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
                                   static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
        Hash h(hash);
        h.update(seed);
        h.update(c);
        h.finish(block);
        for (std::size_t i = 0; i < hash.output_size && done < out.size(); ++i) out[done++] ^= block[i];
    }
}

// RSASSA-PSS-VERIFY with EMSA-PSS-VERIFY (RFC 8017 8.1.2 and 9.1.2), written
// out here because mbedTLS 2.28 assumes the message hash and the MGF1 hash are
// the same; mbedTLS supplies only the RSA public operation. An id-RSASSA-PSS
// key with parameters takes only parameters within them.
Result<void> verify_pss(const RsaPublicKey& key, const RsaPssParams& params, Bytes message, Bytes signature) noexcept {
    TLS_TRY(check_rsa_pss_params(key, params));
    // SHA-1 is refused by policy, also as the MGF1 hash.
    if (params.hash == HashAlgorithm::sha1 || params.mgf1_hash == HashAlgorithm::sha1)
        return Error{ErrorCode::unsupported, "RSASSA-PSS with SHA-1 is not accepted"};
    if (hash_for(params.hash) == nullptr || hash_for(params.mgf1_hash) == nullptr)
        return Error{ErrorCode::unsupported, "unknown RSASSA-PSS hash"};
    RsaContext rsa;
    TLS_TRY(import_public(key, rsa));
    const std::size_t k = rsa.ctx.len;
    if (signature.size() != k) return rsa_failed;
    std::vector<std::uint8_t> em_full(k);
    if (mbedtls_rsa_public(&rsa.ctx, signature.data(), em_full.data()) != 0) return rsa_failed;

    const HashDescriptor& hash = *hash_for(params.hash);
    const std::size_t h_len = hash.output_size;
    const std::size_t s_len = params.salt_size;
    const std::size_t em_bits = mbedtls_mpi_bitlen(&rsa.ctx.N) - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    // When emLen < k the leading byte of the RSA output must be zero.
    if (em_len < k && em_full[0] != 0) return rsa_failed;
    MutableBytes em(em_full.data() + (k - em_len), em_len);
    // s_len comes from the caller (X.509 RSASSA-PSS-params): bound it before adding to it.
    if (s_len > em_len || em_len < h_len + s_len + 2) return rsa_failed;
    if (em[em_len - 1] != 0xbc) return rsa_failed;
    MutableBytes db = em.first(em_len - h_len - 1);
    Bytes h = em.subspan(em_len - h_len - 1, h_len);
    const std::uint8_t top_mask = static_cast<std::uint8_t>(0xff >> (8 * em_len - em_bits));
    if ((db[0] & ~top_mask) != 0) return rsa_failed;
    mgf1_xor(*hash_for(params.mgf1_hash), h, db);
    db[0] &= top_mask;
    const std::size_t zeros = db.size() - s_len - 1;
    for (std::size_t i = 0; i < zeros; ++i)
        if (db[i] != 0) return rsa_failed;
    if (db[zeros] != 0x01) return rsa_failed;
    // M' = 8 zero bytes || mHash || salt; H must equal Hash(M').
    std::uint8_t m_hash[64], h_prime[64];
    Hash::digest(hash, message, m_hash);
    const std::uint8_t padding[8] = {};
    Hash hp(hash);
    hp.update(padding);
    hp.update({m_hash, h_len});
    hp.update(db.subspan(zeros + 1));
    hp.finish(h_prime);
    if (!ct_equal(h, {h_prime, h_len})) return rsa_failed;
    return success();
}

// The hash of a TLS RSA scheme.
constexpr HashAlgorithm rsa_scheme_hash(SignatureScheme s) noexcept {
    switch (s) {
        case SignatureScheme::rsa_pkcs1_sha384:
        case SignatureScheme::rsa_pss_rsae_sha384:
        case SignatureScheme::rsa_pss_pss_sha384: return HashAlgorithm::sha384;
        case SignatureScheme::rsa_pkcs1_sha512:
        case SignatureScheme::rsa_pss_rsae_sha512:
        case SignatureScheme::rsa_pss_pss_sha512: return HashAlgorithm::sha512;
        default: return HashAlgorithm::sha256;
    }
}

// The key of a TLS RSA scheme: an RSA key of the type the scheme names (rsae or pss).
Result<const RsaPublicKey*> scheme_key(const PublicKey& key, SignatureScheme scheme) noexcept {
    const auto* rsa_key = std::get_if<RsaPublicKey>(&key);
    if (rsa_key == nullptr) return Error{ErrorCode::invalid_public_key, "RSA scheme needs an RSA key"};
    TLS_TRY(check_rsa_scheme(*rsa_key, scheme));
    return rsa_key;
}

// rsa_pss_rsae_* and rsa_pss_pss_*: salt length equal to the hash length, MGF1
// with the same hash (RFC 8446 4.2.3).
template <SignatureScheme S>
Result<void> verify_pss_scheme(const PublicKey& key, Bytes message, Bytes signature) noexcept {
    constexpr HashAlgorithm h = rsa_scheme_hash(S);
    TLS_TRY_ASSIGN(rsa_key, scheme_key(key, S));
    return verify_pss(*rsa_key, RsaPssParams{h, h, hash_output_size(h)}, message, signature);
}

template <SignatureScheme S>
Result<void> verify_pkcs1_scheme(const PublicKey& key, Bytes message, Bytes signature) noexcept {
    TLS_TRY_ASSIGN(rsa_key, scheme_key(key, S));
    return verify_pkcs1(rsa_scheme_hash(S), *rsa_key, message, signature);
}

class RsaSigningKey final : public SigningKey {
public:
    mutable RsaContext rsa;  // mbedTLS mutates blinding state while signing (guarded by mutex_)

    // Caches N and E as bytes for public_key().
    bool finish_load() noexcept {
        const std::size_t bits = mbedtls_mpi_bitlen(&rsa.ctx.N);
        if (bits < rsa_min_bits || bits > rsa_max_bits) return false;
        if (mbedtls_rsa_check_privkey(&rsa.ctx) != 0) return false;
        n_.resize(mbedtls_mpi_size(&rsa.ctx.N));
        e_.resize(mbedtls_mpi_size(&rsa.ctx.E));
        return mbedtls_mpi_write_binary(&rsa.ctx.N, n_.data(), n_.size()) == 0 &&
               mbedtls_mpi_write_binary(&rsa.ctx.E, e_.data(), e_.size()) == 0;
    }

    // The scheme's hash, and the key's type (rsaEncryption or id-RSASSA-PSS) fits it.
    bool supports(SignatureScheme scheme) const noexcept override {
        return scheme_hash(scheme) != nullptr && check_rsa_scheme(public_rsa_key(), scheme);
    }
    std::size_t max_signature_size() const noexcept override { return rsa.ctx.len; }

    Result<std::size_t> sign(SignatureScheme scheme, Bytes message, Rng& rng, MutableBytes out) const noexcept override {
        const HashDescriptor* h = scheme_hash(scheme);
        if (h == nullptr) return Error{ErrorCode::unsupported, "RSA key cannot sign with this scheme"};
        if (!check_rsa_scheme(public_rsa_key(), scheme))
            return Error{ErrorCode::unsupported,
                         pss_only ? "an RSASSA-PSS key signs only rsa_pss_pss_* schemes (within its parameters)"
                                  : "an rsaEncryption key cannot sign rsa_pss_pss_* schemes"};
        if (out.size() < rsa.ctx.len) return Error{ErrorCode::buffer_too_small, "signature buffer too small"};
        std::uint8_t digest[64];
        Hash::digest(*h, message, digest);
        const mbedtls_md_type_t md = md_for(h->algorithm);
        // mbedTLS keeps blinding values and the padding mode in the context: one signer at a time.
        std::lock_guard<std::mutex> lock(mutex_);
        int rc;
        if (is_pss(scheme)) {
            mbedtls_rsa_set_padding(&rsa.ctx, MBEDTLS_RSA_PKCS_V21, md);
            rc = mbedtls_rsa_rsassa_pss_sign_ext(&rsa.ctx, rng_callback, &rng, md,
                                                 static_cast<unsigned>(h->output_size), digest,
                                                 static_cast<int>(h->output_size), out.data());
        } else {
            mbedtls_rsa_set_padding(&rsa.ctx, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_NONE);
            rc = mbedtls_rsa_rsassa_pkcs1_v15_sign(&rsa.ctx, rng_callback, &rng, MBEDTLS_RSA_PRIVATE, md,
                                                   static_cast<unsigned>(h->output_size), digest, out.data());
        }
        if (rc != 0) return backend_failure;
        return rsa.ctx.len;
    }

    PublicKey public_key() const noexcept override { return public_rsa_key(); }

    // An id-RSASSA-PSS key (RFC 4055), and its parameters if the key file stated them.
    bool pss_only = false;
    std::optional<RsaPssParams> pss_params = std::nullopt;

private:
    RsaPublicKey public_rsa_key() const noexcept { return RsaPublicKey{Bytes(n_), Bytes(e_), pss_only, pss_params}; }
    static bool is_pss(SignatureScheme s) noexcept {
        switch (s) {
            case SignatureScheme::rsa_pss_rsae_sha256:
            case SignatureScheme::rsa_pss_rsae_sha384:
            case SignatureScheme::rsa_pss_rsae_sha512:
            case SignatureScheme::rsa_pss_pss_sha256:
            case SignatureScheme::rsa_pss_pss_sha384:
            case SignatureScheme::rsa_pss_pss_sha512: return true;
            default: return false;
        }
    }
    static const HashDescriptor* scheme_hash(SignatureScheme s) noexcept {
        switch (s) {
            case SignatureScheme::rsa_pss_rsae_sha256:
            case SignatureScheme::rsa_pss_pss_sha256:
            case SignatureScheme::rsa_pkcs1_sha256: return &sha256;
            case SignatureScheme::rsa_pss_rsae_sha384:
            case SignatureScheme::rsa_pss_pss_sha384:
            case SignatureScheme::rsa_pkcs1_sha384: return &sha384;
            case SignatureScheme::rsa_pss_rsae_sha512:
            case SignatureScheme::rsa_pss_pss_sha512:
            case SignatureScheme::rsa_pkcs1_sha512: return &sha512;
            default: return nullptr;
        }
    }

    std::vector<std::uint8_t> n_, e_;
    mutable std::mutex mutex_;
};

bool can_load(const PrivateKey& key) noexcept { return std::holds_alternative<RsaPrivateKey>(key); }

Result<std::unique_ptr<SigningKey>> load(const PrivateKey& key) noexcept {
    const auto* k = std::get_if<RsaPrivateKey>(&key);
    if (k == nullptr) return Error{ErrorCode::unsupported, "not an RSA private key"};
    std::unique_ptr<RsaSigningKey> signer(new (std::nothrow) RsaSigningKey());
    if (!signer) return Error{ErrorCode::internal_error, "out of memory"};
    // The CRT values in the key file are recomputed by mbedtls_rsa_complete and
    // the whole key is checked for consistency by mbedtls_rsa_check_privkey.
    if (mbedtls_rsa_import_raw(&signer->rsa.ctx, k->modulus.data(), k->modulus.size(), k->prime1.data(),
                               k->prime1.size(), k->prime2.data(), k->prime2.size(), k->private_exponent.data(),
                               k->private_exponent.size(), k->public_exponent.data(),
                               k->public_exponent.size()) != 0 ||
        mbedtls_rsa_complete(&signer->rsa.ctx) != 0 || !signer->finish_load())
        return Error{ErrorCode::invalid_argument, "inconsistent or unsupported RSA private key"};
    signer->pss_only = k->pss_only;
    signer->pss_params = k->pss_only ? k->pss_params : std::nullopt;
    return std::unique_ptr<SigningKey>(std::move(signer));
}

}  // namespace

Result<std::unique_ptr<SigningKey>> generate_rsa_key(std::size_t bits, Rng& rng, bool pss_only) noexcept {
    if (bits < rsa_min_bits || bits > rsa_max_bits) return Error{ErrorCode::weak_key, "RSA size outside 2048..8192"};
    std::unique_ptr<RsaSigningKey> signer(new (std::nothrow) RsaSigningKey());
    if (!signer) return Error{ErrorCode::internal_error, "out of memory"};
    if (mbedtls_rsa_gen_key(&signer->rsa.ctx, rng_callback, &rng, static_cast<unsigned>(bits), 65537) != 0 ||
        !signer->finish_load())
        return backend_failure;
    signer->pss_only = pss_only;
    return std::unique_ptr<SigningKey>(std::move(signer));
}

const SignatureVerifier rsa_pkcs1_sha256{SignatureScheme::rsa_pkcs1_sha256, "mbedtls",
                                        verify_pkcs1_scheme<SignatureScheme::rsa_pkcs1_sha256>};
const SignatureVerifier rsa_pkcs1_sha384{SignatureScheme::rsa_pkcs1_sha384, "mbedtls",
                                        verify_pkcs1_scheme<SignatureScheme::rsa_pkcs1_sha384>};
const SignatureVerifier rsa_pkcs1_sha512{SignatureScheme::rsa_pkcs1_sha512, "mbedtls",
                                        verify_pkcs1_scheme<SignatureScheme::rsa_pkcs1_sha512>};
const SignatureVerifier rsa_pss_rsae_sha256{SignatureScheme::rsa_pss_rsae_sha256, "mbedtls",
                                           verify_pss_scheme<SignatureScheme::rsa_pss_rsae_sha256>};
const SignatureVerifier rsa_pss_rsae_sha384{SignatureScheme::rsa_pss_rsae_sha384, "mbedtls",
                                           verify_pss_scheme<SignatureScheme::rsa_pss_rsae_sha384>};
const SignatureVerifier rsa_pss_rsae_sha512{SignatureScheme::rsa_pss_rsae_sha512, "mbedtls",
                                           verify_pss_scheme<SignatureScheme::rsa_pss_rsae_sha512>};
const SignatureVerifier rsa_pss_pss_sha256{SignatureScheme::rsa_pss_pss_sha256, "mbedtls",
                                          verify_pss_scheme<SignatureScheme::rsa_pss_pss_sha256>};
const SignatureVerifier rsa_pss_pss_sha384{SignatureScheme::rsa_pss_pss_sha384, "mbedtls",
                                          verify_pss_scheme<SignatureScheme::rsa_pss_pss_sha384>};
const SignatureVerifier rsa_pss_pss_sha512{SignatureScheme::rsa_pss_pss_sha512, "mbedtls",
                                          verify_pss_scheme<SignatureScheme::rsa_pss_pss_sha512>};
const RsaPssVerifier rsa_pss_with_params{"mbedtls", verify_pss};
const SigningKeyFactory rsa_keys{"mbedtls", "RSA 2048-8192", can_load, load};

}  // namespace tls::crypto::mbedtls
