// The client's bounded session cache, and sessions as bytes (tls/session.hpp).
#include <algorithm>
#include <list>
#include <mutex>

#include "codec/reader.hpp"
#include "handshake/client_session.hpp"
#include "handshake/messages.hpp"

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

// --- Persistence ---------------------------------------------------------------------

namespace tls {
namespace {

constexpr std::uint8_t session_format = 1;

}  // namespace

// format u8 | version u16 | suite u16 | ems u8 | secret<1> | ticket<2> |
// received_at u64 | lifetime u32 | age_add u32 | max_early_data u32 |
// alpn<1> | chain<3> of certificate<3>
std::vector<std::uint8_t> encode_client_session(const ClientSession& s) {
    std::size_t size = 64 + s.ticket.size() + s.alpn.size();
    for (const auto& cert : s.peer_chain) size += cert.der().size() + 3;
    auto out = handshake::write_to_vector(size, [&](codec::Writer& w) {
        w.u8(session_format);
        w.u16(static_cast<std::uint16_t>(s.version));
        w.u16(static_cast<std::uint16_t>(s.suite));
        w.u8(s.extended_master_secret ? 1 : 0);
        auto secret = w.open_vector(1);
        w.bytes(s.secret.bytes());
        w.close_vector(secret);
        auto ticket = w.open_vector(2);
        w.bytes(s.ticket);
        w.close_vector(ticket);
        w.u64(static_cast<std::uint64_t>(s.received_at));
        w.u32(s.lifetime);
        w.u32(s.age_add);
        w.u32(s.max_early_data);
        auto alpn = w.open_vector(1);
        w.bytes(crypto::Bytes(reinterpret_cast<const std::uint8_t*>(s.alpn.data()), s.alpn.size()));
        w.close_vector(alpn);
        auto chain = w.open_vector(3);
        for (const auto& cert : s.peer_chain) {
            auto c = w.open_vector(3);
            w.bytes(cert.der());
            w.close_vector(c);
        }
        w.close_vector(chain);
    });
    return out ? std::move(*out) : std::vector<std::uint8_t>();
}

Result<std::shared_ptr<const ClientSession>> decode_client_session(crypto::Bytes encoded) {
    codec::Reader r(encoded);
    auto s = std::make_shared<ClientSession>();
    TLS_TRY_ASSIGN(format, r.u8());
    if (format != session_format) return Error{ErrorCode::decode_error, "unknown session format"};
    TLS_TRY_ASSIGN(version, r.u16());
    if (version != static_cast<std::uint16_t>(ProtocolVersion::tls12) &&
        version != static_cast<std::uint16_t>(ProtocolVersion::tls13))
        return Error{ErrorCode::decode_error, "session of an unknown version"};
    s->version = static_cast<ProtocolVersion>(version);
    TLS_TRY_ASSIGN(suite, r.u16());
    s->suite = static_cast<CipherSuite>(suite);
    TLS_TRY_ASSIGN(ems, r.u8());
    if (ems > 1) return Error{ErrorCode::decode_error, "bad extended_master_secret flag"};
    s->extended_master_secret = ems == 1;
    TLS_TRY_ASSIGN(secret, r.vector(1, 32, 48));
    s->secret.assign(secret);
    TLS_TRY_ASSIGN(ticket, r.vector(2, 1, 0xffff));
    s->ticket.assign(ticket.begin(), ticket.end());
    TLS_TRY_ASSIGN(received_at, r.u64());
    s->received_at = static_cast<std::int64_t>(received_at);
    TLS_TRY_SET(s->lifetime, r.u32());
    TLS_TRY_SET(s->age_add, r.u32());
    TLS_TRY_SET(s->max_early_data, r.u32());
    TLS_TRY_ASSIGN(alpn, r.vector(1, 0, 255));
    s->alpn.assign(alpn.begin(), alpn.end());
    TLS_TRY_ASSIGN(chain, r.sub(3, 0, 0xffffff));
    TLS_TRY(r.expect_end());
    while (!chain.empty()) {
        if (s->peer_chain.size() == 16) return Error{ErrorCode::decode_error, "too many certificates in a session"};
        TLS_TRY_ASSIGN(der, chain.vector(3, 1, 0xffffff));
        TLS_TRY_ASSIGN(cert, Certificate::from_der(der));
        s->peer_chain.push_back(std::move(cert));
    }
    return std::shared_ptr<const ClientSession>(std::move(s));
}

}  // namespace tls
