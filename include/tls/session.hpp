// Session resumption state. A client remembers sessions (TLS 1.2 tickets,
// RFC 5077) in a ClientSessionCache keyed by server name; a server seals its
// sessions into tickets it alone can open (ServerSettings::session_tickets), so
// it keeps no per-client state.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tls {

// One resumable session: opaque to the application; its secrets are wiped when
// the last reference goes.
class ClientSession;

// A bounded, thread-safe map from server name to its sessions: the newest
// TLS 1.2 session (reused until replaced), or up to four TLS 1.3 tickets (each
// used once, RFC 8446 C.4). When full, the server name stored least recently
// goes. One cache may serve many client configurations.
class ClientSessionCache {
public:
    explicit ClientSessionCache(std::size_t capacity = 256);
    ~ClientSessionCache();
    ClientSessionCache(const ClientSessionCache&) = delete;
    ClientSessionCache& operator=(const ClientSessionCache&) = delete;

    void store(std::string_view server_name, std::shared_ptr<const ClientSession> session);
    // The newest session, left in the cache.
    std::shared_ptr<const ClientSession> find(std::string_view server_name) const;
    // The newest session, removed from the cache (single-use TLS 1.3 tickets).
    std::shared_ptr<const ClientSession> take(std::string_view server_name);
    void remove(std::string_view server_name);
    std::size_t size() const;
    std::size_t capacity() const noexcept { return capacity_; }

private:
    struct Entries;
    std::size_t capacity_;
    std::unique_ptr<Entries> entries_;
};

}  // namespace tls
