#include <catch2/catch.hpp>

#include <array>

#include "codec/reader.hpp"
#include "codec/writer.hpp"

using tls::ErrorCode;
using tls::codec::Reader;
using tls::codec::Writer;

TEST_CASE("Reader reads big-endian integers and refuses to run past the end", "[codec]") {
    const std::uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    Reader r(data);
    CHECK(*r.u8() == 0x01);
    CHECK(*r.u16() == 0x0203);
    CHECK(*r.u24() == 0x040506);
    CHECK(r.empty());
    auto past = r.u8();
    REQUIRE_FALSE(past.ok());
    CHECK(past.error().code == ErrorCode::decode_error);
    CHECK(r.expect_end().ok());
}

TEST_CASE("Reader vectors enforce their <min..max> bounds and length", "[codec]") {
    const std::uint8_t ok[] = {0x00, 0x02, 0xaa, 0xbb, 0xcc};
    Reader r(ok);
    auto v = r.vector(2, 1, 10);
    REQUIRE(v.ok());
    CHECK(v->size() == 2);
    CHECK((*v)[1] == 0xbb);
    CHECK_FALSE(r.expect_end().ok());  // 0xcc trails

    Reader too_short(ok);
    CHECK(too_short.vector(2, 3, 10).error().code == ErrorCode::decode_error);
    Reader too_long(ok);
    CHECK_FALSE(too_long.vector(2, 0, 1).ok());
    const std::uint8_t truncated[] = {0x00, 0x05, 0xaa};
    Reader t(truncated);
    CHECK_FALSE(t.vector(2, 0, 100).ok());
}

TEST_CASE("Reader sub-readers see exactly their vector", "[codec]") {
    const std::uint8_t data[] = {0x03, 0x01, 0x02, 0x03, 0x09};
    Reader r(data);
    auto sub = r.sub(1, 0, 255);
    REQUIRE(sub.ok());
    CHECK(sub->remaining() == 3);
    CHECK(*sub->u16() == 0x0102);
    CHECK_FALSE(sub->expect_end().ok());
    CHECK(*sub->u8() == 0x03);
    CHECK_FALSE(sub->u8().ok());  // cannot read the parent's next byte
    CHECK(*r.u8() == 0x09);
}

TEST_CASE("Writer fills length prefixes and reports overflow instead of truncating", "[codec]") {
    std::array<std::uint8_t, 8> buf{};
    Writer w(buf);
    auto mark = w.open_vector(2);
    w.u8(0xaa);
    w.u16(0xbbcc);
    w.close_vector(mark);
    REQUIRE(w.finish().ok());
    CHECK(*w.finish() == 5);
    CHECK(buf[0] == 0x00);
    CHECK(buf[1] == 0x03);
    CHECK(buf[2] == 0xaa);

    std::array<std::uint8_t, 3> small{};
    Writer o(small);
    o.u32(0x01020304);
    CHECK(o.finish().error().code == ErrorCode::buffer_too_small);
    o.u8(1);  // stays failed
    CHECK_FALSE(o.finish().ok());

    std::array<std::uint8_t, 300> big{};
    Writer v(big);
    auto m = v.open_vector(1);
    for (int i = 0; i < 256; ++i) v.u8(0);
    v.close_vector(m);
    CHECK(v.finish().error().code == ErrorCode::internal_error);  // 256 does not fit a 1-byte prefix
}
