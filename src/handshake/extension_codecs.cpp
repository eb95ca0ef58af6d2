#include "handshake/extension_codecs.hpp"

#include <algorithm>

namespace tls::handshake {
namespace {

Result<std::vector<std::uint16_t>> u16_list(Bytes data, std::size_t prefix, std::size_t min, std::size_t max) {
    codec::Reader r(data);
    auto list = r.sub(prefix, min, max);
    if (!list) return list.error();
    TLS_TRY(r.expect_end());
    if (list->remaining() % 2 != 0) return Error{ErrorCode::decode_error, "odd-length list of 16-bit values"};
    std::vector<std::uint16_t> out;
    out.reserve(list->remaining() / 2);
    while (!list->empty()) out.push_back(*list->u16());
    return out;
}

}  // namespace

Result<std::vector<std::uint16_t>> parse_supported_versions_list(Bytes data) { return u16_list(data, 1, 2, 254); }

Result<std::uint16_t> parse_selected_version(Bytes data) {
    codec::Reader r(data);
    auto v = r.u16();
    if (!v) return v.error();
    TLS_TRY(r.expect_end());
    return *v;
}

Result<std::vector<crypto::NamedGroup>> parse_named_group_list(Bytes data) {
    auto list = u16_list(data, 2, 2, 0xffff);
    if (!list) return list.error();
    std::vector<crypto::NamedGroup> out;
    for (auto v : *list) out.push_back(static_cast<crypto::NamedGroup>(v));
    return out;
}

Result<std::vector<crypto::SignatureScheme>> parse_signature_scheme_list(Bytes data) {
    auto list = u16_list(data, 2, 2, 0xfffe);
    if (!list) return list.error();
    std::vector<crypto::SignatureScheme> out;
    for (auto v : *list) out.push_back(static_cast<crypto::SignatureScheme>(v));
    return out;
}

namespace {
Result<KeyShareEntry> read_key_share(codec::Reader& r) {
    auto group = r.u16();
    if (!group) return group.error();
    auto key = r.vector(2, 1, 0xffff);
    if (!key) return key.error();
    return KeyShareEntry{static_cast<crypto::NamedGroup>(*group), *key};
}
}  // namespace

Result<std::vector<KeyShareEntry>> parse_client_key_shares(Bytes data) {
    codec::Reader r(data);
    auto list = r.sub(2, 0, 0xffff);
    if (!list) return list.error();
    TLS_TRY(r.expect_end());
    std::vector<KeyShareEntry> out;
    while (!list->empty()) {
        auto entry = read_key_share(*list);
        if (!entry) return entry.error();
        // RFC 8446 4.2.8: clients MUST NOT offer multiple KeyShareEntry values for the same group.
        for (const auto& e : out)
            if (e.group == entry->group) return Error{ErrorCode::illegal_parameter, "two key shares for one group"};
        out.push_back(*entry);
    }
    return out;
}

Result<KeyShareEntry> parse_server_key_share(Bytes data) {
    codec::Reader r(data);
    auto entry = read_key_share(r);
    if (!entry) return entry.error();
    TLS_TRY(r.expect_end());
    return entry;
}

Result<crypto::NamedGroup> parse_hello_retry_key_share(Bytes data) {
    auto v = parse_selected_version(data);  // the same shape: exactly one u16
    if (!v) return v.error();
    return static_cast<crypto::NamedGroup>(*v);
}

Result<std::optional<Bytes>> parse_server_name(Bytes data) {
    if (data.empty()) return std::optional<Bytes>();
    codec::Reader r(data);
    auto list = r.sub(2, 1, 0xffff);
    if (!list) return list.error();
    TLS_TRY(r.expect_end());
    std::optional<Bytes> host;
    while (!list->empty()) {
        auto type = list->u8();
        if (!type) return type.error();
        auto name = list->vector(2, 1, 0xffff);
        if (!name) return name.error();
        if (*type != 0) continue;  // unknown name types are skipped
        // RFC 6066 3: the list MUST NOT contain more than one name of the same type.
        if (host) return Error{ErrorCode::illegal_parameter, "two host names in server_name"};
        host = *name;
    }
    return host;
}

Result<std::vector<Bytes>> parse_alpn_list(Bytes data) {
    codec::Reader r(data);
    auto list = r.sub(2, 2, 0xffff);
    if (!list) return list.error();
    TLS_TRY(r.expect_end());
    std::vector<Bytes> out;
    while (!list->empty()) {
        auto name = list->vector(1, 1, 0xff);
        if (!name) return name.error();
        out.push_back(*name);
    }
    return out;
}

Result<std::string> parse_selected_alpn(Bytes data, const std::vector<std::string>& offered) {
    if (offered.empty()) return Error{ErrorCode::unsupported_extension, "ALPN selected but not offered"};
    TLS_TRY_ASSIGN(list, parse_alpn_list(data));
    if (list.size() != 1) return Error{ErrorCode::illegal_parameter, "the server selected more than one ALPN protocol"};
    std::string selected(list[0].begin(), list[0].end());
    if (std::find(offered.begin(), offered.end(), selected) == offered.end())
        return Error{ErrorCode::illegal_parameter, "the server selected an ALPN protocol not offered"};
    return selected;
}

Result<std::vector<std::uint8_t>> parse_psk_key_exchange_modes(Bytes data) {
    codec::Reader r(data);
    auto modes = r.vector(1, 1, 0xff);
    if (!modes) return modes.error();
    TLS_TRY(r.expect_end());
    return std::vector<std::uint8_t>(modes->begin(), modes->end());
}

Result<OfferedPsks> parse_offered_psks(Bytes data, std::size_t max_identities) {
    codec::Reader r(data);
    OfferedPsks out;
    TLS_TRY_ASSIGN(identities, r.sub(2, 7, 0xffff));
    while (!identities.empty()) {
        if (out.identities.size() == max_identities) return Error{ErrorCode::decode_error, "too many PSK identities"};
        PskIdentity id;
        TLS_TRY_SET(id.identity, identities.vector(2, 1, 0xffff));
        TLS_TRY_SET(id.obfuscated_ticket_age, identities.u32());
        out.identities.push_back(id);
    }
    out.binders_size = r.remaining();
    TLS_TRY_ASSIGN(binders, r.sub(2, 33, 0xffff));
    TLS_TRY(r.expect_end());
    while (!binders.empty()) {
        if (out.binders.size() == out.identities.size())
            return Error{ErrorCode::illegal_parameter, "more PSK binders than identities"};
        TLS_TRY_ASSIGN(binder, binders.vector(1, 32, 255));
        out.binders.push_back(binder);
    }
    if (out.binders.size() != out.identities.size())
        return Error{ErrorCode::illegal_parameter, "fewer PSK binders than identities"};
    return out;
}

void write_offered_psks(codec::Writer& w, const std::vector<PskIdentity>& identities,
                        const std::vector<Bytes>& binders) noexcept {
    auto ids = w.open_vector(2);
    for (const auto& id : identities) {
        auto v = w.open_vector(2);
        w.bytes(id.identity);
        w.close_vector(v);
        w.u32(id.obfuscated_ticket_age);
    }
    w.close_vector(ids);
    auto list = w.open_vector(2);
    for (auto binder : binders) {
        auto v = w.open_vector(1);
        w.bytes(binder);
        w.close_vector(v);
    }
    w.close_vector(list);
}

Result<std::uint16_t> parse_selected_identity(Bytes data) { return parse_selected_version(data); }

Result<Bytes> parse_cookie(Bytes data) {
    codec::Reader r(data);
    auto cookie = r.vector(2, 1, 0xffff);
    if (!cookie) return cookie.error();
    TLS_TRY(r.expect_end());
    return *cookie;
}

Result<std::uint16_t> parse_record_size_limit(Bytes data) {
    auto v = parse_selected_version(data);
    if (!v) return v.error();
    // RFC 8449 4: a value below 64 is illegal_parameter.
    if (*v < 64) return Error{ErrorCode::illegal_parameter, "record_size_limit below 64"};
    return *v;
}

void write_u16_list(codec::Writer& w, std::size_t prefix_size, const std::vector<std::uint16_t>& values) noexcept {
    auto list = w.open_vector(prefix_size);
    for (auto v : values) w.u16(v);
    w.close_vector(list);
}

void write_client_key_shares(codec::Writer& w, const std::vector<KeyShareEntry>& shares) noexcept {
    auto list = w.open_vector(2);
    for (const auto& s : shares) {
        w.u16(static_cast<std::uint16_t>(s.group));
        auto key = w.open_vector(2);
        w.bytes(s.key_exchange);
        w.close_vector(key);
    }
    w.close_vector(list);
}

void write_alpn_list(codec::Writer& w, const std::vector<Bytes>& protocols) noexcept {
    auto list = w.open_vector(2);
    for (const auto& p : protocols) {
        auto name = w.open_vector(1);
        w.bytes(p);
        w.close_vector(name);
    }
    w.close_vector(list);
}

void write_server_name(codec::Writer& w, Bytes host_name) noexcept {
    auto list = w.open_vector(2);
    w.u8(0);  // host_name
    auto name = w.open_vector(2);
    w.bytes(host_name);
    w.close_vector(name);
    w.close_vector(list);
}

Result<std::vector<Bytes>> parse_certificate_authorities(Bytes data, std::size_t max_names) {
    codec::Reader r(data);
    TLS_TRY_ASSIGN(list, r.sub(2, 3, 0xffff));
    TLS_TRY(r.expect_end());
    std::vector<Bytes> names;
    while (!list.empty()) {
        if (names.size() == max_names) return Error{ErrorCode::decode_error, "too many certificate authorities"};
        TLS_TRY_ASSIGN(name, list.vector(2, 1, 0xffff));
        names.push_back(name);
    }
    return names;
}

void write_certificate_authorities(codec::Writer& w, const std::vector<Bytes>& names) noexcept {
    auto list = w.open_vector(2);
    for (auto name : names) {
        auto n = w.open_vector(2);
        w.bytes(name);
        w.close_vector(n);
    }
    w.close_vector(list);
}

Result<Bytes> parse_renegotiation_info(Bytes data) {
    codec::Reader r(data);
    TLS_TRY_ASSIGN(renegotiated_connection, r.vector(1, 0, 255));
    TLS_TRY(r.expect_end());
    return renegotiated_connection;
}

void write_renegotiation_info(codec::Writer& w, Bytes renegotiated_connection) noexcept {
    auto v = w.open_vector(1);
    w.bytes(renegotiated_connection);
    w.close_vector(v);
}

Result<Bytes> parse_ec_point_formats(Bytes data) {
    codec::Reader r(data);
    TLS_TRY_ASSIGN(formats, r.vector(1, 1, 255));
    TLS_TRY(r.expect_end());
    for (auto f : formats)
        if (f == ec_point_format_uncompressed) return formats;
    return Error{ErrorCode::illegal_parameter, "ec_point_formats without the uncompressed format"};
}

void write_ec_point_formats(codec::Writer& w, Bytes formats) noexcept {
    auto v = w.open_vector(1);
    w.bytes(formats);
    w.close_vector(v);
}

}  // namespace tls::handshake
