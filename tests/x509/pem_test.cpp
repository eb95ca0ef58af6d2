// PEM (RFC 7468) and its base64 (RFC 4648): the RFC's layouts (explanatory
// text around blocks, several blocks, lax whitespace), the RFC 4648 test
// vectors, and every way a block can be malformed.
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "x509/pem.hpp"
#include "x509/verify.hpp"
#include "x509/x509_test_support.hpp"

using namespace tls::x509;
using x509test::ByteVec;

namespace {

// A plain RFC 4648 encoder (the test's own), wrapped at `width` characters.
std::string base64(const ByteVec& data, std::size_t width = 64, const char* newline = "\n") {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string raw;
    for (std::size_t i = 0; i < data.size(); i += 3) {
        const std::uint32_t b0 = data[i];
        const std::uint32_t b1 = i + 1 < data.size() ? data[i + 1] : 0;
        const std::uint32_t b2 = i + 2 < data.size() ? data[i + 2] : 0;
        const std::uint32_t v = b0 << 16 | b1 << 8 | b2;
        raw += table[v >> 18 & 63];
        raw += table[v >> 12 & 63];
        raw += i + 1 < data.size() ? table[v >> 6 & 63] : '=';
        raw += i + 2 < data.size() ? table[v & 63] : '=';
    }
    if (width == 0) return raw;
    std::string out;
    for (std::size_t i = 0; i < raw.size(); i += width) out += raw.substr(i, width) + newline;
    return out;
}

std::string block(const std::string& label, const ByteVec& data) {
    return "-----BEGIN " + label + "-----\n" + base64(data) + "-----END " + label + "-----\n";
}

ByteVec bytes(std::string_view s) { return ByteVec(s.begin(), s.end()); }

bool decodes_to(std::string_view b64, std::string_view expected) {
    auto r = decode_base64(b64);
    return r.ok() && *r == bytes(expected);
}

bool refused(std::string_view text) {
    auto r = parse_pem(text);
    return !r.ok() && r.error().code == tls::ErrorCode::decode_error;
}

ByteVec random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    ByteVec out(n);
    for (auto& b : out) b = static_cast<std::uint8_t>(rng());
    return out;
}

}  // namespace

TEST_CASE("pem: RFC 4648 section 10 base64 vectors", "[x509][pem]") {
    CHECK(decodes_to("", ""));
    CHECK(decodes_to("Zg==", "f"));
    CHECK(decodes_to("Zm8=", "fo"));
    CHECK(decodes_to("Zm9v", "foo"));
    CHECK(decodes_to("Zm9vYg==", "foob"));
    CHECK(decodes_to("Zm9vYmE=", "fooba"));
    CHECK(decodes_to("Zm9vYmFy", "foobar"));
    // Whitespace anywhere is skipped (RFC 7468 3, "laxbase64text").
    CHECK(decodes_to(" Zm9v\r\nYm\tFy \n", "foobar"));
    CHECK(decodes_to("Zm8 =", "fo"));
    CHECK(decodes_to("Zg= =", "f"));
    // Every byte value, and the 62/63 characters.
    CHECK(decodes_to("+/+/", "\xfb\xff\xbf"));
}

TEST_CASE("pem: malformed base64 is refused", "[x509][pem]") {
    for (const std::string bad : {
             "Zg",        // not a whole quantum
             "Zg=",       // short padding
             "Zm9",       // missing padding
             "Z===",      // three '='
             "====",
             "Zg==Zg==",  // data after padding
             "Zg=a",
             "Zh==",      // non-zero bits under the padding (non-canonical)
             "Zm9=",      // likewise for one '='
             "Zm9v!",     // not a base64 character
             "Zm9v-",
             "Zm9v_",     // base64url alphabet
             "Zm9v\x01",
             "Zm9v\x0b",  // vertical tab is not whitespace here
         }) {
        INFO(bad);
        auto r = decode_base64(bad);
        CHECK_FALSE(r.ok());
        if (!r.ok()) CHECK(r.error().code == tls::ErrorCode::decode_error);
    }
    // A NUL byte inside the text.
    CHECK_FALSE(decode_base64(std::string_view("Zm9\0vYmFy", 9)).ok());
}

TEST_CASE("pem: a certificate made by openssl, with explanatory text (RFC 7468 5.2)", "[x509][pem]") {
    x509test::Pki pki;
    pki.key("atlantis-key", x509test::KeyType::p256);
    x509test::CertSpec s;
    s.subject = "/CN=Atlantis";
    s.key = "atlantis-key";
    s.extensions = {"basicConstraints = critical,CA:TRUE"};
    const ByteVec der = pki.issue("atlantis", s);
    const std::string pem = pki.pem("atlantis");

    auto plain = parse_pem(pem);
    REQUIRE(plain.ok());
    REQUIRE(plain->size() == 1);
    CHECK((*plain)[0].label == "CERTIFICATE");
    CHECK((*plain)[0].der == der);

    // The RFC's layout: text lines before the block are ignored.
    const std::string explained = "Subject: CN=Atlantis\nIssuer: CN=Atlantis\n"
                                  "Validity: from 7/9/2012 3:10:38 AM UTC to 7/9/2013 3:10:37 AM UTC\n" +
                                  pem + "trailing text\n";
    auto e = parse_pem(explained);
    REQUIRE(e.ok());
    REQUIRE(e->size() == 1);
    CHECK((*e)[0].der == der);

    // openssl's PEM, re-wrapped: CRLF, 76-character lines, one long line, tabs and indentation.
    const std::string header = "-----BEGIN CERTIFICATE-----", footer = "-----END CERTIFICATE-----";
    for (const std::string& body : {base64(der, 64, "\r\n"), base64(der, 76), base64(der, 0) + "\n",
                                    base64(der, 16, "\n\t  "), "\n\n" + base64(der, 64, "\n\n")}) {
        auto r = parse_pem(header + "\r\n" + body + footer + "\r\n");
        REQUIRE(r.ok());
        REQUIRE(r->size() == 1);
        CHECK((*r)[0].der == der);
    }

    // TrustStore::add_pem takes CERTIFICATE blocks only, and the same anchor once.
    TrustStore store;
    auto added = store.add_pem(pem + block("PRIVATE KEY", bytes("not a key")) + pem);
    REQUIRE(added.ok());
    CHECK(store.anchors().size() == 1);
    CHECK(store.add_pem(block("CERTIFICATE", bytes("not DER"))).error().code == tls::ErrorCode::decode_error);
}

