#include "handshake/post_handshake.hpp"

#include "handshake/key_schedule.hpp"
#include "handshake/messages.hpp"

namespace tls::handshake {
namespace {

// KeyUpdates without application data between them: a peer that keeps sending
// them only burns our CPU (rustls and BoringSSL bound this too).
constexpr std::uint32_t max_key_updates_in_a_row = 32;

}  // namespace

Result<void> PostHandshake::on_message(ConnectionCore& core, const HandshakeMessage& message) {
    if (!suite_) return Error{ErrorCode::internal_error, "post-handshake state without keys"};
    switch (message.type) {
        case HandshakeType::key_update: {
            TLS_TRY_ASSIGN(request, parse_key_update(message.body));
            if (++key_updates_in_a_row_ > max_key_updates_in_a_row)
                return Error{ErrorCode::unexpected_message, "too many KeyUpdate messages in a row"};
            read_secret() = next_traffic_secret(*suite_->hash, read_secret().bytes());
            TLS_TRY(core.set_read_secret(*suite_, read_secret().bytes()));
            if (request == KeyUpdateRequest::requested) TLS_TRY(send_key_update(core, false));
            return success();
        }
        case HandshakeType::new_session_ticket: {
            if (is_server_) return Error{ErrorCode::unexpected_message, "a client sent NewSessionTicket"};
            TLS_TRY_ASSIGN(ticket, NewSessionTicket::parse(message.body));
            (void)ticket;  // resumption is not implemented yet: the ticket is dropped
            return success();
        }
        default: return Error{ErrorCode::unexpected_message, "unexpected handshake message after the handshake"};
    }
}

Result<void> PostHandshake::send_key_update(ConnectionCore& core, bool request_peer_update) {
    TLS_TRY_ASSIGN(message, write_key_update(request_peer_update ? KeyUpdateRequest::requested
                                                                 : KeyUpdateRequest::not_requested));
    TLS_TRY(core.send_handshake(message));
    write_secret() = next_traffic_secret(*suite_->hash, write_secret().bytes());
    return core.set_write_secret(*suite_, write_secret().bytes());
}

}  // namespace tls::handshake
