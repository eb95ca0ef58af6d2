// TLS 1.3 resumption PSKs (RFC 8446 4.2.11, 4.6.1): the PSK a ticket stands
// for, and the binders that prove a ClientHello's sender holds it. Both engines
// use these; the client writes binders, the server checks them.
#pragma once

#include <vector>

#include "handshake/transcript.hpp"
#include "tls/crypto/hash.hpp"

namespace tls::handshake {

// PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length).
crypto::Secret resumption_psk(const crypto::HashDescriptor& hash, crypto::Bytes resumption_master_secret,
                              crypto::Bytes ticket_nonce) noexcept;

// The binder over Transcript-Hash(earlier messages || Truncate(ClientHello)):
// `earlier` holds what precedes the ClientHello (message_hash(ClientHello1) and
// the HelloRetryRequest after a retry; nothing otherwise), truncated_hello the
// ClientHello up to its binders list.
crypto::Secret psk_binder(const crypto::HashDescriptor& hash, crypto::Bytes psk, const Transcript* earlier,
                          crypto::Bytes truncated_hello) noexcept;

// A client's ClientHello ends with the binders list of its one identity: a
// 2-byte list length, a 1-byte binder length and Hash.length bytes. This writes
// the binder into those last bytes.
Result<void> fill_psk_binder(std::vector<std::uint8_t>& client_hello, const crypto::HashDescriptor& hash,
                             crypto::Bytes psk, const Transcript* earlier) noexcept;

// Checks a received binder in constant time; a mismatch is bad_signature
// (decrypt_error, RFC 8446 4.2.11).
Result<void> verify_psk_binder(const crypto::HashDescriptor& hash, crypto::Bytes psk, const Transcript* earlier,
                               crypto::Bytes truncated_hello, crypto::Bytes binder) noexcept;

}  // namespace tls::handshake
