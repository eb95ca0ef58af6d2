// The client's bounded session cache (tls/session.hpp).
#include <list>
#include <mutex>

#include "handshake/client_session.hpp"

namespace tls {

struct ClientSessionCache::Entries {
    mutable std::mutex mutex;
    // Newest first; a handful of hundred entries, so a linear search is fine.
    std::list<std::pair<std::string, std::shared_ptr<const ClientSession>>> list;
};

ClientSessionCache::ClientSessionCache(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity), entries_(std::make_unique<Entries>()) {}

ClientSessionCache::~ClientSessionCache() = default;

void ClientSessionCache::store(std::string_view server_name, std::shared_ptr<const ClientSession> session) {
    if (!session) return;
    std::lock_guard lock(entries_->mutex);
    auto& list = entries_->list;
    for (auto it = list.begin(); it != list.end(); ++it)
        if (it->first == server_name) {
            list.erase(it);
            break;
        }
    list.emplace_front(std::string(server_name), std::move(session));
    while (list.size() > capacity_) list.pop_back();
}

std::shared_ptr<const ClientSession> ClientSessionCache::find(std::string_view server_name) const {
    std::lock_guard lock(entries_->mutex);
    for (const auto& [name, session] : entries_->list)
        if (name == server_name) return session;
    return nullptr;
}

void ClientSessionCache::remove(std::string_view server_name) {
    std::lock_guard lock(entries_->mutex);
    entries_->list.remove_if([&](const auto& entry) { return entry.first == server_name; });
}

std::size_t ClientSessionCache::size() const {
    std::lock_guard lock(entries_->mutex);
    return entries_->list.size();
}

}  // namespace tls
