// Hash (value-type wrapper over a backend descriptor), HMAC and HKDF.
// HMAC and HKDF are constructions, not primitives: one implementation here
// serves every backend's hash, and Wycheproof checks it on each of them.
#include "tls/crypto/hash.hpp"

#include <cstring>

namespace tls::crypto {

Hash::Hash(const HashDescriptor& descriptor) noexcept : descriptor_(&descriptor) {
    descriptor_->init(state_);
}

Hash::~Hash() { secure_wipe(state_, sizeof state_); }

void Hash::update(Bytes data) noexcept {
    if (!data.empty()) descriptor_->update(state_, data.data(), data.size());
}

void Hash::finish(MutableBytes out) noexcept {
    if (out.size() >= descriptor_->output_size) {
        descriptor_->finish(state_, out.data());
    } else {
        // A short buffer gets a prefix, never an overflow.
        std::uint8_t full[64];
        descriptor_->finish(state_, full);
        std::memcpy(out.data(), full, out.size() < sizeof full ? out.size() : sizeof full);
        secure_wipe(full, sizeof full);
    }
    descriptor_->init(state_);
}

void Hash::peek(MutableBytes out) const noexcept {
    Hash copy(*this);
    copy.finish(out);
}

void Hash::digest(const HashDescriptor& d, Bytes data, MutableBytes out) noexcept {
    Hash h(d);
    h.update(data);
    h.finish(out);
}

namespace {
constexpr std::size_t max_block_size = 128;
constexpr std::size_t max_output_size = 64;
}  // namespace

Hmac::Hmac(const HashDescriptor& hash, Bytes key) noexcept
    : keyed_inner_(hash), keyed_outer_(hash), inner_(hash) {
    std::uint8_t block[max_block_size] = {};
    // RFC 2104: keys longer than the block are hashed first.
    if (key.size() > hash.block_size) {
        Hash::digest(hash, key, block);
    } else if (!key.empty()) {
        std::memcpy(block, key.data(), key.size());
    }
    for (std::size_t i = 0; i < hash.block_size; ++i) block[i] ^= 0x36;
    keyed_inner_.update({block, hash.block_size});
    for (std::size_t i = 0; i < hash.block_size; ++i) block[i] ^= 0x36 ^ 0x5c;
    keyed_outer_.update({block, hash.block_size});
    secure_wipe(block, sizeof block);
    inner_ = keyed_inner_;
}

void Hmac::update(Bytes data) noexcept { inner_.update(data); }

void Hmac::finish(MutableBytes out) noexcept {
    std::uint8_t inner_digest[max_output_size];
    const std::size_t n = inner_.output_size();
    inner_.finish(inner_digest);
    Hash outer = keyed_outer_;
    outer.update({inner_digest, n});
    outer.finish(out);
    secure_wipe(inner_digest, sizeof inner_digest);
    inner_ = keyed_inner_;
}

void Hmac::mac(const HashDescriptor& hash, Bytes key, Bytes data, MutableBytes out) noexcept {
    Hmac h(hash, key);
    h.update(data);
    h.finish(out);
}

void hkdf_extract(const HashDescriptor& hash, Bytes salt, Bytes ikm, MutableBytes prk) noexcept {
    // RFC 5869 2.2: if the salt is not provided, it is a string of HashLen zeros.
    static constexpr std::uint8_t zeros[max_output_size] = {};
    if (salt.empty()) salt = Bytes(zeros, hash.output_size);
    Hmac::mac(hash, salt, ikm, prk);
}

Result<void> hkdf_expand(const HashDescriptor& hash, Bytes prk, Bytes info, MutableBytes okm) noexcept {
    const std::size_t n = hash.output_size;
    // RFC 5869 2.3: L <= 255 * HashLen.
    if (okm.size() > 255 * n) return Error{ErrorCode::invalid_argument, "HKDF output longer than 255 * HashLen"};
    Hmac hmac(hash, prk);
    std::uint8_t t[max_output_size];
    std::size_t done = 0;
    for (std::uint8_t counter = 1; done < okm.size(); ++counter) {
        if (counter > 1) hmac.update({t, n});
        hmac.update(info);
        hmac.update({&counter, 1});
        hmac.finish(t);
        std::size_t take = okm.size() - done < n ? okm.size() - done : n;
        std::memcpy(okm.data() + done, t, take);
        done += take;
    }
    secure_wipe(t, sizeof t);
    return success();
}

}  // namespace tls::crypto
