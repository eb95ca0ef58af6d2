// The TLS 1.3 handshake message codecs after the hellos (handshake/messages.hpp)
// and tls::peek_client_hello, under arbitrary bytes.
//
// Input layout: byte 0 selects the parser (modulo 11), the rest is its input:
//   0 EncryptedExtensions::parse      body (no 4-byte header)
//   1 CertificateRequest::parse       body
//   2 CertificateMessage::parse       body
//   3 CertificateVerify::parse        body
//   4 parse_finished                  body; bit 7 of byte 0: SHA-384 size, else SHA-256
//   5 NewSessionTicket::parse         body
//   6 parse_key_update                body
//   7 parse_end_of_early_data         body
//   8 tls::peek_client_hello          the first bytes of a connection (records)
//   9 parse_offered_psks              pre_shared_key of a ClientHello (identities, binders)
//  10 parse_certificate_authorities   certificate_authorities of a CertificateRequest
//
// Invariants checked (a violation aborts, so libFuzzer keeps the input):
//  - what parses re-serialises to exactly its input (with the message writers
//    where cordon has them: write_certificate, write_certificate_verify,
//    write_finished, write_key_update), and every view lies inside the input;
//  - the documented bounds hold (at most max_entries certificates, a Finished
//    of exactly the hash length, a ticket lifetime of at most seven days);
//  - peek_client_hello reads only what it needs: a trailing byte never changes
//    its answer, and a truncated input gives "need more" or the same answer.
#include <vector>

#include "fuzz_input.hpp"
#include "handshake/extension_codecs.hpp"
#include "handshake/hello.hpp"
#include "handshake/messages.hpp"
#include "tls/config.hpp"

using namespace tls::handshake;
using cordon_fuzz::Bytes;

