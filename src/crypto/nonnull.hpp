// C crypto APIs declare their buffer arguments nonnull even when the length is
// zero, while an empty std::span may hold nullptr. These give such APIs a valid
// pointer for empty spans (never dereferenced: the length is zero).
#pragma once

#include "tls/crypto/secret.hpp"

namespace tls::crypto {

inline const std::uint8_t* nonnull(Bytes b) noexcept {
    static const std::uint8_t empty = 0;
    return b.empty() ? &empty : b.data();
}

inline std::uint8_t* nonnull(MutableBytes b) noexcept {
    thread_local std::uint8_t empty = 0;
    return b.empty() ? &empty : b.data();
}

}  // namespace tls::crypto
