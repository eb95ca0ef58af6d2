#include "handshake/strike_register.hpp"

#include <algorithm>
#include <cstring>

namespace tls::handshake {

std::size_t StrikeRegister::KeyHash::operator()(const Key& k) const noexcept {
    // The key is a binder prefix: already uniformly distributed.
    std::size_t h;
    std::memcpy(&h, k.data(), sizeof h);
    return h;
}

void StrikeRegister::expire(std::int64_t now) {
    while (!order_.empty() && (now - order_.front().first >= std::int64_t{window_} || now < order_.front().first)) {
        seen_.erase(order_.front().second);
        order_.pop_front();
    }
}

bool StrikeRegister::insert(crypto::Bytes id, std::int64_t now) {
    Key key{};
    std::memcpy(key.data(), id.data(), std::min(id.size(), key.size()));
    std::lock_guard lock(mutex_);
    expire(now);
    if (seen_.count(key) != 0) return false;
    if (seen_.size() >= capacity_) return false;
    seen_.insert(key);
    order_.emplace_back(now, key);
    return true;
}

std::size_t StrikeRegister::size() const {
    std::lock_guard lock(mutex_);
    return seen_.size();
}

}  // namespace tls::handshake
