// The TLS 1.3 key schedule (RFC 8446 7.1-7.3): HKDF-Expand-Label, Derive-Secret,
// traffic keys, and the staged schedule early -> handshake -> master secret.
#pragma once

#include <string_view>

#include "tls/crypto/aead.hpp"
#include "tls/crypto/hash.hpp"

namespace tls::handshake {

// HKDF-Expand-Label(Secret, Label, Context, Length), with Length = out.size().
Result<void> hkdf_expand_label(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                               crypto::Bytes context, crypto::MutableBytes out) noexcept;

// Derive-Secret(Secret, Label, Messages) given the transcript hash of Messages;
// writes hash.output_size bytes.
Result<void> derive_secret(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                           crypto::Bytes transcript_hash, crypto::MutableBytes out) noexcept;

// The write key and IV for a traffic secret (RFC 8446 7.3).
struct TrafficKeys {
    crypto::Secret key;  // aead key_size bytes
    crypto::Secret iv;   // 12 bytes
};
Result<TrafficKeys> derive_traffic_keys(const crypto::HashDescriptor& hash, const crypto::AeadDescriptor& aead,
                                        crypto::Bytes traffic_secret) noexcept;

}  // namespace tls::handshake

namespace tls::handshake {

// The staged TLS 1.3 key schedule (RFC 8446 7.1). Each stage is a move-only
// value consumed by the step to the next, so a secret cannot be used after its
// stage has passed, and the application secrets can only be derived with the
// proof that the peer's Finished was checked (after rustls' key_schedule.rs).

class HandshakeSecret;
class MasterSecret;
class FinishedSent;

// A token only verify_finished() creates: holding one proves a Finished MAC
// matched in constant time.
class FinishedVerified {
    FinishedVerified() = default;
    friend Result<FinishedVerified> verify_finished(const crypto::HashDescriptor&, crypto::Bytes, crypto::Bytes,
                                                    crypto::Bytes) noexcept;
};

class EarlySecret {
public:
    // Early Secret = HKDF-Extract(0, PSK), with PSK all zeros when there is none.
    EarlySecret(const crypto::HashDescriptor& hash, crypto::Bytes psk) noexcept;
    EarlySecret(EarlySecret&&) noexcept = default;
    EarlySecret(const EarlySecret&) = delete;

    // binder_key for "ext binder" (external PSK) or "res binder" (resumption).
    crypto::Secret binder_key(bool resumption) const noexcept;
    crypto::Secret client_early_traffic_secret(crypto::Bytes client_hello_hash) const noexcept;
    crypto::Secret early_exporter_master_secret(crypto::Bytes client_hello_hash) const noexcept;
    // Handshake Secret = HKDF-Extract(Derive-Secret(., "derived", ""), (EC)DHE); an
    // empty shared secret (psk_ke) extracts over zeros.
    HandshakeSecret into_handshake(crypto::Bytes shared_secret) && noexcept;

private:
    const crypto::HashDescriptor* hash_;
    crypto::Secret secret_;
};

class HandshakeSecret {
public:
    HandshakeSecret(HandshakeSecret&&) noexcept = default;
    HandshakeSecret(const HandshakeSecret&) = delete;

    // Transcript: ClientHello..ServerHello.
    crypto::Secret client_handshake_traffic_secret(crypto::Bytes transcript_hash) const noexcept;
    crypto::Secret server_handshake_traffic_secret(crypto::Bytes transcript_hash) const noexcept;
    MasterSecret into_master() && noexcept;

private:
    friend class EarlySecret;
    HandshakeSecret(const crypto::HashDescriptor& hash, crypto::Secret secret) noexcept
        : hash_(&hash), secret_(secret) {}
    const crypto::HashDescriptor* hash_;
    crypto::Secret secret_;
};

class MasterSecret {
public:
    MasterSecret(MasterSecret&&) noexcept = default;
    MasterSecret(const MasterSecret&) = delete;

    struct ApplicationSecrets {
        crypto::Secret client, server, exporter;
    };
    // Transcript: ClientHello..server Finished. A client needs the proof that the
    // server's Finished verified; a server, the proof that it computed its own.
    ApplicationSecrets application_secrets(crypto::Bytes transcript_hash, const FinishedVerified&) const noexcept;
    ApplicationSecrets application_secrets(crypto::Bytes transcript_hash, const FinishedSent&) const noexcept;
    // Transcript: ClientHello..client Finished.
    crypto::Secret resumption_master_secret(crypto::Bytes transcript_hash, const FinishedVerified&) const noexcept;

private:
    friend class HandshakeSecret;
    MasterSecret(const crypto::HashDescriptor& hash, crypto::Secret secret) noexcept : hash_(&hash), secret_(secret) {}
    ApplicationSecrets derive_application(crypto::Bytes transcript_hash) const noexcept;
    const crypto::HashDescriptor* hash_;
    crypto::Secret secret_;
};

// verify_data = HMAC(finished_key, transcript_hash) with
// finished_key = HKDF-Expand-Label(base_key, "finished", "", Hash.length) (RFC 8446 4.4.4).
crypto::Secret finished_verify_data(const crypto::HashDescriptor& hash, crypto::Bytes base_key,
                                    crypto::Bytes transcript_hash) noexcept;
// The Finished a side sends, with the token that proves it was computed.
class FinishedSent {
    FinishedSent() = default;
    friend struct FinishedToSend;
};
struct FinishedToSend {
    crypto::Secret verify_data;
    FinishedSent sent;
    FinishedToSend(const crypto::HashDescriptor& hash, crypto::Bytes base_key, crypto::Bytes transcript_hash) noexcept;
};

// Compares received verify_data in constant time; decrypt_error-worthy failure is bad_signature.
Result<FinishedVerified> verify_finished(const crypto::HashDescriptor& hash, crypto::Bytes base_key,
                                         crypto::Bytes transcript_hash, crypto::Bytes received) noexcept;

// application_traffic_secret_N+1 (RFC 8446 7.2, KeyUpdate).
crypto::Secret next_traffic_secret(const crypto::HashDescriptor& hash, crypto::Bytes secret) noexcept;

}  // namespace tls::handshake
