// Session resumption state. A client remembers sessions (TLS 1.2 tickets,
// RFC 5077) in a ClientSessionCache keyed by server name; a server seals its
// sessions into tickets it alone can open (ServerSettings::session_tickets), so
// it keeps no per-client state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tls/crypto/secret.hpp"
#include "tls/result.hpp"

namespace tls {

// One resumable session: opaque to the application; its secrets are wiped when
// the last reference goes.
class ClientSession;

// A bounded, thread-safe map from server name to its sessions: the newest
// TLS 1.2 session (reused until replaced), or up to four TLS 1.3 tickets (each
// used once, RFC 8446 C.4). When full, the server name stored least recently
// goes. One cache may serve many client configurations.
//
// To keep sessions across restarts, derive from it (the connections call these
// virtual functions) and write what store() receives with encode_client_session().
class ClientSessionCache {
public:
    explicit ClientSessionCache(std::size_t capacity = 256);
    virtual ~ClientSessionCache();
    ClientSessionCache(const ClientSessionCache&) = delete;
    ClientSessionCache& operator=(const ClientSessionCache&) = delete;

    virtual void store(std::string_view server_name, std::shared_ptr<const ClientSession> session);
    // The newest session, left in the cache.
    virtual std::shared_ptr<const ClientSession> find(std::string_view server_name) const;
    // The newest session, removed from the cache (single-use TLS 1.3 tickets).
    virtual std::shared_ptr<const ClientSession> take(std::string_view server_name);
    virtual void remove(std::string_view server_name);
    std::size_t size() const;
    std::size_t capacity() const noexcept { return capacity_; }

private:
    struct Entries;
    std::size_t capacity_;
    std::unique_ptr<Entries> entries_;
};

// A session as bytes, and back: for clients that persist sessions. The bytes
// hold the session's secret (a resumption PSK or master secret): protect them
// as you would a private key. decode_client_session() checks every field and
// parses the stored certificates again.
std::vector<std::uint8_t> encode_client_session(const ClientSession& session);
Result<std::shared_ptr<const ClientSession>> decode_client_session(crypto::Bytes encoded);

// How a server turns its session state into a ticket and back (both TLS 1.3
// and TLS 1.2 tickets). The default seals the state under AES-256-GCM keys that
// rotate (ServerSettings::ticket_lifetime), so the server keeps nothing per
// client. Supply your own (ServerSettings::ticket_protector) to share keys
// between the servers of a fleet, or to keep sessions server-side: then the
// ticket is only a handle, and open() can forget it so each ticket resumes once.
// Called from many connections at once: implementations must be thread-safe.
class TicketProtector {
public:
    virtual ~TicketProtector() = default;
    // The ticket for `state` (secret: wipe any copy you keep).
    virtual Result<std::vector<std::uint8_t>> seal(crypto::Bytes state, std::int64_t now) = 0;
    // The state, or nothing when the ticket is not one of yours, expired or
    // tampered with (never an error: it means a full handshake).
    virtual std::optional<crypto::SecretBuffer> open(crypto::Bytes ticket, std::int64_t now) = 0;
};

}  // namespace tls
