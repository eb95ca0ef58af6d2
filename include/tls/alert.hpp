// The TLS alert protocol (RFC 8446 6, RFC 5246 7.2): descriptions, levels,
// printable names, and the one mapping from cordon errors to the alert sent.
#pragma once

#include <cstdint>
#include <optional>

#include "tls/result.hpp"

namespace tls {

enum class AlertLevel : std::uint8_t { warning = 1, fatal = 2 };

// Every value RFC 8446 6.2 lists (plus no_renegotiation for TLS 1.2, RFC 5246);
// the enum holds any byte, so unknown descriptions from a peer survive.
enum class AlertDescription : std::uint8_t {
    close_notify = 0,
    unexpected_message = 10,
    bad_record_mac = 20,
    record_overflow = 22,
    handshake_failure = 40,
    bad_certificate = 42,
    unsupported_certificate = 43,
    certificate_revoked = 44,
    certificate_expired = 45,
    certificate_unknown = 46,
    illegal_parameter = 47,
    unknown_ca = 48,
    access_denied = 49,
    decode_error = 50,
    decrypt_error = 51,
    protocol_version = 70,
    insufficient_security = 71,
    internal_error = 80,
    inappropriate_fallback = 86,
    user_canceled = 90,
    no_renegotiation = 100,
    missing_extension = 109,
    unsupported_extension = 110,
    unrecognized_name = 112,
    bad_certificate_status_response = 113,
    unknown_psk_identity = 115,
    certificate_required = 116,
    no_application_protocol = 120,
};

struct Alert {
    AlertLevel level;
    AlertDescription description;
};

// "bad_record_mac", or "unknown" for values not listed above.
const char* to_string(AlertDescription description) noexcept;

// The alert cordon sends when it fails with `code`, or none when the peer ended
// the connection itself. A switch without default: adding an ErrorCode without
// deciding its alert draws a -Wswitch warning (an error in CI).
std::optional<AlertDescription> alert_for(ErrorCode code) noexcept;

}  // namespace tls
