// The record layer's deframer and unprotect path under arbitrary bytes and
// arbitrary chunking. The first input bytes pick the protocol, cipher, CCS
// window, early-data skipping and the chunk schedule; the rest is the wire.
//
// Invariants checked (a violation aborts, so libFuzzer keeps the input):
//  - the same bytes fed whole and fed in the input-chosen chunks give the same
//    records, alerts and error code;
//  - the reader never buffers more than one maximum-size record;
//  - in writer mode, what RecordWriter protects, RecordReader opens back to the
//    same bytes (this is how the fuzzer gets past the AEAD).
// One of the ciphers uses the RFC 8448 section 3 server application traffic key,
// so the seed corpus can hold the RFC's own records.
#include <cstring>
#include <optional>
#include <vector>

#include "fuzz_input.hpp"
#include "record/record_reader.hpp"
#include "record/record_writer.hpp"
#include "tls/crypto/provider.hpp"

using namespace tls::record;
using cordon_fuzz::Bytes;

namespace {

// RFC 8448 section 3, server application traffic key and IV.
constexpr std::uint8_t rfc8448_key[16] = {0x9f, 0x02, 0x28, 0x3b, 0x6c, 0x9c, 0x07, 0xef,
                                          0xc2, 0x6b, 0xb9, 0xf2, 0xac, 0x92, 0xe3, 0x56};
constexpr std::uint8_t rfc8448_iv[12] = {0xcf, 0x78, 0x2b, 0x88, 0xdd, 0x83, 0x54, 0x9a, 0xad, 0xf1, 0xe9, 0x84};

#define CHECK_INVARIANT(cond) \
    do {                      \
        if (!(cond)) cordon_fuzz::invariant_failed(#cond, __FILE__, __LINE__); \
    } while (0)

struct Setup {
    int cipher;  // 0 none, 1 TLS 1.3 AES-128-GCM (RFC 8448 key), 2 TLS 1.3 ChaCha20, 3 TLS 1.2 AES-GCM, 4 TLS 1.2 ChaCha20
    bool ccs_window, require_version, writer_mode;
    RecordReader::EarlyDataSkip skip;
    std::uint8_t sequence;
    std::uint16_t chunk_seed;
};

std::optional<RecordCipher> make_cipher(const Setup& s) {
    const auto& p = tls::crypto::default_provider();
    using A = tls::crypto::AeadAlgorithm;
    const std::uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    const std::uint8_t iv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};
    tls::Result<RecordCipher> c = tls::Error{tls::ErrorCode::unsupported, ""};
    switch (s.cipher) {
        case 1: c = RecordCipher::tls13(*p.find(A::aes128_gcm), rfc8448_key, rfc8448_iv); break;
        case 2: c = RecordCipher::tls13(*p.find(A::chacha20_poly1305), key, iv); break;
        case 3: c = RecordCipher::tls12(*p.find(A::aes128_gcm), Bytes(key, 16), Bytes(iv, 4)); break;
        case 4: c = RecordCipher::tls12(*p.find(A::chacha20_poly1305), key, iv); break;
        default: return std::nullopt;
    }
    if (!c) return std::nullopt;
    c->set_sequence_for_testing(s.sequence);
    return std::move(*c);
}

RecordReader make_reader(const Setup& s) {
    RecordReader r;
    r.set_protocol(s.cipher >= 3 ? Protocol::tls12 : Protocol::tls13);
    if (auto c = make_cipher(s)) r.set_cipher(std::move(*c));
    r.allow_compatibility_ccs(s.ccs_window);
    if (s.require_version) r.require_record_version(0x0303);
    r.skip_early_data(s.skip, 2000);
    return r;
}

struct Seen {
    int status;
    int type;
    std::vector<std::uint8_t> payload;
    int alert;
    bool operator==(const Seen&) const = default;
};
struct Outcome {
    std::vector<Seen> events;
    int error = -1;
    bool operator==(const Outcome&) const = default;
};

// Feeds `wire` in chunks from a tiny generator seeded by `seed` (0: all at once).
Outcome run(const Setup& s, Bytes wire, std::uint16_t seed) {
    RecordReader reader = make_reader(s);
    Outcome out;
    std::uint32_t state = seed;
    std::size_t pos = 0;
    std::vector<std::uint8_t> pending;
    for (int steps = 0; steps < 100000; ++steps) {
        auto e = reader.next();
        if (!e) {
            out.error = static_cast<int>(e.error().code);
            return out;
        }
        if (e->status == RecordReader::Status::need_more) {
            if (pending.empty()) {
                if (pos == wire.size()) return out;
                std::size_t n = wire.size() - pos;
                if (seed != 0) {
                    state = state * 1103515245u + 12345u;
                    n = std::min<std::size_t>(n, 1 + (state >> 16) % 300);
                }
                pending.assign(wire.begin() + static_cast<std::ptrdiff_t>(pos),
                               wire.begin() + static_cast<std::ptrdiff_t>(pos + n));
                pos += n;
            }
            const std::size_t taken = reader.feed(pending);
            CHECK_INVARIANT(reader.buffered() <= max_record_size);
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(taken));
            continue;
        }
        out.events.push_back({static_cast<int>(e->status), static_cast<int>(e->type),
                              std::vector<std::uint8_t>(e->payload.begin(), e->payload.end()),
                              static_cast<int>(e->alert.description)});
        if (e->status == RecordReader::Status::closed) return out;
    }
    return out;
}

// Writer mode: the input is a list of (type, length, bytes) messages.
void writer_round_trip(const Setup& s, cordon_fuzz::Input& in) {
    auto cipher = make_cipher(s);
    if (!cipher) return;  // application data cannot be sent in the clear
    RecordWriter writer;
    writer.set_cipher(std::move(*cipher));
    if (in.u8() & 1) writer.set_padding(pad_to_block(64));
    writer.set_max_fragment(1 + in.u16() % max_plaintext);
    std::vector<std::uint8_t> expected;
    while (!in.empty()) {
        const auto type = (in.u8() & 1) ? ContentType::application_data : ContentType::handshake;
        Bytes data = in.field(40000);
        if (!writer.write(type, data).ok()) return;
        expected.insert(expected.end(), data.begin(), data.end());
    }
    Setup plain = s;
    plain.ccs_window = false;
    plain.skip = RecordReader::EarlyDataSkip::none;
    Outcome got = run(plain, writer.pending(), s.chunk_seed | 1);
    CHECK_INVARIANT(got.error == -1);
    std::vector<std::uint8_t> read_back;
    for (const auto& e : got.events) read_back.insert(read_back.end(), e.payload.begin(), e.payload.end());
    CHECK_INVARIANT(read_back == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cordon_fuzz::Input in(data, size);
    const std::uint8_t mode = in.u8();
    Setup s;
    s.cipher = (mode & 7) % 5;
    s.ccs_window = mode & 8;
    s.skip = static_cast<RecordReader::EarlyDataSkip>((mode >> 4) % 3);
    s.require_version = mode & 64;
    s.writer_mode = mode & 128;
    s.sequence = in.u8();
    s.chunk_seed = in.u16();
    if (s.writer_mode) {
        writer_round_trip(s, in);
        return 0;
    }
    const Bytes wire = in.rest();
    const Outcome whole = run(s, wire, 0);
    const Outcome chunked = run(s, wire, static_cast<std::uint16_t>(s.chunk_seed | 1));
    CHECK_INVARIANT(whole == chunked);
    return 0;
}
