#include "x509/private_key.hpp"

#include <algorithm>
#include <vector>

#include "codec/der.hpp"
#include "x509/oids.hpp"
#include "x509/pem.hpp"
#include "x509/pkcs12_kdf.hpp"
#include "x509/spki.hpp"

namespace tls::x509 {
namespace {

namespace der = codec::der;
using codec::Reader;
using crypto::Bytes;
using crypto::NamedGroup;

constexpr Error unsupported_algorithm{ErrorCode::unsupported, "unsupported private key algorithm"};
constexpr Error unsupported_curve{ErrorCode::unsupported, "unsupported EC curve (P-256 and P-384 only)"};

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

struct Parsed {
    crypto::PrivateKey components;
    std::optional<Bytes> public_key;
};

std::size_t scalar_size(NamedGroup curve) { return curve == NamedGroup::secp256r1 ? 32 : 48; }

Result<NamedGroup> curve_from_oid(Bytes oid) {
    if (equal(oid, oid::prime256v1)) return NamedGroup::secp256r1;
    if (equal(oid, oid::secp384r1)) return NamedGroup::secp384r1;
    return unsupported_curve;
}

// ECParameters (RFC 5480 2.1.1): cordon takes namedCurve only.
Result<NamedGroup> read_named_curve(Reader& r) {
    if (der::peek_tag(r) != der::object_identifier)
        return Error{ErrorCode::unsupported, "EC parameters other than a named curve are not supported"};
    TLS_TRY_ASSIGN(oid, der::read_oid(r));
    return curve_from_oid(oid);
}

// RFC 8017 A.1.2: RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent,
// privateExponent, prime1, prime2, exponent1, exponent2, coefficient, otherPrimeInfos OPTIONAL }.
Result<Parsed> parse_rsa_private_key(Bytes der) {
    Reader top(der);
    TLS_TRY_ASSIGN(seq, der::read_constructed(top));
    TLS_TRY(top.expect_end());
    TLS_TRY_ASSIGN(version, der::read_small_unsigned(seq));
    // "version is the version number ... It SHALL be 0 [two-prime], and 1 if multi-prime is used."
    if (version == 1) return Error{ErrorCode::unsupported, "multi-prime RSA keys are not supported"};
    if (version != 0) return Error{ErrorCode::decode_error, "unknown RSAPrivateKey version"};
    Bytes* fields[8];
    crypto::RsaPrivateKey k;
    fields[0] = &k.modulus;
    fields[1] = &k.public_exponent;
    fields[2] = &k.private_exponent;
    fields[3] = &k.prime1;
    fields[4] = &k.prime2;
    fields[5] = &k.exponent1;
    fields[6] = &k.exponent2;
    fields[7] = &k.coefficient;
    for (Bytes* field : fields) {
        TLS_TRY_ASSIGN(value, der::read_unsigned_integer(seq));
        *field = value;
    }
    // otherPrimeInfos appears only with version 1.
    TLS_TRY(seq.expect_end());
    return Parsed{k, std::nullopt};
}

// RFC 5915 3: ECPrivateKey ::= SEQUENCE { version INTEGER { ecPrivkeyVer1(1) },
// privateKey OCTET STRING, parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }.
// outer_curve is the curve the PKCS#8 algorithm names, if inside PKCS#8.
Result<Parsed> parse_ec_private_key(Bytes der, std::optional<NamedGroup> outer_curve) {
    Reader top(der);
    TLS_TRY_ASSIGN(seq, der::read_constructed(top));
    TLS_TRY(top.expect_end());
    TLS_TRY_ASSIGN(version, der::read_small_unsigned(seq));
    if (version != 1) return Error{ErrorCode::decode_error, "ECPrivateKey version must be 1"};
    TLS_TRY_ASSIGN(scalar, der::read(seq, der::octet_string));
    std::optional<NamedGroup> curve = outer_curve;
    TLS_TRY_ASSIGN(params, der::read_optional(seq, der::context_constructed(0)));
    if (params) {
        Reader pr(*params);
        TLS_TRY_ASSIGN(inner_curve, read_named_curve(pr));
        TLS_TRY(pr.expect_end());
        if (curve && *curve != inner_curve)
            return Error{ErrorCode::decode_error, "ECPrivateKey parameters contradict the PKCS#8 algorithm"};
        curve = inner_curve;
    }
    // RFC 5915 3: "implementations that conform to this document MUST always include the parameters field".
    if (!curve) return Error{ErrorCode::decode_error, "EC private key without a curve"};
    std::optional<Bytes> public_key;
    TLS_TRY_ASSIGN(pub, der::read_optional(seq, der::context_constructed(1)));
    if (pub) {
        Reader pr(*pub);
        TLS_TRY_ASSIGN(bits, der::read_bit_string_bytes(pr));
        TLS_TRY(pr.expect_end());
        public_key = bits;
    }
    TLS_TRY(seq.expect_end());
    // "privateKey is ... an octet string of length ceiling (log2(n)/8)": exactly the curve order's size.
    if (scalar.size() != scalar_size(*curve))
        return Error{ErrorCode::decode_error, "EC private key length does not match its curve"};
    return Parsed{crypto::EcPrivateKey{*curve, scalar}, public_key};
}

// RFC 5958 2: OneAsymmetricKey ::= SEQUENCE { version Version (v1(0) | v2(1)),
// privateKeyAlgorithm, privateKey OCTET STRING, attributes [0] IMPLICIT OPTIONAL,
// ..., [[2: publicKey [1] IMPLICIT BIT STRING OPTIONAL ]], ... }.
Result<Parsed> parse_pkcs8(Bytes der) {
    Reader top(der);
    TLS_TRY_ASSIGN(seq, der::read_constructed(top));
    TLS_TRY(top.expect_end());
    TLS_TRY_ASSIGN(version, der::read_small_unsigned(seq));
    if (version > 1) return Error{ErrorCode::decode_error, "unknown PrivateKeyInfo version"};
    TLS_TRY_ASSIGN(algorithm, der::read_constructed(seq));
    TLS_TRY_ASSIGN(private_key, der::read(seq, der::octet_string));
    TLS_TRY_ASSIGN(attributes, der::read_optional(seq, der::context_constructed(0)));
    (void)attributes;  // friendly names and the like: nothing cordon needs
    std::optional<Bytes> public_key;
    TLS_TRY_ASSIGN(pub, der::read_optional(seq, der::context_primitive(1)));
    if (pub) {
        // "If publicKey is present, then version is set to v2 else version is set to v1."
        if (version != 1) return Error{ErrorCode::decode_error, "PKCS#8 v1 key with a public key"};
        if (pub->empty() || (*pub)[0] != 0) return der::bad_der;
        public_key = pub->subspan(1);
    }
    TLS_TRY(seq.expect_end());

    TLS_TRY_ASSIGN(oid_bytes, der::read_oid(algorithm));
    if (equal(oid_bytes, oid::rsa_encryption)) {
        // RFC 3279 2.3.1: the parameters field MUST have ASN.1 type NULL.
        TLS_TRY_ASSIGN(null, der::read(algorithm, der::null));
        if (!null.empty()) return der::bad_der;
        TLS_TRY(algorithm.expect_end());
        if (public_key) return Error{ErrorCode::decode_error, "RSA PKCS#8 key with a separate public key"};
        return parse_rsa_private_key(private_key);
    }
    if (equal(oid_bytes, oid::rsassa_pss)) {
        // RFC 4055 1.2, 3.1 (and RFC 8017 A.1): an RSA key for RSASSA-PSS only, as
        // `openssl genpkey -algorithm RSA-PSS` writes it; parameters absent (no
        // restriction) or RSASSA-PSS-params restricting the hashes and the salt.
        std::optional<crypto::RsaPssParams> params;
        if (!algorithm.empty()) {
            TLS_TRY_ASSIGN(stated, parse_rsassa_pss_params(algorithm.rest()));
            params = stated;
        }
        if (public_key) return Error{ErrorCode::decode_error, "RSA PKCS#8 key with a separate public key"};
        TLS_TRY_ASSIGN(parsed, parse_rsa_private_key(private_key));
        auto& rsa = std::get<crypto::RsaPrivateKey>(parsed.components);
        rsa.pss_only = true;
        rsa.pss_params = params;
        return parsed;
    }
    if (equal(oid_bytes, oid::ec_public_key)) {
        TLS_TRY_ASSIGN(curve, read_named_curve(algorithm));
        TLS_TRY(algorithm.expect_end());
        TLS_TRY_ASSIGN(parsed, parse_ec_private_key(private_key, curve));
        if (public_key) {
            if (parsed.public_key && !equal(*parsed.public_key, *public_key))
                return Error{ErrorCode::decode_error, "PKCS#8 and ECPrivateKey state different public keys"};
            parsed.public_key = public_key;
        }
        return parsed;
    }
    if (equal(oid_bytes, oid::ed25519)) {
        // RFC 8410 3: "the parameters MUST be absent"; 7: the key is CurvePrivateKey ::= OCTET STRING.
        TLS_TRY(algorithm.expect_end());
        Reader inner(private_key);
        TLS_TRY_ASSIGN(seed, der::read(inner, der::octet_string));
        TLS_TRY(inner.expect_end());
        if (seed.size() != 32) return Error{ErrorCode::decode_error, "Ed25519 private key must be 32 bytes"};
        if (public_key && public_key->size() != 32)
            return Error{ErrorCode::decode_error, "Ed25519 public key must be 32 bytes"};
        return Parsed{crypto::Ed25519PrivateKey{seed}, public_key};
    }
    return unsupported_algorithm;
}

Result<Parsed> parse_format(Bytes der, PrivateKeyFormat format) {
    switch (format) {
        case PrivateKeyFormat::pkcs8: return parse_pkcs8(der);
        case PrivateKeyFormat::sec1: return parse_ec_private_key(der, std::nullopt);
        case PrivateKeyFormat::pkcs1: return parse_rsa_private_key(der);
    }
    return Error{ErrorCode::invalid_argument, "unknown private key format"};
}

// Whether an uncompressed point (04 || X || Y) and a stated point, uncompressed
// or compressed (02/03 || X, RFC 5480 2.2), are the same point.
bool same_ec_point(Bytes uncompressed, Bytes stated) {
    if (equal(uncompressed, stated)) return true;
    const std::size_t n = (uncompressed.size() - 1) / 2;
    if (uncompressed.size() != 1 + 2 * n || stated.size() != 1 + n || n == 0) return false;
    const std::uint8_t parity = uncompressed.back() & 1;
    return stated[0] == (0x02 | parity) && equal(stated.subspan(1), uncompressed.subspan(1, n));
}

}  // namespace

Result<LoadedPrivateKey> LoadedPrivateKey::parse(crypto::SecretBuffer der, PrivateKeyFormat format) {
    LoadedPrivateKey key;
    key.der_ = std::move(der);  // the buffer, and so every view into it, stays put from here on
    key.format_ = format;
    TLS_TRY_ASSIGN(parsed, parse_format(key.der_.bytes(), format));
    key.components_ = parsed.components;
    key.public_key_ = parsed.public_key;
    return key;
}

Result<LoadedPrivateKey> LoadedPrivateKey::parse(Bytes der, PrivateKeyFormat format) {
    return parse(crypto::SecretBuffer(der), format);
}

Result<LoadedPrivateKey> LoadedPrivateKey::decrypt_pkcs8(Bytes der, const Password& password,
                                                         const crypto::CryptoProvider& provider,
                                                         const KdfLimits& limits) {
    // RFC 5958 3: EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData OCTET STRING }.
    Reader top(der);
    TLS_TRY_ASSIGN(seq, der::read_constructed(top));
    TLS_TRY(top.expect_end());
    TLS_TRY_ASSIGN(algorithm, der::read_tlv(seq));
    TLS_TRY_ASSIGN(ciphertext, der::read(seq, der::octet_string));
    TLS_TRY(seq.expect_end());
    TLS_TRY_ASSIGN(plaintext, pbe_decrypt(algorithm, password, ciphertext, provider, limits));
    auto key = parse(std::move(plaintext), PrivateKeyFormat::pkcs8);
    // Padding that checks out by chance (about 1 in 256 for a wrong password) leaves garbage.
    if (!key && key.error().code == ErrorCode::decode_error) return wrong_password;
    return key;
}

Result<LoadedPrivateKey> LoadedPrivateKey::decrypt_pkcs8(Bytes der, std::string_view password,
                                                         const crypto::CryptoProvider& provider,
                                                         const KdfLimits& limits) {
    TLS_TRY_ASSIGN(bmp, pkcs12_bmp_password(password));  // only the PKCS#12 PBEs use it
    const Password both{{reinterpret_cast<const std::uint8_t*>(password.data()), password.size()}, bmp.bytes()};
    return decrypt_pkcs8(der, both, provider, limits);
}

Result<std::unique_ptr<crypto::SigningKey>> load_signing_key(const LoadedPrivateKey& key,
                                                             const crypto::CryptoProvider& provider) {
    TLS_TRY_ASSIGN(signer, provider.load_signing_key(key.components()));
    if (const auto& stated = key.stated_public_key()) {
        const crypto::PublicKey actual = signer->public_key();
        bool same = false;
        if (const auto* ec = std::get_if<crypto::EcPublicKey>(&actual)) same = same_ec_point(ec->point, *stated);
        else if (const auto* ed = std::get_if<crypto::Ed25519PublicKey>(&actual)) same = equal(ed->key, *stated);
        if (!same)
            return Error{ErrorCode::invalid_argument, "the key file's public key does not match its private key"};
    }
    return signer;
}

Result<LoadedPrivateKey> parse_private_key_pem(std::string_view pem, std::string_view password,
                                               const crypto::CryptoProvider& provider, const KdfLimits& limits) {
    // RFC 1421-style encryption headers make the block non-RFC 7468; say why instead of "malformed".
    if (pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos)
        return Error{ErrorCode::unsupported,
                     "legacy PEM encryption (Proc-Type/DEK-Info) is not supported; convert with openssl pkcs8 -topk8"};
    TLS_TRY_ASSIGN(blocks, parse_pem(pem));
    // The decoded blocks may hold key bytes: wipe them on every way out.
    struct Wiper {
        std::vector<PemBlock>& blocks;
        ~Wiper() {
            for (auto& b : blocks) crypto::secure_wipe(b.der);
        }
    } wiper{blocks};

    const PemBlock* found = nullptr;
    for (const auto& block : blocks) {
        if (block.label != "PRIVATE KEY" && block.label != "ENCRYPTED PRIVATE KEY" && block.label != "EC PRIVATE KEY" &&
            block.label != "RSA PRIVATE KEY")
            continue;
        if (found != nullptr) return Error{ErrorCode::decode_error, "more than one private key in the PEM text"};
        found = &block;
    }
    if (found == nullptr) return Error{ErrorCode::decode_error, "no private key in the PEM text"};
    const Bytes der(found->der);
    if (found->label == "ENCRYPTED PRIVATE KEY")
        return LoadedPrivateKey::decrypt_pkcs8(der, password, provider, limits);
    if (found->label == "EC PRIVATE KEY") return LoadedPrivateKey::parse(der, PrivateKeyFormat::sec1);
    if (found->label == "RSA PRIVATE KEY") return LoadedPrivateKey::parse(der, PrivateKeyFormat::pkcs1);
    return LoadedPrivateKey::parse(der, PrivateKeyFormat::pkcs8);
}

Result<std::unique_ptr<crypto::SigningKey>> load_private_key_pem(std::string_view pem, std::string_view password,
                                                                 const crypto::CryptoProvider& provider) {
    TLS_TRY_ASSIGN(key, parse_private_key_pem(pem, password, provider));
    return load_signing_key(key, provider);
}

}  // namespace tls::x509
