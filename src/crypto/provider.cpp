#include "tls/crypto/provider.hpp"

#include <cstdio>

namespace tls::crypto {

const AeadDescriptor* CryptoProvider::find(AeadAlgorithm algorithm) const noexcept {
    for (const auto* d : aeads)
        if (d->algorithm == algorithm) return d;
    return nullptr;
}

const HashDescriptor* CryptoProvider::find(HashAlgorithm algorithm) const noexcept {
    for (const auto* d : hashes)
        if (d->algorithm == algorithm) return d;
    return nullptr;
}

const KeyExchangeDescriptor* CryptoProvider::find(NamedGroup group) const noexcept {
    for (const auto* d : key_exchanges)
        if (d->group == group) return d;
    return nullptr;
}

const SignatureVerifier* CryptoProvider::find(SignatureScheme scheme) const noexcept {
    for (const auto* d : verifiers)
        if (d->scheme == scheme) return d;
    return nullptr;
}

const BlockCipherDescriptor* CryptoProvider::find(BlockCipher cipher) const noexcept {
    for (const auto* d : block_ciphers)
        if (d->algorithm == cipher) return d;
    return nullptr;
}

Result<std::unique_ptr<SigningKey>> CryptoProvider::load_signing_key(const PrivateKey& key) const noexcept {
    for (const auto* f : signing_keys)
        if (f->can_load(key)) return f->load(key);
    return Error{ErrorCode::unsupported, "no backend in this provider loads this kind of private key"};
}

std::string describe(const CryptoProvider& p) {
    std::string out;
    char line[128];
    auto add = [&](const char* kind, const char* name, const char* backend) {
        std::snprintf(line, sizeof line, "  %-10s %-24s %s\n", kind, name, backend);
        out += line;
    };
    out += "provider ";
    out += p.name;
    out += "\n";
    for (const auto* d : p.aeads) add("aead", to_string(d->algorithm), d->backend);
    for (const auto* d : p.hashes) add("hash", to_string(d->algorithm), d->backend);
    for (const auto* d : p.key_exchanges) add("kx", to_string(d->group), d->backend);
    for (const auto* d : p.verifiers) add("verify", to_string(d->scheme), d->backend);
    if (p.rsa_pss != nullptr) add("verify", "RSASSA-PSS(params)", p.rsa_pss->backend);
    if (p.ecdsa != nullptr) add("verify", "ECDSA(any hash, TLS 1.2)", p.ecdsa->backend);
    for (const auto* d : p.signing_keys) add("sign", d->key_kinds, d->backend);
    for (const auto* d : p.block_ciphers) add("cipher", to_string(d->algorithm), d->backend);
    return out;
}

}  // namespace tls::crypto
