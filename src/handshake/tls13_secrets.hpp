// What both TLS 1.3 state machines carry from the ServerHello on: the suite,
// the running transcript and the traffic secrets of the current epoch.
#pragma once

#include <optional>

#include "handshake/cipher_suites.hpp"
#include "handshake/key_schedule.hpp"
#include "handshake/transcript.hpp"

namespace tls::handshake {

struct Tls13Secrets {
    SuiteParams suite;
    Transcript transcript;
    crypto::Secret client_handshake, server_handshake;
    std::optional<MasterSecret> master;
    crypto::Secret client_application, server_application;

    explicit Tls13Secrets(const SuiteParams& s) : suite(s), transcript(*s.hash) {}
    crypto::Secret transcript_hash() const noexcept { return transcript.current(); }
};

// NSS key log labels (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
inline constexpr const char* keylog_client_handshake = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
inline constexpr const char* keylog_server_handshake = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
inline constexpr const char* keylog_client_traffic = "CLIENT_TRAFFIC_SECRET_0";
inline constexpr const char* keylog_server_traffic = "SERVER_TRAFFIC_SECRET_0";
inline constexpr const char* keylog_exporter = "EXPORTER_SECRET";
inline constexpr const char* keylog_client_early = "CLIENT_EARLY_TRAFFIC_SECRET";

}  // namespace tls::handshake
