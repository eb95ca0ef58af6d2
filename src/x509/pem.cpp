#include "x509/pem.hpp"

namespace tls::x509 {
namespace {

constexpr Error bad_pem{ErrorCode::decode_error, "malformed PEM"};

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

Result<std::vector<std::uint8_t>> decode_base64(std::string_view text) {
    std::vector<std::uint8_t> out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0, padding = 0, quantum = 0;
    for (char c : text) {
        if (is_space(c)) continue;
        if (c == '=') {
            ++padding;
            ++quantum;
            continue;
        }
        if (padding) return bad_pem;  // data after padding
        const int v = base64_value(c);
        if (v < 0) return bad_pem;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        ++quantum;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    // Whole quanta only; at most two '=', and the bits they drop must be zero.
    if (quantum % 4 != 0 || padding > 2) return bad_pem;
    if ((padding == 1 && bits != 2) || (padding == 2 && bits != 4) || (padding == 0 && bits != 0)) return bad_pem;
    if ((acc & ((1u << bits) - 1)) != 0) return bad_pem;
    return out;
}

Result<std::vector<PemBlock>> parse_pem(std::string_view text) {
    constexpr std::string_view begin_marker = "-----BEGIN ";
    constexpr std::string_view end_marker = "-----END ";
    constexpr std::string_view dashes = "-----";
    std::vector<PemBlock> blocks;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t begin = text.find(begin_marker, pos);
        if (begin == std::string_view::npos) break;
        const std::size_t label_start = begin + begin_marker.size();
        const std::size_t label_end = text.find(dashes, label_start);
        if (label_end == std::string_view::npos) return bad_pem;
        const std::string_view label = text.substr(label_start, label_end - label_start);
        if (label.find('\n') != std::string_view::npos) return bad_pem;
        const std::size_t body_start = label_end + dashes.size();
        const std::size_t end = text.find(end_marker, body_start);
        if (end == std::string_view::npos) return bad_pem;
        const std::size_t end_label_start = end + end_marker.size();
        const std::size_t end_label_end = text.find(dashes, end_label_start);
        if (end_label_end == std::string_view::npos) return bad_pem;
        if (text.substr(end_label_start, end_label_end - end_label_start) != label) return bad_pem;
        auto der = decode_base64(text.substr(body_start, end - body_start));
        if (!der) return der.error();
        blocks.push_back({std::string(label), std::move(*der)});
        pos = end_label_end + dashes.size();
    }
    return blocks;
}

}  // namespace tls::x509
