// The record layer's cost over the raw AEAD of the same provider, in the same run:
//   cordon/record/{seal,open}/{tls13,tls12}/<aead>/<bytes>   the record path
//   cordon/record-raw/{seal,open}/{tls13,tls12}/<aead>/<bytes> the bare AeadKey calls
// The raw calls process what the record's AEAD processes: for TLS 1.3 one more
// byte (the inner content type), for TLS 1.2 the plaintext alone.
// Seal: zero-copy begin_record/commit_record (the application fills the send
// buffer in place) against AeadKey::seal in place. Open: both sides copy the
// record into their receive buffer first (standing in for recv()), then the
// record path deframes and opens in place, the raw side only opens.
// bench/ratios.py --record prints record / record-raw per suite and size.
#include <cstring>
#include <string>

#include "bench_common.hpp"
#include "record/record_reader.hpp"
#include "record/record_writer.hpp"

namespace cordon_bench {
namespace {

using tls::crypto::AeadAlgorithm;
using tls::record::ContentType;
using tls::record::Protocol;
using tls::record::RecordCipher;
using tls::record::RecordReader;
using tls::record::RecordWriter;

constexpr AeadAlgorithm algorithms[] = {AeadAlgorithm::aes128_gcm, AeadAlgorithm::aes256_gcm,
                                        AeadAlgorithm::chacha20_poly1305};
constexpr std::size_t sizes[] = {1024, 16384};
constexpr std::size_t ring = 64;  // distinct pre-sealed records per open benchmark

tls::Result<RecordCipher> make_cipher(Protocol protocol, const tls::crypto::AeadDescriptor& d) {
    std::vector<std::uint8_t> key(d.key_size, 0x42), iv(12, 0x24);
    if (protocol == Protocol::tls13) return RecordCipher::tls13(d, key, iv);
    const std::size_t iv_size = d.algorithm == AeadAlgorithm::chacha20_poly1305 ? 12 : 4;
    return RecordCipher::tls12(d, key, Bytes(iv).first(iv_size));
}

const char* protocol_name(Protocol p) { return p == Protocol::tls13 ? "tls13" : "tls12"; }

void nonce_for(std::uint64_t seq, std::uint8_t nonce[12]) {
    std::memset(nonce, 0x24, 12);
    for (int i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(seq >> (8 * i));
}

void raw_seal(benchmark::State& state, const tls::crypto::AeadDescriptor* d, std::size_t size, std::size_t aead_size) {
    std::vector<std::uint8_t> key(d->key_size, 0x42), data(aead_size, 0x61), tag(16);
    const std::uint8_t header[5] = {23, 3, 3, 0, 0};
    auto k = d->new_key(key);
    if (!k) return skip(state, "new_key", k.error());
    std::uint64_t seq = 0;
    std::uint8_t nonce[12];
    for (auto _ : state) {
        nonce_for(seq++, nonce);
        auto r = (*k)->seal({nonce, 12}, header, data, tag);
        if (!r) return skip(state, "seal", r.error());
        benchmark::DoNotOptimize(tag.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void record_seal(benchmark::State& state, const tls::crypto::AeadDescriptor* d, Protocol protocol, std::size_t size) {
    auto c = make_cipher(protocol, *d);
    if (!c) return skip(state, "cipher", c.error());
    RecordWriter writer;
    writer.set_cipher(std::move(*c));
    for (auto _ : state) {
        auto room = writer.begin_record(size);
        benchmark::DoNotOptimize(room.data());
        auto r = writer.commit_record(ContentType::application_data, size);
        if (!r) return skip(state, "commit_record", r.error());
        writer.consume(writer.pending().size());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void raw_open(benchmark::State& state, const tls::crypto::AeadDescriptor* d, std::size_t size, std::size_t aead_size) {
    std::vector<std::uint8_t> key(d->key_size, 0x42);
    const std::uint8_t header[5] = {23, 3, 3, 0, 0};
    auto k = d->new_key(key);
    if (!k) return skip(state, "new_key", k.error());
    // ring records, each body || tag, sealed under nonces 0..ring-1.
    std::vector<std::vector<std::uint8_t>> sealed(ring);
    std::uint8_t nonce[12];
    for (std::size_t i = 0; i < ring; ++i) {
        sealed[i].assign(aead_size + 16, static_cast<std::uint8_t>(i));
        nonce_for(i, nonce);
        auto r = (*k)->seal({nonce, 12}, header, {sealed[i].data(), aead_size}, {sealed[i].data() + aead_size, 16});
        if (!r) return skip(state, "seal", r.error());
    }
    std::vector<std::uint8_t> buffer(aead_size + 16);
    std::size_t i = 0;
    for (auto _ : state) {
        std::memcpy(buffer.data(), sealed[i].data(), buffer.size());  // stands for recv()
        nonce_for(i, nonce);
        auto r = (*k)->open({nonce, 12}, header, {buffer.data(), aead_size}, {buffer.data() + aead_size, 16});
        if (!r) return skip(state, "open", r.error());
        i = (i + 1) % ring;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void record_open(benchmark::State& state, const tls::crypto::AeadDescriptor* d, Protocol protocol, std::size_t size) {
    auto wc = make_cipher(protocol, *d);
    auto rc = make_cipher(protocol, *d);
    if (!wc || !rc) return skip(state, "cipher", wc ? rc.error() : wc.error());
    RecordWriter writer;
    writer.set_cipher(std::move(*wc));
    std::vector<std::vector<std::uint8_t>> records(ring);
    for (auto& record : records) {
        std::vector<std::uint8_t> data(size, 0x61);
        auto r = writer.write(ContentType::application_data, data);
        if (!r) return skip(state, "write", r.error());
        record.assign(writer.pending().begin(), writer.pending().end());
        writer.consume(record.size());
    }
    RecordReader reader;
    reader.set_cipher(std::move(*rc));
    std::size_t i = 0;
    for (auto _ : state) {
        auto space = reader.input_space();
        std::memcpy(space.data(), records[i].data(), records[i].size());  // stands for recv()
        reader.commit_input(records[i].size());
        auto e = reader.next();
        if (!e) return skip(state, "next", e.error());
        if (e->payload.size() != size) {
            state.SkipWithError("record opened to the wrong size");
            return;
        }
        if (++i == ring) {
            i = 0;
            reader.mutable_cipher_for_testing()->set_sequence_for_testing(0);
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

}  // namespace

void register_record_benchmarks() {
    const auto& provider = tls::crypto::default_provider();
    for (auto algorithm : algorithms) {
        const auto* d = provider.find(algorithm);
        if (d == nullptr) continue;
        const std::string aead = tls::crypto::to_string(algorithm);
        for (std::size_t size : sizes) {
            const std::string suffix = aead + "/" + std::to_string(size);
            for (auto protocol : {Protocol::tls13, Protocol::tls12}) {
                const std::string name = std::string(protocol_name(protocol)) + "/" + suffix;
                const std::size_t aead_size = size + (protocol == Protocol::tls13 ? 1 : 0);
                add("cordon", "record-raw/seal/" + name, [=](benchmark::State& s) { raw_seal(s, d, size, aead_size); });
                add("cordon", "record-raw/open/" + name, [=](benchmark::State& s) { raw_open(s, d, size, aead_size); });
                add("cordon", "record/seal/" + name, [=](benchmark::State& s) { record_seal(s, d, protocol, size); });
                add("cordon", "record/open/" + name, [=](benchmark::State& s) { record_open(s, d, protocol, size); });
            }
        }
    }
}

}  // namespace cordon_bench
