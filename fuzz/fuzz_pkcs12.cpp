// Arbitrary bytes into the PKCS#12 reader (src/x509/pkcs12.hpp), three ways on
// every input, all with the password "fuzz":
//
// 1. The input as a whole PFX, into parse_pkcs12 and load_pkcs12.
// 2. The input as the AuthenticatedSafe: wrapped here in a PFX whose MAC
//    (HMAC-SHA256 over the PKCS#12 KDF, iteration count 1) is computed for it, so
//    mutations get past the MAC check to the bags (STYLE.md 9: get past the crypto).
// 3. The input as one SafeContents: wrapped in an AuthenticatedSafe with a single
//    data ContentInfo, then as in 2.
//
// Key derivation is capped at 16 iterations (the seeds use 1), so inputs with
// huge counts are refused at once. Checks beyond "no crash, leak or UB": only
// the documented error codes; a loaded bundle's key, certificate and chain are
// all present and the certificate's public key is the signing key's.
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_input.hpp"
#include "tls/crypto.hpp"
#include "x509/pkcs12.hpp"
#include "x509/pkcs12_kdf.hpp"

namespace {

using namespace tls;
using Bytes = tls::crypto::Bytes;
using ByteVec = std::vector<std::uint8_t>;

constexpr std::string_view password = "fuzz";

tls::x509::Pkcs12Options options() {
    tls::x509::Pkcs12Options o;
    o.limits.max_iterations = 16;
    o.max_encrypted_items = 8;
    return o;
}

ByteVec tlv(std::uint8_t tag, Bytes contents) {
    ByteVec out{tag};
    const std::size_t n = contents.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        ByteVec length;
        for (std::size_t l = n; l != 0; l >>= 8) length.insert(length.begin(), static_cast<std::uint8_t>(l));
        out.push_back(static_cast<std::uint8_t>(0x80 | length.size()));
        out.insert(out.end(), length.begin(), length.end());
    }
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

ByteVec cat(std::initializer_list<ByteVec> parts) {
    ByteVec out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

const ByteVec data_oid = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01};
const ByteVec sha256_oid = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};

// ContentInfo { data, [0] { OCTET STRING contents } }.
ByteVec data_content_info(Bytes contents) {
    return tlv(0x30, cat({tlv(0x06, data_oid), tlv(0xa0, tlv(0x04, contents))}));
}

// PFX { 3, data(auth_safe), MacData { DigestInfo { sha256, HMAC }, salt, 1 (DEFAULT, omitted) } }.
ByteVec pfx_with_mac(Bytes auth_safe) {
    static const ByteVec salt = {'c', 'o', 'r', 'd', 'o', 'n', '!', '!'};
    const auto& sha256 = *crypto::default_provider().find(crypto::HashAlgorithm::sha256);
    auto bmp = tls::x509::pkcs12_bmp_password(password);
    CORDON_FUZZ_CHECK(bmp.ok());
    std::uint8_t key[32], mac[32];
    CORDON_FUZZ_CHECK(
        tls::x509::pkcs12_kdf(sha256, bmp->bytes(), salt, 1, tls::x509::Pkcs12Purpose::mac, key).ok());
    crypto::Hmac::mac(sha256, key, auth_safe, mac);
    const ByteVec algorithm = tlv(0x30, cat({tlv(0x06, sha256_oid), tlv(0x05, {})}));
    const ByteVec mac_data = tlv(0x30, cat({tlv(0x30, cat({algorithm, tlv(0x04, mac)})), tlv(0x04, salt)}));
    return tlv(0x30, cat({tlv(0x02, ByteVec{3}), data_content_info(auth_safe), mac_data}));
}

void check_error(const Error& e) {
    const auto c = e.code;
    CORDON_FUZZ_CHECK(c == ErrorCode::decode_error || c == ErrorCode::unsupported || c == ErrorCode::bad_password ||
                      c == ErrorCode::bad_certificate || c == ErrorCode::invalid_argument ||
                      c == ErrorCode::weak_key);
    CORDON_FUZZ_CHECK(e.message != nullptr);
}

void run(Bytes pfx) {
    const auto& provider = crypto::default_provider();
    auto contents = tls::x509::parse_pkcs12(pfx, password, provider, options());
    if (!contents) check_error(contents.error());
    auto bundle = tls::x509::load_pkcs12(pfx, password, provider, options());
    if (!bundle) return check_error(bundle.error());
    CORDON_FUZZ_CHECK(contents.ok() && contents->keys.size() == 1);
    CORDON_FUZZ_CHECK(bundle->signing_key && bundle->certificate && bundle->certificate->public_key);
    for (const auto& c : bundle->chain) CORDON_FUZZ_CHECK(c != nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    run(input);
    run(pfx_with_mac(input));
    const ByteVec auth_safe = tlv(0x30, data_content_info(input));
    run(pfx_with_mac(auth_safe));
    return 0;
}
