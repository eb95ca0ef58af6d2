// PEM (RFC 7468): "-----BEGIN LABEL-----", base64, "-----END LABEL-----".
// Text outside the blocks is ignored, as RFC 7468 2 allows; inside a block only
// base64 characters, whitespace and correct padding are accepted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "tls/result.hpp"

namespace tls::x509 {

struct PemBlock {
    std::string label;               // "CERTIFICATE", "PRIVATE KEY", ...
    std::vector<std::uint8_t> der;   // the decoded contents
};

// Every block in text, in order. A BEGIN without its END, mismatched labels or
// bad base64 is a decode_error.
Result<std::vector<PemBlock>> parse_pem(std::string_view text);

// Strict base64 (RFC 4648 4) with whitespace skipped; used by PEM.
Result<std::vector<std::uint8_t>> decode_base64(std::string_view text);

}  // namespace tls::x509
