#include "tls/crypto/rng.hpp"

#include <sys/random.h>

#include <cerrno>

namespace tls::crypto {
namespace {

class SystemRng final : public Rng {
public:
    Result<void> fill(MutableBytes out) noexcept override {
        std::size_t done = 0;
        while (done < out.size()) {
            ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
            if (n < 0) {
                if (errno == EINTR) continue;
                return Error{ErrorCode::rng_failure, "getrandom() failed"};
            }
            done += static_cast<std::size_t>(n);
        }
        return success();
    }
};

}  // namespace

Rng& system_rng() noexcept {
    static SystemRng rng;  // stateless
    return rng;
}

}  // namespace tls::crypto
