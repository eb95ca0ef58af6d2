#include "tls/crypto/self_test.hpp"

#include <cstring>

namespace tls::crypto {
namespace {

std::vector<std::uint8_t> hex(const char* s) {
    std::vector<std::uint8_t> out;
    auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
    for (std::size_t i = 0; s[i] && s[i + 1]; i += 2)
        out.push_back(static_cast<std::uint8_t>(nibble(s[i]) << 4 | nibble(s[i + 1])));
    return out;
}

bool equal(Bytes a, const std::vector<std::uint8_t>& b) { return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0; }

// FIPS 180-4 "abc" digests.
const char* abc_digest(HashAlgorithm h) {
    switch (h) {
        case HashAlgorithm::sha1: return "a9993e364706816aba3e25717850c26c9cd0d89d";
        case HashAlgorithm::sha256: return "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        case HashAlgorithm::sha384:
            return "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7";
        case HashAlgorithm::sha512:
            return "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                   "454d4423643ce80e2a9ac94fa54ca49f";
    }
    return "";
}

struct AeadVector {
    const char *key, *nonce, *aad, *plaintext, *ciphertext, *source;
};

// One published vector per AEAD, cut to its first 16 bytes: both are stream
// ciphers, so the ciphertext prefix is exact (the tag is checked by round trip).
AeadVector aead_vector(AeadAlgorithm a) {
    switch (a) {
        case AeadAlgorithm::aes128_gcm:  // GCM spec (McGrew & Viega) test case 3, first 16 bytes
            return {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
                    "d9313225f88406e5a55909c5aff5269a", "42831ec2217774244b7221b784d0d49c",
                    "GCM spec test case 3 (prefix)"};
        case AeadAlgorithm::aes256_gcm:  // GCM spec test case 15, first 16 bytes
            return {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
                    "d9313225f88406e5a55909c5aff5269a", "522dc1f099567d07f47f37a32a84427d",
                    "GCM spec test case 15 (prefix)"};
        case AeadAlgorithm::chacha20_poly1305:  // RFC 8439 2.8.2, first 16 bytes of plaintext
            return {"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
                    "50515253c0c1c2c3c4c5c6c7", "4c616469657320616e642047656e746c", "d31a8d34648e60db7b86afbc53ef7ec2",
                    "RFC 8439 2.8.2 (prefix)"};
    }
    return {};
}

struct CipherVector {
    const char *key, *iv, *ciphertext, *plaintext, *source;
};

// One block each: CBC of one block under a zero IV is the block cipher itself.
CipherVector cipher_vector(BlockCipher c) {
    switch (c) {
        case BlockCipher::aes128_cbc:
            return {"2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f",
                    "7649abac8119b246cee98e9b12e9197d", "6bc1bee22e409f96e93d7e117393172a", "SP 800-38A F.2.2 block 1"};
        case BlockCipher::aes256_cbc:
            return {"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
                    "000102030405060708090a0b0c0d0e0f", "f58c4c04d6e5f1ba779eabfb5f7bfbd6",
                    "6bc1bee22e409f96e93d7e117393172a", "SP 800-38A F.2.6 block 1"};
        case BlockCipher::des_ede3_cbc:
            return {"0123456789abcdef23456789abcdef01456789abcdef0123", "0000000000000000", "a826fd8ce53b855f",
                    "5468652071756663", "SP 800-67 example block 1"};
        case BlockCipher::rc2_40_cbc:  // RFC 2268 has no 40-bit vector; this is OpenSSL 3's RC2-40-CBC output
            return {"0102030405", "0000000000000000", "269b2c0070a1cb64", "0000000000000000", "OpenSSL RC2-40-CBC"};
    }
    return {};
}

}  // namespace

std::vector<SelfTestResult> self_test(const CryptoProvider& p) {
    std::vector<SelfTestResult> results;
    const std::uint8_t abc[] = {'a', 'b', 'c'};

    for (const auto* d : p.hashes) {
        std::uint8_t out[64];
        Hash::digest(*d, abc, out);
        results.push_back({to_string(d->algorithm), d->backend, "FIPS 180-4 \"abc\" digest",
                           equal({out, d->output_size}, hex(abc_digest(d->algorithm)))});
    }
    if (const auto* sha256 = p.find(HashAlgorithm::sha256)) {
        // RFC 5869 A.1.
        auto ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        auto salt = hex("000102030405060708090a0b0c");
        auto info = hex("f0f1f2f3f4f5f6f7f8f9");
        std::uint8_t prk[32], okm[42];
        hkdf_extract(*sha256, salt, ikm, prk);
        const bool ok = hkdf_expand(*sha256, prk, info, okm).ok() &&
                        equal(okm, hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
        results.push_back({"HKDF-SHA-256", sha256->backend, "RFC 5869 A.1", ok});
    }
    for (const auto* d : p.aeads) {
        const AeadVector v = aead_vector(d->algorithm);
        auto key = hex(v.key), nonce = hex(v.nonce), aad = hex(v.aad), pt = hex(v.plaintext), ct = hex(v.ciphertext);
        bool ok = false;
        if (auto k = d->new_key(key); k.ok()) {
            std::vector<std::uint8_t> buf = pt, tag(aead_tag_size);
            ok = (*k)->seal(nonce, aad, buf, tag).ok() && equal(buf, ct);
            ok = ok && (*k)->open(nonce, aad, buf, tag).ok() && equal(buf, pt);
            tag[0] ^= 1;
            ok = ok && !(*k)->open(nonce, aad, buf, tag).ok();
        }
        results.push_back({to_string(d->algorithm), d->backend, std::string(v.source) + " + tamper check", ok});
    }
    for (const auto* d : p.key_exchanges) {
        bool ok = false;
        const char* check = "two-party agreement";
        if (d->group == NamedGroup::x25519) {
            // RFC 7748 6.1.
            check = "RFC 7748 6.1";
            auto alice = d->from_private(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
            auto bob_public = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
            std::uint8_t shared[32];
            ok = alice.ok() &&
                 equal((*alice)->public_key(), hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")) &&
                 (*alice)->agree(bob_public, shared).ok() &&
                 equal(shared, hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
        } else if (p.rng != nullptr) {
            auto a = d->generate(*p.rng);
            auto b = d->generate(*p.rng);
            std::uint8_t sa[64], sb[64];
            ok = a.ok() && b.ok() && (*a)->agree((*b)->public_key(), {sa, d->shared_secret_size}).ok() &&
                 (*b)->agree((*a)->public_key(), {sb, d->shared_secret_size}).ok() &&
                 std::memcmp(sa, sb, d->shared_secret_size) == 0;
        }
        results.push_back({to_string(d->group), d->backend, check, ok});
    }
    if (const auto* ed = p.find(SignatureScheme::ed25519)) {
        // RFC 8032 7.1 TEST 1 (empty message).
        auto pk = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        auto sig = hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46b"
                       "d25bf5f0595bbe24655141438e7a100b");
        const bool ok = ed->verify(Ed25519PublicKey{pk}, {}, sig).ok();
        sig[0] ^= 1;
        results.push_back({"ed25519", ed->backend, "RFC 8032 7.1 TEST 1 + tamper check",
                           ok && !ed->verify(Ed25519PublicKey{pk}, {}, sig).ok()});
    }
    for (auto [curve, scheme] : {std::pair{NamedGroup::secp256r1, SignatureScheme::ecdsa_secp256r1_sha256},
                                 std::pair{NamedGroup::secp384r1, SignatureScheme::ecdsa_secp384r1_sha384}}) {
        const SignatureVerifier* verifier = p.find(scheme);
        if (verifier == nullptr || p.rng == nullptr) continue;
        std::uint8_t scalar[48];
        for (std::size_t i = 0; i < sizeof scalar; ++i) scalar[i] = static_cast<std::uint8_t>(i + 1);
        const std::size_t n = curve == NamedGroup::secp256r1 ? 32 : 48;
        auto key = p.load_signing_key(EcPrivateKey{curve, {scalar, n}});
        std::uint8_t sig[160];
        bool ok = false;
        if (key.ok()) {
            const Bytes message(abc, sizeof abc);
            auto len = (*key)->sign(scheme, message, *p.rng, sig);
            ok = len.ok() && verifier->verify((*key)->public_key(), message, {sig, *len}).ok() &&
                 !verifier->verify((*key)->public_key(), message.first(2), {sig, *len}).ok();
        }
        results.push_back({to_string(scheme), verifier->backend, "sign/verify round trip + wrong-message check", ok});
    }
    for (const auto* d : p.block_ciphers) {
        const CipherVector v = cipher_vector(d->algorithm);
        auto data = hex(v.ciphertext);
        const bool ok = d->cbc_decrypt(hex(v.key), hex(v.iv), data).ok() && equal(data, hex(v.plaintext));
        results.push_back({to_string(d->algorithm), d->backend, std::string(v.source) + " (decrypt)", ok});
    }
    return results;
}

}  // namespace tls::crypto
