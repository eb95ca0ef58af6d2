// One side of an ephemeral key exchange, as a TLS client or server does it:
// generate a key pair, then compute the shared secret with the peer's public
// key as received on the wire (so decoding and validating it is included).
//   kx/<group>/keygen+agree
#include <openssl/core_names.h>

#include <string>

#include "bench_common.hpp"

namespace cordon_bench {
namespace {

using tls::crypto::NamedGroup;

constexpr NamedGroup groups[] = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};

// OpenSSL's side of one group: contexts for key generation and for decoding
// wire public keys, both set up once.
class OpensslGroup {
public:
    bool init(NamedGroup group) {
        switch (group) {
            case NamedGroup::x25519: key_type_ = "X25519"; break;
            case NamedGroup::secp256r1: key_type_ = "EC"; curve_ = "P-256"; break;
            case NamedGroup::secp384r1: key_type_ = "EC"; curve_ = "P-384"; break;
            default: return false;
        }
        keygen_.reset(EVP_PKEY_CTX_new_from_name(nullptr, key_type_, nullptr));
        decode_.reset(EVP_PKEY_CTX_new_from_name(nullptr, key_type_, nullptr));
        return keygen_ && decode_ && EVP_PKEY_keygen_init(keygen_.get()) == 1 &&
               (curve_ == nullptr || EVP_PKEY_CTX_set_group_name(keygen_.get(), curve_) == 1) &&
               EVP_PKEY_fromdata_init(decode_.get()) == 1;
    }

    Owned<EVP_PKEY> generate() {
        EVP_PKEY* key = nullptr;
        if (EVP_PKEY_generate(keygen_.get(), &key) != 1) return nullptr;
        return Owned<EVP_PKEY>(key);
    }

    // The public key in TLS wire form (raw X25519 bytes or an uncompressed point).
    static std::vector<std::uint8_t> wire_public_key(EVP_PKEY* key) {
        unsigned char* encoded = nullptr;
        const std::size_t size = EVP_PKEY_get1_encoded_public_key(key, &encoded);
        std::vector<std::uint8_t> out(encoded, encoded + size);
        OPENSSL_free(encoded);
        return out;
    }

    // Decodes (and, for the NIST curves, validates) peer_public, then derives.
    bool agree(EVP_PKEY* mine, Bytes peer_public, MutableBytes out) {
        OSSL_PARAM params[3];
        OSSL_PARAM* p = params;
        if (curve_ != nullptr)
            *p++ = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(curve_), 0);
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                 const_cast<std::uint8_t*>(peer_public.data()), peer_public.size());
        *p = OSSL_PARAM_construct_end();
        EVP_PKEY* raw_peer = nullptr;
        if (EVP_PKEY_fromdata(decode_.get(), &raw_peer, EVP_PKEY_PUBLIC_KEY, params) != 1) return false;
        Owned<EVP_PKEY> peer(raw_peer);
        Owned<EVP_PKEY_CTX> derive(EVP_PKEY_CTX_new_from_pkey(nullptr, mine, nullptr));
        std::size_t size = out.size();
        return derive && EVP_PKEY_derive_init(derive.get()) == 1 &&
               EVP_PKEY_derive_set_peer(derive.get(), peer.get()) == 1 &&
               EVP_PKEY_derive(derive.get(), out.data(), &size) == 1 && size == out.size();
    }

private:
    const char* key_type_ = nullptr;
    const char* curve_ = nullptr;  // NIST curves only
    Owned<EVP_PKEY_CTX> keygen_, decode_;
};

std::size_t shared_secret_size(NamedGroup group) { return group == NamedGroup::secp384r1 ? 48 : 32; }

void cordon_kx(benchmark::State& state, const tls::crypto::KeyExchangeDescriptor& descriptor,
               tls::crypto::Rng& rng) {
    // The fixed peer, and OpenSSL to check one exchange from the peer's side.
    OpensslGroup openssl;
    if (!openssl.init(descriptor.group)) return skip_openssl(state, "OpenSSL group setup");
    auto peer = openssl.generate();
    if (!peer) return skip_openssl(state, "OpenSSL peer key");
    const auto peer_public = OpensslGroup::wire_public_key(peer.get());

    std::vector<std::uint8_t> secret(descriptor.shared_secret_size), expected(descriptor.shared_secret_size);
    {
        auto key = descriptor.generate(rng);
        if (!key) return skip(state, "generate", key.error());
        if (auto r = (*key)->agree(peer_public, secret); !r) return skip(state, "agree", r.error());
        if (!openssl.agree(peer.get(), (*key)->public_key(), expected))
            return skip_openssl(state, "OpenSSL rejects cordon's public key");
        if (secret != expected) return state.SkipWithError("shared secret differs from OpenSSL's");
    }

    for (auto _ : state) {
        auto key = descriptor.generate(rng);
        if (!key) {
            skip(state, "generate", key.error());
            break;
        }
        if (auto r = (*key)->agree(peer_public, secret); !r) {
            skip(state, "agree", r.error());
            break;
        }
        benchmark::ClobberMemory();
    }
}

void openssl_kx(benchmark::State& state, NamedGroup group) {
    OpensslGroup openssl;
    if (!openssl.init(group)) return skip_openssl(state, "OpenSSL group setup");
    auto peer = openssl.generate();
    if (!peer) return skip_openssl(state, "OpenSSL peer key");
    const auto peer_public = OpensslGroup::wire_public_key(peer.get());
    std::vector<std::uint8_t> secret(shared_secret_size(group));

    for (auto _ : state) {
        auto key = openssl.generate();
        if (!key || !openssl.agree(key.get(), peer_public, secret)) {
            skip_openssl(state, "EVP_PKEY_generate/derive");
            break;
        }
        benchmark::ClobberMemory();
    }
}

}  // namespace

void register_key_exchange_benchmarks() {
    for (NamedGroup group : groups) {
        const std::string rest = std::string("kx/") + tls::crypto::to_string(group) + "/keygen+agree";
        for (const Library& library : cordon_libraries()) {
            const auto* d = library.provider->find(group);
            if (d == nullptr) continue;  // libsodium has no NIST curves
            tls::crypto::Rng* rng = library.provider->rng != nullptr ? library.provider->rng : &tls::crypto::system_rng();
            add(library.name, rest, [d, rng](benchmark::State& state) { cordon_kx(state, *d, *rng); })
                ->Unit(benchmark::kMicrosecond);
        }
        add(openssl_name, rest, [group](benchmark::State& state) { openssl_kx(state, group); })
            ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace cordon_bench
