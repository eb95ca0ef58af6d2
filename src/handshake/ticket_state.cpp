#include "handshake/ticket_state.hpp"

#include "codec/reader.hpp"
#include "handshake/messages.hpp"

namespace tls::handshake {
namespace {

Bytes as_bytes(const std::string& s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

void put(codec::Writer& w, std::size_t prefix, Bytes field) {
    auto v = w.open_vector(prefix);
    w.bytes(field);
    w.close_vector(v);
}

// The encoding into a wiped buffer: the state holds a secret.
Result<crypto::SecretBuffer> to_secret_buffer(std::vector<std::uint8_t> bytes) {
    crypto::SecretBuffer out{Bytes(bytes)};
    crypto::secure_wipe(bytes.data(), bytes.size());
    return out;
}

}  // namespace

Result<crypto::SecretBuffer> encode_ticket_state(const Tls12TicketState& t) {
    TLS_TRY_ASSIGN(bytes, write_to_vector(128, [&](codec::Writer& w) {
        w.u16(static_cast<std::uint16_t>(ProtocolVersion::tls12));
        w.u16(static_cast<std::uint16_t>(t.suite));
        w.u8(t.extended_master_secret ? 1 : 0);
        w.u64(static_cast<std::uint64_t>(t.created));
        put(w, 1, t.master_secret.bytes());
        put(w, 1, as_bytes(t.alpn));
        put(w, 1, as_bytes(t.server_name));
    }));
    return to_secret_buffer(std::move(bytes));
}

std::optional<Tls12TicketState> decode_tls12_ticket_state(Bytes data) {
    codec::Reader r(data);
    auto version = r.u16();
    auto suite = r.u16();
    auto ems = r.u8();
    auto created = r.u64();
    auto master = r.vector(1, 48, 48);
    auto alpn = r.vector(1, 0, 255);
    auto name = r.vector(1, 0, 255);
    if (!version || !suite || !ems || !created || !master || !alpn || !name || !r.empty()) return std::nullopt;
    if (*version != static_cast<std::uint16_t>(ProtocolVersion::tls12) || *ems > 1) return std::nullopt;
    Tls12TicketState t;
    t.suite = static_cast<CipherSuite>(*suite);
    t.extended_master_secret = *ems == 1;
    t.created = static_cast<std::int64_t>(*created);
    t.master_secret.assign(*master);
    t.alpn.assign(alpn->begin(), alpn->end());
    t.server_name.assign(name->begin(), name->end());
    return t;
}

Result<crypto::SecretBuffer> encode_ticket_state(const Tls13TicketState& t) {
    std::size_t size = 128;
    for (const auto& cert : t.client_chain) size += cert.size() + 3;
    TLS_TRY_ASSIGN(bytes, write_to_vector(size, [&](codec::Writer& w) {
        w.u16(static_cast<std::uint16_t>(ProtocolVersion::tls13));
        w.u16(static_cast<std::uint16_t>(t.suite));
        w.u64(static_cast<std::uint64_t>(t.created));
        w.u32(t.lifetime);
        w.u32(t.age_add);
        w.u32(t.max_early_data);
        put(w, 1, t.psk.bytes());
        put(w, 1, as_bytes(t.alpn));
        put(w, 1, as_bytes(t.server_name));
        auto chain = w.open_vector(3);
        for (const auto& cert : t.client_chain) put(w, 3, cert);
        w.close_vector(chain);
    }));
    return to_secret_buffer(std::move(bytes));
}

std::optional<Tls13TicketState> decode_tls13_ticket_state(Bytes data) {
    codec::Reader r(data);
    auto version = r.u16();
    auto suite = r.u16();
    auto created = r.u64();
    auto lifetime = r.u32();
    auto age_add = r.u32();
    auto max_early_data = r.u32();
    auto psk = r.vector(1, 32, 48);
    auto alpn = r.vector(1, 0, 255);
    auto name = r.vector(1, 0, 255);
    auto chain = r.sub(3, 0, 0xffffff);
    if (!version || !suite || !created || !lifetime || !age_add || !max_early_data || !psk || !alpn || !name || !chain ||
        !r.empty())
        return std::nullopt;
    if (*version != static_cast<std::uint16_t>(ProtocolVersion::tls13)) return std::nullopt;
    Tls13TicketState t;
    t.suite = static_cast<CipherSuite>(*suite);
    t.created = static_cast<std::int64_t>(*created);
    t.lifetime = *lifetime;
    t.age_add = *age_add;
    t.max_early_data = *max_early_data;
    t.psk.assign(*psk);
    t.alpn.assign(alpn->begin(), alpn->end());
    t.server_name.assign(name->begin(), name->end());
    while (!chain->empty()) {
        auto cert = chain->vector(3, 1, 0xffffff);
        if (!cert || t.client_chain.size() == 16) return std::nullopt;
        t.client_chain.emplace_back(cert->begin(), cert->end());
    }
    return t;
}

}  // namespace tls::handshake
