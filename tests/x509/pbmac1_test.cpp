// PBMAC1 in PKCS#12 (RFC 9579) against the RFC's own test vectors (appendix A,
// password "1234"). OpenSSL 3.0 and JDK 17 cannot write PBMAC1 yet, so the RFC
// is the oracle: A.1 must load, and A.4 (wrong PBKDF2 iteration count), A.5
// (wrong salt) and A.6 (keyLength missing) must not. A.4-A.6 share A.1's
// AuthenticatedSafe and differ only in MacData, which is rebuilt here.
#include <catch2/catch.hpp>

#include "support/hex.hpp"
#include "x509/key_tools.hpp"
#include "x509/pem.hpp"
#include "x509/pkcs12.hpp"

using namespace tls;
using namespace tls::x509;
using keytest::der_tlv;
using test::from_hex;

namespace {

// RFC 9579 A.1: "Valid PKCS #12 File with SHA-256 HMAC and PRF".
constexpr const char* rfc9579_a1 =
    "MIIKigIBAzCCCgUGCSqGSIb3DQEHAaCCCfYEggnyMIIJ7jCCBGIGCSqGSIb3DQEH"
    "BqCCBFMwggRPAgEAMIIESAYJKoZIhvcNAQcBMFcGCSqGSIb3DQEFDTBKMCkGCSqG"
    "SIb3DQEFDDAcBAg9pxXxY2yscwICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQME"
    "ASoEEK7yYaFQDi1pYwWzm9F/fs+AggPgFIT2XapyaFgDppdvLkdvaF3HXw+zjzKb"
    "7xFC76DtVPhVTWVHD+kIss+jsj+XyvMwY0aCuAhAG/Dig+vzWomnsqB5ssw5/kTb"
    "+TMQ5PXLkNeoBmB6ArKeGc/QmCBQvQG/a6b+nXSWmxNpP+71772dmWmB8gcSJ0kF"
    "Fj75NrIbmNiDMCb71Q8gOzBMFf6BpXf/3xWAJtxyic+tSNETfOJa8zTZb0+lV0w9"
    "5eUmDrPUpuxEVbb0KJtIc63gRkcfrPtDd6Ii4Zzbzj2Evr4/S4hnrQBsiryVzJWy"
    "IEjaD0y6+DmG0JwMgRuGi1wBoGowi37GMrDCOyOZWC4n5wHLtYyhR6JaElxbrhxP"
    "H46z2USLKmZoF+YgEQgYcSBXMgP0t36+XQocFWYi2N5niy02TnctwF430FYsQlhJ"
    "Suma4I33E808dJuMv8T/soF66HsD4Zj46hOf4nWmas7IaoSAbGKXgIa7KhGRJvij"
    "xM3WOX0aqNi/8bhnxSA7fCmIy/7opyx5UYJFWGBSmHP1pBHBVmx7Ad8SAsB9MSsh"
    "nbGjGiUk4h0QcOi29/M9WwFlo4urePyI8PK2qtVAmpD3rTLlsmgzguZ69L0Q/CFU"
    "fbtqsMF0bgEuh8cfivd1DYFABEt1gypuwCUtCqQ7AXK2nQqOjsQCxVz9i9K8NDeD"
    "aau98VAl0To2sk3/VR/QUq0PRwU1jPN5BzUevhE7SOy/ImuJKwpGqqFljYdrQmj5"
    "jDe+LmYH9QGVRlfN8zuU+48FY8CAoeBeHn5AAPml0PYPVUnt3/jQN1+v+CahNVI+"
    "La8q1Nen+j1R44aa2I3y/pUgtzXRwK+tPrxTQbG030EU51LYJn8amPWmn3w75ZIA"
    "MJrXWeKj44de7u4zdUsEBVC2uM44rIHM8MFjyYAwYsey0rcp0emsaxzar+7ZA67r"
    "lDoXvvS3NqsnTXHcn3T9tkPRoee6L7Dh3x4Od96lcRwgdYT5BwyH7e34ld4VTUmJ"
    "bDEq7Ijvn4JKrwQJh1RCC+Z/ObfkC42xAm7G010u3g08xB0Qujpdg4a7VcuWrywF"
    "c7hLNquuaF4qoDaVwYXHH3iuX6YlJ/3siTKbYCVXPEZOAMBP9lF/OU76UMJBQNfU"
    "0xjDx+3AhUVgnGuCsmYlK6ETDp8qOZKGyV0KrNSGtqLx3uMhd7PETeW+ML3tDQ/0"
    "X9fMkcZHi4C2fXnoHV/qa2dGhBj4jjQ0Xh1poU6mxGn2Mebe2hDsBZkkBpnn7pK4"
    "wP/VqXdQTwqEuvzGHLVFsCuADe40ZFBmtBrf70wG7ZkO8SUZ8Zz1IX3+S024g7yj"
    "QRev/6x6TtkwggWEBgkqhkiG9w0BBwGgggV1BIIFcTCCBW0wggVpBgsqhkiG9w0B"
    "DAoBAqCCBTEwggUtMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAhTxzw+"
    "VptrYAICCAAwDAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEK9nSqc1I2t4tMVG"
    "bWHpdtQEggTQzCwI7j34gCTvfj6nuOSndAjShGv7mN2j7WMV0pslTpq2b9Bn3vn1"
    "Y0JMvL4E7sLrUzNU02pdOcfCnEpMFccNv2sQrLp1mOCKxu8OjSqHZLoKVL0ROVsZ"
    "8dMECLLigDlPKRiSyLErl14tErX4/zbkUaWMROO28kFbTbubQ8YoHlRUwsKW1xLg"
    "vfi0gRkG/zHXRfQHjX/8NStv7hXlehn7/Gy2EKPsRFhadm/iUHAfmCMkMgHTU248"
    "JER9+nsXltd59H+IeDpj/kbxZ+YvHow9XUZKu828d3MQnUpLZ1BfJGhMBPVwbVUD"
    "A40CiQBVdCoGtPJyalL28xoS3H0ILFCnwQOr6u0HwleNJPGHq78HUyH6Hwxnh0b0"
    "5o163r6wTFZn5cMOxpbs/Ttd+3TrxmrYpd2XnuRme3cnaYJ0ILvpc/8eLLR7SKjD"
    "T4JhZ0h/CfcV2WWvhpQugkY0pWrZ+EIMneB1dZB96mJVLxOi148OeSgi0PsxZMNi"
    "YM33rTpwQT5WqOsEyDwUQpne5b8Kkt/s7EN0LJNnPyJJRL1LcqOdr6j+6YqRtPa7"
    "a9oWJqMcuTP+bqzGRJh+3HDlFBw2Yzp9iadv4KmB2MzhStLUoi2MSjvnnkkd5Led"
    "sshAd6WbKfF7kLAHQHT4Ai6dMEO4EKkEVF9JBtxCR4JEn6C98Lpg+Lk+rfY7gHOf"
    "ZxtgGURwgXRY3aLUrdT55ZKgk3ExVKPzi5EhdpAau7JKhpOwyKozAp/OKWMNrz6h"
    "obu2Mbn1B+IA60psYHHxynBgsJHv7WQmbYh8HyGfHgVvaA8pZCYqxxjpLjSJrR8B"
    "Bu9H9xkTh7KlhxgreXYv19uAYbUd95kcox9izad6VPnovgFSb+Omdy6PJACPj6hF"
    "W6PJbucP0YPpO0VtWtQdZZ3df1P0hZ7qvKwOPFA+gKZSckgqASfygiP9V3Zc8jIi"
    "wjNzoDM2QT+UUJKiiGYXJUEOO9hxzFHlGj759DcNRhpgl5AgR57ofISD9yBuCAJY"
    "PQ/aZHPFuRTrcVG3RaIbCAS73nEznKyFaLOXfzyfyaSmyhsH253tnyL1MejC+2bR"
    "Eko/yldgFUxvU5JI+Q3KJ6Awj+PnduHXx71E4UwSuu2xXYMpxnQwI6rroQpZBX82"
    "HhqgcLV83P8lpzQwPdHjH5zkoxmWdC0+jU/tcQfNXYpJdyoaX7tDmVclLhwl9ps/"
    "O841pIsNLJWXwvxG6B+3LN/kw4QjwN194PopiOD7+oDm5mhttO78CrBrRxHMD/0Q"
    "qniZjKzSZepxlZq+J792u8vtMnuzzChxu0Bf3PhIXcJNcVhwUtr0yKe/N+NvC0tm"
    "p8wyik/BlndxN9eKbdTOi2wIi64h2QG8nOk66wQ/PSIJYwZl6eDNEQSzH/1mGCfU"
    "QnUT17UC/p+Qgenf6Auap2GWlvsJrB7u/pytz65rtjt/ouo6Ih6EwWqwVVpGXZD0"
    "7gVWH0Ke/Vr6aPGNvkLcmftPuDZsn9jiig3guhdeyRVf10Ox369kKWcG75q77hxE"
    "IzSzDyUlBNbnom9SIjut3r+qVYmWONatC6q/4D0I42Lnjd3dEyZx7jmH3g/S2ASM"
    "FzWr9pvXc61dsYOkdZ4PYa9XPUZxXFagZsoS3F1sU799+IJVU0tC0MExJTAjBgkq"
    "hkiG9w0BCRUxFgQUwWO5DorvVWYF3BWUmAw0rUEajScwfDBtMEkGCSqGSIb3DQEF"
    "DjA8MCwGCSqGSIb3DQEFDDAfBAhvRzw4sC4xcwICCAACASAwDAYIKoZIhvcNAgkF"
    "ADAMBggqhkiG9w0CCQUABCB6pW2FOdcCNj87zS64NUXG36K5aXDnFHctIk5Bf4kG"
    "3QQITk9UIFVTRUQCAQE=";

using ByteVec = std::vector<std::uint8_t>;

ByteVec cat(std::initializer_list<ByteVec> parts) {
    ByteVec out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A.1 with its MacData replaced: PFX ::= SEQUENCE { version, authSafe, macData }.
ByteVec with_mac_data(const ByteVec& a1, const ByteVec& mac_data) {
    // A.1 starts 30 82 0a 8a | 02 01 03 | 30 82 0a 05 ...: version and authSafe are bytes [4, 4 + 3 + 4 + 0xa05).
    const std::size_t end_of_auth_safe = 4 + 3 + 4 + 0x0a05;
    REQUIRE(a1.size() > end_of_auth_safe);
    const ByteVec body(a1.begin() + 4, a1.begin() + static_cast<std::ptrdiff_t>(end_of_auth_safe));
    return der_tlv(0x30, cat({body, mac_data}));
}

// MacData { DigestInfo { PBMAC1 { PBKDF2 { salt, iterations, [keyLength 32], hmacWithSHA256 },
// hmacWithSHA256 }, mac }, macSalt, iterations } with A.1's MAC value.
ByteVec pbmac1_mac_data(const ByteVec& kdf_salt, const ByteVec& kdf_iterations, bool key_length,
                        const ByteVec& mac_salt, const ByteVec& mac_iterations) {
    const ByteVec pbkdf2 = from_hex("2a864886f70d01050c"), pbmac1 = from_hex("2a864886f70d01050e");
    const ByteVec hmac_sha256 = der_tlv(0x30, cat({der_tlv(0x06, from_hex("2a864886f70d0209")), der_tlv(0x05, {})}));
    const ByteVec mac = from_hex("7aa56d8539d702363f3bcd2eb83545c6dfa2b96970e714772d224e417f8906dd");
    ByteVec kdf_params = cat({der_tlv(0x04, kdf_salt), der_tlv(0x02, kdf_iterations)});
    if (key_length) kdf_params = cat({kdf_params, der_tlv(0x02, {0x20})});
    kdf_params = der_tlv(0x30, cat({kdf_params, hmac_sha256}));
    const ByteVec kdf = der_tlv(0x30, cat({der_tlv(0x06, pbkdf2), kdf_params}));
    const ByteVec algorithm = der_tlv(0x30, cat({der_tlv(0x06, pbmac1), der_tlv(0x30, cat({kdf, hmac_sha256}))}));
    const ByteVec digest_info = der_tlv(0x30, cat({algorithm, der_tlv(0x04, mac)}));
    return der_tlv(0x30, cat({digest_info, der_tlv(0x04, mac_salt), der_tlv(0x02, mac_iterations)}));
}

const ByteVec salt = from_hex("6f473c38b02e3173");
const ByteVec not_used = {'N', 'O', 'T', ' ', 'U', 'S', 'E', 'D'};

ByteVec a1() {
    auto der = decode_base64(rfc9579_a1);
    REQUIRE(der.ok());
    return *der;
}

}  // namespace

TEST_CASE("RFC 9579 A.1: a PBMAC1 (HMAC-SHA256, PBKDF2-SHA256) file loads", "[x509][pkcs12][pbmac1]") {
    const ByteVec der = a1();
    // The rebuilt MacData is byte-for-byte A.1's, so the variants below differ only where meant.
    CHECK(test::to_hex(with_mac_data(der, pbmac1_mac_data(salt, {0x08, 0x00}, true, not_used, {0x01}))) ==
          test::to_hex(der));
    auto bundle = load_pkcs12(der, "1234", crypto::default_provider());
    REQUIRE(bundle.ok());
    CHECK(std::holds_alternative<crypto::RsaPrivateKey>(bundle->private_key.components()));
    CHECK(bundle->signing_key->supports(crypto::SignatureScheme::rsa_pss_rsae_sha256));
    auto wrong = load_pkcs12(der, "4321", crypto::default_provider());
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().code == ErrorCode::bad_password);
}

TEST_CASE("RFC 9579 A.4-A.6: invalid PBMAC1 files are refused", "[x509][pkcs12][pbmac1]") {
    const ByteVec der = a1();
    // A.4: PBKDF2 iteration count 2049 instead of 2048.
    auto a4 = with_mac_data(der, pbmac1_mac_data(salt, {0x08, 0x01}, true, not_used, {0x08, 0x00}));
    CHECK(load_pkcs12(a4, "1234", crypto::default_provider()).error().code == ErrorCode::bad_password);
    // A.5: the salt moved to macSalt, which PBMAC1 ignores.
    auto a5 = with_mac_data(der, pbmac1_mac_data(not_used, {0x08, 0x00}, true, salt, {0x01}));
    CHECK(load_pkcs12(a5, "1234", crypto::default_provider()).error().code == ErrorCode::bad_password);
    // A.6: no keyLength in the PBKDF2 parameters.
    auto a6 = with_mac_data(der, pbmac1_mac_data(salt, {0x08, 0x00}, false, salt, {0x08, 0x00}));
    CHECK(load_pkcs12(a6, "1234", crypto::default_provider()).error().code == ErrorCode::decode_error);
}
