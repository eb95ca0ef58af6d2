// The TLS 1.2 handshake message codecs (handshake/tls12_messages.hpp), the
// TLS 1.2 extension codecs (renegotiation_info, ec_point_formats) and the
// ServerHello of TLS 1.2 with its extensions, under arbitrary bytes.
//
// Input layout: byte 0 selects the parser (modulo 11), the rest is its input:
//   0 ServerKeyExchange::parse         body (no 4-byte header)
//   1 ClientKeyExchange::parse         body
//   2 parse_server_hello_done          body
//   3 parse_hello_request              body
//   4 parse_tls12_finished             body
//   5 Tls12CertificateRequest::parse   body
//   6 Tls12CertificateMessage::parse   body
//   7 Tls12NewSessionTicket::parse     body
//   8 parse_renegotiation_info         extension data
//   9 parse_ec_point_formats           extension data
//  10 ServerHello::parse               body; its extensions through the codecs the
//                                      TLS 1.2 client uses (renegotiation_info,
//                                      ec_point_formats, ALPN; session_ticket and
//                                      extended_master_secret carry no data)
//
// Invariants checked (a violation aborts, so libFuzzer keeps the input):
//  - what parses re-serialises to exactly its input through cordon's writers
//    (write_server_key_exchange, write_client_key_exchange, ...), with the
//    4-byte handshake header in front for messages;
//  - every view lies inside the input; a ServerKeyExchange's params view is the
//    input's first bytes and write_server_ecdh_params gives it back;
//  - the documented bounds hold (at most max_entries certificates, a Finished of
//    12 bytes, ec_point_formats containing uncompressed);
//  - a ServerHello is TLS 1.2 exactly when it has no supported_versions; every
//    extension it keeps is allowed in its kind by the extension table, so the
//    TLS 1.2-only ones (renegotiation_info, ec_point_formats, session_ticket,
//    extended_master_secret) never come with a TLS 1.3 ServerHello or a
//    HelloRetryRequest; it re-serialises to its input through write_server_hello.
#include <algorithm>
#include <vector>

#include "fuzz_input.hpp"
#include "handshake/extension_codecs.hpp"
#include "handshake/hello.hpp"
#include "handshake/tls12_messages.hpp"

using namespace tls::handshake;
using cordon_fuzz::Bytes;

