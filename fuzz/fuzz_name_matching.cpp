// Arbitrary strings and bytes into every function of x509/name_matching.hpp.
//
// Input: a selector byte, then fields (2-byte length + bytes, see
// fuzz_input.hpp): a, b, and the rest. Every function runs on (a, b) whatever
// the selector; the selector only rewrites b from a (b = a, a's upper case, a
// with a label put in front, a with "*." put in front) so the invariants that
// need related names get exercised:
// - dns_name_matches(p, r) implies both are valid (presented, reference);
//   a valid reference name matches itself, in any letter case, with or without
//   a trailing dot; a match without a wildcard is a case-insensitive equality;
//   a wildcard match stands for exactly one more label;
// - IP text: what parse_ip_address accepts formats to text that parses back to
//   the same bytes; formatting is a fixed point (format(parse(format(x))) ==
//   format(x)); any 4 or 16 bytes format to text that parses back to them;
// - dNSName constraints: matches implies may_match, both agree on invalid, and
//   they are equal for names without a wildcard; "" matches every valid name;
//   a valid reference name is inside its own subtree and its parents';
// - iPAddress constraints: a match is exactly the masked comparison, for a mask
//   that is a prefix; rfc822Name: a mailbox constraint matches equal local
//   parts only; directoryName: a name is inside its own subtree and the empty one.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>

#include "fuzz_input.hpp"
#include "x509/name_matching.hpp"

namespace {

using namespace tls::x509;
using cordon_fuzz::Bytes;
using CM = ConstraintMatch;

std::string_view text(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view strip_dot(std::string_view s) {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    return s;
}

std::size_t labels(std::string_view s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '.')) + 1; }

void check_dns(std::string_view p, std::string_view r) {
    const bool m = dns_name_matches(p, r);
    if (m) {
        CORDON_FUZZ_CHECK(is_valid_presented_dns_name(p));
        CORDON_FUZZ_CHECK(is_valid_reference_dns_name(r));
        const std::string_view ps = strip_dot(p), rs = strip_dot(r);
        if (ps.substr(0, 2) == "*.") {
            CORDON_FUZZ_CHECK(labels(rs) == labels(ps));
            CORDON_FUZZ_CHECK(iequals(rs.substr(rs.find('.')), ps.substr(1)));
        } else {
            CORDON_FUZZ_CHECK(iequals(ps, rs));
        }
    }
    if (is_valid_reference_dns_name(r)) {
        CORDON_FUZZ_CHECK(is_valid_presented_dns_name(r));
        CORDON_FUZZ_CHECK(dns_name_matches(r, r));
        std::string up(r);
        std::transform(up.begin(), up.end(), up.begin(), upper);
        CORDON_FUZZ_CHECK(dns_name_matches(up, r) && dns_name_matches(r, up));
        const std::string bare(strip_dot(r));
        CORDON_FUZZ_CHECK(dns_name_matches(bare + ".", bare) && dns_name_matches(bare, bare + "."));
        // A name is inside its own subtree and the unconstrained one, and
        // inside the subtree of its parent domain.
        CORDON_FUZZ_CHECK(dns_constraint_matches(bare, r) == CM::match);
        CORDON_FUZZ_CHECK(dns_constraint_matches("", r) == CM::match);
        const auto dot = bare.find('.');
        if (dot != std::string::npos && dns_constraint_matches(bare.substr(dot + 1), "a.invalid") != CM::invalid)
            CORDON_FUZZ_CHECK(dns_constraint_matches(bare.substr(dot + 1), r) == CM::match);
        // "*." + parent matches the name.
        if (dot != std::string::npos && labels(bare.substr(dot + 1)) >= 2)
            CORDON_FUZZ_CHECK(dns_name_matches("*" + bare.substr(dot), r));
    }
}

void check_constraints(std::string_view c, std::string_view n) {
    const CM m = dns_constraint_matches(c, n);
    const CM may = dns_constraint_may_match(c, n);
    CORDON_FUZZ_CHECK((m == CM::invalid) == (may == CM::invalid));
    if (m == CM::match) CORDON_FUZZ_CHECK(may == CM::match);
    if (m != CM::invalid) {
        CORDON_FUZZ_CHECK(is_valid_presented_dns_name(n));
        if (strip_dot(n).substr(0, 2) != "*.") CORDON_FUZZ_CHECK(m == may);
        CORDON_FUZZ_CHECK(dns_constraint_matches("", n) == CM::match);
    }
    const CM e = email_constraint_matches(c, n);
    if (e == CM::match && c.find('@') != std::string_view::npos)
        CORDON_FUZZ_CHECK(c.substr(0, c.find('@')) == n.substr(0, n.find('@')));
    if (e != CM::invalid) CORDON_FUZZ_CHECK(n.find('@') != std::string_view::npos);
}