namespace {

Bytes input_;  // the current parser input, for inside() checks

bool inside(Bytes view) { return cordon_fuzz::inside(view, input_); }

void check_extensions(const Extensions& extensions) {
    for (const auto& e : extensions.all()) {
        CORDON_FUZZ_CHECK(inside(e.data));
        // The extension codecs a client applies to a server's extensions: must never misbehave.
        (void)parse_server_name(e.data);
        (void)parse_alpn_list(e.data);
        (void)parse_named_group_list(e.data);
        (void)parse_signature_scheme_list(e.data);
        (void)parse_record_size_limit(e.data);
        (void)parse_max_early_data_size(e.data);
        (void)parse_certificate_authorities(e.data);
        (void)parse_selected_identity(e.data);
    }
}

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

template <class WriteFn>
void check_reserialises(Bytes body, WriteFn&& write) {
    auto out = write_to_vector(body.size() + 16, std::forward<WriteFn>(write));
    CORDON_FUZZ_CHECK(out.ok());
    CORDON_FUZZ_CHECK(std::equal(out->begin(), out->end(), body.begin(), body.end()));
}

void check_same_message(const tls::Result<std::vector<std::uint8_t>>& written, HandshakeType type, Bytes body) {
    CORDON_FUZZ_CHECK(written.ok());
    CORDON_FUZZ_CHECK(*written == with_header(type, body));
}

void write_vector(tls::codec::Writer& w, std::size_t prefix, Bytes data) {
    auto mark = w.open_vector(prefix);
    w.bytes(data);
    w.close_vector(mark);
}

bool same_info(const tls::ClientHelloInfo& a, const tls::ClientHelloInfo& b) {
    return a.server_name == b.server_name && a.alpn == b.alpn && a.versions == b.versions &&
           a.cipher_suites == b.cipher_suites && a.groups == b.groups && a.signature_schemes == b.signature_schemes;
}

void fuzz_peek(Bytes bytes) {
    const auto full = tls::peek_client_hello(bytes);
    if (!full || !full->has_value()) return;
    // A trailing byte changes nothing: the ClientHello was already whole.
    std::vector<std::uint8_t> longer(bytes.begin(), bytes.end());
    longer.push_back(0x16);
    const auto with_more = tls::peek_client_hello(longer);
    CORDON_FUZZ_CHECK(with_more.ok() && with_more->has_value() && same_info(**with_more, **full));
    // One byte less: either more is needed, or the ClientHello ended earlier.
    const auto shorter = tls::peek_client_hello(bytes.first(bytes.size() - 1));
    CORDON_FUZZ_CHECK(shorter.ok());
    if (shorter->has_value()) CORDON_FUZZ_CHECK(same_info(**shorter, **full));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cordon_fuzz::Input in(data, size);
    const std::uint8_t selector = in.u8();
    const Bytes body = in.rest();
    input_ = body;
    switch (selector % 11) {
        case 0: {
            auto ee = EncryptedExtensions::parse(body);
            if (!ee) break;
            check_extensions(ee->extensions);
            check_reserialises(body, [&](tls::codec::Writer& w) { Extensions::write(w, ee->extensions.all()); });
            break;
        }
        case 1: {
            auto cr = CertificateRequest::parse(body);
            if (!cr) break;
            CORDON_FUZZ_CHECK(inside(cr->context) && cr->context.size() <= 255);
            check_extensions(cr->extensions);
            check_same_message(write_certificate_request(cr->context, cr->extensions.all()),
                               HandshakeType::certificate_request, body);
            check_reserialises(body, [&](tls::codec::Writer& w) {
                write_vector(w, 1, cr->context);
                Extensions::write(w, cr->extensions.all());
            });
            break;
        }
        case 2: {
            const std::size_t max_entries = 16;
            auto msg = CertificateMessage::parse(body, max_entries);
            if (!msg) break;
            CORDON_FUZZ_CHECK(msg->entries.size() <= max_entries);
            CORDON_FUZZ_CHECK(inside(msg->context));
            bool plain = true;  // no entry extensions: write_certificate's own shape
            std::vector<Bytes> chain;
            for (const auto& entry : msg->entries) {
                CORDON_FUZZ_CHECK(!entry.cert_data.empty() && inside(entry.cert_data));
                check_extensions(entry.extensions);
                plain = plain && entry.extensions.all().empty();
                chain.push_back(entry.cert_data);
            }
            check_reserialises(body, [&](tls::codec::Writer& w) {
                write_vector(w, 1, msg->context);
                auto list = w.open_vector(3);
                for (const auto& entry : msg->entries) {
                    write_vector(w, 3, entry.cert_data);
                    Extensions::write(w, entry.extensions.all());
                }
                w.close_vector(list);
            });
            if (plain) check_same_message(write_certificate(msg->context, chain), HandshakeType::certificate, body);
            break;
        }
        case 3: {
            auto cv = CertificateVerify::parse(body);
            if (!cv) break;
            CORDON_FUZZ_CHECK(!cv->signature.empty() && inside(cv->signature));
            check_same_message(write_certificate_verify(cv->scheme, cv->signature), HandshakeType::certificate_verify,
                               body);
            break;
        }
        case 4: {
            const std::size_t hash_size = (selector & 0x80) ? 48 : 32;
            auto verify_data = parse_finished(body, hash_size);
            CORDON_FUZZ_CHECK(verify_data.ok() == (body.size() == hash_size));
            if (!verify_data) break;
            CORDON_FUZZ_CHECK(verify_data->size() == hash_size && inside(*verify_data));
            check_same_message(write_finished(*verify_data), HandshakeType::finished, body);
            break;
        }
        case 5: {
            auto ticket = NewSessionTicket::parse(body);
            if (!ticket) break;
            CORDON_FUZZ_CHECK(ticket->lifetime <= 604800);
            CORDON_FUZZ_CHECK(inside(ticket->nonce) && inside(ticket->ticket) && !ticket->ticket.empty());
            check_extensions(ticket->extensions);
            check_reserialises(body, [&](tls::codec::Writer& w) {
                w.u32(ticket->lifetime);
                w.u32(ticket->age_add);
                write_vector(w, 1, ticket->nonce);
                write_vector(w, 2, ticket->ticket);
                Extensions::write(w, ticket->extensions.all());
            });
            check_same_message(write_new_session_ticket(ticket->lifetime, ticket->age_add, ticket->nonce,
                                                        ticket->ticket, ticket->extensions.all()),
                               HandshakeType::new_session_ticket, body);
            break;
        }
        case 6: {
            auto request = parse_key_update(body);
            CORDON_FUZZ_CHECK(request.ok() == (body.size() == 1 && body[0] <= 1));
            if (!request) break;
            check_same_message(write_key_update(*request), HandshakeType::key_update, body);
            break;
        }
        case 7: {
            CORDON_FUZZ_CHECK(parse_end_of_early_data(body).ok() == body.empty());
            break;
        }
        case 8: fuzz_peek(body); break;
        case 9: {
            auto offered = parse_offered_psks(body);
            if (!offered) break;
            CORDON_FUZZ_CHECK(!offered->identities.empty() && offered->identities.size() == offered->binders.size());
            std::size_t binders_size = 2;
            std::vector<PskIdentity> identities;
            for (const auto& id : offered->identities) {
                CORDON_FUZZ_CHECK(!id.identity.empty() && inside(id.identity));
                identities.push_back(id);
            }
            for (auto binder : offered->binders) {
                CORDON_FUZZ_CHECK(binder.size() >= 32 && binder.size() <= 255 && inside(binder));
                binders_size += 1 + binder.size();
            }
            // The binders are the input's tail: what a binder transcript leaves out.
            CORDON_FUZZ_CHECK(offered->binders_size == binders_size && binders_size <= body.size());
            check_reserialises(body, [&](tls::codec::Writer& w) {
                write_offered_psks(w, identities, offered->binders);
            });
            break;
        }
        default: {
            auto names = parse_certificate_authorities(body);
            if (!names) break;
            for (auto name : *names) CORDON_FUZZ_CHECK(!name.empty() && inside(name));
            check_reserialises(body, [&](tls::codec::Writer& w) { write_certificate_authorities(w, *names); });
            break;
        }
    }
    return 0;
}
