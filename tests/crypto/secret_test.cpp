#include <catch2/catch.hpp>

#include "tls/crypto/secret.hpp"

using namespace tls::crypto;

TEST_CASE("ct_equal compares contents and lengths", "[secret]") {
    const std::uint8_t a[] = {1, 2, 3}, b[] = {1, 2, 3}, c[] = {1, 2, 4};
    CHECK(ct_equal(a, b));
    CHECK_FALSE(ct_equal(a, c));
    CHECK_FALSE(ct_equal(Bytes(a).first(2), b));
    CHECK(ct_equal({}, {}));
}

TEST_CASE("secure_wipe zeroes memory", "[secret]") {
    std::uint8_t buf[16];
    for (auto& b : buf) b = 0xaa;
    secure_wipe(buf);
    for (auto b : buf) CHECK(b == 0);
}

TEST_CASE("Secret holds up to 64 bytes inline and copies by value", "[secret]") {
    const std::uint8_t data[] = {9, 8, 7};
    Secret s(data);
    CHECK(s.size() == 3);
    Secret t = s;
    CHECK(ct_equal(t.bytes(), data));
    auto w = t.resize(64);
    CHECK(w.size() == 64);
    CHECK(t.resize(100).size() == 64);  // capped, never overflows
}

TEST_CASE("SecretBuffer is move-only and owns its bytes", "[secret]") {
    const std::uint8_t data[] = {1, 2, 3, 4};
    SecretBuffer a(data);
    SecretBuffer b = std::move(a);
    CHECK(a.empty());
    CHECK(ct_equal(b.bytes(), data));
    b = SecretBuffer(8);
    CHECK(b.size() == 8);
    static_assert(!std::is_copy_constructible_v<SecretBuffer>);
}
