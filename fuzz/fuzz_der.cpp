// Arbitrary bytes into the codec layer: the strict DER reader and codec::Reader.
//
// 1. DER walk: the whole input as a sequence of TLVs, descending into constructed
//    elements (at most max_depth deep). Every element the strict reader accepts
//    must be the canonical encoding of what it returned (tag, minimal length,
//    contents in place); a prefix cut inside it must be refused; an INTEGER read
//    with read_unsigned_integer must re-encode to the same bytes.
// 2. Reader program: the input drives a codec::Reader over itself, each opcode
//    byte choosing the next call (u8..u64, take, skip, vector, sub, expect_end);
//    every result is compared with a direct computation on the remaining bytes.
#include <cstdint>
#include <cstring>

#include "codec/der.hpp"
#include "codec/reader.hpp"
#include "fuzz_input.hpp"

namespace {

using cordon_fuzz::same_bytes;

using namespace tls;
using tls::codec::Bytes;
using tls::codec::Reader;
namespace der = tls::codec::der;

constexpr int max_depth = 24;

// The DER identifier and length octets for (tag, length); returns their count.
std::size_t der_header(std::uint8_t tag, std::size_t length, std::uint8_t out[6]) {
    out[0] = tag;
    if (length < 0x80) {
        out[1] = static_cast<std::uint8_t>(length);
        return 2;
    }
    std::size_t n = 0;
    for (std::size_t l = length; l != 0; l >>= 8) ++n;
    out[1] = static_cast<std::uint8_t>(0x80 | n);
    for (std::size_t i = 0; i < n; ++i) out[2 + i] = static_cast<std::uint8_t>(length >> (8 * (n - 1 - i)));
    return 2 + n;
}

void check_unsigned_integer(Bytes encoded, Bytes contents) {
    Reader r(encoded);
    auto v = der::read_unsigned_integer(r);
    if (!v) {
        CORDON_FUZZ_CHECK(v.error().code == ErrorCode::decode_error);
        // Refused only for a negative or non-minimal INTEGER (the TLV itself is fine).
        CORDON_FUZZ_CHECK(contents.empty() || (contents[0] & 0x80) ||
                          (contents.size() > 1 && contents[0] == 0x00 && contents[1] < 0x80) ||
                          (contents.size() > 1 && contents[0] == 0xff && contents[1] >= 0x80));
        return;
    }
    CORDON_FUZZ_CHECK(r.empty());
    CORDON_FUZZ_CHECK(!v->empty());
    CORDON_FUZZ_CHECK(v->size() == 1 || (*v)[0] != 0);  // magnitude has no leading zero
    // Re-encode: 0x00 pad when the top bit is set.
    const bool pad = ((*v)[0] & 0x80) != 0;
    std::uint8_t header[6];
    const std::size_t h = der_header(der::integer, v->size() + (pad ? 1 : 0), header);
    CORDON_FUZZ_CHECK(encoded.size() == h + (pad ? 1 : 0) + v->size());
    CORDON_FUZZ_CHECK(std::memcmp(encoded.data(), header, h) == 0);
    if (pad) CORDON_FUZZ_CHECK(encoded[h] == 0x00);
    CORDON_FUZZ_CHECK(same_bytes(encoded.subspan(h + (pad ? 1 : 0)), *v));
}

void walk(Reader reader, int depth) {
    while (!reader.empty()) {
        const std::size_t start = reader.position();
        const Bytes before = reader.rest();
        auto element = der::read_element(reader);
        if (!element) {
            CORDON_FUZZ_CHECK(element.error().code == ErrorCode::decode_error);
            return;
        }
        const std::size_t consumed = reader.position() - start;
        const Bytes encoded = before.first(consumed);
        CORDON_FUZZ_CHECK((element->tag & 0x1f) != 0x1f);

        // Canonical: the consumed bytes are exactly the DER header plus the contents.
        std::uint8_t header[6];
        const std::size_t h = der_header(element->tag, element->contents.size(), header);
        CORDON_FUZZ_CHECK(consumed == h + element->contents.size());
        CORDON_FUZZ_CHECK(std::memcmp(encoded.data(), header, h) == 0);
        CORDON_FUZZ_CHECK(element->contents.data() == encoded.data() + h);

        // A cut anywhere inside the element is refused.
        for (std::size_t cut : {consumed - 1, consumed / 2, h - 1}) {
            Reader truncated(encoded.first(cut));
            CORDON_FUZZ_CHECK(!der::read_element(truncated).ok());
        }

        // read() and read_constructed() agree with read_element().
        {
            Reader again(encoded);
            auto contents = der::read(again, element->tag);
            CORDON_FUZZ_CHECK(contents.ok() && contents->data() == element->contents.data() &&
                              contents->size() == element->contents.size());
            Reader other(encoded);
            CORDON_FUZZ_CHECK(!der::read(other, static_cast<std::uint8_t>(element->tag ^ 0x01)).ok());
            Reader constructed(encoded);
            auto sub = der::read_constructed(constructed, element->tag);
            CORDON_FUZZ_CHECK(sub.ok() && sub->remaining() == element->contents.size());
        }

        if (element->tag == der::integer) check_unsigned_integer(encoded, element->contents);
        // Constructed (bit 6) elements hold more TLVs; so may OCTET/BIT STRINGs in X.509.
        const bool descend = (element->tag & 0x20) != 0 || element->tag == der::octet_string ||
                             element->tag == der::bit_string;
        if (descend && depth < max_depth) {
            Bytes inner = element->contents;
            if (element->tag == der::bit_string && !inner.empty()) inner = inner.subspan(1);  // unused-bits byte
            walk(Reader(inner), depth + 1);
        }
    }
}

// Big-endian value of the first n bytes of b (n <= 8).
std::uint64_t be(Bytes b, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | b[i];
    return v;
}

void run_program(Reader& r, int depth) {
    while (!r.empty()) {
        const std::uint8_t op = r.u8().value();  // the loop runs only while bytes remain
        const std::size_t total = r.position() + r.remaining();
        const Bytes rest = r.rest();
        const std::size_t pos = r.position();
        switch (op % 11) {
            case 0: {
                auto v = r.u8();
                CORDON_FUZZ_CHECK(v.ok() == (rest.size() >= 1));
                if (v) CORDON_FUZZ_CHECK(*v == be(rest, 1));
                break;
            }
            case 1: {
                auto v = r.u16();
                CORDON_FUZZ_CHECK(v.ok() == (rest.size() >= 2));
                if (v) CORDON_FUZZ_CHECK(*v == be(rest, 2));
                break;
            }
            case 2: {
                auto v = r.u24();
                CORDON_FUZZ_CHECK(v.ok() == (rest.size() >= 3));
                if (v) CORDON_FUZZ_CHECK(*v == be(rest, 3) && *v < (1u << 24));
                break;
            }
            case 3: {
                auto v = r.u32();
                CORDON_FUZZ_CHECK(v.ok() == (rest.size() >= 4));
                if (v) CORDON_FUZZ_CHECK(*v == be(rest, 4));
                break;
            }
            case 4: {
                auto v = r.u64();
                CORDON_FUZZ_CHECK(v.ok() == (rest.size() >= 8));
                if (v) CORDON_FUZZ_CHECK(*v == be(rest, 8));
                break;
            }
            case 5:
            case 6: {
                // take/skip a length given by the next byte (or, with op bit 7, a huge one).
                auto n8 = r.u8();
                if (!n8) break;
                const std::size_t n = (op & 0x80) ? (SIZE_MAX - *n8) : *n8;
                const std::size_t left = r.remaining();
                const std::size_t at = r.position();
                if (op % 11 == 5) {
                    auto t = r.take(n);
                    CORDON_FUZZ_CHECK(t.ok() == (n <= left));
                    if (t) CORDON_FUZZ_CHECK(t->data() == rest.data() + 1 && t->size() == n);
                } else {
                    CORDON_FUZZ_CHECK(r.skip(n).ok() == (n <= left));
                }
                if (n > left) CORDON_FUZZ_CHECK(r.position() == at);  // a failed take consumes nothing
                break;
            }
            case 7:
            case 8:
            case 9: {
                // vector/sub with a 1..3 byte prefix and <min..max> from the next 3 bytes.
                auto bounds = r.take(3);
                if (!bounds) break;
                const std::size_t prefix = (op >> 4) % 3 + 1;
                const std::size_t min = (*bounds)[0];
                const std::size_t max = be(bounds->subspan(1), 2) << ((op >> 6) * 4);
                const Bytes after = r.rest();
                // The reference answer.
                bool expect_ok = after.size() >= prefix;
                std::size_t length = 0;
                if (expect_ok) {
                    length = be(after, prefix);
                    expect_ok = length >= min && length <= max && length <= after.size() - prefix;
                }
                if (op % 11 == 9 && depth < 8) {
                    auto sub = r.sub(prefix, min, max);
                    CORDON_FUZZ_CHECK(sub.ok() == expect_ok);
                    if (sub) {
                        CORDON_FUZZ_CHECK(sub->remaining() == length && sub->position() == 0);
                        CORDON_FUZZ_CHECK(sub->rest().data() == after.data() + prefix);
                        run_program(*sub, depth + 1);
                        CORDON_FUZZ_CHECK(sub->expect_end().ok());
                    }
                } else {
                    auto v = r.vector(prefix, min, max);
                    CORDON_FUZZ_CHECK(v.ok() == expect_ok);
                    if (v) CORDON_FUZZ_CHECK(v->data() == after.data() + prefix && v->size() == length);
                }
                break;
            }
            case 10: {
                CORDON_FUZZ_CHECK(r.expect_end().ok() == r.empty());
                CORDON_FUZZ_CHECK(r.rest().size() == r.remaining());
                break;
            }
        }
        CORDON_FUZZ_CHECK(r.position() + r.remaining() == total);
        CORDON_FUZZ_CHECK(r.position() >= pos);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    walk(Reader(input), 0);

    // An INTEGER straight from the start of the input, as the ECDSA and key parsers read it.
    {
        Reader r(input);
        auto v = der::read_unsigned_integer(r);
        if (v) check_unsigned_integer(input.first(r.position()), {});
    }

    Reader program(input);
    run_program(program, 0);
    return 0;
}
