#include "x509/pkcs12_kdf.hpp"

#include <cstring>
#include <vector>

namespace tls::x509 {
namespace {

constexpr std::size_t max_block = 128;  // v, the hash block size (64 or 128)
constexpr std::size_t max_output = 64;  // u, the hash output size

// Writes `source` repeated to fill out (RFC 7292 B.2 steps 2 and 3).
void repeat_into(crypto::Bytes source, crypto::MutableBytes out) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = source[i % source.size()];
}

}  // namespace

Result<void> pkcs12_kdf(const crypto::HashDescriptor& hash, crypto::Bytes bmp_password, crypto::Bytes salt,
                        std::uint32_t iterations, Pkcs12Purpose purpose, crypto::MutableBytes out) {
    const std::size_t u = hash.output_size, v = hash.block_size;
    if (iterations == 0) return Error{ErrorCode::invalid_argument, "PKCS#12 KDF needs at least one iteration"};
    if (u > max_output || v > max_block || u == 0 || v == 0)
        return Error{ErrorCode::invalid_argument, "hash unusable with the PKCS#12 KDF"};

    // Step 1: D, v copies of the ID byte.
    std::uint8_t d[max_block];
    std::memset(d, static_cast<int>(purpose), v);
    // Steps 2-4: I = S || P, each repeated to a multiple of v bytes (empty stays empty).
    const std::size_t s_len = v * ((salt.size() + v - 1) / v);
    const std::size_t p_len = v * ((bmp_password.size() + v - 1) / v);
    crypto::SecretBuffer i_buffer(s_len + p_len);
    crypto::MutableBytes i = i_buffer.mutable_bytes();
    if (s_len) repeat_into(salt, i.first(s_len));
    if (p_len) repeat_into(bmp_password, i.subspan(s_len));

    std::uint8_t a[max_output], b[max_block];
    std::size_t done = 0;
    for (;;) {
        // Step 6a: A_i = H^r(D || I).
        crypto::Hash h(hash);
        h.update({d, v});
        h.update(i);
        h.finish(a);
        for (std::uint32_t r = 1; r < iterations; ++r) crypto::Hash::digest(hash, {a, u}, a);
        const std::size_t take = out.size() - done < u ? out.size() - done : u;
        std::memcpy(out.data() + done, a, take);
        done += take;
        if (done == out.size()) break;
        // Steps 6b-6c: B = A_i repeated to v bytes; each v-byte block I_j = (I_j + B + 1) mod 2^(8v).
        repeat_into({a, u}, {b, v});
        for (std::size_t j = 0; j < i.size(); j += v) {
            unsigned carry = 1;
            for (std::size_t k = v; k-- > 0;) {
                carry += static_cast<unsigned>(i[j + k]) + b[k];
                i[j + k] = static_cast<std::uint8_t>(carry);
                carry >>= 8;
            }
        }
    }
    crypto::secure_wipe(a, sizeof a);
    crypto::secure_wipe(b, sizeof b);
    return success();
}

Result<crypto::SecretBuffer> pkcs12_bmp_password(std::string_view utf8) {
    constexpr Error bad_utf8{ErrorCode::invalid_argument, "password is not valid UTF-8"};
    std::vector<std::uint16_t> units;
    units.reserve(utf8.size() + 1);
    for (std::size_t pos = 0; pos < utf8.size();) {
        const auto lead = static_cast<std::uint8_t>(utf8[pos]);
        std::uint32_t cp;
        std::size_t extra;
        if (lead < 0x80) cp = lead, extra = 0;
        else if ((lead & 0xe0) == 0xc0) cp = lead & 0x1fu, extra = 1;
        else if ((lead & 0xf0) == 0xe0) cp = lead & 0x0fu, extra = 2;
        else if ((lead & 0xf8) == 0xf0) cp = lead & 0x07u, extra = 3;
        else return bad_utf8;
        if (utf8.size() - pos <= extra) return bad_utf8;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cont = static_cast<std::uint8_t>(utf8[pos + k]);
            if ((cont & 0xc0) != 0x80) return bad_utf8;
            cp = (cp << 6) | (cont & 0x3fu);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 (RFC 3629 3).
        static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min_for_length[extra] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return bad_utf8;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            units.push_back(static_cast<std::uint16_t>(0xd800 | (cp >> 10)));
            units.push_back(static_cast<std::uint16_t>(0xdc00 | (cp & 0x3ff)));
        } else {
            units.push_back(static_cast<std::uint16_t>(cp));
        }
        pos += extra + 1;
    }
    units.push_back(0);  // the terminator
    crypto::SecretBuffer out(units.size() * 2);
    for (std::size_t k = 0; k < units.size(); ++k) {
        out.mutable_bytes()[2 * k] = static_cast<std::uint8_t>(units[k] >> 8);
        out.mutable_bytes()[2 * k + 1] = static_cast<std::uint8_t>(units[k]);
    }
    crypto::secure_wipe(units.data(), units.size() * sizeof(std::uint16_t));
    return out;
}

}  // namespace tls::x509
