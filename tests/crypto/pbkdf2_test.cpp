// PBKDF2-HMAC (RFC 8018 5.2) against published vectors, on every provider that
// has the hash: RFC 6070 (HMAC-SHA1) and RFC 7914 section 11 (HMAC-SHA256).
#include <catch2/catch.hpp>

#include <string>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

using namespace tls::crypto;
using test::from_hex;
using test::to_hex;

namespace {

struct Pbkdf2Vector {
    const char* source;
    HashAlgorithm hash;
    std::string password, salt;
    std::uint32_t iterations;
    const char* derived;
};

Bytes bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

const Pbkdf2Vector vectors[] = {
    {"RFC 6070 case 1", HashAlgorithm::sha1, "password", "salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
    {"RFC 6070 case 2", HashAlgorithm::sha1, "password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
    {"RFC 6070 case 3", HashAlgorithm::sha1, "password", "salt", 4096, "4b007901b765489abead49d926f721d065a429c1"},
    // (RFC 6070 case 4, 16,777,216 iterations, is left out to keep the test fast.)
    {"RFC 6070 case 5", HashAlgorithm::sha1, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
     "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
    {"RFC 6070 case 6", HashAlgorithm::sha1, std::string("pass\0word", 9), std::string("sa\0lt", 5), 4096,
     "56fa6aa75548099dcc37d7f03425e0c3"},
    {"RFC 7914 11 case 1", HashAlgorithm::sha256, "passwd", "salt", 1,
     "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
     "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
    {"RFC 7914 11 case 2", HashAlgorithm::sha256, "Password", "NaCl", 80000,
     "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
     "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"},
};

}  // namespace

TEST_CASE("PBKDF2-HMAC matches RFC 6070 and RFC 7914 on every provider", "[pbkdf2]") {
    int runs = 0;
    for (const auto& [name, provider] : test::all_providers()) {
        for (const auto& v : vectors) {
            const HashDescriptor* hash = provider->find(v.hash);
            if (hash == nullptr) continue;  // sodium has no SHA-1, native no hashes
            INFO(name << ": " << v.source);
            const auto expected = from_hex(v.derived);
            std::vector<std::uint8_t> out(expected.size());
            REQUIRE(pbkdf2_hmac(*hash, bytes(v.password), bytes(v.salt), v.iterations, out).ok());
            CHECK(to_hex(out) == v.derived);
            ++runs;
        }
    }
    CHECK(runs >= 2 * 7 + 2);  // mbedtls and default run all seven, sodium the SHA-256 pair
}

TEST_CASE("PBKDF2 output is a prefix-stable stream across block boundaries", "[pbkdf2]") {
    const auto& sha1 = *default_provider().find(HashAlgorithm::sha1);
    std::uint8_t long_out[45], short_out[21];
    REQUIRE(pbkdf2_hmac(sha1, bytes("password"), bytes("salt"), 3, long_out).ok());
    REQUIRE(pbkdf2_hmac(sha1, bytes("password"), bytes("salt"), 3, short_out).ok());
    CHECK(to_hex(Bytes(long_out).first(21)) == to_hex(short_out));
}

TEST_CASE("PBKDF2 refuses zero iterations", "[pbkdf2]") {
    const auto& sha256 = *default_provider().find(HashAlgorithm::sha256);
    std::uint8_t out[32];
    auto r = pbkdf2_hmac(sha256, bytes("password"), bytes("salt"), 0, out);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == tls::ErrorCode::invalid_argument);
}
