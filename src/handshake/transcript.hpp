// The handshake transcript (RFC 8446 4.4.1): a running hash over the handshake
// messages, forked cheaply (Hash is a value) whenever a secret needs it.
#pragma once

#include "tls/crypto/hash.hpp"

namespace tls::handshake {

class Transcript {
public:
    explicit Transcript(const crypto::HashDescriptor& hash) noexcept : hash_(hash) {}

    // Adds one whole handshake message (with its 4-byte header).
    void add(crypto::Bytes message) noexcept { hash_.update(message); }
    // Transcript-Hash of everything added so far (hash.output_size bytes).
    crypto::Secret current() const noexcept;
    // After a HelloRetryRequest, ClientHello1 is replaced by
    // message_hash(254) || 00 00 Hash.length || Hash(ClientHello1) (RFC 8446 4.4.1).
    void replace_with_message_hash() noexcept;

    const crypto::HashDescriptor& hash() const noexcept { return hash_.descriptor(); }

private:
    crypto::Hash hash_;
};

}  // namespace tls::handshake