TEST_CASE("pem: several blocks, in order, with text between them", "[x509][pem]") {
    const ByteVec a = random_bytes(100, 1), b = random_bytes(1, 2), c = random_bytes(2, 3), d = random_bytes(3000, 4);
    const std::string text = "intro\n" + block("CERTIFICATE", a) + "between\n\n" + block("PRIVATE KEY", b) +
                             block("X509 CRL", c) + "-----" + block("ENCRYPTED PRIVATE KEY", d) + "end";
    auto r = parse_pem(text);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 4);
    CHECK((*r)[0].label == "CERTIFICATE");
    CHECK((*r)[0].der == a);
    CHECK((*r)[1].label == "PRIVATE KEY");
    CHECK((*r)[1].der == b);
    CHECK((*r)[2].label == "X509 CRL");
    CHECK((*r)[2].der == c);
    CHECK((*r)[3].label == "ENCRYPTED PRIVATE KEY");
    CHECK((*r)[3].der == d);

    // No block at all is an empty list, not an error.
    auto none = parse_pem("just some text\n-----\n");
    REQUIRE(none.ok());
    CHECK(none->empty());
    auto empty = parse_pem("");
    REQUIRE(empty.ok());
    CHECK(empty->empty());
    // An empty block, and an empty label (RFC 7468 3 allows both).
    auto zero = parse_pem("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    REQUIRE(zero.ok());
    REQUIRE(zero->size() == 1);
    CHECK((*zero)[0].der.empty());
    auto unlabelled = parse_pem("-----BEGIN -----\nZm9v\n-----END -----\n");
    REQUIRE(unlabelled.ok());
    REQUIRE(unlabelled->size() == 1);
    CHECK((*unlabelled)[0].label.empty());
    CHECK((*unlabelled)[0].der == bytes("foo"));

    // Round trips of every size around the quantum boundaries.
    for (std::size_t n = 0; n < 70; ++n) {
        const ByteVec data = random_bytes(n, static_cast<unsigned>(n));
        auto rt = parse_pem(block("DATA", data));
        REQUIRE(rt.ok());
        REQUIRE(rt->size() == 1);
        CHECK((*rt)[0].der == data);
    }
}

TEST_CASE("pem: malformed blocks are refused", "[x509][pem]") {
    const std::string body = "Zm9vYmFy\n";
    CHECK(refused("-----BEGIN CERTIFICATE-----\n" + body + "-----END PRIVATE KEY-----\n"));   // mismatched labels
    CHECK(refused("-----BEGIN CERTIFICATE-----\n" + body + "-----END Certificate-----\n"));   // labels are exact
    CHECK(refused("-----BEGIN CERTIFICATE-----\n" + body + "-----END CERTIFICATE -----\n"));  // extra space
    CHECK(refused("-----BEGIN CERTIFICATE-----\n" + body));                                   // no END
    CHECK(refused("-----BEGIN CERTIFICATE-----\n" + body + "-----END CERTIFICATE"));          // END without dashes
    CHECK(refused("-----BEGIN CERTIFICATE\n" + body + "-----END CERTIFICATE-----\n"));        // BEGIN without dashes
    CHECK(refused("-----BEGIN CERTIFICATE-----\nZm9v!mFy\n-----END CERTIFICATE-----\n"));     // bad character
    CHECK(refused("-----BEGIN CERTIFICATE-----\nZm9vYg=\n-----END CERTIFICATE-----\n"));      // bad padding
    CHECK(refused("-----BEGIN CERTIFICATE-----\nZg==Zg==\n-----END CERTIFICATE-----\n"));     // data after padding
    CHECK(refused("-----BEGIN CERTIFICATE-----\nZm9vYmF\n-----END CERTIFICATE-----\n"));      // truncated quantum
    // RFC 7468 headers (Proc-Type, DEK-Info) are not base64: refused, not skipped.
    CHECK(refused("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\n" + body + "-----END RSA PRIVATE KEY-----\n"));
    // A second BEGIN before the first END: the body holds dashes.
    CHECK(refused("-----BEGIN A-----\n" + body + "-----BEGIN B-----\n" + body + "-----END B-----\n-----END A-----\n"));
    // A good block followed by a bad one fails the whole text.
    CHECK(refused(block("CERTIFICATE", bytes("ok")) + "-----BEGIN CERTIFICATE-----\n" + body));
    // Every truncation of a good block either fails or yields no block (cut inside BEGIN).
    const std::string good = block("CERTIFICATE", random_bytes(50, 9));
    for (std::size_t n = 0; n < good.size(); ++n) {
        auto r = parse_pem(good.substr(0, n));
        const bool complete_block = r.ok() && !r->empty();
        INFO("cut at " << n);
        // Only the cut that keeps the whole END line (minus its newline) parses as a block.
        CHECK(complete_block == (n == good.size() - 1));
    }
}
