// The client's bounded session cache (tls/session.hpp).
#include <algorithm>
#include <list>
#include <mutex>

#include "handshake/client_session.hpp"

namespace tls {
namespace {

constexpr std::size_t max_tls13_tickets_per_name = 4;

}  // namespace

struct ClientSessionCache::Entries {
    struct Entry {
        std::string name;
        std::vector<std::shared_ptr<const ClientSession>> sessions;  // oldest first
    };
    mutable std::mutex mutex;
    // Most recently stored first; a few hundred entries, so a linear search is fine.
    std::list<Entry> list;

    std::list<Entry>::iterator find(std::string_view name) {
        return std::find_if(list.begin(), list.end(), [&](const Entry& e) { return e.name == name; });
    }
};

ClientSessionCache::ClientSessionCache(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity), entries_(std::make_unique<Entries>()) {}

ClientSessionCache::~ClientSessionCache() = default;

void ClientSessionCache::store(std::string_view server_name, std::shared_ptr<const ClientSession> session) {
    if (!session) return;
    std::lock_guard lock(entries_->mutex);
    auto& list = entries_->list;
    Entries::Entry entry{std::string(server_name), {}};
    if (auto it = entries_->find(server_name); it != list.end()) {
        entry.sessions = std::move(it->sessions);
        list.erase(it);
    }
    // TLS 1.3 tickets accumulate (each is used once); anything else replaces.
    const bool keep = session->version == ProtocolVersion::tls13 &&
                      std::all_of(entry.sessions.begin(), entry.sessions.end(),
                                  [](const auto& s) { return s->version == ProtocolVersion::tls13; });
    if (!keep) entry.sessions.clear();
    entry.sessions.push_back(std::move(session));
    if (entry.sessions.size() > max_tls13_tickets_per_name) entry.sessions.erase(entry.sessions.begin());
    list.push_front(std::move(entry));
    while (list.size() > capacity_) list.pop_back();
}

std::shared_ptr<const ClientSession> ClientSessionCache::find(std::string_view server_name) const {
    std::lock_guard lock(entries_->mutex);
    auto it = entries_->find(server_name);
    if (it == entries_->list.end() || it->sessions.empty()) return nullptr;
    return it->sessions.back();
}

std::shared_ptr<const ClientSession> ClientSessionCache::take(std::string_view server_name) {
    std::lock_guard lock(entries_->mutex);
    auto it = entries_->find(server_name);
    if (it == entries_->list.end() || it->sessions.empty()) return nullptr;
    auto session = std::move(it->sessions.back());
    it->sessions.pop_back();
    if (it->sessions.empty()) entries_->list.erase(it);
    return session;
}

void ClientSessionCache::remove(std::string_view server_name) {
    std::lock_guard lock(entries_->mutex);
    entries_->list.remove_if([&](const auto& entry) { return entry.name == server_name; });
}

std::size_t ClientSessionCache::size() const {
    std::lock_guard lock(entries_->mutex);
    return entries_->list.size();
}

}  // namespace tls
