// AEAD seal and open of one TLS record, in place, with a 13-byte AAD:
//   aead/seal/<algorithm>/<bytes>, aead/open/<algorithm>/<bytes>
// Keys are expanded once outside the timed loop, as a record layer does.
#include <cstring>
#include <string>

#include "bench_common.hpp"

namespace cordon_bench {
namespace {

using tls::crypto::AeadAlgorithm;
using tls::crypto::aead_nonce_size;
using tls::crypto::aead_tag_size;

constexpr AeadAlgorithm algorithms[] = {AeadAlgorithm::aes128_gcm, AeadAlgorithm::aes256_gcm,
                                        AeadAlgorithm::chacha20_poly1305};
constexpr std::size_t record_sizes[] = {1024, 16384};
constexpr std::size_t aad_size = 13;  // TLS 1.2's AEAD additional data

const EVP_CIPHER* openssl_cipher(AeadAlgorithm algorithm) {
    switch (algorithm) {
        case AeadAlgorithm::aes128_gcm: return EVP_aes_128_gcm();
        case AeadAlgorithm::aes256_gcm: return EVP_aes_256_gcm();
        case AeadAlgorithm::chacha20_poly1305: return EVP_chacha20_poly1305();
    }
    return nullptr;
}

// OpenSSL AEAD with the key set once; each call re-initialises only the nonce,
// as OpenSSL's own record layer does.
class OpensslAead {
public:
    bool init(AeadAlgorithm algorithm, Bytes key) {
        const EVP_CIPHER* cipher = openssl_cipher(algorithm);
        enc_.reset(EVP_CIPHER_CTX_new());
        dec_.reset(EVP_CIPHER_CTX_new());
        // The default IV length of all three ciphers is the 12 bytes TLS uses.
        return enc_ && dec_ && cipher != nullptr &&
               EVP_EncryptInit_ex(enc_.get(), cipher, nullptr, key.data(), nullptr) == 1 &&
               EVP_DecryptInit_ex(dec_.get(), cipher, nullptr, key.data(), nullptr) == 1;
    }

    bool seal(Bytes nonce, Bytes aad, MutableBytes data, MutableBytes tag) {
        int len = 0;
        return EVP_EncryptInit_ex(enc_.get(), nullptr, nullptr, nullptr, nonce.data()) == 1 &&
               EVP_EncryptUpdate(enc_.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
               EVP_EncryptUpdate(enc_.get(), data.data(), &len, data.data(), static_cast<int>(data.size())) == 1 &&
               EVP_EncryptFinal_ex(enc_.get(), data.data() + len, &len) == 1 &&
               EVP_CIPHER_CTX_ctrl(enc_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag.size()), tag.data()) == 1;
    }

