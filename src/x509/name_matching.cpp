#include "x509/name_matching.hpp"

#include <algorithm>
#include <cstdio>

namespace tls::x509 {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// a ends with "." + suffix (case-insensitive), with at least one character before the dot.
bool is_subdomain_of(std::string_view name, std::string_view suffix) {
    return name.size() > suffix.size() + 1 && name[name.size() - suffix.size() - 1] == '.' &&
           iequals(name.substr(name.size() - suffix.size()), suffix);
}

std::string_view strip_trailing_dot(std::string_view s) {
    if (!s.empty() && s.back() == '.') s.remove_suffix(1);
    return s;
}

bool is_ldh_label(std::string_view label) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    return std::all_of(label.begin(), label.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// LDH labels joined by dots; the last label not all digits (so never an IPv4 address).
bool is_ldh_name(std::string_view name) {
    if (name.empty() || name.size() > 253) return false;
    std::string_view last;
    while (true) {
        const auto dot = name.find('.');
        const std::string_view label = name.substr(0, dot);
        if (!is_ldh_label(label)) return false;
        last = label;
        if (dot == std::string_view::npos) break;
        name.remove_prefix(dot + 1);
    }
    return !std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::size_t label_count(std::string_view name) { return static_cast<std::size_t>(std::count(name.begin(), name.end(), '.')) + 1; }

std::optional<IpAddress> parse_ipv4(std::string_view s) {
    IpAddress ip;
    ip.size = 4;
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            if (s.empty() || s.front() != '.') return std::nullopt;
            s.remove_prefix(1);
        }
        std::size_t n = 0;
        unsigned v = 0;
        while (n < s.size() && n < 4 && s[n] >= '0' && s[n] <= '9') v = v * 10 + static_cast<unsigned>(s[n++] - '0');
        if (n == 0 || n > 3 || v > 255 || (n > 1 && s[0] == '0')) return std::nullopt;
        ip.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
        s.remove_prefix(n);
    }
    if (!s.empty()) return std::nullopt;
    return ip;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

std::optional<IpAddress> parse_ipv6(std::string_view s) {
    // Groups before and after "::" (if any); an IPv4 tail counts as two groups.
    std::uint16_t head[8], tail[8];
    int heads = 0, tails = 0;
    bool compressed = false;
    if (s.substr(0, 2) == "::") {
        compressed = true;
        s.remove_prefix(2);
    }
    while (!s.empty()) {
        if (s.find('.') != std::string_view::npos && s.find(':') == std::string_view::npos) {
            auto v4 = parse_ipv4(s);
            if (!v4) return std::nullopt;
            std::uint16_t* groups = compressed ? tail : head;
            int& count = compressed ? tails : heads;
            if (count > 6) return std::nullopt;
            groups[count++] = static_cast<std::uint16_t>(v4->bytes[0] << 8 | v4->bytes[1]);
            groups[count++] = static_cast<std::uint16_t>(v4->bytes[2] << 8 | v4->bytes[3]);
            s = {};
            break;
        }
        std::size_t n = 0;
        unsigned v = 0;
        while (n < s.size() && n < 5 && hex_value(s[n]) >= 0) v = v * 16 + static_cast<unsigned>(hex_value(s[n++]));
        if (n == 0 || n > 4) return std::nullopt;
        std::uint16_t* groups = compressed ? tail : head;
        int& count = compressed ? tails : heads;
        if (count >= 8) return std::nullopt;
        groups[count++] = static_cast<std::uint16_t>(v);
        s.remove_prefix(n);
        if (s.empty()) break;
        if (s[0] != ':') return std::nullopt;
        if (s.substr(0, 2) == "::") {
            if (compressed) return std::nullopt;
            compressed = true;
            s.remove_prefix(2);
        } else {
            s.remove_prefix(1);
            if (s.empty()) return std::nullopt;  // trailing single ':'
        }
    }
    const int total = heads + tails;
    if ((compressed && total > 7) || (!compressed && total != 8)) return std::nullopt;
    IpAddress ip;
    ip.size = 16;
    for (int i = 0; i < heads; ++i) {
        ip.bytes[static_cast<std::size_t>(2 * i)] = static_cast<std::uint8_t>(head[i] >> 8);
        ip.bytes[static_cast<std::size_t>(2 * i + 1)] = static_cast<std::uint8_t>(head[i]);
    }
    for (int i = 0; i < tails; ++i) {
        const int at = 8 - tails + i;
        ip.bytes[static_cast<std::size_t>(2 * at)] = static_cast<std::uint8_t>(tail[i] >> 8);
        ip.bytes[static_cast<std::size_t>(2 * at + 1)] = static_cast<std::uint8_t>(tail[i]);
    }
    return ip;
}

// A mailbox "local@host": a non-empty local part of printable ASCII without '@'
// or spaces, and a valid host name.
bool is_valid_mailbox(std::string_view s) {
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
    const std::string_view local = s.substr(0, at);
    if (!std::all_of(local.begin(), local.end(), [](char c) { return c > 0x20 && c < 0x7f; })) return false;
    return is_ldh_name(s.substr(at + 1));
}

}  // namespace

bool is_valid_reference_dns_name(std::string_view name) noexcept { return is_ldh_name(strip_trailing_dot(name)); }

bool is_valid_presented_dns_name(std::string_view name) noexcept {
    name = strip_trailing_dot(name);
    if (name.substr(0, 2) == "*.") {
        const std::string_view rest = name.substr(2);
        return label_count(rest) >= 2 && is_ldh_name(rest);
    }
    return is_ldh_name(name);
}

bool dns_name_matches(std::string_view presented, std::string_view reference) noexcept {
    // Validate before stripping the trailing dot: the validators strip one
    // themselves, so stripping first would let "a.example.." pass as "a.example.".
    if (!is_valid_presented_dns_name(presented) || !is_valid_reference_dns_name(reference)) return false;
    presented = strip_trailing_dot(presented);
    reference = strip_trailing_dot(reference);
    if (presented.substr(0, 2) == "*.") {
        const std::string_view suffix = presented.substr(2);
        // The wildcard stands for exactly one whole label.
        if (!is_subdomain_of(reference, suffix)) return false;
        const std::string_view first = reference.substr(0, reference.size() - suffix.size() - 1);
        return first.find('.') == std::string_view::npos;
    }
    return iequals(presented, reference);
}

std::optional<IpAddress> parse_ip_address(std::string_view text) noexcept {
    if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
    return parse_ipv4(text);
}

std::string format_ip_address(Bytes a) {
    char buf[64];
    if (a.size() == 4) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
        return buf;
    }
    if (a.size() != 16) return {};
    unsigned groups[8];
    for (int i = 0; i < 8; ++i) groups[i] = static_cast<unsigned>(a[2 * i] << 8 | a[2 * i + 1]);
    // RFC 5952 4.2: compress the longest run (two or more) of zero groups, the first on a tie.
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && groups[j] == 0) ++j;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j == i ? i + 1 : j;
    }
    std::string out;
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(buf, sizeof buf, "%x", groups[i]);
        out += buf;
    }
    return out;
}