void check_ip_text(std::string_view t) {
    auto ip = parse_ip_address(t);
    if (!ip) return;
    CORDON_FUZZ_CHECK(ip->size == 4 || ip->size == 16);
    CORDON_FUZZ_CHECK((ip->size == 16) == (t.find(':') != std::string_view::npos));
    const std::string f = format_ip_address(ip->view());
    auto back = parse_ip_address(f);
    CORDON_FUZZ_CHECK(back && back->size == ip->size && std::ranges::equal(back->view(), ip->view()));
    CORDON_FUZZ_CHECK(format_ip_address(back->view()) == f);
    // RFC 5952 text is the shortest, except that it never writes "::" for a
    // single zero group (4.2.2), which costs one character ("1::2:3:4:5:6:7").
    CORDON_FUZZ_CHECK(f.size() <= t.size() + 1);
    // IP addresses are never DNS names.
    CORDON_FUZZ_CHECK(!is_valid_reference_dns_name(t));
}

void check_ip_bytes(Bytes a) {
    const std::string f = format_ip_address(a);
    if (a.size() != 4 && a.size() != 16) {
        CORDON_FUZZ_CHECK(f.empty());
        return;
    }
    auto back = parse_ip_address(f);
    CORDON_FUZZ_CHECK(back && std::ranges::equal(back->view(), a));
}

void check_ip_constraint(Bytes constraint, Bytes address) {
    const CM m = ip_constraint_matches(constraint, address);
    if (m == CM::invalid) return;
    const std::size_t n = constraint.size() / 2;
    CORDON_FUZZ_CHECK(constraint.size() == 8 || constraint.size() == 32);
    bool expected = address.size() == n;
    for (std::size_t i = 0; expected && i < n; ++i)
        expected = (address[i] & constraint[n + i]) == (constraint[i] & constraint[n + i]);
    CORDON_FUZZ_CHECK((m == CM::match) == expected);
    // The network address itself is always inside.
    CORDON_FUZZ_CHECK(ip_constraint_matches(constraint, constraint.first(n)) == CM::match);
}

// A Name from the input: RDNs of (OID, value) pairs, viewing the input.
Name read_name(cordon_fuzz::Input& in) {
    Name name;
    const unsigned rdns = in.u8() % 5;
    for (unsigned i = 0; i < rdns; ++i) {
        std::vector<NameAttribute> rdn;
        const unsigned n = 1 + in.u8() % 3;
        for (unsigned j = 0; j < n; ++j) {
            const Bytes oid = in.field(8);
            const Bytes value = in.field(16);
            rdn.push_back({oid, 0x0c, value});
        }
        name.rdns.push_back(std::move(rdn));
    }
    return name;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cordon_fuzz::Input in(data, size);
    const std::uint8_t selector = in.u8();
    const Bytes a_bytes = in.field(300);
    const Bytes b_bytes = in.field(300);
    std::string a(text(a_bytes)), b(text(b_bytes));
    switch (selector % 5) {
        case 0: break;
        case 1: b = a; break;
        case 2: b = a; std::transform(b.begin(), b.end(), b.begin(), upper); break;
        case 3: b = std::string(text(b_bytes.first(std::min<std::size_t>(b_bytes.size(), 10)))) + "." + a; break;
        case 4: b = "*." + a; break;
    }

    // Validity and matching, both ways round.
    CORDON_FUZZ_CHECK(!is_valid_reference_dns_name(a) || a.size() <= 254);
    check_dns(a, b);
    check_dns(b, a);
    check_dns(a, a);

    // IP addresses: as text, and as raw bytes.
    check_ip_text(a);
    check_ip_text(b);
    check_ip_bytes(a_bytes);
    check_ip_bytes(a_bytes.first(std::min<std::size_t>(a_bytes.size(), 4)));
    check_ip_bytes(a_bytes.first(std::min<std::size_t>(a_bytes.size(), 16)));
    check_ip_constraint(a_bytes, b_bytes);
    if (a_bytes.size() >= 8) check_ip_constraint(a_bytes.first(8), b_bytes.first(std::min<std::size_t>(b_bytes.size(), 4)));
    if (a_bytes.size() >= 32) check_ip_constraint(a_bytes.first(32), b_bytes.first(std::min<std::size_t>(b_bytes.size(), 16)));

    // Constraints of each kind, both ways round.
    check_constraints(a, b);
    check_constraints(b, a);

    // Directory names from the rest of the input.
    const Name x = read_name(in), y = read_name(in);
    const bool xy = directory_constraint_matches(x, y);
    CORDON_FUZZ_CHECK(directory_constraint_matches(x, x));
    CORDON_FUZZ_CHECK(directory_constraint_matches(Name{}, y));
    if (xy) CORDON_FUZZ_CHECK(x.rdns.size() <= y.rdns.size());
    if (xy && directory_constraint_matches(y, x)) CORDON_FUZZ_CHECK(x.rdns.size() == y.rdns.size());
    return 0;
}
