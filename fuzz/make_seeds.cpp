// Writes the generated seeds of fuzz/corpus/ (valid signatures with their keys in
// fuzz_signature_verify's input layout, valid peer keys for fuzz_key_exchange,
// DER signatures for fuzz_der). Deterministic: the same files on every run.
//   cordon_fuzz_make_seeds <source>/fuzz/corpus
// Not built by default (`ninja cordon_fuzz_make_seeds`).
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crypto/mbedtls/mbedtls_backend.hpp"
#include "tls/crypto/provider.hpp"

namespace {

using namespace tls;
using namespace tls::crypto;
using Buffer = std::vector<std::uint8_t>;

// SHA-256 in counter mode: reproducible "randomness" for key generation.
class CounterRng final : public Rng {
public:
    Result<void> fill(MutableBytes out) noexcept override {
        const HashDescriptor& sha = *default_provider().find(HashAlgorithm::sha256);
        while (!out.empty()) {
            std::uint8_t block[32];
            std::uint8_t counter[8];
            for (int i = 0; i < 8; ++i) counter[i] = static_cast<std::uint8_t>(count_ >> (8 * (7 - i)));
            ++count_;
            Hash::digest(sha, counter, block);
            const std::size_t n = out.size() < sizeof block ? out.size() : sizeof block;
            std::memcpy(out.data(), block, n);
            out = out.subspan(n);
        }
        return success();
    }

private:
    std::uint64_t count_ = 0;
};

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "make_seeds: %s\n", what);
    std::exit(1);
}

template <class T>
T must(Result<T> r, const char* what) {
    if (!r) die(what);
    return std::move(r.value());
}

