#include "tls/alert.hpp"

namespace tls {

const char* to_string(AlertDescription d) noexcept {
    switch (d) {
        case AlertDescription::close_notify: return "close_notify";
        case AlertDescription::unexpected_message: return "unexpected_message";
        case AlertDescription::bad_record_mac: return "bad_record_mac";
        case AlertDescription::record_overflow: return "record_overflow";
        case AlertDescription::handshake_failure: return "handshake_failure";
        case AlertDescription::bad_certificate: return "bad_certificate";
        case AlertDescription::unsupported_certificate: return "unsupported_certificate";
        case AlertDescription::certificate_revoked: return "certificate_revoked";
        case AlertDescription::certificate_expired: return "certificate_expired";
        case AlertDescription::certificate_unknown: return "certificate_unknown";
        case AlertDescription::illegal_parameter: return "illegal_parameter";
        case AlertDescription::unknown_ca: return "unknown_ca";
        case AlertDescription::access_denied: return "access_denied";
        case AlertDescription::decode_error: return "decode_error";
        case AlertDescription::decrypt_error: return "decrypt_error";
        case AlertDescription::protocol_version: return "protocol_version";
        case AlertDescription::insufficient_security: return "insufficient_security";
        case AlertDescription::internal_error: return "internal_error";
        case AlertDescription::inappropriate_fallback: return "inappropriate_fallback";
        case AlertDescription::user_canceled: return "user_canceled";
        case AlertDescription::no_renegotiation: return "no_renegotiation";
        case AlertDescription::missing_extension: return "missing_extension";
        case AlertDescription::unsupported_extension: return "unsupported_extension";
        case AlertDescription::unrecognized_name: return "unrecognized_name";
        case AlertDescription::bad_certificate_status_response: return "bad_certificate_status_response";
        case AlertDescription::unknown_psk_identity: return "unknown_psk_identity";
        case AlertDescription::certificate_required: return "certificate_required";
        case AlertDescription::no_application_protocol: return "no_application_protocol";
    }
    return "unknown";
}

std::optional<AlertDescription> alert_for(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::decode_error: return AlertDescription::decode_error;
        case ErrorCode::unexpected_message: return AlertDescription::unexpected_message;
        case ErrorCode::record_overflow: return AlertDescription::record_overflow;
        case ErrorCode::protocol_version: return AlertDescription::protocol_version;
        case ErrorCode::illegal_parameter: return AlertDescription::illegal_parameter;
        case ErrorCode::unsupported_extension: return AlertDescription::unsupported_extension;
        case ErrorCode::missing_extension: return AlertDescription::missing_extension;
        case ErrorCode::handshake_failure: return AlertDescription::handshake_failure;
        case ErrorCode::no_application_protocol: return AlertDescription::no_application_protocol;
        case ErrorCode::certificate_required: return AlertDescription::certificate_required;
        case ErrorCode::unrecognized_name: return AlertDescription::unrecognized_name;
        case ErrorCode::bad_record_mac: return AlertDescription::bad_record_mac;
        // RFC 8446 6.2: a signature or Finished check that fails is decrypt_error.
        case ErrorCode::bad_signature: return AlertDescription::decrypt_error;
        case ErrorCode::invalid_public_key: return AlertDescription::illegal_parameter;
        case ErrorCode::zero_shared_secret: return AlertDescription::illegal_parameter;
        case ErrorCode::weak_key: return AlertDescription::insufficient_security;
        case ErrorCode::unsupported: return AlertDescription::handshake_failure;
        case ErrorCode::certificate_expired: return AlertDescription::certificate_expired;
        case ErrorCode::unknown_issuer: return AlertDescription::unknown_ca;
        // rustls and BoringSSL send bad_certificate for a name mismatch too.
        case ErrorCode::certificate_name_mismatch: return AlertDescription::bad_certificate;
        case ErrorCode::bad_certificate: return AlertDescription::bad_certificate;
        case ErrorCode::unsupported_certificate: return AlertDescription::unsupported_certificate;
        // Nothing is sent back for an alert the peer sent or a close it made.
        case ErrorCode::alert_received:
        case ErrorCode::peer_closed: return std::nullopt;
        case ErrorCode::invalid_argument:
        case ErrorCode::buffer_too_small:
        case ErrorCode::rng_failure:
        case ErrorCode::crypto_backend:
        case ErrorCode::sequence_exhausted:
        // A key file's password is a local matter; no peer ever causes it.
        case ErrorCode::bad_password:
        case ErrorCode::internal_error: return AlertDescription::internal_error;
    }
    return AlertDescription::internal_error;
}

}  // namespace tls
