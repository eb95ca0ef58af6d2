// Name syntax and matching for server identity (RFC 6125, as the web PKI applies
// it) and for name constraints (RFC 5280 4.2.1.10). ASCII only: internationalised
// names appear in certificates as A-labels ("xn--..."), compared as ASCII.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "x509/certificate.hpp"

namespace tls::x509 {

inline std::string_view as_text(Bytes b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A DNS name as a client looks it up: LDH labels of 1-63 characters separated by
// single dots, at most 253 characters, an optional trailing dot, not an IP address.
bool is_valid_reference_dns_name(std::string_view name) noexcept;

// A dNSName in a certificate: the same, except that the left-most label may be
// exactly "*" when at least two labels follow ("*.example.com", never "*" or "*.com").
bool is_valid_presented_dns_name(std::string_view name) noexcept;

// RFC 6125 6.4: case-insensitive ASCII; a "*" left-most label matches exactly one label.
bool dns_name_matches(std::string_view presented, std::string_view reference) noexcept;

// An IP address in text form: dotted-quad IPv4 (no leading zeros) or IPv6
// (RFC 4291 2.2, with "::" and an embedded IPv4 tail).
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t size = 0;  // 4 or 16
    Bytes view() const noexcept { return {bytes.data(), size}; }
};
std::optional<IpAddress> parse_ip_address(std::string_view text) noexcept;
// The canonical text of an address: dotted-quad IPv4, RFC 5952 IPv6.
std::string format_ip_address(Bytes address);

// Name-constraint checks. `invalid` means the constraint or the name is malformed,
// which fails validation whether the subtree is permitted or excluded.
enum class ConstraintMatch : std::uint8_t { match, no_match, invalid };

// dNSName subtree: the name equals the constraint or ends with "." + constraint.
// A presented wildcard ("*.a.b") matches when every name it stands for would;
// for an excluded subtree use dns_constraint_may_match (any name it stands for).
ConstraintMatch dns_constraint_matches(std::string_view constraint, std::string_view name) noexcept;
ConstraintMatch dns_constraint_may_match(std::string_view constraint, std::string_view name) noexcept;
// iPAddress subtree: constraint is address || mask (8 or 32 bytes), the mask a prefix.
ConstraintMatch ip_constraint_matches(Bytes constraint, Bytes address) noexcept;
// rfc822Name subtree: a mailbox, a host, or ".domain" for any host below it.
ConstraintMatch email_constraint_matches(std::string_view constraint, std::string_view email) noexcept;
// directoryName subtree: the constraint's RDNs are a prefix of the name's.
bool directory_constraint_matches(const Name& constraint, const Name& name) noexcept;

}  // namespace tls::x509
