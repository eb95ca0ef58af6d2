#include "crypto/ecdsa_signature.hpp"

#include "codec/der.hpp"
#include "codec/writer.hpp"

namespace tls::crypto {

Result<EcdsaSignatureParts> parse_ecdsa_signature(Bytes der) noexcept {
    codec::Reader outer(der);
    auto seq = codec::der::read_constructed(outer);
    if (!seq) return seq.error();
    TLS_TRY(outer.expect_end());
    auto r = codec::der::read_unsigned_integer(*seq);
    if (!r) return r.error();
    auto s = codec::der::read_unsigned_integer(*seq);
    if (!s) return s.error();
    TLS_TRY(seq->expect_end());
    return EcdsaSignatureParts{*r, *s};
}

namespace {

Bytes strip_leading_zeros(Bytes v) {
    while (v.size() > 1 && v[0] == 0) v = v.subspan(1);
    return v;
}

// DER length of an INTEGER holding magnitude v (a 0x00 pad when the top bit is set).
std::size_t integer_contents_size(Bytes v) { return v.size() + ((v[0] & 0x80) ? 1 : 0); }

void write_length(codec::Writer& w, std::size_t n) {
    if (n < 0x80) {
        w.u8(static_cast<std::uint8_t>(n));
    } else if (n < 0x100) {
        w.u8(0x81);
        w.u8(static_cast<std::uint8_t>(n));
    } else {
        w.u8(0x82);
        w.u16(static_cast<std::uint16_t>(n));
    }
}

void write_integer(codec::Writer& w, Bytes v) {
    w.u8(codec::der::integer);
    write_length(w, integer_contents_size(v));
    if (v[0] & 0x80) w.u8(0);
    w.bytes(v);
}

}  // namespace

Result<std::size_t> encode_ecdsa_signature(Bytes r, Bytes s, MutableBytes out) noexcept {
    if (r.empty() || s.empty()) return Error{ErrorCode::invalid_argument, "empty ECDSA signature component"};
    r = strip_leading_zeros(r);
    s = strip_leading_zeros(s);
    // Components up to 126 bytes (P-521 needs 66) keep every INTEGER length in short form.
    if (r.size() > 126 || s.size() > 126) return Error{ErrorCode::invalid_argument, "ECDSA component too long"};
    const std::size_t body = 2 + integer_contents_size(r) + 2 + integer_contents_size(s);
    codec::Writer w(out);
    w.u8(codec::der::sequence);
    write_length(w, body);
    write_integer(w, r);
    write_integer(w, s);
    return w.finish();
}

}  // namespace tls::crypto
