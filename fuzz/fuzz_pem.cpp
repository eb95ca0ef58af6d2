// Arbitrary text into parse_pem and decode_base64, with the target's own RFC 4648
// encoder as the reference:
// - decode_base64(encode(x)) == x for the input bytes x (any binary);
// - decode_base64 is strict: when it accepts the input, the input with its
//   whitespace removed is exactly encode(result) (canonical padding and zero
//   pad bits), so no two texts without whitespace decode to the same bytes;
// - parse_pem: every block re-encoded ("-----BEGIN L-----", base64 in 64-column
//   lines, "-----END L-----") parses back to the same label and bytes, and all
//   blocks concatenated give the same list; the text with a BEGIN line and no
//   END appended is refused;
// - TrustStore::add_pem on the text never crashes.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.hpp"
#include "x509/pem.hpp"
#include "x509/verify.hpp"

namespace {

using namespace tls;
using namespace tls::x509;

std::string encode(const std::uint8_t* data, std::size_t size) {
    static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    for (std::size_t i = 0; i < size; i += 3) {
        const std::uint32_t b0 = data[i];
        const std::uint32_t b1 = i + 1 < size ? data[i + 1] : 0;
        const std::uint32_t b2 = i + 2 < size ? data[i + 2] : 0;
        const std::uint32_t v = b0 << 16 | b1 << 8 | b2;
        out += table[v >> 18 & 63];
        out += table[v >> 12 & 63];
        out += i + 1 < size ? table[v >> 6 & 63] : '=';
        out += i + 2 < size ? table[v & 63] : '=';
    }
    return out;
}

std::string encode(const std::vector<std::uint8_t>& v) { return encode(v.data(), v.size()); }

std::string pem_block(const PemBlock& b) {
    const std::string body = encode(b.der);
    std::string out = "-----BEGIN " + b.label + "-----\n";
    for (std::size_t i = 0; i < body.size(); i += 64) out += body.substr(i, 64) + "\n";
    return out + "-----END " + b.label + "-----\n";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool same_blocks(const std::vector<PemBlock>& a, const std::vector<PemBlock>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].label != b[i].label || a[i].der != b[i].der) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // Round trip of arbitrary bytes through the reference encoder.
    const std::string encoded = encode(data, size);
    auto decoded = decode_base64(encoded);
    CORDON_FUZZ_CHECK(decoded.ok());
    CORDON_FUZZ_CHECK(decoded->size() == size && std::equal(decoded->begin(), decoded->end(), data));

    // Strictness: what decode_base64 accepts is canonical base64 plus whitespace.
    if (auto d = decode_base64(text); d.ok()) {
        std::string stripped;
        for (char c : text)
            if (!is_space(c)) stripped += c;
        CORDON_FUZZ_CHECK(stripped == encode(*d));
    } else {
        CORDON_FUZZ_CHECK(d.error().code == ErrorCode::decode_error);
    }

    auto blocks = parse_pem(text);
    if (blocks.ok()) {
        std::string all;
        for (const auto& b : *blocks) {
            // Labels never span lines or contain the dashes that end them.
            CORDON_FUZZ_CHECK(b.label.find('\n') == std::string::npos);
            CORDON_FUZZ_CHECK(b.label.find("-----") == std::string::npos);
            const std::string one = pem_block(b);
            auto again = parse_pem(one);
            CORDON_FUZZ_CHECK(again.ok() && again->size() == 1);
            CORDON_FUZZ_CHECK((*again)[0].label == b.label && (*again)[0].der == b.der);
            all += one;
        }
        auto whole = parse_pem(all);
        CORDON_FUZZ_CHECK(whole.ok() && same_blocks(*whole, *blocks));
        // A BEGIN with no END after everything is refused.
        CORDON_FUZZ_CHECK(!parse_pem(std::string(text) + "\n-----BEGIN X-----\nAAAA\n").ok());
    } else {
        CORDON_FUZZ_CHECK(blocks.error().code == ErrorCode::decode_error);
    }

    TrustStore store;
    auto added = store.add_pem(text);
    if (added.ok()) CORDON_FUZZ_CHECK(store.anchors().size() <= *added);
    return 0;
}
