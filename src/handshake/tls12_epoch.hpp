// The TLS 1.2 handshake's move to protected records (RFC 5246 7.1, 7.4.9;
// RFC 7627 4), the same for client and server: the master secret from the
// pre-master secret, the key block's two record ciphers (each waiting for its
// change_cipher_spec), and the change_cipher_spec and Finished a side sends.
#pragma once

#include <optional>
#include <vector>

#include "handshake/connection_core.hpp"
#include "handshake/tls12_key_schedule.hpp"
#include "handshake/transcript.hpp"
#include "record/record_cipher.hpp"

namespace tls::handshake {

// Extended (the session hash is the transcript so far: ClientHello ..
// ClientKeyExchange) or classic master secret.
Result<Tls12MasterSecret> tls12_master_from_pre_master(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                                       bool extended, const Transcript& transcript,
                                                       crypto::Bytes client_random, crypto::Bytes server_random);

// The record ciphers of the key block, from `self`'s point of view.
struct Tls12PendingCiphers {
    std::optional<record::RecordCipher> read;   // installed at the peer's change_cipher_spec
    std::optional<record::RecordCipher> write;  // installed when this side sends its own
};
Result<Tls12PendingCiphers> tls12_pending_ciphers(const Tls12MasterSecret& master, const crypto::AeadDescriptor& aead,
                                                  crypto::Bytes client_random, crypto::Bytes server_random,
                                                  Tls12Sender self);

// Sends `flight` (if any), change_cipher_spec, then Finished under the new
// write cipher; the transcript gains the Finished.
Result<void> send_tls12_change_cipher_spec_and_finished(ConnectionCore& core, std::vector<std::uint8_t> flight,
                                                        Tls12PendingCiphers& pending, const Tls12MasterSecret& master,
                                                        Tls12Sender self, Transcript& transcript);

// The peer's change_cipher_spec: its records are protected from now on.
Result<void> install_tls12_read_cipher(ConnectionCore& core, Tls12PendingCiphers& pending);

}  // namespace tls::handshake
