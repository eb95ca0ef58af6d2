// A strict DER reader (X.690 distinguished encoding) built on codec::Reader.
// Definite, minimal lengths only; single-byte tags only (X.509 and the key
// formats never need more); the content checks that make an encoding canonical
// (INTEGER without redundant leading bytes, BOOLEAN as 00/FF) live here too.
// Nothing else in cordon reads ASN.1.
#pragma once

#include <cstdint>
#include <optional>

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

namespace tls::codec::der {

// Context-specific tags: [n] constructed (EXPLICIT or a constructed IMPLICIT)
// and [n] primitive (IMPLICIT over a primitive type).
constexpr std::uint8_t context_constructed(unsigned n) noexcept { return static_cast<std::uint8_t>(0xa0 | n); }
constexpr std::uint8_t context_primitive(unsigned n) noexcept { return static_cast<std::uint8_t>(0x80 | n); }

// The tag of the next element, without consuming it (nothing when empty).
std::optional<std::uint8_t> peek_tag(const Reader& reader) noexcept;

// Reads an element with `tag` if the next element has it; nothing otherwise.
Result<std::optional<Bytes>> read_optional(Reader& reader, std::uint8_t tag) noexcept;

// BOOLEAN: one byte, 0x00 or 0xFF (DER).
Result<bool> read_boolean(Reader& reader) noexcept;

// BIT STRING without unused bits (keys, signatures): returns the bytes.
Result<Bytes> read_bit_string_bytes(Reader& reader) noexcept;

// BIT STRING as a set of named bits (keyUsage): the unused trailing bits must
// be zero (trailing zero bits are tolerated, see der.cpp). Returns bits 0..15
// with bit n at (1 << n).
Result<std::uint16_t> read_named_bits(Reader& reader) noexcept;

// A non-negative INTEGER that fits 64 bits (versions, iteration counts, lengths);
// larger values are a decode_error.
Result<std::uint64_t> read_small_unsigned(Reader& reader) noexcept;

// The next element's whole encoding (tag, length and contents), as a view.
Result<Bytes> read_tlv(Reader& reader) noexcept;

// OBJECT IDENTIFIER: the encoded contents, checked for well-formed subidentifiers.
Result<Bytes> read_oid(Reader& reader) noexcept;

// UTCTime or GeneralizedTime in the RFC 5280 4.1.2.5 profile (Z, seconds, no
// fractions), as seconds since 1970-01-01T00:00:00Z.
Result<std::int64_t> read_time(Reader& reader) noexcept;

// Days-from-civil conversion shared with tests (proleptic Gregorian calendar).
std::int64_t seconds_since_epoch(int year, int month, int day, int hour, int minute, int second) noexcept;

}  // namespace tls::codec::der
