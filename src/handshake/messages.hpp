// The TLS 1.3 handshake messages after the hellos (RFC 8446 4.3-4.6), one type
// per message with its parse and its serialise side by side. Parsing takes a
// message body (no 4-byte header), checks every bound and that nothing trails,
// and returns views into the body. Serialising writes the whole message.
#pragma once

#include <cstdint>
#include <vector>

#include "handshake/extensions.hpp"
#include "tls/crypto/hash.hpp"

namespace tls::handshake {

using codec::Bytes;

// Runs write(Writer&) into a vector that grows until the output fits.
template <class WriteFn>
Result<std::vector<std::uint8_t>> write_to_vector(std::size_t size_hint, WriteFn&& write) {
    std::vector<std::uint8_t> out(size_hint < 64 ? 64 : size_hint);
    for (;;) {
        codec::Writer w(out);
        write(w);
        auto n = w.finish();
        if (n) {
            out.resize(*n);
            return out;
        }
        if (n.error().code != ErrorCode::buffer_too_small || out.size() > (1u << 26)) return n.error();
        out.resize(out.size() * 2);
    }
}

// Extension data built one extension at a time (views stay valid: each
// extension's bytes live in their own vector).
class ExtensionList {
public:
    template <class WriteFn>
    Result<void> add(ExtensionType type, WriteFn&& write) {
        auto data = write_to_vector(64, std::forward<WriteFn>(write));
        if (!data) return data.error();
        storage_.push_back(std::move(*data));
        types_.push_back(type);
        return success();
    }
    void add_empty(ExtensionType type) {
        storage_.emplace_back();
        types_.push_back(type);
    }
    std::vector<Extension> list() const {
        std::vector<Extension> out;
        out.reserve(types_.size());
        for (std::size_t i = 0; i < types_.size(); ++i)
            out.push_back(Extension{types_[i], Bytes(storage_[i].data(), storage_[i].size())});
        return out;
    }

private:
    std::vector<std::vector<std::uint8_t>> storage_;
    std::vector<ExtensionType> types_;
};

// Writes type || u24 length || body(w).
template <class BodyFn>
Result<std::vector<std::uint8_t>> write_handshake_message(HandshakeType type, std::size_t size_hint, BodyFn&& body) {
    return write_to_vector(size_hint + 4, [&](codec::Writer& w) {
        w.u8(static_cast<std::uint8_t>(type));
        auto mark = w.open_vector(3);
        body(w);
        w.close_vector(mark);
    });
}

// EncryptedExtensions (4.3.1).
struct EncryptedExtensions {
    Extensions extensions;
    static Result<EncryptedExtensions> parse(Bytes body);
};

// CertificateRequest (4.3.2).
struct CertificateRequest {
    Bytes context;
    Extensions extensions;
    static Result<CertificateRequest> parse(Bytes body);
};

Result<std::vector<std::uint8_t>> write_certificate_request(Bytes context, std::span<const Extension> extensions);

// Certificate (4.4.2), X.509 entries.
struct CertificateMessage {
    struct Entry {
        Bytes cert_data;
        Extensions extensions;
    };
    Bytes context;
    std::vector<Entry> entries;
    // max_entries bounds the work a hostile peer can cause.
    static Result<CertificateMessage> parse(Bytes body, std::size_t max_entries = 16);
};
Result<std::vector<std::uint8_t>> write_certificate(Bytes context, const std::vector<Bytes>& chain_der);

// CertificateVerify (4.4.3).
struct CertificateVerify {
    crypto::SignatureScheme scheme;
    Bytes signature;
    static Result<CertificateVerify> parse(Bytes body);
};
Result<std::vector<std::uint8_t>> write_certificate_verify(crypto::SignatureScheme scheme, Bytes signature);
// Whether a scheme may sign a TLS 1.3 CertificateVerify: RSA PKCS#1 v1.5 and
// SHA-1 schemes sign certificates at most (RFC 8446 4.2.3, 4.4.3).
bool allowed_in_certificate_verify(crypto::SignatureScheme scheme) noexcept;

// The content a CertificateVerify signs: 64 spaces, the context string, a zero
// byte, the transcript hash.
enum class Signer : std::uint8_t { server, client };
std::vector<std::uint8_t> certificate_verify_content(Signer signer, Bytes transcript_hash);

// Finished (4.4.4): verify_data of exactly the hash length.
Result<Bytes> parse_finished(Bytes body, std::size_t hash_size);
Result<std::vector<std::uint8_t>> write_finished(Bytes verify_data);

// NewSessionTicket (4.6.1).
struct NewSessionTicket {
    std::uint32_t lifetime = 0;
    std::uint32_t age_add = 0;
    Bytes nonce;
    Bytes ticket;
    Extensions extensions;
    static Result<NewSessionTicket> parse(Bytes body);
};

Result<std::vector<std::uint8_t>> write_new_session_ticket(std::uint32_t lifetime, std::uint32_t age_add, Bytes nonce,
                                                           Bytes ticket, std::span<const Extension> extensions);
// early_data in a NewSessionTicket (4.2.10): uint32 max_early_data_size.
Result<std::uint32_t> parse_max_early_data_size(Bytes data);

// KeyUpdate (4.6.3).
enum class KeyUpdateRequest : std::uint8_t { not_requested = 0, requested = 1 };
Result<KeyUpdateRequest> parse_key_update(Bytes body);
Result<std::vector<std::uint8_t>> write_key_update(KeyUpdateRequest request);

// EndOfEarlyData (4.5): empty.
Result<void> parse_end_of_early_data(Bytes body);

}  // namespace tls::handshake
