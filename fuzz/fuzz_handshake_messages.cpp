// Handshake message framing and the hello codecs under arbitrary bytes.
// Invariant: a ClientHello or ServerHello that parses re-serialises to exactly
// the bytes it came from (the codecs keep every byte, extensions included).
#include <vector>

#include "fuzz_input.hpp"
#include "handshake/extension_codecs.hpp"
#include "handshake/hello.hpp"

using namespace tls::handshake;

namespace {

// Every extension codec on every extension it could be handed (results ignored:
// they must only never crash or read out of bounds).
void decode_all(const Extensions& extensions) {
    for (const auto& e : extensions.all()) {
        (void)parse_supported_versions_list(e.data);
        (void)parse_selected_version(e.data);
        (void)parse_named_group_list(e.data);
        (void)parse_signature_scheme_list(e.data);
        (void)parse_client_key_shares(e.data);
        (void)parse_server_key_share(e.data);
        (void)parse_hello_retry_key_share(e.data);
        (void)parse_server_name(e.data);
        (void)parse_alpn_list(e.data);
        (void)parse_psk_key_exchange_modes(e.data);
        (void)parse_cookie(e.data);
        (void)parse_record_size_limit(e.data);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const tls::codec::Bytes input(data, size);
    auto message = parse_handshake_message(input);
    if (!message) return 0;
    std::vector<std::uint8_t> out(size + 16);
    tls::codec::Writer w(out);
    if (message->type == HandshakeType::client_hello) {
        auto ch = ClientHello::parse(message->body);
        if (!ch) return 0;
        decode_all(ch->extensions);
        write_client_hello(w, *ch, ch->extensions.all());
    } else if (message->type == HandshakeType::server_hello) {
        auto sh = ServerHello::parse(message->body);
        if (!sh) return 0;
        decode_all(sh->extensions);
        write_server_hello(w, *sh, sh->extensions.all());
    } else {
        return 0;
    }
    auto n = w.finish();
    if (!n || *n != size || !std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(size), data))
        cordon_fuzz::invariant_failed("hello does not re-serialise to its input", __FILE__, __LINE__);
    return 0;
}
