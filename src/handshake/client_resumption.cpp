// The TLS 1.3 client's resumption (RFC 8446 2.2, 2.3, 4.2.11, 4.6.1): the
// binder of a PSK offer, 0-RTT's early key, and the tickets it keeps.
#include "handshake/client_engine.hpp"
#include "handshake/key_schedule.hpp"
#include "handshake/psk.hpp"

namespace tls::handshake::tls13_client {

// 0-RTT: the client_early_traffic_secret from the PSK and the ClientHello
// (RFC 8446 7.1) protects what write_early_data() sends until EndOfEarlyData.
Result<void> ClientHandshake::start_early_data(ConnectionCore& core, Bytes client_hello) {
    const auto& suite = *tls13_session_suite_;
    Transcript t(*suite.hash);
    t.add(client_hello);
    const auto hello_hash = t.current();
    client_early_ = EarlySecret(*suite.hash, tls13_session_->secret.bytes()).client_early_traffic_secret(hello_hash.bytes());
    // RFC 8446 D.4: in compatibility mode the change_cipher_spec goes right after
    // the ClientHello when early data follows.
    if (session_id_size_ != 0 && !ccs_sent_) {
        TLS_TRY(core.send_change_cipher_spec());
        ccs_sent_ = true;
    }
    TLS_TRY(core.set_write_secret(suite, client_early_.bytes()));
    core.log_secret(keylog_client_early, client_early_.bytes());
    early_remaining_ = tls13_session_->max_early_data;
    core.negotiated().early_data = Connection::EarlyData::offered;
    return success();
}

Result<void> ClientHandshake::add_psk_binder(std::vector<std::uint8_t>& client_hello, const Transcript* earlier) const {
    if (!tls13_session_) return success();
    return fill_psk_binder(client_hello, *tls13_session_suite_->hash, tls13_session_->secret.bytes(), earlier);
}

// --- Session tickets (RFC 8446 4.6.1) ------------------------------------------------

Result<void> ClientHandshake::on_new_session_ticket(ConnectionCore& core, Bytes body) {
    TLS_TRY_ASSIGN(nst, NewSessionTicket::parse(body));
    // Tickets without application data between them cost a little each: bound them.
    if (++tickets_in_a_row_ > 32) return unexpected("too many NewSessionTicket messages in a row");
    std::uint32_t max_early_data = 0;
    for (const auto& e : nst.extensions.all()) {
        if (e.type == ExtensionType::early_data) TLS_TRY_SET(max_early_data, parse_max_early_data_size(e.data));
    }
    // A zero lifetime means "do not keep" (RFC 8446 4.6.1); without a name there is no key to keep it under.
    const auto& cache = settings_.session_cache;
    if (nst.lifetime == 0 || !settings_.resumption || !cache || server_name_.empty()) return success();
    auto session = std::make_shared<ClientSession>();
    session->version = ProtocolVersion::tls13;
    session->suite = suite_->suite;
    session->secret = resumption_psk(*suite_->hash, resumption_master_.bytes(), nst.nonce);
    session->ticket.assign(nst.ticket.begin(), nst.ticket.end());
    session->received_at = config_.now();
    session->lifetime = nst.lifetime;
    session->age_add = nst.age_add;
    session->max_early_data = max_early_data;
    session->alpn = std::string(core.negotiated().alpn);
    session->peer_chain = core.negotiated().peer_chain;
    cache->store(server_name_, std::move(session));
    return success();
}

}  // namespace tls::handshake::tls13_client
