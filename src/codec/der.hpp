// A strict DER reader (X.690 distinguished encoding) built on codec::Reader.
// Definite, minimal lengths only; single-byte tags only (X.509 and the key
// formats never need more); the content checks that make an encoding canonical
// (INTEGER without redundant leading bytes, BOOLEAN as 00/FF) live here too.
// Nothing else in cordon reads ASN.1.
#pragma once

#include <cstdint>

#include "codec/reader.hpp"

namespace tls::codec::der {

enum Tag : std::uint8_t {
    boolean = 0x01,
    integer = 0x02,
    bit_string = 0x03,
    octet_string = 0x04,
    null = 0x05,
    object_identifier = 0x06,
    utf8_string = 0x0c,
    printable_string = 0x13,
    ia5_string = 0x16,
    utc_time = 0x17,
    generalized_time = 0x18,
    sequence = 0x30,
    set = 0x31,
};

inline constexpr Error bad_der{ErrorCode::decode_error, "malformed DER"};
inline constexpr Error unexpected_tag{ErrorCode::decode_error, "unexpected DER tag"};

struct Element {
    std::uint8_t tag;
    Bytes contents;
};

// Reads one TLV (any single-byte tag).
Result<Element> read_element(Reader& reader) noexcept;
// Reads one TLV whose tag must be `tag`; returns its contents.
Result<Bytes> read(Reader& reader, std::uint8_t tag) noexcept;
// Reads a SEQUENCE (or any constructed tag) and returns a reader over its contents.
Result<Reader> read_constructed(Reader& reader, std::uint8_t tag = sequence) noexcept;
// Reads an INTEGER that must be non-negative; returns its magnitude with the
// sign-padding zero byte removed (so "00 80" gives "80"; zero gives "00").
Result<Bytes> read_unsigned_integer(Reader& reader) noexcept;

}  // namespace tls::codec::der
