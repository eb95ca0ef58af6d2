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
