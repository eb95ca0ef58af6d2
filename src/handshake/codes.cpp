#include "handshake/codes.hpp"

namespace tls::handshake {

const char* to_string(HandshakeType t) noexcept {
    switch (t) {
        case HandshakeType::hello_request: return "hello_request";
        case HandshakeType::client_hello: return "client_hello";
        case HandshakeType::server_hello: return "server_hello";
        case HandshakeType::new_session_ticket: return "new_session_ticket";
        case HandshakeType::end_of_early_data: return "end_of_early_data";
        case HandshakeType::encrypted_extensions: return "encrypted_extensions";
        case HandshakeType::certificate: return "certificate";
        case HandshakeType::server_key_exchange: return "server_key_exchange";
        case HandshakeType::certificate_request: return "certificate_request";
        case HandshakeType::server_hello_done: return "server_hello_done";
        case HandshakeType::certificate_verify: return "certificate_verify";
        case HandshakeType::client_key_exchange: return "client_key_exchange";
        case HandshakeType::finished: return "finished";
        case HandshakeType::key_update: return "key_update";
        case HandshakeType::message_hash: return "message_hash";
    }
    return "unknown";
}

const char* to_string(ExtensionType t) noexcept {
    switch (t) {
        case ExtensionType::server_name: return "server_name";
        case ExtensionType::max_fragment_length: return "max_fragment_length";
        case ExtensionType::status_request: return "status_request";
        case ExtensionType::supported_groups: return "supported_groups";
        case ExtensionType::ec_point_formats: return "ec_point_formats";
        case ExtensionType::signature_algorithms: return "signature_algorithms";
        case ExtensionType::use_srtp: return "use_srtp";
        case ExtensionType::heartbeat: return "heartbeat";
        case ExtensionType::application_layer_protocol_negotiation: return "application_layer_protocol_negotiation";
        case ExtensionType::signed_certificate_timestamp: return "signed_certificate_timestamp";
        case ExtensionType::client_certificate_type: return "client_certificate_type";
        case ExtensionType::server_certificate_type: return "server_certificate_type";
        case ExtensionType::padding: return "padding";
        case ExtensionType::extended_master_secret: return "extended_master_secret";
        case ExtensionType::record_size_limit: return "record_size_limit";
        case ExtensionType::session_ticket: return "session_ticket";
        case ExtensionType::pre_shared_key: return "pre_shared_key";
        case ExtensionType::early_data: return "early_data";
        case ExtensionType::supported_versions: return "supported_versions";
        case ExtensionType::cookie: return "cookie";
        case ExtensionType::psk_key_exchange_modes: return "psk_key_exchange_modes";
        case ExtensionType::certificate_authorities: return "certificate_authorities";
        case ExtensionType::oid_filters: return "oid_filters";
        case ExtensionType::post_handshake_auth: return "post_handshake_auth";
        case ExtensionType::signature_algorithms_cert: return "signature_algorithms_cert";
        case ExtensionType::key_share: return "key_share";
        case ExtensionType::renegotiation_info: return "renegotiation_info";
    }
    return "unknown";
}

}  // namespace tls::handshake

namespace tls {

const char* to_string(CipherSuite s) noexcept {
    switch (s) {
        case CipherSuite::tls_aes_128_gcm_sha256: return "TLS_AES_128_GCM_SHA256";
        case CipherSuite::tls_aes_256_gcm_sha384: return "TLS_AES_256_GCM_SHA384";
        case CipherSuite::tls_chacha20_poly1305_sha256: return "TLS_CHACHA20_POLY1305_SHA256";
        case CipherSuite::tls_ecdhe_ecdsa_with_aes_128_gcm_sha256: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
        case CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
        case CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256: return "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        case CipherSuite::tls_ecdhe_rsa_with_aes_256_gcm_sha384: return "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
        case CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
        case CipherSuite::tls_ecdhe_ecdsa_with_chacha20_poly1305_sha256: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
        case CipherSuite::tls_empty_renegotiation_info_scsv: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    }
    return "unknown";
}

const char* to_string(ProtocolVersion v) noexcept {
    switch (v) {
        case ProtocolVersion::tls10: return "TLSv1.0";
        case ProtocolVersion::tls11: return "TLSv1.1";
        case ProtocolVersion::tls12: return "TLSv1.2";
        case ProtocolVersion::tls13: return "TLSv1.3";
    }
    return "unknown";
}

}  // namespace tls
