// Certificate times (RFC 5280 4.1.2.5): UTCTime with its 1950-2049 window,
// GeneralizedTime, leap years and the strict "YYMMDDHHMMSSZ" profile. Expected
// values are Unix times computed independently (Python's calendar.timegm).
#include <catch2/catch.hpp>

#include <string>

#include "codec/der.hpp"

using namespace tls::codec;

namespace {

constexpr std::uint8_t utc = der::utc_time;
constexpr std::uint8_t gen = der::generalized_time;

tls::Result<std::int64_t> read_time(std::uint8_t tag, const std::string& value) {
    std::vector<std::uint8_t> bytes{tag, static_cast<std::uint8_t>(value.size())};
    bytes.insert(bytes.end(), value.begin(), value.end());
    Reader r(bytes);
    auto t = der::read_time(r);
    if (t && !r.empty()) return tls::Error{tls::ErrorCode::internal_error, "not all consumed"};
    return t;
}

std::int64_t time_of(std::uint8_t tag, const std::string& value) {
    auto t = read_time(tag, value);
    INFO(value);
    REQUIRE(t.ok());
    return *t;
}

bool refused(std::uint8_t tag, const std::string& value) {
    auto t = read_time(tag, value);
    return !t.ok() && t.error().code == tls::ErrorCode::decode_error;
}

}  // namespace

TEST_CASE("x509 time: UTCTime two-digit years, 50 is 1950 and 49 is 2049", "[x509][der][time]") {
    CHECK(time_of(utc, "700101000000Z") == 0);
    CHECK(time_of(utc, "491231235959Z") == 2524607999);   // the last UTCTime second
    CHECK(time_of(utc, "500101000000Z") == -631152000);   // the first
    CHECK(time_of(utc, "991231235959Z") == 946684799);
    CHECK(time_of(utc, "000101000000Z") == 946684800);
    CHECK(time_of(utc, "380119031408Z") == 2147483648);   // past 32-bit time_t
    CHECK(time_of(utc, "261123214542Z") == 1795470342);
    // 1950-01-01 to 2049-12-31T23:59:59: a century with 25 leap days, minus a second.
    CHECK(time_of(utc, "500101000000Z") + 100LL * 365 * 86400 + 25 * 86400 - 1 == time_of(utc, "491231235959Z"));
}

TEST_CASE("x509 time: GeneralizedTime four-digit years", "[x509][der][time]") {
    CHECK(time_of(gen, "19700101000000Z") == 0);
    CHECK(time_of(gen, "20500101000000Z") == 2524608000);  // the first year that must be GeneralizedTime
    CHECK(time_of(gen, "20491231235959Z") == 2524607999);  // tolerated, though RFC 5280 asks for UTCTime
    CHECK(time_of(gen, "99991231235959Z") == 253402300799);  // "no well-defined expiration"
    CHECK(time_of(gen, "00010101000000Z") == -62135596800);
    CHECK(time_of(gen, "19500101000000Z") == time_of(utc, "500101000000Z"));
}

TEST_CASE("x509 time: leap years and month lengths", "[x509][der][time]") {
    CHECK(time_of(gen, "20000229000000Z") == 951782400);  // divisible by 400: leap
    CHECK(refused(gen, "19000229000000Z"));                // by 100 only: not leap
    CHECK(refused(gen, "21000229000000Z"));
    CHECK(time_of(gen, "20240229120000Z") == 1709208000);
    CHECK(time_of(utc, "280229000000Z") == 1835395200);
    CHECK(refused(utc, "270229000000Z"));
    CHECK(time_of(utc, "000229000000Z") == 951782400);    // UTCTime 00 is 2000, a leap year
    CHECK(time_of(gen, "24000229000000Z") > 0);
    // March 1st follows February 28th or 29th.
    CHECK(time_of(gen, "20240301000000Z") - time_of(gen, "20240228000000Z") == 2 * 86400);
    CHECK(time_of(gen, "20230301000000Z") - time_of(gen, "20230228000000Z") == 86400);

    const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; ++m) {
        char last[32], after[32];
        std::snprintf(last, sizeof last, "2023%02d%02d235959Z", m, days[m - 1]);
        std::snprintf(after, sizeof after, "2023%02d%02d000000Z", m, days[m - 1] + 1);
        INFO(last);
        CHECK(read_time(gen, last).ok());
        CHECK(refused(gen, after));
        // Each month's last second plus one is the next month's first.
        if (m < 12) {
            char next[32];
            std::snprintf(next, sizeof next, "2023%02d01000000Z", m + 1);
            CHECK(time_of(gen, next) == time_of(gen, last) + 1);
        }
    }
    CHECK(time_of(gen, "20240101000000Z") == time_of(gen, "20231231235959Z") + 1);
}

TEST_CASE("x509 time: only the RFC 5280 profile is accepted", "[x509][der][time]") {
    for (const char* bad : {
             "261123214542",      // no Z
             "2611232145420",     // 13 characters, no Z
             "2611232145Z",       // no seconds
             "261123214542.1Z",   // fraction
             "261123214542+0000", // offset
             "261123214542-0100",
             "261123214542z",
             "26112321454 Z",
             " 61123214542Z",
             "2611232145-2Z",
             "261323214542Z",     // month 13
             "260023214542Z",     // month 0
             "261100214542Z",     // day 0
             "261132214542Z",     // day 32
             "261123244542Z",     // hour 24
             "261123216042Z",     // minute 60
             "261123214560Z",     // second 60
             "",
         }) {
        INFO("UTCTime " << bad);
        CHECK(refused(utc, bad));
    }
    for (const char* bad : {
             "20261123214542",     // no Z
             "20261123214542.5Z",  // fraction (RFC 5280 4.1.2.5.2)
             "20261123214542.Z",
             "202611232145Z",      // no seconds
             "20261123214542+0000",
             "2026112321454Z",
             "261123214542Z",      // a UTCTime value under the GeneralizedTime tag
         }) {
        INFO("GeneralizedTime " << bad);
        CHECK(refused(gen, bad));
    }
    // Only the two time tags.
    CHECK(refused(der::printable_string, "261123214542Z"));
    CHECK(refused(der::octet_string, "261123214542Z"));
    // A truncated element.
    std::vector<std::uint8_t> cut = {utc, 13, '2', '6'};
    Reader r(cut);
    CHECK_FALSE(der::read_time(r).ok());
}

TEST_CASE("x509 time: seconds_since_epoch is the proleptic Gregorian calendar", "[x509][der][time]") {
    CHECK(der::seconds_since_epoch(1970, 1, 1, 0, 0, 0) == 0);
    CHECK(der::seconds_since_epoch(1969, 12, 31, 23, 59, 59) == -1);
    CHECK(der::seconds_since_epoch(2000, 3, 1, 0, 0, 0) - der::seconds_since_epoch(2000, 2, 28, 0, 0, 0) == 2 * 86400);
    CHECK(der::seconds_since_epoch(1900, 3, 1, 0, 0, 0) - der::seconds_since_epoch(1900, 2, 28, 0, 0, 0) == 86400);
    CHECK(der::seconds_since_epoch(2049, 12, 31, 23, 59, 59) == 2524607999);
    CHECK(der::seconds_since_epoch(1, 1, 1, 0, 0, 0) == -62135596800);
    CHECK(der::seconds_since_epoch(0, 1, 1, 0, 0, 0) == -62167219200);
}