void put_u16(Buffer& b, std::size_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put_field(Buffer& b, Bytes v) {
    put_u16(b, v.size());
    b.insert(b.end(), v.begin(), v.end());
}

// fuzz_signature_verify's layout: kind, curve, pss, salt, key, exponent, message, signature.
Buffer signature_input(std::uint8_t kind, std::uint8_t curve, std::uint8_t pss, std::size_t salt, Bytes key,
                       Bytes exponent, Bytes message, Bytes signature) {
    Buffer b{kind, curve, pss};
    put_u16(b, salt);
    put_field(b, key);
    put_field(b, exponent);
    put_field(b, message);
    b.insert(b.end(), signature.begin(), signature.end());
    return b;
}

void write(const std::filesystem::path& dir, const std::string& name, Bytes data) {
    std::filesystem::create_directories(dir);
    std::ofstream f(dir / name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!f) die("cannot write a seed file");
}

Buffer sign(const SigningKey& key, SignatureScheme scheme, Bytes message, Rng& rng) {
    Buffer sig(key.max_signature_size());
    const std::size_t n = must(key.sign(scheme, message, rng, sig), "signing failed");
    sig.resize(n);
    return sig;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <source>/fuzz/corpus\n", argv[0]);
        return 2;
    }
    const std::filesystem::path root = argv[1];
    const auto sig_dir = root / "fuzz_signature_verify";
    const auto kx_dir = root / "fuzz_key_exchange";
    const auto der_dir = root / "fuzz_der";
    const CryptoProvider& p = default_provider();
    CounterRng rng;
    const std::uint8_t msg_bytes[] = "cordon fuzz seed: the signed content";
    const Bytes message(msg_bytes, sizeof msg_bytes - 1);

    // Ed25519.
    {
        std::uint8_t seed[32];
        (void)rng.fill(seed);
        auto key = must(p.load_signing_key(Ed25519PrivateKey{seed}), "Ed25519 key");
        const auto pub = std::get<Ed25519PublicKey>(key->public_key());
        const Buffer sig = sign(*key, SignatureScheme::ed25519, message, rng);
        write(sig_dir, "ed25519_valid", signature_input(2, 0, 0, 0, pub.key, {}, message, sig));
    }

    // ECDSA P-256 and P-384 (curve selector 0 and 1).
    struct Ec {
        NamedGroup curve;
        std::uint8_t selector;
        SignatureScheme scheme;
        std::size_t size;
        const char* name;
    };
    for (const Ec& ec : {Ec{NamedGroup::secp256r1, 0, SignatureScheme::ecdsa_secp256r1_sha256, 32, "p256"},
                         Ec{NamedGroup::secp384r1, 1, SignatureScheme::ecdsa_secp384r1_sha384, 48, "p384"}}) {
        Buffer scalar(ec.size);
        (void)rng.fill(scalar);
        scalar[0] &= 0x7f;  // below the group order
        auto key = must(p.load_signing_key(EcPrivateKey{ec.curve, scalar}), "ECDSA key");
        const auto pub = std::get<EcPublicKey>(key->public_key());
        const Buffer sig = sign(*key, ec.scheme, message, rng);
        write(sig_dir, std::string("ecdsa_") + ec.name + "_valid",
              signature_input(1, ec.selector, 0, 0, pub.point, {}, message, sig));
        write(der_dir, std::string("ecdsa_") + ec.name + "_signature", sig);
        // A non-minimal INTEGER (a redundant 00 before r): must be refused.
        Buffer bad = sig;
        bad.insert(bad.begin() + 4, 0x00);
        bad[1] = static_cast<std::uint8_t>(bad[1] + 1);
        bad[3] = static_cast<std::uint8_t>(bad[3] + 1);
        write(sig_dir, std::string("ecdsa_") + ec.name + "_nonminimal",
              signature_input(1, ec.selector, 0, 0, pub.point, {}, message, bad));
        // Key exchange: the point as a peer key, and its compressed form (refused).
        write(kx_dir, std::string(ec.name) + "_point", pub.point);
        Buffer compressed(pub.point.begin(), pub.point.begin() + 1 + static_cast<std::ptrdiff_t>(ec.size));
        compressed[0] = static_cast<std::uint8_t>(0x02 | (pub.point.back() & 1));
        write(kx_dir, std::string(ec.name) + "_compressed", compressed);
    }

    // RSA-2048: PKCS#1 v1.5 and PSS (with explicit parameters matching the rsae scheme).
    {
        auto key = must(mbedtls::generate_rsa_key(2048, rng), "RSA key");
        const auto pub = std::get<RsaPublicKey>(key->public_key());
        const auto h256 = static_cast<std::uint8_t>(HashAlgorithm::sha256);
        const auto h384 = static_cast<std::uint8_t>(HashAlgorithm::sha384);
        const auto h512 = static_cast<std::uint8_t>(HashAlgorithm::sha512);
        write(sig_dir, "rsa2048_pkcs1_sha256_valid",
              signature_input(0, 0, h256 | h256 << 2, 32, pub.modulus, pub.exponent, message,
                              sign(*key, SignatureScheme::rsa_pkcs1_sha256, message, rng)));
        write(sig_dir, "rsa2048_pkcs1_sha512_valid",
              signature_input(0, 0, h512 | h512 << 2, 64, pub.modulus, pub.exponent, message,
                              sign(*key, SignatureScheme::rsa_pkcs1_sha512, message, rng)));
        write(sig_dir, "rsa2048_pss_sha256_valid",
              signature_input(0, 0, h256 | h256 << 2, 32, pub.modulus, pub.exponent, message,
                              sign(*key, SignatureScheme::rsa_pss_rsae_sha256, message, rng)));
        write(sig_dir, "rsa2048_pss_sha384_valid",
              signature_input(0, 0, h384 | h384 << 2, 48, pub.modulus, pub.exponent, message,
                              sign(*key, SignatureScheme::rsa_pss_rsae_sha384, message, rng)));
    }

    // X25519 peer keys: a real one, and the all-zero (low-order) point.
    {
        auto kx = must(p.find(NamedGroup::x25519)->generate(rng), "X25519 key");
        write(kx_dir, "x25519_point", kx->public_key());
        const std::uint8_t zero[32] = {};
        write(kx_dir, "x25519_zero", Bytes(zero, sizeof zero));
    }
    // Private scalars (0xff marker, then 32 or 48 bytes).
    for (std::size_t n : {32u, 48u}) {
        Buffer scalar(1 + n);
        (void)rng.fill(MutableBytes(scalar).subspan(1));
        scalar[0] = 0xff;
        scalar[1] &= 0x7f;
        write(kx_dir, "scalar_" + std::to_string(n), scalar);
    }
    // AEAD records sealed by the default provider (fuzz_aead's layout: key, nonce, tag, aad, record),
    // so opening them succeeds; and a few lengths around the block size.
    {
        const auto aead_dir = root / "fuzz_aead";
        for (const AeadDescriptor* d : p.aeads) {
            std::uint8_t key[32], nonce[aead_nonce_size], tag[aead_tag_size];
            (void)rng.fill(key);
            (void)rng.fill(nonce);
            const std::uint8_t aad[] = {23, 3, 3, 0, 49};
            Buffer record(message.begin(), message.end());
            auto k = must(d->new_key(Bytes(key, d->key_size)), "AEAD key");
            if (!k->seal(nonce, aad, record, tag)) die("AEAD seal");
            Buffer in(key, key + sizeof key);
            in.insert(in.end(), nonce, nonce + sizeof nonce);
            in.insert(in.end(), tag, tag + sizeof tag);
            put_field(in, aad);
            in.insert(in.end(), record.begin(), record.end());
            std::string name = std::string("sealed_") + to_string(d->algorithm);  // "sealed_AES-128-GCM"
            for (char& c : name) c = c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            write(aead_dir, name, in);
        }
        for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 64u}) {
            Buffer in(32 + aead_nonce_size + aead_tag_size + 2 + n);
            (void)rng.fill(in);
            in[32 + aead_nonce_size + aead_tag_size] = 0;  // aad length: 0..255
            write(aead_dir, "random_record_" + std::to_string(n), in);
        }
    }
    std::printf("seeds written under %s\n", root.c_str());
    return 0;
}
