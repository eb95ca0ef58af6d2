#include "x509/spki.hpp"

#include <algorithm>

#include "codec/der.hpp"

namespace tls::x509 {
namespace {

namespace der = codec::der;
using crypto::Bytes;

// OID contents (without tag and length).
constexpr std::uint8_t oid_rsa_encryption[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
constexpr std::uint8_t oid_ec_public_key[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
constexpr std::uint8_t oid_prime256v1[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
constexpr std::uint8_t oid_secp384r1[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
constexpr std::uint8_t oid_ed25519[] = {0x2b, 0x65, 0x70};

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

constexpr Error unsupported_key{ErrorCode::unsupported, "unsupported public key algorithm or parameters"};

// BIT STRING contents for a key: the unused-bits byte must be 0.
Result<Bytes> key_bits(Bytes bit_string) {
    if (bit_string.empty() || bit_string[0] != 0) return der::bad_der;
    return bit_string.subspan(1);
}

}  // namespace

Result<crypto::PublicKey> parse_subject_public_key_info(Bytes input) noexcept {
    codec::Reader top(input);
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

    if (equal(*oid, oid_rsa_encryption)) {
        // RFC 3279 2.3.1: parameters MUST be NULL.
        auto params = der::read(*algorithm, der::null);
        if (!params) return params.error();
        if (!params->empty()) return der::bad_der;
        TLS_TRY(algorithm->expect_end());
        codec::Reader key_reader(*bits);
        auto rsa = der::read_constructed(key_reader);
        if (!rsa) return rsa.error();
        TLS_TRY(key_reader.expect_end());
        auto n = der::read_unsigned_integer(*rsa);
        if (!n) return n.error();
        auto e = der::read_unsigned_integer(*rsa);
        if (!e) return e.error();
        TLS_TRY(rsa->expect_end());
        return crypto::PublicKey(crypto::RsaPublicKey{*n, *e});
    }
    if (equal(*oid, oid_ec_public_key)) {
        // RFC 5480 2.1.1: namedCurve only (explicit parameters are not supported).
        auto curve_oid = der::read(*algorithm, der::object_identifier);
        if (!curve_oid) return curve_oid.error().code == ErrorCode::decode_error ? unsupported_key : curve_oid.error();
        TLS_TRY(algorithm->expect_end());
        crypto::NamedGroup curve;
        if (equal(*curve_oid, oid_prime256v1)) curve = crypto::NamedGroup::secp256r1;
        else if (equal(*curve_oid, oid_secp384r1)) curve = crypto::NamedGroup::secp384r1;
        else return unsupported_key;
        return crypto::PublicKey(crypto::EcPublicKey{curve, *bits});
    }
    if (equal(*oid, oid_ed25519)) {
        // RFC 8410 3: parameters MUST be absent.
        TLS_TRY(algorithm->expect_end());
        if (bits->size() != 32) return Error{ErrorCode::invalid_public_key, "Ed25519 public key must be 32 bytes"};
        return crypto::PublicKey(crypto::Ed25519PublicKey{*bits});
    }
    return unsupported_key;
}

}  // namespace tls::x509
