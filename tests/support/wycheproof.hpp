// Loading Wycheproof files from ../shared/testdata and tallying results.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace test {

// Loads CORDON_TESTDATA_DIR/wycheproof/<relative>; the test fails (not skips)
// when the file is missing.
nlohmann::json load_wycheproof(const std::string& relative);

// Per file and backend: how each case was decided.
struct Tally {
    int valid_accepted = 0;
    int invalid_rejected = 0;
    int acceptable_accepted = 0;
    int acceptable_rejected = 0;
    int not_applicable = 0;  // parameters outside what TLS/cordon offers (reason in the test)
    std::vector<std::string> failures;

    // Records one decision; a wrong one goes to failures with its tcId and comment.
    void record(const nlohmann::json& test_case, bool accepted, bool output_matches = true);
    std::string summary() const;
};

}  // namespace test
