#include "x509/spki.hpp"

#include <algorithm>

#include "codec/der.hpp"
#include "x509/oids.hpp"

namespace tls::x509 {
namespace {

namespace der = codec::der;
using codec::Reader;
using crypto::Bytes;

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

constexpr Error unsupported_key{ErrorCode::unsupported, "unsupported public key algorithm or parameters"};

// BIT STRING contents for a key: the unused-bits byte must be 0.
Result<Bytes> key_bits(Bytes bit_string) {
    if (bit_string.empty() || bit_string[0] != 0) return der::bad_der;
    return bit_string.subspan(1);
}

// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1).
Result<crypto::RsaPublicKey> read_rsa_public_key(Bytes bits) {
    Reader key_reader(bits);
    auto rsa = der::read_constructed(key_reader);
    if (!rsa) return rsa.error();
    TLS_TRY(key_reader.expect_end());
    auto n = der::read_unsigned_integer(*rsa);
    if (!n) return n.error();
    auto e = der::read_unsigned_integer(*rsa);
    if (!e) return e.error();
    TLS_TRY(rsa->expect_end());
    return crypto::RsaPublicKey{*n, *e};
}

// A NULL parameter that may be absent ("NULL or absent", as RFC 4055 2.1 tolerates).
Result<void> null_or_absent(Reader& params) {
    if (params.empty()) return success();
    auto n = der::read(params, der::null);
    if (!n) return n.error();
    if (!n->empty()) return der::bad_der;
    return params.expect_end();
}

std::optional<crypto::HashAlgorithm> hash_from_oid(Bytes oid) {
    if (equal(oid, oid::sha256)) return crypto::HashAlgorithm::sha256;
    if (equal(oid, oid::sha384)) return crypto::HashAlgorithm::sha384;
    if (equal(oid, oid::sha512)) return crypto::HashAlgorithm::sha512;
    if (equal(oid, oid::sha1)) return crypto::HashAlgorithm::sha1;
    return std::nullopt;
}

// HashAlgorithm ::= AlgorithmIdentifier with NULL or absent parameters.
Result<crypto::HashAlgorithm> read_hash_algorithm(Reader& r) {
    auto seq = der::read_constructed(r);
    if (!seq) return seq.error();
    auto oid = der::read_oid(*seq);
    if (!oid) return oid.error();
    TLS_TRY(null_or_absent(*seq));
    auto h = hash_from_oid(*oid);
    if (!h) return Error{ErrorCode::unsupported, "unsupported hash in RSASSA-PSS parameters"};
    return *h;
}

}  // namespace

Result<crypto::RsaPssParams> parse_rsassa_pss_params(Bytes encoded) noexcept {
    crypto::RsaPssParams p{crypto::HashAlgorithm::sha1, crypto::HashAlgorithm::sha1, 20};
    Reader params(encoded);
    auto seq = der::read_constructed(params);
    if (!seq) return seq.error();
    TLS_TRY(params.expect_end());
    if (auto h = der::read_optional(*seq, der::context_constructed(0)); !h) {
        return h.error();
    } else if (*h) {
        Reader r(**h);
        auto hash = read_hash_algorithm(r);
        if (!hash) return hash.error();
        TLS_TRY(r.expect_end());
        p.hash = *hash;
    }
    if (auto m = der::read_optional(*seq, der::context_constructed(1)); !m) {
        return m.error();
    } else if (*m) {
        Reader r(**m);
        auto mgf = der::read_constructed(r);
        if (!mgf) return mgf.error();
        TLS_TRY(r.expect_end());
        auto mgf_oid = der::read_oid(*mgf);
        if (!mgf_oid) return mgf_oid.error();
        if (!equal(*mgf_oid, oid::mgf1)) return Error{ErrorCode::unsupported, "RSASSA-PSS mask function is not MGF1"};
        auto hash = read_hash_algorithm(*mgf);
        if (!hash) return hash.error();
        TLS_TRY(mgf->expect_end());
        p.mgf1_hash = *hash;
    }
    if (auto s = der::read_optional(*seq, der::context_constructed(2)); !s) {
        return s.error();
    } else if (*s) {
        Reader r(**s);
        auto salt = der::read_unsigned_integer(r);
        if (!salt) return salt.error();
        TLS_TRY(r.expect_end());
        if (salt->size() > 2) return Error{ErrorCode::unsupported, "RSASSA-PSS salt length too large"};
        std::size_t v = 0;
        for (auto b : *salt) v = v << 8 | b;
        p.salt_size = v;
    }
    if (auto t = der::read_optional(*seq, der::context_constructed(3)); !t) {
        return t.error();
    } else if (*t) {
        // trailerField must be 1 (trailerFieldBC).
        Reader r(**t);
        auto v = der::read_unsigned_integer(r);
        if (!v) return v.error();
        TLS_TRY(r.expect_end());
        if (v->size() != 1 || (*v)[0] != 1) return Error{ErrorCode::unsupported, "RSASSA-PSS trailer field is not 1"};
    }
    TLS_TRY(seq->expect_end());
    return p;
}

Result<crypto::PublicKey> parse_subject_public_key_info(Bytes input) noexcept {
    Reader top(input);
    auto spki = der::read_constructed(top);
    if (!spki) return spki.error();
    TLS_TRY(top.expect_end());
    auto algorithm = der::read_constructed(*spki);
    if (!algorithm) return algorithm.error();
    auto bit_string = der::read(*spki, der::bit_string);
    if (!bit_string) return bit_string.error();
    TLS_TRY(spki->expect_end());
    auto bits = key_bits(*bit_string);
    if (!bits) return bits.error();

    auto oid = der::read(*algorithm, der::object_identifier);
    if (!oid) return oid.error();

    if (equal(*oid, oid::rsa_encryption)) {
        // RFC 3279 2.3.1: parameters MUST be NULL.
        auto params = der::read(*algorithm, der::null);
        if (!params) return params.error();
        if (!params->empty()) return der::bad_der;
        TLS_TRY(algorithm->expect_end());
        TLS_TRY_ASSIGN(key, read_rsa_public_key(*bits));
        return crypto::PublicKey(key);
    }
    if (equal(*oid, oid::rsassa_pss)) {
        // RFC 4055 1.2 and 3.1: a key for RSASSA-PSS only; parameters absent (no
        // restriction) or RSASSA-PSS-params restricting the hashes and the salt.
        TLS_TRY_ASSIGN(key, read_rsa_public_key(*bits));
        key.pss_only = true;
        if (!algorithm->empty()) {
            auto params = parse_rsassa_pss_params(algorithm->rest());
            // Unknown hashes or mask functions make the key unusable, not the DER bad.
            if (!params) return params.error().code == ErrorCode::unsupported ? unsupported_key : params.error();
            key.pss_params = *params;
        }
        return crypto::PublicKey(key);
    }
    if (equal(*oid, oid::ec_public_key)) {
        // RFC 5480 2.1.1: namedCurve only (explicit parameters are not supported).
        auto curve_oid = der::read(*algorithm, der::object_identifier);
        if (!curve_oid) return curve_oid.error().code == ErrorCode::decode_error ? unsupported_key : curve_oid.error();
        TLS_TRY(algorithm->expect_end());
        crypto::NamedGroup curve;
        if (equal(*curve_oid, oid::prime256v1)) curve = crypto::NamedGroup::secp256r1;
        else if (equal(*curve_oid, oid::secp384r1)) curve = crypto::NamedGroup::secp384r1;
        else return unsupported_key;
        return crypto::PublicKey(crypto::EcPublicKey{curve, *bits});
    }
    if (equal(*oid, oid::ed25519)) {
        // RFC 8410 3: parameters MUST be absent.
        TLS_TRY(algorithm->expect_end());
        if (bits->size() != 32) return Error{ErrorCode::invalid_public_key, "Ed25519 public key must be 32 bytes"};
        return crypto::PublicKey(crypto::Ed25519PublicKey{*bits});
    }
    return unsupported_key;
}

}  // namespace tls::x509