namespace {

// A DNS name constraint must be a plain host or domain name ("" matches all).
bool is_valid_dns_constraint(std::string_view c) { return c.empty() || is_ldh_name(c); }

}  // namespace

ConstraintMatch dns_constraint_matches(std::string_view constraint, std::string_view name) noexcept {
    if (!is_valid_dns_constraint(constraint) || !is_valid_presented_dns_name(name)) return ConstraintMatch::invalid;
    name = strip_trailing_dot(name);
    if (constraint.empty()) return ConstraintMatch::match;
    // A wildcard name is inside the subtree when its base domain is.
    if (name.substr(0, 2) == "*.") name.remove_prefix(2);
    return iequals(name, constraint) || is_subdomain_of(name, constraint) ? ConstraintMatch::match
                                                                         : ConstraintMatch::no_match;
}

ConstraintMatch dns_constraint_may_match(std::string_view constraint, std::string_view name) noexcept {
    const ConstraintMatch m = dns_constraint_matches(constraint, name);
    if (m != ConstraintMatch::no_match) return m;
    name = strip_trailing_dot(name);
    if (name.substr(0, 2) != "*.") return m;
    // "*.b.c" also stands for "a.b.c": it meets a subtree one label below its base.
    const std::string_view base = name.substr(2);
    if (!is_subdomain_of(constraint, base)) return ConstraintMatch::no_match;
    const std::string_view first = constraint.substr(0, constraint.size() - base.size() - 1);
    return first.find('.') == std::string_view::npos ? ConstraintMatch::match : ConstraintMatch::no_match;
}

