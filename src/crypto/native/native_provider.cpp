// The native provider's table: cordon's own AES-GCM, nothing else.
#include "crypto/native/native_backend.hpp"

namespace tls::crypto {

const CryptoProvider& native_provider() noexcept {
    static const AeadDescriptor* const aeads[] = {&native::aes128_gcm, &native::aes256_gcm};
    static const CryptoProvider provider = [] {
        CryptoProvider p{};
        p.name = "native";
        if (native::aes_gcm_available()) p.aeads = aeads;  // empty on CPUs without AES-NI/PCLMUL
        p.rng = &system_rng();
        return p;
    }();
    return provider;
}

}  // namespace tls::crypto
