// The TLS 1.3 server's resumption (RFC 8446 4.2.11, 4.6.1, 8): choosing a
// ticket's PSK (and whether its early data is taken), and issuing tickets.
#include <algorithm>
#include <cstdlib>

#include "handshake/extension_codecs.hpp"
#include "handshake/server_engine.hpp"
#include "handshake/psk.hpp"
#include "handshake/strike_register.hpp"
#include "handshake/ticket_state.hpp"
#include "handshake/ticketer.hpp"

namespace tls::handshake::tls13_server {

// Resumption (RFC 8446 4.2.11): the first offered ticket this server sealed that
// is fresh, for this server name, with an age the client's count agrees with,
// whose suite hash fits (the ticket's own suite is taken when the client offers
// it); its binder must then verify, or the handshake fails (decrypt_error).
// Anything short of that is a full handshake.
Result<void> ServerHandshake::choose_psk(const ClientHello& ch, Bytes raw, const WaitSecondClientHello* retry,
                                         const TestHooks& hooks, Choices& c) const {
    const Extensions& ext = ch.extensions;
    auto psk_data = ext.find(ExtensionType::pre_shared_key);
    TicketProtector* ticketer = config_.ticketer();
    if (!psk_data || (!ticketer && !hooks.open_ticket)) return success();
    TLS_TRY_ASSIGN(modes, parse_psk_key_exchange_modes(*ext.find(ExtensionType::psk_key_exchange_modes)));
    const bool dhe = std::find(modes.begin(), modes.end(), psk_dhe_ke) != modes.end();
    const bool ke = std::find(modes.begin(), modes.end(), psk_ke) != modes.end();
    TLS_TRY_ASSIGN(offered, parse_offered_psks(*psk_data));
    if (!dhe && !ke) return success();
    const std::int64_t now = config_.now();
    for (std::size_t i = 0; i < offered.identities.size() && i < max_psk_identities_tried; ++i) {
        std::optional<Tls13TicketState> state;
        if (hooks.open_ticket) {
            state = hooks.open_ticket(offered.identities[i].identity);  // tests only
        } else if (auto sealed = ticketer->open(offered.identities[i].identity, now)) {
            state = decode_tls13_ticket_state(sealed->bytes());
        }
        if (!state || now < state->created || now - state->created >= std::int64_t{state->lifetime}) continue;
        auto params = resolve_suite(config_.provider(), state->suite);
        if (!params || state->server_name != c.server_name) continue;
        std::optional<SuiteParams> suite = c.suite;
        if (params->hash != c.suite.hash) {
            const bool allowed = std::find(settings_.cipher_suites.begin(), settings_.cipher_suites.end(),
                                           state->suite) != settings_.cipher_suites.end();
            if (retry || !allowed || !ch.offers_suite(state->suite)) continue;
            suite = params;
        }
        const std::uint32_t client_age_ms = offered.identities[i].obfuscated_ticket_age - state->age_add;
        const std::int64_t server_age_ms = (now - state->created) * 1000;
        if (std::abs(std::int64_t{client_age_ms} - server_age_ms) > max_ticket_age_skew_ms + 1000) continue;
        // The binder covers the ClientHello up to the binders (and, after a
        // HelloRetryRequest, the transcript before it).
        const Bytes truncated = raw.first(raw.size() - offered.binders_size);
        TLS_TRY(verify_psk_binder(*suite->hash, state->psk.bytes(), retry ? &secrets_->transcript : nullptr, truncated,
                                  offered.binders[i]));
        c.suite = *suite;
        c.psk_identity = static_cast<std::uint16_t>(i);
        c.psk_ke = !dhe;  // psk_dhe_ke whenever the client allows it
        // 0-RTT (RFC 8446 4.2.10, 8): the first identity, a first ClientHello, the
        // ticket's suite and ALPN, an age within the window, and a ClientHello
        // this server has not taken early data from before.
        auto* strikes = config_.strike_register();
        c.early_data = strikes && ext.contains(ExtensionType::early_data) && i == 0 && !retry &&
                       state->max_early_data > 0 && c.suite.suite == state->suite && c.alpn == state->alpn &&
                       std::abs(std::int64_t{client_age_ms} - server_age_ms) <=
                           std::int64_t{settings_.early_data_window} * 1000 &&
                       strikes->insert(offered.binders[i], now);
        c.resumed = std::move(state);
        return success();
    }
    return success();
}

// Session tickets (RFC 8446 4.6.1): stateless, the session sealed inside under
// the rotating ticket keys; each with its own nonce (so its own PSK) and age_add.
Result<void> ServerHandshake::send_tickets(ConnectionCore& core) {
    TicketProtector* ticketer = config_.ticketer();
    if (!ticketer || !tickets_wanted_ || settings_.tickets_per_handshake == 0) return success();
    const std::int64_t now = config_.now();
    std::vector<std::uint8_t> flight;
    for (std::size_t i = 0; i < settings_.tickets_per_handshake; ++i) {
        Tls13TicketState state;
        state.suite = suite_->suite;
        state.created = now;
        state.lifetime = settings_.ticket_lifetime;
        state.max_early_data = config_.strike_register() ? settings_.max_early_data_size : 0;
        std::uint8_t age_add[4];
        TLS_TRY(config_.rng().fill(age_add));
        state.age_add = static_cast<std::uint32_t>(age_add[0]) << 24 | age_add[1] << 16 | age_add[2] << 8 | age_add[3];
        const std::uint8_t nonce[1] = {static_cast<std::uint8_t>(i)};
        state.psk = resumption_psk(*suite_->hash, resumption_master_.bytes(), nonce);
        state.alpn = core.negotiated().alpn;
        state.server_name = core.negotiated().server_name;
        for (const auto& cert : core.negotiated().peer_chain) {
            const auto der = cert.der();
            state.client_chain.emplace_back(der.begin(), der.end());
        }
        TLS_TRY_ASSIGN(plain, encode_ticket_state(state));
        auto ticket = ticketer->seal(plain.bytes(), now);
        if (!ticket) return success();  // no ticket is no failure: the client makes a full handshake next time
        ExtensionList ext;
        if (state.max_early_data > 0)
            TLS_TRY(ext.add(ExtensionType::early_data, [&](codec::Writer& w) { w.u32(state.max_early_data); }));
        const auto list = ext.list();
        TLS_TRY_ASSIGN(message, write_new_session_ticket(state.lifetime, state.age_add, nonce, *ticket, list));
        append(flight, message);
    }
    return core.send_handshake(flight);
}

}  // namespace tls::handshake::tls13_server
