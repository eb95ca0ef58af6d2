#include "handshake/key_schedule.hpp"

#include "codec/writer.hpp"

namespace tls::handshake {

Result<void> hkdf_expand_label(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                               crypto::Bytes context, crypto::MutableBytes out) noexcept {
    // struct { uint16 length; opaque label<7..255> = "tls13 " + Label; opaque context<0..255>; } HkdfLabel;
    constexpr std::string_view prefix = "tls13 ";
    if (label.size() + prefix.size() > 255 || context.size() > 255 || out.size() > 0xffff)
        return Error{ErrorCode::internal_error, "HKDF-Expand-Label argument too long"};
    std::uint8_t info[2 + 1 + 255 + 1 + 255];
    codec::Writer w(info);
    w.u16(static_cast<std::uint16_t>(out.size()));
    w.u8(static_cast<std::uint8_t>(prefix.size() + label.size()));
    w.bytes({reinterpret_cast<const std::uint8_t*>(prefix.data()), prefix.size()});
    w.bytes({reinterpret_cast<const std::uint8_t*>(label.data()), label.size()});
    w.u8(static_cast<std::uint8_t>(context.size()));
    w.bytes(context);
    auto n = w.finish();
    if (!n) return n.error();
    return crypto::hkdf_expand(hash, secret, {info, *n}, out);
}

Result<void> derive_secret(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                           crypto::Bytes transcript_hash, crypto::MutableBytes out) noexcept {
    return hkdf_expand_label(hash, secret, label, transcript_hash, out.first(hash.output_size));
}

Result<TrafficKeys> derive_traffic_keys(const crypto::HashDescriptor& hash, const crypto::AeadDescriptor& aead,
                                        crypto::Bytes traffic_secret) noexcept {
    TrafficKeys keys;
    TLS_TRY(hkdf_expand_label(hash, traffic_secret, "key", {}, keys.key.resize(aead.key_size)));
    TLS_TRY(hkdf_expand_label(hash, traffic_secret, "iv", {}, keys.iv.resize(crypto::aead_nonce_size)));
    return keys;
}

}  // namespace tls::handshake
