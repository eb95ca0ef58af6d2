// Extension blocks (RFC 8446 4.2): one parser for every message that carries
// extensions, and the one table of which extension may appear in which message.
// The rules enforced here, for every message:
//  - no extension type twice in a block: illegal_parameter;
//  - a known extension in a message the RFC does not list it for: illegal_parameter;
//  - an unknown extension in a server's reply (ServerHello, HelloRetryRequest,
//    EncryptedExtensions, Certificate): it cannot answer anything the client
//    sent, so unsupported_extension; elsewhere unknown extensions are ignored;
//  - pre_shared_key only as the last ClientHello extension: illegal_parameter.
// Whether a reply answers an extension the client actually offered is the
// client state machine's check (it knows what it sent).
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "codec/reader.hpp"
#include "codec/writer.hpp"
#include "handshake/codes.hpp"

namespace tls::handshake {

enum class MessageKind : std::uint8_t {
    client_hello,
    server_hello,         // TLS 1.3
    hello_retry_request,
    encrypted_extensions,
    certificate_entry,
    certificate_request,
    new_session_ticket,
    server_hello_tls12,
};

struct Extension {
    ExtensionType type;
    codec::Bytes data;
};

// Whether `type` is an extension cordon knows, and may appear in `kind`.
bool is_known_extension(ExtensionType type) noexcept;
bool extension_allowed_in(ExtensionType type, MessageKind kind) noexcept;

class Extensions {
public:
    Extensions() = default;
    // Reads an extensions<0..2^16-1> block and applies the rules above.
    static Result<Extensions> parse(codec::Reader& reader, MessageKind kind);
    // The same in two steps, for a ServerHello whose kind (TLS 1.3, HRR or
    // TLS 1.2) is known only from its contents: framing and duplicates, then the table.
    static Result<Extensions> parse_unchecked(codec::Reader& reader);
    Result<void> check(MessageKind kind) const;

    std::optional<codec::Bytes> find(ExtensionType type) const noexcept;
    bool contains(ExtensionType type) const noexcept { return find(type).has_value(); }
    std::span<const Extension> all() const noexcept { return list_; }

    // Serialised form of a list: extensions<0..2^16-1>.
    static void write(codec::Writer& writer, std::span<const Extension> extensions) noexcept;

private:
    std::vector<Extension> list_;  // wire order, views into the message
};

}  // namespace tls::handshake
