#include "codec/der.hpp"

namespace tls::codec::der {

Result<Element> read_element(Reader& reader) noexcept {
    auto tag = reader.u8();
    if (!tag) return tag.error();
    // Low 5 bits all ones introduce a multi-byte tag, which nothing we parse uses.
    if ((*tag & 0x1f) == 0x1f) return bad_der;
    auto first = reader.u8();
    if (!first) return first.error();
    std::size_t length = 0;
    if (*first < 0x80) {
        length = *first;
    } else {
        std::size_t count = *first & 0x7f;
        // 0x80 is the indefinite form (BER only); more than 4 length bytes is absurd here.
        if (count == 0 || count > 4) return bad_der;
        for (std::size_t i = 0; i < count; ++i) {
            auto b = reader.u8();
            if (!b) return b.error();
            // A leading zero length byte is non-minimal.
            if (i == 0 && *b == 0) return bad_der;
            length = (length << 8) | *b;
        }
        // The long form must be necessary.
        if (length < 0x80) return bad_der;
    }
    auto contents = reader.take(length);
    if (!contents) return contents.error();
    return Element{*tag, *contents};
}

Result<Bytes> read(Reader& reader, std::uint8_t tag) noexcept {
    auto element = read_element(reader);
    if (!element) return element.error();
    if (element->tag != tag) return unexpected_tag;
    return element->contents;
}

Result<Reader> read_constructed(Reader& reader, std::uint8_t tag) noexcept {
    auto contents = read(reader, tag);
    if (!contents) return contents.error();
    return Reader(*contents);
}

Result<Bytes> read_unsigned_integer(Reader& reader) noexcept {
    auto contents = read(reader, integer);
    if (!contents) return contents.error();
    Bytes c = *contents;
    if (c.empty()) return bad_der;
    if (c.size() > 1) {
        // Redundant leading byte: 00 followed by a byte < 0x80, or FF followed by >= 0x80.
        if (c[0] == 0x00 && c[1] < 0x80) return bad_der;
        if (c[0] == 0xff && c[1] >= 0x80) return bad_der;
    }
    if (c[0] & 0x80) return Error{ErrorCode::decode_error, "negative INTEGER where a non-negative one is required"};
    if (c.size() > 1 && c[0] == 0x00) c = c.subspan(1);
    return c;
}

}  // namespace tls::codec::der

namespace tls::codec::der {

std::optional<std::uint8_t> peek_tag(const Reader& reader) noexcept {
    if (reader.empty()) return std::nullopt;
    return reader.rest()[0];
}

Result<std::optional<Bytes>> read_optional(Reader& reader, std::uint8_t tag) noexcept {
    if (peek_tag(reader) != tag) return std::optional<Bytes>();
    auto contents = read(reader, tag);
    if (!contents) return contents.error();
    return std::optional<Bytes>(*contents);
}

Result<bool> read_boolean(Reader& reader) noexcept {
    auto c = read(reader, boolean);
    if (!c) return c.error();
    if (c->size() != 1 || ((*c)[0] != 0x00 && (*c)[0] != 0xff)) return bad_der;
    return (*c)[0] == 0xff;
}

Result<Bytes> read_bit_string_bytes(Reader& reader) noexcept {
    auto c = read(reader, bit_string);
    if (!c) return c.error();
    if (c->empty() || (*c)[0] != 0) return bad_der;
    return c->subspan(1);
}

Result<std::uint16_t> read_named_bits(Reader& reader) noexcept {
    auto c = read(reader, bit_string);
    if (!c) return c.error();
    if (c->empty()) return bad_der;
    const std::uint8_t unused = (*c)[0];
    Bytes bits = c->subspan(1);
    if (unused > 7 || (bits.empty() && unused != 0)) return bad_der;
    if (!bits.empty()) {
        // Unused bits must be zero. DER also drops trailing zero bits (X.690
        // 11.2.2), but deployed roots break that rule (Trustwave's ECC roots in
        // Debian's store encode keyUsage as 07 06 00), and a trailing zero bit
        // changes no meaning, so it is accepted.
        if ((bits.back() & ((1u << unused) - 1)) != 0) return bad_der;
    }
    if (bits.size() > 2) {
        // Only bits 0..8 are defined for keyUsage; more bytes must not carry set bits we drop.
        for (std::size_t i = 2; i < bits.size(); ++i)
            if (bits[i] != 0) return Error{ErrorCode::decode_error, "named bit string longer than supported"};
    }
    std::uint16_t out = 0;
    for (std::size_t i = 0; i < bits.size() && i < 2; ++i)
        for (int b = 0; b < 8; ++b)
            if (bits[i] & (0x80 >> b)) out = static_cast<std::uint16_t>(out | (1u << (i * 8 + static_cast<std::size_t>(b))));
    return out;
}

Result<std::uint64_t> read_small_unsigned(Reader& reader) noexcept {
    auto magnitude = read_unsigned_integer(reader);
    if (!magnitude) return magnitude.error();
    if (magnitude->size() > 8) return Error{ErrorCode::decode_error, "INTEGER too large"};
    std::uint64_t value = 0;
    for (auto b : *magnitude) value = (value << 8) | b;
    return value;
}

Result<Bytes> read_tlv(Reader& reader) noexcept {
    const Bytes before = reader.rest();
    auto element = read_element(reader);
    if (!element) return element.error();
    return before.first(before.size() - reader.rest().size());
}

Result<Bytes> read_oid(Reader& reader) noexcept {
    auto c = read(reader, object_identifier);
    if (!c) return c.error();
    if (c->empty() || (c->back() & 0x80)) return bad_der;
    // Each subidentifier is minimal: it never starts with 0x80.
    bool at_start = true;
    for (auto b : *c) {
        if (at_start && b == 0x80) return bad_der;
        at_start = (b & 0x80) == 0;
    }
    return *c;
}

std::int64_t seconds_since_epoch(int y, int m, int d, int hh, int mm, int ss) noexcept {
    // Howard Hinnant's days_from_civil.
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const std::int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + hh * 3600 + mm * 60 + ss;
}

namespace {

bool digits(Bytes s, std::size_t at, std::size_t n, int& out) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

Result<std::int64_t> read_time(Reader& reader) noexcept {
    auto element = read_element(reader);
    if (!element) return element.error();
    Bytes s = element->contents;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::size_t pos = 0;
    if (element->tag == utc_time) {
        // YYMMDDHHMMSSZ; YY >= 50 is 19YY, else 20YY (RFC 5280 4.1.2.5.1).
        if (s.size() != 13 || !digits(s, 0, 2, year)) return bad_der;
        year += year >= 50 ? 1900 : 2000;
        pos = 2;
    } else if (element->tag == generalized_time) {
        // YYYYMMDDHHMMSSZ (RFC 5280 4.1.2.5.2: no fractional seconds).
        if (s.size() != 15 || !digits(s, 0, 4, year)) return bad_der;
        pos = 4;
    } else {
        return unexpected_tag;
    }
    if (!digits(s, pos, 2, month) || !digits(s, pos + 2, 2, day) || !digits(s, pos + 4, 2, hour) ||
        !digits(s, pos + 6, 2, minute) || !digits(s, pos + 8, 2, second) || s[pos + 10] != 'Z')
        return bad_der;
    static constexpr int days_in_month[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return bad_der;
    if (day > days_in_month[month - 1] + (month == 2 && leap(year) ? 1 : 0)) return bad_der;
    return seconds_since_epoch(year, month, day, hour, minute, second);
}

}  // namespace tls::codec::der