ConstraintMatch ip_constraint_matches(Bytes constraint, Bytes address) noexcept {
    if (constraint.size() != 8 && constraint.size() != 32) return ConstraintMatch::invalid;
    if (address.size() != 4 && address.size() != 16) return ConstraintMatch::invalid;
    const std::size_t n = constraint.size() / 2;
    Bytes net = constraint.first(n), mask = constraint.subspan(n);
    // The mask must be a prefix: ones, then zeros.
    bool seen_zero = false;
    for (auto b : mask) {
        for (int bit = 7; bit >= 0; --bit) {
            const bool one = (b >> bit) & 1;
            if (one && seen_zero) return ConstraintMatch::invalid;
            if (!one) seen_zero = true;
        }
    }
    if (address.size() != n) return ConstraintMatch::no_match;  // other family
    for (std::size_t i = 0; i < n; ++i)
        if ((address[i] & mask[i]) != (net[i] & mask[i])) return ConstraintMatch::no_match;
    return ConstraintMatch::match;
}

ConstraintMatch email_constraint_matches(std::string_view constraint, std::string_view email) noexcept {
    if (!is_valid_mailbox(email)) return ConstraintMatch::invalid;
    const auto at = email.find('@');
    const std::string_view local = email.substr(0, at), host = email.substr(at + 1);
    if (constraint.find('@') != std::string_view::npos) {
        if (!is_valid_mailbox(constraint)) return ConstraintMatch::invalid;
        const auto cat = constraint.find('@');
        // Local parts compare exactly (RFC 5280 4.2.1.10; a '*' is a literal character).
        return constraint.substr(0, cat) == local && iequals(constraint.substr(cat + 1), host) ? ConstraintMatch::match
                                                                                              : ConstraintMatch::no_match;
    }
    if (!constraint.empty() && constraint[0] == '.') {
        if (!is_ldh_name(constraint.substr(1))) return ConstraintMatch::invalid;
        return is_subdomain_of(host, constraint.substr(1)) ? ConstraintMatch::match : ConstraintMatch::no_match;
    }
    if (!is_ldh_name(constraint)) return ConstraintMatch::invalid;
    return iequals(host, constraint) ? ConstraintMatch::match : ConstraintMatch::no_match;
}

bool directory_constraint_matches(const Name& constraint, const Name& name) noexcept {
    if (constraint.rdns.size() > name.rdns.size()) return false;
    for (std::size_t i = 0; i < constraint.rdns.size(); ++i) {
        const auto& a = constraint.rdns[i];
        const auto& b = name.rdns[i];
        if (a.size() != b.size()) return false;
        for (std::size_t j = 0; j < a.size(); ++j) {
            if (!std::equal(a[j].oid.begin(), a[j].oid.end(), b[j].oid.begin(), b[j].oid.end()) ||
                !std::equal(a[j].value.begin(), a[j].value.end(), b[j].value.begin(), b[j].value.end()))
                return false;
        }
    }
    return true;
}

}  // namespace tls::x509
