// PBKDF2-HMAC (RFC 8018 5.2).
#include "tls/crypto/pbkdf2.hpp"

#include <cstring>

namespace tls::crypto {

Result<void> pbkdf2_hmac(const HashDescriptor& hash, Bytes password, Bytes salt, std::uint32_t iterations,
                         MutableBytes out) noexcept {
    const std::size_t h_len = hash.output_size;
    if (iterations == 0) return Error{ErrorCode::invalid_argument, "PBKDF2 needs at least one iteration"};
    // RFC 8018 5.2 step 1: "If dkLen > (2^32 - 1) * hLen, output 'derived key too long' and stop."
    if ((out.size() + h_len - 1) / h_len > 0xffffffffu)
        return Error{ErrorCode::invalid_argument, "PBKDF2 derived key too long"};

    Hmac prf(hash, password);  // keyed once; every U_i reuses the keyed state
    std::uint8_t u[64], t[64];
    std::size_t done = 0;
    for (std::uint32_t block = 1; done < out.size(); ++block) {
        // U_1 = PRF(P, S || INT(i)); U_c = PRF(P, U_{c-1}); T_i = U_1 ^ ... ^ U_c.
        const std::uint8_t index[4] = {static_cast<std::uint8_t>(block >> 24), static_cast<std::uint8_t>(block >> 16),
                                       static_cast<std::uint8_t>(block >> 8), static_cast<std::uint8_t>(block)};
        prf.update(salt);
        prf.update(index);
        prf.finish(u);
        std::memcpy(t, u, h_len);
        for (std::uint32_t c = 1; c < iterations; ++c) {
            prf.update({u, h_len});
            prf.finish(u);
            for (std::size_t k = 0; k < h_len; ++k) t[k] ^= u[k];
        }
        const std::size_t take = out.size() - done < h_len ? out.size() - done : h_len;
        std::memcpy(out.data() + done, t, take);
        done += take;
    }
    secure_wipe(u, sizeof u);
    secure_wipe(t, sizeof t);
    return success();
}

}  // namespace tls::crypto
