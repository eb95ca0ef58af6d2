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

namespace tls::handshake {
namespace {

crypto::Secret derive(const crypto::HashDescriptor& hash, const crypto::Secret& secret, std::string_view label,
                      crypto::Bytes transcript_hash) noexcept {
    crypto::Secret out;
    // Cannot fail: labels and hashes here are within HKDF-Expand-Label's bounds.
    (void)derive_secret(hash, secret.bytes(), label, transcript_hash, out.resize(hash.output_size));
    return out;
}

crypto::Secret empty_hash(const crypto::HashDescriptor& hash) noexcept {
    crypto::Secret out;
    crypto::Hash::digest(hash, {}, out.resize(hash.output_size));
    return out;
}

crypto::Secret extract(const crypto::HashDescriptor& hash, const crypto::Secret& salt, crypto::Bytes ikm) noexcept {
    static constexpr std::uint8_t zeros[crypto::Secret::max_size] = {};
    if (ikm.empty()) ikm = crypto::Bytes(zeros, hash.output_size);
    crypto::Secret out;
    crypto::hkdf_extract(hash, salt.bytes(), ikm, out.resize(hash.output_size));
    return out;
}

}  // namespace

EarlySecret::EarlySecret(const crypto::HashDescriptor& hash, crypto::Bytes psk) noexcept
    : hash_(&hash), secret_(extract(hash, crypto::Secret(), psk)) {}

crypto::Secret EarlySecret::binder_key(bool resumption) const noexcept {
    return derive(*hash_, secret_, resumption ? "res binder" : "ext binder", empty_hash(*hash_).bytes());
}

crypto::Secret EarlySecret::client_early_traffic_secret(crypto::Bytes client_hello_hash) const noexcept {
    return derive(*hash_, secret_, "c e traffic", client_hello_hash);
}

crypto::Secret EarlySecret::early_exporter_master_secret(crypto::Bytes client_hello_hash) const noexcept {
    return derive(*hash_, secret_, "e exp master", client_hello_hash);
}

HandshakeSecret EarlySecret::into_handshake(crypto::Bytes shared_secret) && noexcept {
    const crypto::Secret salt = derive(*hash_, secret_, "derived", empty_hash(*hash_).bytes());
    HandshakeSecret next(*hash_, extract(*hash_, salt, shared_secret));
    secret_ = crypto::Secret();  // this stage is over
    return next;
}

crypto::Secret HandshakeSecret::client_handshake_traffic_secret(crypto::Bytes transcript_hash) const noexcept {
    return derive(*hash_, secret_, "c hs traffic", transcript_hash);
}

crypto::Secret HandshakeSecret::server_handshake_traffic_secret(crypto::Bytes transcript_hash) const noexcept {
    return derive(*hash_, secret_, "s hs traffic", transcript_hash);
}

MasterSecret HandshakeSecret::into_master() && noexcept {
    const crypto::Secret salt = derive(*hash_, secret_, "derived", empty_hash(*hash_).bytes());
    MasterSecret next(*hash_, extract(*hash_, salt, {}));
    secret_ = crypto::Secret();
    return next;
}

MasterSecret::ApplicationSecrets MasterSecret::derive_application(crypto::Bytes transcript_hash) const noexcept {
    return {derive(*hash_, secret_, "c ap traffic", transcript_hash), derive(*hash_, secret_, "s ap traffic", transcript_hash),
            derive(*hash_, secret_, "exp master", transcript_hash)};
}

MasterSecret::ApplicationSecrets MasterSecret::application_secrets(crypto::Bytes transcript_hash,
                                                                   const FinishedVerified&) const noexcept {
    return derive_application(transcript_hash);
}

MasterSecret::ApplicationSecrets MasterSecret::application_secrets(crypto::Bytes transcript_hash,
                                                                   const FinishedSent&) const noexcept {
    return derive_application(transcript_hash);
}

crypto::Secret MasterSecret::resumption_master_secret(crypto::Bytes transcript_hash,
                                                      const FinishedVerified&) const noexcept {
    return derive(*hash_, secret_, "res master", transcript_hash);
}

crypto::Secret finished_verify_data(const crypto::HashDescriptor& hash, crypto::Bytes base_key,
                                    crypto::Bytes transcript_hash) noexcept {
    crypto::Secret finished_key;
    (void)hkdf_expand_label(hash, base_key, "finished", {}, finished_key.resize(hash.output_size));
    crypto::Secret out;
    crypto::Hmac::mac(hash, finished_key.bytes(), transcript_hash, out.resize(hash.output_size));
    return out;
}

FinishedToSend::FinishedToSend(const crypto::HashDescriptor& hash, crypto::Bytes base_key,
                               crypto::Bytes transcript_hash) noexcept
    : verify_data(finished_verify_data(hash, base_key, transcript_hash)) {}

Result<FinishedVerified> verify_finished(const crypto::HashDescriptor& hash, crypto::Bytes base_key,
                                         crypto::Bytes transcript_hash, crypto::Bytes received) noexcept {
    const crypto::Secret expected = finished_verify_data(hash, base_key, transcript_hash);
    // RFC 8446 4.4.4: a mismatch is decrypt_error (bad_signature maps to it).
    if (!crypto::ct_equal(expected.bytes(), received)) return Error{ErrorCode::bad_signature, "Finished does not verify"};
    return FinishedVerified();
}

crypto::Secret next_traffic_secret(const crypto::HashDescriptor& hash, crypto::Bytes secret) noexcept {
    crypto::Secret out;
    (void)hkdf_expand_label(hash, secret, "traffic upd", {}, out.resize(hash.output_size));
    return out;
}

}  // namespace tls::handshake