namespace {

Bytes input_;  // the current parser input, for inside() checks

bool inside(Bytes view) { return cordon_fuzz::inside(view, input_); }


// type || u24 length || body
std::vector<std::uint8_t> with_header(HandshakeType type, Bytes body) {
    std::vector<std::uint8_t> out;
    out.reserve(body.size() + 4);
    out.push_back(static_cast<std::uint8_t>(type));
    out.push_back(static_cast<std::uint8_t>(body.size() >> 16));
    out.push_back(static_cast<std::uint8_t>(body.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(body.size()));
    for (auto b : body) out.push_back(b);
    return out;
}

void check_same_message(const tls::Result<std::vector<std::uint8_t>>& written, HandshakeType type, Bytes body) {
    CORDON_FUZZ_CHECK(written.ok());
    CORDON_FUZZ_CHECK(*written == with_header(type, body));
}

template <class WriteFn>
void check_reserialises(Bytes data, WriteFn&& write) {
    auto out = write_to_vector(data.size() + 16, std::forward<WriteFn>(write));
    CORDON_FUZZ_CHECK(out.ok());
    CORDON_FUZZ_CHECK(cordon_fuzz::same_bytes(*out, data));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cordon_fuzz::Input in(data, size);
    const std::uint8_t selector = in.u8();
    const Bytes body = in.rest();
    input_ = body;
    switch (selector % 11) {
        case 0: {
            auto ske = ServerKeyExchange::parse(body);
            if (!ske) {
                // Only a well-framed body with another curve_type is illegal_parameter.
                CORDON_FUZZ_CHECK(ske.error().code == tls::ErrorCode::decode_error ||
                                  (ske.error().code == tls::ErrorCode::illegal_parameter && !body.empty() &&
                                   body[0] != ec_curve_type_named_curve));
                break;
            }
            CORDON_FUZZ_CHECK(inside(ske->public_key) && inside(ske->params) && inside(ske->signature));
            CORDON_FUZZ_CHECK(!ske->public_key.empty() && ske->public_key.size() <= 255);
            CORDON_FUZZ_CHECK(ske->params.data() == body.data() && ske->params.size() == ske->public_key.size() + 4);
            auto params = write_server_ecdh_params(ske->group, ske->public_key);
            CORDON_FUZZ_CHECK(params.ok() && cordon_fuzz::same_bytes(*params, ske->params));
            check_same_message(write_server_key_exchange(ske->group, ske->public_key, ske->scheme, ske->signature),
                               HandshakeType::server_key_exchange, body);
            break;
        }
        case 1: {
            auto cke = ClientKeyExchange::parse(body);
            if (!cke) break;
            CORDON_FUZZ_CHECK(inside(cke->public_key) && !cke->public_key.empty());
            check_same_message(write_client_key_exchange(cke->public_key), HandshakeType::client_key_exchange, body);
            break;
        }
        case 2:
            if (parse_server_hello_done(body)) {
                CORDON_FUZZ_CHECK(body.empty());
                check_same_message(write_server_hello_done(), HandshakeType::server_hello_done, body);
            }
            break;
        case 3:
            if (parse_hello_request(body)) {
                CORDON_FUZZ_CHECK(body.empty());
                check_same_message(write_hello_request(), HandshakeType::hello_request, body);
            }
            break;
        case 4: {
            auto verify_data = parse_tls12_finished(body);
            if (!verify_data) break;
            CORDON_FUZZ_CHECK(verify_data->size() == tls12_verify_data_size && inside(*verify_data));
            check_same_message(write_tls12_finished(*verify_data), HandshakeType::finished, body);
            break;
        }
        case 5: {
            auto cr = Tls12CertificateRequest::parse(body);
            if (!cr) break;
            CORDON_FUZZ_CHECK(inside(cr->certificate_types) && !cr->certificate_types.empty());
            CORDON_FUZZ_CHECK(!cr->signature_algorithms.empty());
            for (auto name : cr->certificate_authorities) CORDON_FUZZ_CHECK(inside(name) && !name.empty());
            check_same_message(write_tls12_certificate_request(cr->certificate_types, cr->signature_algorithms,
                                                               cr->certificate_authorities),
                               HandshakeType::certificate_request, body);
            break;
        }
        case 6: {
            const std::size_t max_entries = 16;
            auto msg = Tls12CertificateMessage::parse(body, max_entries);
            if (!msg) break;
            CORDON_FUZZ_CHECK(msg->certificates.size() <= max_entries);
            for (auto der : msg->certificates) CORDON_FUZZ_CHECK(inside(der) && !der.empty());
            check_same_message(write_tls12_certificate(msg->certificates), HandshakeType::certificate, body);
            break;
        }
        case 7: {
            auto t = Tls12NewSessionTicket::parse(body);
            if (!t) break;
            CORDON_FUZZ_CHECK(inside(t->ticket));
            check_same_message(write_tls12_new_session_ticket(t->lifetime_hint, t->ticket),
                               HandshakeType::new_session_ticket, body);
            break;
        }
        case 8: {
            auto ri = parse_renegotiation_info(body);
            if (!ri) break;
            CORDON_FUZZ_CHECK(inside(*ri) && ri->size() <= 255);
            check_reserialises(body, [&](tls::codec::Writer& w) { write_renegotiation_info(w, *ri); });
            break;
        }
        case 9: {
            auto formats = parse_ec_point_formats(body);
            if (!formats) break;
            CORDON_FUZZ_CHECK(inside(*formats) && !formats->empty());
            CORDON_FUZZ_CHECK(std::find(formats->begin(), formats->end(), ec_point_format_uncompressed) !=
                              formats->end());
            check_reserialises(body, [&](tls::codec::Writer& w) { write_ec_point_formats(w, *formats); });
            break;
        }
        case 10: {
            auto sh = ServerHello::parse(body);
            if (!sh) break;
            CORDON_FUZZ_CHECK(inside(sh->random) && sh->random.size() == random_size);
            CORDON_FUZZ_CHECK(inside(sh->legacy_session_id_echo) && sh->legacy_session_id_echo.size() <= 32);
            const bool tls12 = sh->kind == MessageKind::server_hello_tls12;
            CORDON_FUZZ_CHECK(tls12 != sh->extensions.contains(ExtensionType::supported_versions));
            CORDON_FUZZ_CHECK(sh->has_extensions || (tls12 && sh->extensions.all().empty()));
            for (const auto& e : sh->extensions.all()) {
                CORDON_FUZZ_CHECK(inside(e.data));
                CORDON_FUZZ_CHECK(extension_allowed_in(e.type, sh->kind));
                switch (e.type) {
                    case ExtensionType::renegotiation_info:
                    case ExtensionType::ec_point_formats:
                    case ExtensionType::session_ticket:
                    case ExtensionType::extended_master_secret:
                        CORDON_FUZZ_CHECK(tls12);
                        break;
                    default:
                        break;
                }
                if (e.type == ExtensionType::renegotiation_info) {
                    if (auto ri = parse_renegotiation_info(e.data)) {
                        CORDON_FUZZ_CHECK(inside(*ri));
                        check_reserialises(e.data, [&](tls::codec::Writer& w) { write_renegotiation_info(w, *ri); });
                    }
                } else if (e.type == ExtensionType::ec_point_formats) {
                    if (auto formats = parse_ec_point_formats(e.data)) {
                        CORDON_FUZZ_CHECK(inside(*formats));
                        CORDON_FUZZ_CHECK(std::find(formats->begin(), formats->end(), ec_point_format_uncompressed) !=
                                          formats->end());
                        check_reserialises(e.data, [&](tls::codec::Writer& w) { write_ec_point_formats(w, *formats); });
                    }
                } else if (e.type == ExtensionType::application_layer_protocol_negotiation) {
                    if (auto list = parse_alpn_list(e.data))
                        for (auto protocol : *list) CORDON_FUZZ_CHECK(inside(protocol) && !protocol.empty());
                }
            }
            auto written = write_to_vector(body.size() + 16, [&](tls::codec::Writer& w) {
                write_server_hello(w, *sh, sh->extensions.all());
            });
            check_same_message(written, HandshakeType::server_hello, body);
            break;
        }
        default:
            break;
    }
    return 0;
}
