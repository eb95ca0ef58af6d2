// Server identity (RFC 6125 as the web PKI applies it), IP address text
// (RFC 4291 2.2 in, RFC 5952 out) and name-constraint matching (RFC 5280
// 4.2.1.10), one function at a time. verify_test.cpp covers the same rules
// end to end through certificate chains.
#include <catch2/catch.hpp>

#include <deque>
#include <string>

#include "support/hex.hpp"
#include "x509/name_matching.hpp"

using namespace tls::x509;
using test::from_hex;
using test::to_hex;
using CM = ConstraintMatch;

namespace {

std::string ip_hex(std::string_view text) {
    auto ip = parse_ip_address(text);
    return ip ? to_hex(ip->view()) : "invalid";
}

std::string reformat(std::string_view text) {
    auto ip = parse_ip_address(text);
    return ip ? format_ip_address(ip->view()) : "invalid";
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

// A distinguished name built from (OID hex, value) RDNs; the spans view storage
// owned by the builder, which must outlive the Name.
class NameBuilder {
public:
    NameBuilder& rdn(std::initializer_list<std::pair<const char*, const char*>> attributes) {
        std::vector<NameAttribute> set;
        for (const auto& [oid, value] : attributes) {
            const auto& o = storage_.emplace_back(from_hex(oid));
            const std::string_view v(value);
            const auto& val = storage_.emplace_back(v.begin(), v.end());
            set.push_back({o, 0x0c, val});
        }
        name_.rdns.push_back(std::move(set));
        return *this;
    }
    const Name& name() const { return name_; }

private:
    std::deque<std::vector<std::uint8_t>> storage_;
    Name name_;
};

constexpr const char* C = "550406";
constexpr const char* O = "55040a";
constexpr const char* CN = "550403";

}  // namespace

TEST_CASE("names: reference DNS names (what a client connects to)", "[x509][names]") {
    for (const std::string& ok : std::initializer_list<std::string>{"example.com", "EXAMPLE.com", "a.b.c", "localhost", "xn--bcher-kva.example",
                                  "a-b.example", "a1.example", "1a.example", "example.com.", "x",
                                  repeat('a', 63) + ".example", repeat('a', 63) + "." + repeat('b', 63) + "." +
                                      repeat('c', 63) + "." + repeat('d', 61)}) {
        INFO(ok);
        CHECK(is_valid_reference_dns_name(ok));
        CHECK(is_valid_presented_dns_name(ok));
        // A valid name always matches itself, in any case, with or without a trailing dot.
        CHECK(dns_name_matches(ok, ok));
    }
    // 253 characters, plus a trailing dot, is the limit.
    const std::string longest = repeat('a', 63) + "." + repeat('b', 63) + "." + repeat('c', 63) + "." + repeat('d', 61);
    REQUIRE(longest.size() == 253);
    CHECK(is_valid_reference_dns_name(longest + "."));
    CHECK_FALSE(is_valid_reference_dns_name(longest + "d"));
    for (const std::string& bad : std::initializer_list<std::string>{"", ".", "..", "example..com", ".example.com", "-a.example", "a-.example",
                                   "a_b.example", "*.example.com", "exa mple.com", "1.2.3.4", "example.123",
                                   "example.com..", repeat('a', 64) + ".example", "bücher.example", "a@b.example",
                                   "example.com/", "[::1]", "::1", std::string("exa\0mple.com", 12)}) {
        INFO(bad);
        CHECK_FALSE(is_valid_reference_dns_name(bad));
        CHECK_FALSE(dns_name_matches(bad, bad));
    }
}

TEST_CASE("names: presented DNS names and wildcards (RFC 6125 6.4.3)", "[x509][names]") {
    for (const char* ok : {"*.example.com", "*.a.b", "*.xn--bcher-kva.example", "*.example.com."}) {
        INFO(ok);
        CHECK(is_valid_presented_dns_name(ok));
        CHECK_FALSE(is_valid_reference_dns_name(ok));
    }
    // The wildcard is exactly the whole left-most label, with two labels after it.
    for (const char* bad : {"*", "*.", "*.com", "**.example.com", "f*.example.com", "*o.example.com", "f*o.example.com",
                            "a.*.example.com", "*.*.example.com", "example.*", "xn--*.example.com", "*..example.com",
                            ".*.example.com", "* .example.com"}) {
        INFO(bad);
        CHECK_FALSE(is_valid_presented_dns_name(bad));
    }
}

TEST_CASE("names: DNS name matching (RFC 6125 6.4)", "[x509][names]") {
    struct Case {
        const char* presented;
        const char* reference;
        bool matches;
    };
    const Case cases[] = {
        {"example.com", "example.com", true},
        {"example.com", "EXAMPLE.COM", true},  // 6.4.1: case-insensitive
        {"ExAmPlE.cOm", "example.com", true},
        {"example.com.", "example.com", true},  // trailing dots are the same name
        {"example.com", "example.com.", true},
        {"example.com", "www.example.com", false},
        {"www.example.com", "example.com", false},
        {"example.com", "example.co", false},
        {"example.com", "xample.com", false},
        {"*.example.com", "foo.example.com", true},
        {"*.example.com", "FOO.Example.COM", true},
        {"*.EXAMPLE.com", "foo.example.com", true},
        {"*.example.com.", "foo.example.com", true},
        {"*.example.com", "foo.example.com.", true},
        {"*.example.com", "example.com", false},      // the wildcard is one whole label, never empty
        {"*.example.com", "a.b.example.com", false},  // ... and only one
        {"*.example.com", ".example.com", false},
        {"*.example.com", "foo.example.org", false},
        {"*.example.com", "fooexample.com", false},
        {"*.example.com", "*.example.com", false},  // a reference is never a wildcard
        {"*.example.com", "xn--bcher-kva.example.com", true},
        {"f*.example.com", "foo.example.com", false},  // partial wildcards: not in the web PKI
        {"*oo.example.com", "foo.example.com", false},
        {"baz*.example.net", "baz1.example.net", false},
        {"*.com", "example.com", false},
        {"a.*.example.com", "a.b.example.com", false},
        {"xn--bcher-kva.example", "XN--BCHER-KVA.EXAMPLE", true},  // A-labels compare as ASCII
        {"*.xn--bcher-kva.example", "www.xn--bcher-kva.example", true},
        {"xn--bcher-kva.example", "bücher.example", false},  // U-labels are not names here
        {"exa_mple.com", "exa_mple.com", false},            // invalid on both sides
        {"1.2.3.4", "1.2.3.4", false},                      // IP addresses are not DNS names
        {"", "", false},
        {"example.com", "", false},
    };
    for (const auto& c : cases) {
        INFO(c.presented << " vs " << c.reference);
        CHECK(dns_name_matches(c.presented, c.reference) == c.matches);
    }
}

TEST_CASE("names: IPv4 and IPv6 parsing", "[x509][names][ip]") {
    CHECK(ip_hex("0.0.0.0") == "00000000");
    CHECK(ip_hex("255.255.255.255") == "ffffffff");
    CHECK(ip_hex("192.0.2.1") == "c0000201");
    CHECK(ip_hex("10.0.0.10") == "0a00000a");
    for (const char* bad : {"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.00", "1..3.4", ".1.2.3",
                            "1.2.3.4.", "1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "0x1.2.3.4", "1.2.3.4/24", "", "1234.1.1.1",
                            "1.2.3.4a", "1.2.3.+4", "1.2.3", "a.b.c.d", "1.2.3.4%eth0"}) {
        INFO(bad);
        CHECK(ip_hex(bad) == "invalid");
    }

    CHECK(ip_hex("::") == "00000000000000000000000000000000");
    CHECK(ip_hex("::1") == "00000000000000000000000000000001");
    CHECK(ip_hex("1::") == "00010000000000000000000000000000");
    CHECK(ip_hex("2001:db8::1") == "20010db8000000000000000000000001");
    CHECK(ip_hex("2001:DB8:0:0:8:800:200C:417A") == "20010db80000000000080800200c417a");  // RFC 4291 2.2
    CHECK(ip_hex("2001:DB8::8:800:200C:417A") == "20010db80000000000080800200c417a");
    CHECK(ip_hex("FF01::101") == "ff010000000000000000000000000101");
    CHECK(ip_hex("0:0:0:0:0:0:0:1") == "00000000000000000000000000000001");
    CHECK(ip_hex("0000:0000:0000:0000:0000:0000:0000:0001") == "00000000000000000000000000000001");
    CHECK(ip_hex("::13.1.68.3") == "0000000000000000000000000d014403");        // RFC 4291 2.2 (3)
    CHECK(ip_hex("::FFFF:129.144.52.38") == "00000000000000000000ffff81903426");
    CHECK(ip_hex("0:0:0:0:0:FFFF:129.144.52.38") == "00000000000000000000ffff81903426");
    CHECK(ip_hex("1:2:3:4:5:6:192.0.2.1") == "000100020003000400050006c0000201");
    CHECK(ip_hex("1:2:3:4:5:6:7::") == "00010002000300040005000600070000");  // "::" for one group
    CHECK(ip_hex("::2:3:4:5:6:7:8") == "00000002000300040005000600070008");
    CHECK(ip_hex("1:2:3:4:5::7:8") == "00010002000300040005000000070008");
    for (const char* bad : {":::", "1:::2", "1::2::3", ":1", "1:", ":", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
                            "1::2:3:4:5:6:7:8", "12345::", "g::", "::g", "::ffff:192.0.2", "::ffff:256.0.0.1",
                            "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::", "::1.2.3.4:5", "fe80::1%eth0", "[::1]", "::1 ",
                            " ::1", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8", "::ffff:01.2.3.4", "::ffff:1.2.3.4.",
                            "1::2:", "::-1", "0x1::", "1:2:3:4:5:6:7:8::", "::1::", "1.2.3.4:1::"}) {
        INFO(bad);
        CHECK(ip_hex(bad) == "invalid");
    }
}

TEST_CASE("names: IPv6 text is canonical (RFC 5952 4)", "[x509][names][ip]") {
    CHECK(reformat("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");  // 4.1 no leading zeros
    CHECK(reformat("2001:db8:0:0:0:0:2:1") == "2001:db8::2:1");                    // 4.2.1 longest run
    CHECK(reformat("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");              // 4.2.2 a single 0 stays
    CHECK(reformat("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");                      // 4.2.3 the longest run
    CHECK(reformat("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");                // ... the first of equals
    CHECK(reformat("2001:DB8::A") == "2001:db8::a");                                // 4.3 lower case
    CHECK(reformat("::") == "::");
    CHECK(reformat("::1") == "::1");
    CHECK(reformat("1::") == "1::");
    CHECK(reformat("1:0:0:0:0:0:0:0") == "1::");
    CHECK(reformat("0:0:0:0:0:0:0:1") == "::1");
    CHECK(reformat("1:2:3:4:5:6:7:8") == "1:2:3:4:5:6:7:8");
    CHECK(reformat("0:1:0:1:0:1:0:1") == "0:1:0:1:0:1:0:1");
    CHECK(reformat("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    // RFC 5952 5 recommends "::ffff:192.0.2.1" for IPv4-mapped addresses when the
    // prefix is known; cordon prints every IPv6 address in hexadecimal.
    CHECK(reformat("::ffff:192.0.2.1") == "::ffff:c000:201");
    CHECK(reformat("192.0.2.1") == "192.0.2.1");
    CHECK(reformat("0.0.0.0") == "0.0.0.0");
    // Neither 4 nor 16 bytes: no text.
    const std::uint8_t five[5] = {1, 2, 3, 4, 5};
    CHECK(format_ip_address(five).empty());
    CHECK(format_ip_address({}).empty());

    // format -> parse -> format is stable, over addresses with zero runs everywhere.
    for (unsigned mask = 0; mask < 256; ++mask) {
        std::uint8_t a[16] = {};
        for (int g = 0; g < 8; ++g)
            if (mask & (1u << g)) a[2 * g + 1] = static_cast<std::uint8_t>(g + 1);
        const std::string text = format_ip_address(a);
        auto back = parse_ip_address(text);
        INFO(text);
        REQUIRE(back.has_value());
        CHECK(to_hex(back->view()) == to_hex(a));
        CHECK(format_ip_address(back->view()) == text);
    }
}

TEST_CASE("names: dNSName constraints", "[x509][names][constraints]") {
    struct Case {
        const char* constraint;
        const char* name;
        CM matches;     // dns_constraint_matches (permitted subtrees)
        CM may_match;   // dns_constraint_may_match (excluded subtrees)
    };
    const Case cases[] = {
        {"example.com", "example.com", CM::match, CM::match},
        {"example.com", "www.example.com", CM::match, CM::match},
        {"example.com", "a.b.example.com", CM::match, CM::match},
        {"EXAMPLE.com", "www.Example.COM", CM::match, CM::match},
        {"example.com", "example.com.", CM::match, CM::match},
        {"example.com", "wwwexample.com", CM::no_match, CM::no_match},  // label boundary
        {"example.com", "example.org", CM::no_match, CM::no_match},
        {"www.example.com", "example.com", CM::no_match, CM::no_match},
        {"", "anything.example", CM::match, CM::match},  // the empty constraint is every name
        {"", "*.example.com", CM::match, CM::match},
        // Wildcards: all the names "*.example.com" stands for are inside example.com,
        // some of them inside foo.example.com, none inside a.b.example.com.
        {"example.com", "*.example.com", CM::match, CM::match},
        {"foo.example.com", "*.example.com", CM::no_match, CM::match},
        {"a.b.example.com", "*.example.com", CM::no_match, CM::no_match},
        {"example.org", "*.example.com", CM::no_match, CM::no_match},
        {"com", "*.example.com", CM::match, CM::match},
        {"xn--bcher-kva.example", "www.xn--bcher-kva.example", CM::match, CM::match},
        // Malformed constraints and names fail whichever list they are in.
        {".example.com", "www.example.com", CM::invalid, CM::invalid},
        {"*.example.com", "www.example.com", CM::invalid, CM::invalid},
        {"exa mple.com", "www.example.com", CM::invalid, CM::invalid},
        {"example.com.", "www.example.com", CM::invalid, CM::invalid},
        {"example.com", "exa_mple.example.com", CM::invalid, CM::invalid},
        {"example.com", "1.2.3.4", CM::invalid, CM::invalid},
        {"example.com", "f*.example.com", CM::invalid, CM::invalid},
        {"example.com", "", CM::invalid, CM::invalid},
    };
    for (const auto& c : cases) {
        INFO("constraint " << c.constraint << ", name " << c.name);
        CHECK(dns_constraint_matches(c.constraint, c.name) == c.matches);
        CHECK(dns_constraint_may_match(c.constraint, c.name) == c.may_match);
    }
}

TEST_CASE("names: iPAddress constraints", "[x509][names][constraints]") {
    auto m = [](const char* constraint_hex, const char* address) {
        auto ip = parse_ip_address(address);
        REQUIRE(ip.has_value());
        const auto c = from_hex(constraint_hex);
        return ip_constraint_matches(c, ip->view());
    };
    CHECK(m("c0000200ffffff00", "192.0.2.1") == CM::match);
    CHECK(m("c0000200ffffff00", "192.0.2.255") == CM::match);
    CHECK(m("c0000200ffffff00", "192.0.3.1") == CM::no_match);
    CHECK(m("c0000200ffffff00", "2001:db8::1") == CM::no_match);  // another family
    CHECK(m("c0000201ffffffff", "192.0.2.1") == CM::match);        // /32
    CHECK(m("c0000201ffffffff", "192.0.2.2") == CM::no_match);
    CHECK(m("0000000000000000", "203.0.113.9") == CM::match);      // /0: every IPv4 address
    CHECK(m("c0000205ffffff00", "192.0.2.1") == CM::match);        // host bits in the base are masked
    CHECK(m("c0000200ff00ff00", "192.0.2.1") == CM::invalid);      // mask not a prefix
    CHECK(m("c0000200ffffff01", "192.0.2.1") == CM::invalid);
    CHECK(m("c0000200fffffe80", "192.0.2.1") == CM::invalid);
    const char* v6_32 = "20010db8000000000000000000000000ffffffff000000000000000000000000";
    CHECK(m(v6_32, "2001:db8::1") == CM::match);
    CHECK(m(v6_32, "2001:db8:ffff::") == CM::match);
    CHECK(m(v6_32, "2001:db9::1") == CM::no_match);
    CHECK(m(v6_32, "192.0.2.1") == CM::no_match);
    CHECK(m(v6_32, "::ffff:192.0.2.1") == CM::no_match);
    // Wrong sizes on either side are malformed.
    const auto five = from_hex("c000020001");
    const std::uint8_t address[4] = {192, 0, 2, 1};
    CHECK(ip_constraint_matches(five, address) == CM::invalid);
    CHECK(ip_constraint_matches(from_hex("c0000200ffffff00"), Bytes(address, 3)) == CM::invalid);
    CHECK(ip_constraint_matches({}, address) == CM::invalid);
}

TEST_CASE("names: rfc822Name constraints", "[x509][names][constraints]") {
    struct Case {
        const char* constraint;
        const char* email;
        CM expected;
    };
    const Case cases[] = {
        {"user@example.com", "user@example.com", CM::match},        // a mailbox
        {"user@example.com", "user@EXAMPLE.com", CM::match},        // hosts are case-insensitive
        {"user@example.com", "User@example.com", CM::no_match},     // local parts are not
        {"user@example.com", "other@example.com", CM::no_match},
        {"user@example.com", "user@www.example.com", CM::no_match},
        {"example.com", "anyone@example.com", CM::match},           // a host
        {"example.com", "anyone@Example.Com", CM::match},
        {"example.com", "anyone@www.example.com", CM::no_match},
        {".example.com", "anyone@www.example.com", CM::match},      // any host below a domain
        {".example.com", "anyone@a.b.example.com", CM::match},
        {".example.com", "anyone@example.com", CM::no_match},
        {".example.com", "anyone@wwwexample.com", CM::no_match},
        {"*@example.com", "*@example.com", CM::match},              // '*' is a literal character
        {"*@example.com", "user@example.com", CM::no_match},
        // Malformed names or constraints.
        {"example.com", "no-at-sign", CM::invalid},
        {"example.com", "@example.com", CM::invalid},
        {"example.com", "user@", CM::invalid},
        {"example.com", "a@b@example.com", CM::invalid},
        {"example.com", "a b@example.com", CM::invalid},
        {"example.com", "user@exa_mple.com", CM::invalid},
        {"user@", "user@example.com", CM::invalid},
        {"@example.com", "user@example.com", CM::invalid},
        {".", "user@example.com", CM::invalid},
        {"..example.com", "user@example.com", CM::invalid},
        {"exa_mple.com", "user@example.com", CM::invalid},
        {"", "user@example.com", CM::invalid},
    };
    for (const auto& c : cases) {
        INFO("constraint " << c.constraint << ", email " << c.email);
        CHECK(email_constraint_matches(c.constraint, c.email) == c.expected);
    }
}

TEST_CASE("names: directoryName constraints", "[x509][names][constraints]") {
    NameBuilder us, us_acme, us_acme_cn, de, us_other, multi, empty;
    us.rdn({{C, "US"}});
    us_acme.rdn({{C, "US"}}).rdn({{O, "Acme"}});
    us_acme_cn.rdn({{C, "US"}}).rdn({{O, "Acme"}}).rdn({{CN, "www"}});
    de.rdn({{C, "DE"}});
    us_other.rdn({{C, "US"}}).rdn({{O, "Other"}});
    multi.rdn({{C, "US"}, {O, "Acme"}});  // one multi-valued RDN

    CHECK(directory_constraint_matches(us.name(), us_acme_cn.name()));
    CHECK(directory_constraint_matches(us_acme.name(), us_acme_cn.name()));
    CHECK(directory_constraint_matches(us_acme_cn.name(), us_acme_cn.name()));
    CHECK_FALSE(directory_constraint_matches(us_acme_cn.name(), us_acme.name()));  // longer than the name
    CHECK_FALSE(directory_constraint_matches(de.name(), us_acme.name()));
    CHECK_FALSE(directory_constraint_matches(us_other.name(), us_acme_cn.name()));
    CHECK_FALSE(directory_constraint_matches(multi.name(), us_acme.name()));  // RDN boundaries count
    CHECK_FALSE(directory_constraint_matches(us_acme.name(), multi.name()));
    CHECK(directory_constraint_matches(empty.name(), us_acme.name()));  // the empty name: every name
    CHECK(directory_constraint_matches(empty.name(), empty.name()));
    // Attribute types are compared, not just values.
    NameBuilder cn_us;
    cn_us.rdn({{CN, "US"}});
    CHECK_FALSE(directory_constraint_matches(us.name(), cn_us.name()));
}
