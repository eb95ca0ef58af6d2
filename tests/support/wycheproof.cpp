#include "support/wycheproof.hpp"

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

namespace test {

nlohmann::json load_wycheproof(const std::string& relative) {
    const std::string path = std::string(CORDON_TESTDATA_DIR) + "/wycheproof/" + relative;
    std::ifstream in(path);
    INFO("Wycheproof file " << path);
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

void Tally::record(const nlohmann::json& tc, bool accepted, bool output_matches) {
    const std::string result = tc["result"];
    const bool ok_output = !accepted || output_matches;
    bool correct = false;
    if (result == "valid") {
        correct = accepted && output_matches;
        if (correct) ++valid_accepted;
    } else if (result == "invalid") {
        correct = !accepted;
        if (correct) ++invalid_rejected;
    } else {  // acceptable: either decision, but an accepted output must be right
        correct = ok_output;
        if (correct) ++(accepted ? acceptable_accepted : acceptable_rejected);
    }
    if (!correct) {
        std::ostringstream s;
        s << "tcId " << tc["tcId"].get<int>() << " (" << result << ", " << tc["comment"].get<std::string>()
          << "): " << (accepted ? "accepted" : "rejected") << (output_matches ? "" : " with wrong output");
        failures.push_back(s.str());
    }
}

std::string Tally::summary() const {
    std::ostringstream s;
    s << "valid accepted " << valid_accepted << ", invalid rejected " << invalid_rejected << ", acceptable accepted "
      << acceptable_accepted << "/rejected " << acceptable_rejected << ", not applicable " << not_applicable
      << ", failures " << failures.size();
    return s.str();
}

}  // namespace test
