#include "handshake/extensions.hpp"

namespace tls::handshake {
namespace {

constexpr std::uint16_t bit(MessageKind k) { return static_cast<std::uint16_t>(1u << static_cast<unsigned>(k)); }
constexpr std::uint16_t CH = bit(MessageKind::client_hello), SH = bit(MessageKind::server_hello),
                        HRR = bit(MessageKind::hello_retry_request), EE = bit(MessageKind::encrypted_extensions),
                        CT = bit(MessageKind::certificate_entry), CR = bit(MessageKind::certificate_request),
                        NST = bit(MessageKind::new_session_ticket), SH12 = bit(MessageKind::server_hello_tls12);

struct Rule {
    ExtensionType type;
    std::uint16_t allowed;
};

// RFC 8446 4.2's table, plus RFC 8449 (record_size_limit) and the TLS 1.2
// extensions a ServerHello for TLS 1.2 may carry (RFC 6066, 7301, 7627, 5077, 5746, 8422).
constexpr Rule rules[] = {
    {ExtensionType::server_name, CH | EE | SH12},
    {ExtensionType::max_fragment_length, CH | EE | SH12},
    {ExtensionType::status_request, CH | CR | CT | SH12},
    {ExtensionType::supported_groups, CH | EE},
    {ExtensionType::ec_point_formats, CH | SH12},
    {ExtensionType::signature_algorithms, CH | CR},
    {ExtensionType::use_srtp, CH | EE | SH12},
    {ExtensionType::heartbeat, CH | EE | SH12},
    {ExtensionType::application_layer_protocol_negotiation, CH | EE | SH12},
    {ExtensionType::signed_certificate_timestamp, CH | CR | CT | SH12},
    {ExtensionType::client_certificate_type, CH | EE | SH12},
    {ExtensionType::server_certificate_type, CH | EE | SH12},
    {ExtensionType::padding, CH},
    {ExtensionType::extended_master_secret, CH | SH12},
    {ExtensionType::record_size_limit, CH | EE | SH12},
    {ExtensionType::session_ticket, CH | SH12},
    {ExtensionType::pre_shared_key, CH | SH},
    {ExtensionType::early_data, CH | EE | NST},
    {ExtensionType::supported_versions, CH | SH | HRR},
    {ExtensionType::cookie, CH | HRR},
    {ExtensionType::psk_key_exchange_modes, CH},
    {ExtensionType::certificate_authorities, CH | CR},
    {ExtensionType::oid_filters, CR},
    {ExtensionType::post_handshake_auth, CH},
    {ExtensionType::signature_algorithms_cert, CH | CR},
    {ExtensionType::key_share, CH | SH | HRR},
    {ExtensionType::renegotiation_info, CH | SH12},
};

const Rule* rule_for(ExtensionType type) {
    for (const auto& r : rules)
        if (r.type == type) return &r;
    return nullptr;
}

bool is_server_reply(MessageKind kind) {
    return kind == MessageKind::server_hello || kind == MessageKind::hello_retry_request ||
           kind == MessageKind::encrypted_extensions || kind == MessageKind::certificate_entry ||
           kind == MessageKind::server_hello_tls12;
}

}  // namespace

bool is_known_extension(ExtensionType type) noexcept { return rule_for(type) != nullptr; }

bool extension_allowed_in(ExtensionType type, MessageKind kind) noexcept {
    const Rule* r = rule_for(type);
    return r != nullptr && (r->allowed & bit(kind)) != 0;
}

Result<Extensions> Extensions::parse_unchecked(codec::Reader& reader) {
    auto block = reader.sub(2, 0, 0xffff);
    if (!block) return block.error();
    Extensions out;
    while (!block->empty()) {
        auto type = block->u16();
        if (!type) return type.error();
        auto data = block->vector(2, 0, 0xffff);
        if (!data) return data.error();
        const auto t = static_cast<ExtensionType>(*type);
        // RFC 8446 4.2: no more than one extension of the same type in a block.
        if (out.contains(t)) return Error{ErrorCode::illegal_parameter, "duplicate extension"};
        out.list_.push_back({t, *data});
    }
    return out;
}

Result<void> Extensions::check(MessageKind kind) const {
    for (std::size_t i = 0; i < list_.size(); ++i) {
        const ExtensionType t = list_[i].type;
        if (is_known_extension(t)) {
            // RFC 8446 4.2: a recognised extension in a message not listed for it.
            if (!extension_allowed_in(t, kind))
                return Error{ErrorCode::illegal_parameter, "extension not allowed in this message"};
        } else if (is_server_reply(kind)) {
            return Error{ErrorCode::unsupported_extension, "unsolicited extension in a server reply"};
        }
        // RFC 8446 4.2.11: pre_shared_key MUST be the last extension in the ClientHello.
        if (kind == MessageKind::client_hello && t == ExtensionType::pre_shared_key && i + 1 != list_.size())
            return Error{ErrorCode::illegal_parameter, "pre_shared_key is not the last ClientHello extension"};
    }
    return success();
}

Result<Extensions> Extensions::parse(codec::Reader& reader, MessageKind kind) {
    auto out = parse_unchecked(reader);
    if (!out) return out.error();
    TLS_TRY(out->check(kind));
    return out;
}

void Extensions::write(codec::Writer& writer, std::span<const Extension> extensions) noexcept {
    auto block = writer.open_vector(2);
    for (const auto& e : extensions) {
        writer.u16(static_cast<std::uint16_t>(e.type));
        auto data = writer.open_vector(2);
        writer.bytes(e.data);
        writer.close_vector(data);
    }
    writer.close_vector(block);
}

std::optional<codec::Bytes> Extensions::find(ExtensionType type) const noexcept {
    for (const auto& e : list_)
        if (e.type == type) return e.data;
    return std::nullopt;
}

}  // namespace tls::handshake