    bool open(Bytes nonce, Bytes aad, MutableBytes data, Bytes tag) {
        int len = 0;
        return EVP_DecryptInit_ex(dec_.get(), nullptr, nullptr, nullptr, nonce.data()) == 1 &&
               EVP_DecryptUpdate(dec_.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1 &&
               EVP_DecryptUpdate(dec_.get(), data.data(), &len, data.data(), static_cast<int>(data.size())) == 1 &&
               EVP_CIPHER_CTX_ctrl(dec_.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                                   const_cast<std::uint8_t*>(tag.data())) == 1 &&
               EVP_DecryptFinal_ex(dec_.get(), data.data() + len, &len) == 1;
    }

private:
    Owned<EVP_CIPHER_CTX> enc_, dec_;
};

// Inputs computed with OpenSSL, shared by every library's benchmark.
//
// Opening in place destroys the ciphertext, so the open loop alternates between
// two valid records under the same nonce instead of copying one back each time:
// with a stream cipher, sealing the ciphertext C gives back the plaintext P as
// ciphertext, with its own tag. So open(C, tag) yields P and open(P, reverse_tag)
// yields C, and every iteration is a real, successful open.
struct AeadInputs {
    std::vector<std::uint8_t> key, nonce, aad, plaintext, ciphertext;
    std::uint8_t tag[aead_tag_size];          // authenticates ciphertext
    std::uint8_t reverse_tag[aead_tag_size];  // authenticates plaintext, taken as a ciphertext
};

bool make_inputs(AeadAlgorithm algorithm, std::size_t size, AeadInputs& in) {
    in.key = random_bytes(tls::crypto::aead_key_size(algorithm));
    in.nonce = random_bytes(aead_nonce_size);
    in.aad = random_bytes(aad_size);
    in.plaintext = random_bytes(size);
    in.ciphertext = in.plaintext;
    OpensslAead aead;
    if (!aead.init(algorithm, in.key) || !aead.seal(in.nonce, in.aad, in.ciphertext, in.tag)) return false;
    std::vector<std::uint8_t> back = in.ciphertext;
    return aead.seal(in.nonce, in.aad, back, in.reverse_tag) && back == in.plaintext;
}

// The TLS 1.3 per-record nonce: the IV XOR the big-endian record sequence number.
void record_nonce(std::uint8_t (&nonce)[aead_nonce_size], Bytes iv, std::uint64_t sequence) {
    std::memcpy(nonce, iv.data(), aead_nonce_size);
    for (int i = 0; i < 8; ++i) nonce[aead_nonce_size - 1 - i] ^= static_cast<std::uint8_t>(sequence >> (8 * i));
}

// After the alternating open loop the buffer holds the plaintext after an odd
// number of opens, the ciphertext after an even one.
bool open_result_ok(const AeadInputs& in, const std::vector<std::uint8_t>& data, std::uint64_t opens) {
    return data == (opens % 2 == 1 ? in.plaintext : in.ciphertext);
}

void cordon_seal(benchmark::State& state, const tls::crypto::AeadDescriptor& descriptor, std::size_t size) {
    AeadInputs in;
    if (!make_inputs(descriptor.algorithm, size, in)) return skip_openssl(state, "OpenSSL reference seal");
    auto key = descriptor.new_key(in.key);
    if (!key) return skip(state, "new_key", key.error());

    // A seal that does not match OpenSSL byte for byte is broken, however fast.
    std::vector<std::uint8_t> data = in.plaintext;
    std::uint8_t tag[aead_tag_size];
    if (auto r = (*key)->seal(in.nonce, in.aad, data, tag); !r) return skip(state, "seal", r.error());
    if (data != in.ciphertext || std::memcmp(tag, in.tag, sizeof tag) != 0)
        return state.SkipWithError("seal output differs from OpenSSL's");

    std::uint8_t nonce[aead_nonce_size];
    std::uint64_t sequence = 0;
    for (auto _ : state) {
        record_nonce(nonce, in.nonce, sequence++);
        if (auto r = (*key)->seal(nonce, in.aad, data, tag); !r) {
            skip(state, "seal", r.error());
            break;
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void cordon_open(benchmark::State& state, const tls::crypto::AeadDescriptor& descriptor, std::size_t size) {
    AeadInputs in;
    if (!make_inputs(descriptor.algorithm, size, in)) return skip_openssl(state, "OpenSSL reference seal");
    auto key = descriptor.new_key(in.key);
    if (!key) return skip(state, "new_key", key.error());

    std::vector<std::uint8_t> data = in.ciphertext;
    const Bytes tags[2] = {Bytes(in.tag), Bytes(in.reverse_tag)};
    std::uint64_t opens = 0;
    for (auto _ : state) {
        if (auto r = (*key)->open(in.nonce, in.aad, data, tags[opens % 2]); !r) {
            skip(state, "open", r.error());
            break;
        }
        ++opens;
        benchmark::ClobberMemory();
    }
    if (!state.error_occurred() && !open_result_ok(in, data, opens))
        state.SkipWithError("open output differs from OpenSSL's plaintext");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void openssl_seal(benchmark::State& state, AeadAlgorithm algorithm, std::size_t size) {
    AeadInputs in;
    OpensslAead aead;
    if (!make_inputs(algorithm, size, in) || !aead.init(algorithm, in.key))
        return skip_openssl(state, "OpenSSL AEAD setup");
    std::vector<std::uint8_t> data = in.plaintext;
    std::uint8_t tag[aead_tag_size];
    std::uint8_t nonce[aead_nonce_size];
    std::uint64_t sequence = 0;
    for (auto _ : state) {
        record_nonce(nonce, in.nonce, sequence++);
        if (!aead.seal(nonce, in.aad, data, tag)) {
            skip_openssl(state, "EVP_Encrypt*");
            break;
        }
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

void openssl_open(benchmark::State& state, AeadAlgorithm algorithm, std::size_t size) {
    AeadInputs in;
    OpensslAead aead;
    if (!make_inputs(algorithm, size, in) || !aead.init(algorithm, in.key))
        return skip_openssl(state, "OpenSSL AEAD setup");
    std::vector<std::uint8_t> data = in.ciphertext;
    const Bytes tags[2] = {Bytes(in.tag), Bytes(in.reverse_tag)};
    std::uint64_t opens = 0;
    for (auto _ : state) {
        if (!aead.open(in.nonce, in.aad, data, tags[opens % 2])) {
            skip_openssl(state, "EVP_Decrypt* (tag mismatch?)");
            break;
        }
        ++opens;
        benchmark::ClobberMemory();
    }
    if (!state.error_occurred() && !open_result_ok(in, data, opens))
        state.SkipWithError("open output differs from the plaintext");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * size));
}

}  // namespace

void register_aead_benchmarks() {
    for (AeadAlgorithm algorithm : algorithms) {
        for (bool seal : {true, false}) {
            for (std::size_t size : record_sizes) {
                const std::string rest = std::string("aead/") + (seal ? "seal/" : "open/") +
                                         tls::crypto::to_string(algorithm) + "/" + std::to_string(size);
                for (const Library& library : cordon_libraries()) {
                    const auto* d = library.provider->find(algorithm);
                    if (d == nullptr) continue;  // not offered by this provider
                    add(library.name, rest, [d, size, seal](benchmark::State& state) {
                        seal ? cordon_seal(state, *d, size) : cordon_open(state, *d, size);
                    });
                }
                add(openssl_name, rest, [algorithm, size, seal](benchmark::State& state) {
                    seal ? openssl_seal(state, algorithm, size) : openssl_open(state, algorithm, size);
                });
            }
        }
    }
}

}  // namespace cordon_bench
