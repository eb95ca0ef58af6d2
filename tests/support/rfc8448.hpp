// RFC 8448 traces from ../shared/testdata/rfc8448/transcripts.vec (see its README),
// and the TLS 1.3 key schedule walked over them to get each section's traffic keys.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

namespace test {

using Section = std::map<std::string, ByteVec>;  // key -> decoded value (hex values only)

// All sections, by name ("Simple_1RTT_Handshake", ...). Section 4 gets the two
// corrected values the README gives (Botan's copy is inconsistent there).
const std::map<std::string, Section>& rfc8448_sections();
const ByteVec& field(const Section& section, const std::string& key);  // REQUIREs presence

// Traffic secrets of one section, from its pools, messages and PSK.
struct Rfc8448Secrets {
    tls::crypto::Secret client_early, client_handshake, server_handshake, client_application, server_application;
    tls::crypto::Secret resumption_master;
    ByteVec server_flight;  // decrypted server handshake messages (EE .. Finished)
    ByteVec client_flight;  // decrypted client handshake messages (.. Finished)
};
Rfc8448Secrets rfc8448_secrets(const std::string& section_name);

}  // namespace test
