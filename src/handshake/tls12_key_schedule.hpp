// The TLS 1.2 key derivation (RFC 5246 5, 6.3, 7.4.9, 8.1 and RFC 7627 4): the
// PRF, the master secret (extended or classic), the AEAD key block and the
// Finished verify_data. Every hash goes through the provider (crypto::Hmac).
//
// The free functions are the building blocks; Tls12MasterSecret is the move-only
// stage a handshake holds once the master secret is known (after the TLS 1.3
// schedule's style): it derives the key block and both Finished values, and its
// verify_finished() hands out the token that proves the peer's Finished matched.
#pragma once

#include <cstddef>
#include <string_view>

#include "tls/crypto/aead.hpp"
#include "tls/crypto/hash.hpp"

namespace tls::handshake {

inline constexpr std::size_t tls12_master_secret_size = 48;  // RFC 5246 8.1
inline constexpr std::size_t tls12_random_size = 32;         // ClientHello/ServerHello.random
inline constexpr std::size_t tls12_verify_data_size = 12;    // RFC 5246 7.4.9

// PRF(secret, label, seed) = P_<hash>(secret, label + seed), filling out
// (RFC 5246 5). hash is the suite's PRF hash (SHA-256 or SHA-384). Fails with
// invalid_argument only for absurd lengths (out over 64 KiB, a label over 255 bytes).
Result<void> tls12_prf(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                       crypto::Bytes seed, crypto::MutableBytes out) noexcept;

// master_secret = PRF(pre_master, "extended master secret", session_hash)[0..47]
// (RFC 7627 4), session_hash = Hash(ClientHello..ClientKeyExchange).
Result<crypto::Secret> extended_master_secret(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                              crypto::Bytes session_hash) noexcept;

// master_secret = PRF(pre_master, "master secret", client_random + server_random)[0..47]
// (RFC 5246 8.1): only for peers without extended_master_secret, when the
// configuration allows them (issue 7). The randoms must be 32 bytes each.
Result<crypto::Secret> master_secret(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                     crypto::Bytes client_random, crypto::Bytes server_random) noexcept;

// The AEAD key block (RFC 5246 6.3): PRF(master, "key expansion", server_random +
// client_random) split into client_write_key, server_write_key, client_write_IV,
// server_write_IV (AEAD suites have no MAC keys). Keys are aead.key_size bytes,
// IVs the fixed IV of the suite (4 for AES-GCM, 12 for ChaCha20-Poly1305), ready
// for record::RecordCipher::tls12(aead, key, iv).
struct Tls12KeyBlock {
    crypto::Secret client_write_key;
    crypto::Secret server_write_key;
    crypto::Secret client_write_iv;
    crypto::Secret server_write_iv;
};
Result<Tls12KeyBlock> tls12_key_block(const crypto::HashDescriptor& hash, const crypto::AeadDescriptor& aead,
                                      crypto::Bytes master, crypto::Bytes client_random,
                                      crypto::Bytes server_random) noexcept;

// verify_data = PRF(master, "client finished" / "server finished",
// Hash(handshake_messages))[0..11] (RFC 5246 7.4.9); handshake_hash is the PRF
// hash of every handshake message before this Finished.
enum class Tls12Sender : std::uint8_t { client, server };
Result<crypto::Secret> tls12_verify_data(const crypto::HashDescriptor& hash, crypto::Bytes master, Tls12Sender sender,
                                         crypto::Bytes handshake_hash) noexcept;

// A token only tls12_verify_finished() creates: holding one proves the peer's
// TLS 1.2 Finished matched in constant time.
class Tls12FinishedVerified {
    Tls12FinishedVerified() = default;
    friend Result<Tls12FinishedVerified> tls12_verify_finished(const crypto::HashDescriptor&, crypto::Bytes,
                                                               Tls12Sender, crypto::Bytes, crypto::Bytes) noexcept;
};

// Compares the received verify_data (sent by `sender`) with the expected one in
// constant time; a mismatch (or a wrong length) is bad_signature (decrypt_error alert).
Result<Tls12FinishedVerified> tls12_verify_finished(const crypto::HashDescriptor& hash, crypto::Bytes master,
                                                    Tls12Sender sender, crypto::Bytes handshake_hash,
                                                    crypto::Bytes received) noexcept;

// The master secret of one TLS 1.2 session with its PRF hash. Move-only; the
// secret is wiped when it dies.
class Tls12MasterSecret {
public:
    // From a full handshake with extended_master_secret (RFC 7627).
    static Result<Tls12MasterSecret> extended(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                              crypto::Bytes session_hash) noexcept;
    // From a full handshake without it (RFC 5246 8.1), when the configuration allows.
    static Result<Tls12MasterSecret> classic(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                             crypto::Bytes client_random, crypto::Bytes server_random) noexcept;
    // A resumed session's stored master secret (48 bytes).
    static Result<Tls12MasterSecret> resumed(const crypto::HashDescriptor& hash, crypto::Bytes master) noexcept;

    Tls12MasterSecret(Tls12MasterSecret&&) noexcept = default;
    Tls12MasterSecret& operator=(Tls12MasterSecret&&) noexcept = default;
    Tls12MasterSecret(const Tls12MasterSecret&) = delete;
    Tls12MasterSecret& operator=(const Tls12MasterSecret&) = delete;

    Result<Tls12KeyBlock> key_block(const crypto::AeadDescriptor& aead, crypto::Bytes client_random,
                                    crypto::Bytes server_random) const noexcept;
    // The verify_data this side sends.
    Result<crypto::Secret> verify_data(Tls12Sender sender, crypto::Bytes handshake_hash) const noexcept;
    // Checks the peer's Finished.
    Result<Tls12FinishedVerified> verify_finished(Tls12Sender sender, crypto::Bytes handshake_hash,
                                                  crypto::Bytes received) const noexcept;

    const crypto::HashDescriptor& hash() const noexcept { return *hash_; }
    // The raw secret, for session tickets and the key log (CLIENT_RANDOM lines) only.
    crypto::Bytes secret_bytes() const noexcept { return secret_.bytes(); }

private:
    Tls12MasterSecret(const crypto::HashDescriptor& hash, crypto::Secret secret) noexcept
        : hash_(&hash), secret_(secret) {}
    const crypto::HashDescriptor* hash_;
    crypto::Secret secret_;
};

}  // namespace tls::handshake
