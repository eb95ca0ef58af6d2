#include <catch2/catch.hpp>

#include "codec/der.hpp"
#include "support/hex.hpp"

using namespace tls::codec;
using test::from_hex;

namespace {
bool parses_integer(const char* hex) {
    auto bytes = from_hex(hex);
    Reader r(bytes);
    return der::read_unsigned_integer(r).ok() && r.empty();
}
}  // namespace

TEST_CASE("DER lengths must be definite and minimal", "[codec][der]") {
    auto ok = from_hex("0403aabbcc");
    Reader r(ok);
    auto e = der::read_element(r);
    REQUIRE(e.ok());
    CHECK(e->tag == 0x04);
    CHECK(e->contents.size() == 3);

    for (const char* bad : {"0480",          // indefinite length
                            "048103aabbcc",  // long form where short suffices
                            "04820003aabbcc",
                            "0404aabbcc",    // runs past the end
                            "1f0100"}) {     // multi-byte tag
        auto b = from_hex(bad);
        Reader br(b);
        INFO(bad);
        CHECK_FALSE(der::read_element(br).ok());
    }
    auto long_form = from_hex("048180" + std::string(256, 'a'));
    Reader lr(long_form);
    CHECK(der::read_element(lr).ok());
}

TEST_CASE("DER INTEGERs are minimal, unsigned reads reject negatives", "[codec][der]") {
    CHECK(parses_integer("020100"));
    CHECK(parses_integer("02017f"));
    CHECK(parses_integer("02020080"));
    CHECK_FALSE(parses_integer("0200"));        // empty
    CHECK_FALSE(parses_integer("0202007f"));    // redundant 00
    CHECK_FALSE(parses_integer("0202ff80"));    // redundant ff
    CHECK_FALSE(parses_integer("020180"));      // negative
    auto bytes = from_hex("02020080");
    Reader r(bytes);
    auto v = der::read_unsigned_integer(r);
    REQUIRE(v.ok());
    CHECK(v->size() == 1);  // sign padding stripped
    CHECK((*v)[0] == 0x80);
}

TEST_CASE("DER constructed reads give a reader over the contents", "[codec][der]") {
    auto bytes = from_hex("3006020101020102");
    Reader r(bytes);
    auto seq = der::read_constructed(r);
    REQUIRE(seq.ok());
    CHECK(der::read_unsigned_integer(*seq).ok());
    CHECK(der::read_unsigned_integer(*seq).ok());
    CHECK(seq->empty());
    auto wrong = from_hex("3100");
    Reader w(wrong);
    CHECK(der::read_constructed(w).error().code == tls::ErrorCode::decode_error);
}

TEST_CASE("DER small INTEGERs read as 64-bit values and whole TLVs as views", "[codec][der]") {
    auto value = [](const char* hex) {
        auto bytes = from_hex(hex);
        Reader r(bytes);
        auto v = der::read_small_unsigned(r);
        REQUIRE(v.ok());
        CHECK(r.empty());
        return *v;
    };
    CHECK(value("020100") == 0);
    CHECK(value("02020800") == 2048);
    CHECK(value("0209008000000000000000") == 0x8000000000000000u);
    CHECK(value("020900ffffffffffffffff") == 0xffffffffffffffffu);
    // 2^64 (nine magnitude bytes), negative, non-minimal, not an INTEGER.
    for (const char* bad : {"0209010000000000000000", "0201ff", "02020001", "0400"}) {
        auto bytes = from_hex(bad);
        Reader r(bytes);
        CHECK_FALSE(der::read_small_unsigned(r).ok());
    }
    auto two = from_hex("0403aabbcc0500");
    Reader r(two);
    auto first = der::read_tlv(r);
    REQUIRE(first.ok());
    CHECK(test::to_hex(*first) == "0403aabbcc");
    CHECK(first->data() == two.data());
    auto second = der::read_tlv(r);
    REQUIRE(second.ok());
    CHECK(test::to_hex(*second) == "0500");
    CHECK(r.empty());
    auto cut = from_hex("0403aabb");
    Reader rc(cut);
    CHECK_FALSE(der::read_tlv(rc).ok());
}
