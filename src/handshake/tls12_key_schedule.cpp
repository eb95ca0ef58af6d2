#include "handshake/tls12_key_schedule.hpp"

#include <algorithm>
#include <initializer_list>

#include "handshake/tls12_suites.hpp"

namespace tls::handshake {
namespace {

constexpr std::size_t max_prf_output = 0xffff;
constexpr std::size_t max_label = 255;

crypto::Bytes as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// P_hash(secret, label + seed_0 + seed_1 + ...) (RFC 5246 5), with the seed in
// parts so no caller has to concatenate randoms into a temporary:
//   A(0) = seed, A(i) = HMAC(secret, A(i-1)),
//   output = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
Result<void> p_hash(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                    std::initializer_list<crypto::Bytes> seed, crypto::MutableBytes out) noexcept {
    if (out.size() > max_prf_output || label.size() > max_label)
        return Error{ErrorCode::invalid_argument, "TLS 1.2 PRF output or label too long"};
    const std::size_t n = hash.output_size;
    if (n == 0 || n > crypto::Secret::max_size) return Error{ErrorCode::internal_error, "TLS 1.2 PRF hash size"};

    const crypto::Hmac keyed(hash, secret);  // the key's inner and outer states, computed once
    crypto::Secret a;                         // A(i)
    crypto::Secret block;                     // one HMAC output

    // A(1) = HMAC(secret, label + seed).
    crypto::Hmac mac = keyed;
    mac.update(as_bytes(label));
    for (auto part : seed) mac.update(part);
    mac.finish(a.resize(n));

    std::size_t done = 0;
    while (done < out.size()) {
        mac = keyed;
        mac.update(a.bytes());
        mac.update(as_bytes(label));
        for (auto part : seed) mac.update(part);
        const std::size_t take = std::min(n, out.size() - done);
        if (take == n) {
            mac.finish(out.subspan(done, n));
        } else {
            mac.finish(block.resize(n));
            for (std::size_t i = 0; i < take; ++i) out[done + i] = block.bytes()[i];
        }
        done += take;
        if (done < out.size()) {
            // A(i+1) = HMAC(secret, A(i)).
            mac = keyed;
            mac.update(a.bytes());
            mac.finish(block.resize(n));
            a = block;
        }
    }
    return {};
}

Result<crypto::Secret> derive_master(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                     std::string_view label, std::initializer_list<crypto::Bytes> seed) noexcept {
    crypto::Secret master;
    TLS_TRY(p_hash(hash, pre_master, label, seed, master.resize(tls12_master_secret_size)));
    return master;
}

bool is_random(crypto::Bytes random) noexcept { return random.size() == tls12_random_size; }

}  // namespace

Result<void> tls12_prf(const crypto::HashDescriptor& hash, crypto::Bytes secret, std::string_view label,
                       crypto::Bytes seed, crypto::MutableBytes out) noexcept {
    return p_hash(hash, secret, label, {seed}, out);
}

Result<crypto::Secret> extended_master_secret(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                              crypto::Bytes session_hash) noexcept {
    return derive_master(hash, pre_master, "extended master secret", {session_hash});
}

Result<crypto::Secret> master_secret(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                     crypto::Bytes client_random, crypto::Bytes server_random) noexcept {
    if (!is_random(client_random) || !is_random(server_random))
        return Error{ErrorCode::invalid_argument, "TLS 1.2 randoms must be 32 bytes"};
    return derive_master(hash, pre_master, "master secret", {client_random, server_random});
}

Result<Tls12KeyBlock> tls12_key_block(const crypto::HashDescriptor& hash, const crypto::AeadDescriptor& aead,
                                      crypto::Bytes master, crypto::Bytes client_random,
                                      crypto::Bytes server_random) noexcept {
    if (!is_random(client_random) || !is_random(server_random))
        return Error{ErrorCode::invalid_argument, "TLS 1.2 randoms must be 32 bytes"};
    const std::size_t key_size = aead.key_size;
    const std::size_t iv_size = tls12_fixed_iv_size(aead.algorithm);
    if (key_size == 0 || key_size > crypto::Secret::max_size)
        return Error{ErrorCode::internal_error, "TLS 1.2 AEAD key size"};

    // No MAC keys for AEAD suites: key_block = client key, server key, client IV, server IV.
    std::uint8_t block[2 * 32 + 2 * 12];  // the largest AEAD key (32) and IV (12), wiped below
    const std::size_t total = 2 * key_size + 2 * iv_size;
    if (total > sizeof block) return Error{ErrorCode::internal_error, "TLS 1.2 key block size"};
    auto r = p_hash(hash, master, "key expansion", {server_random, client_random}, crypto::MutableBytes(block, total));
    if (!r) {
        crypto::secure_wipe(block, sizeof block);
        return r.error();
    }
    const crypto::Bytes all(block, total);
    Tls12KeyBlock kb;
    kb.client_write_key.assign(all.subspan(0, key_size));
    kb.server_write_key.assign(all.subspan(key_size, key_size));
    kb.client_write_iv.assign(all.subspan(2 * key_size, iv_size));
    kb.server_write_iv.assign(all.subspan(2 * key_size + iv_size, iv_size));
    crypto::secure_wipe(block, sizeof block);
    return kb;
}

Result<crypto::Secret> tls12_verify_data(const crypto::HashDescriptor& hash, crypto::Bytes master, Tls12Sender sender,
                                         crypto::Bytes handshake_hash) noexcept {
    crypto::Secret out;
    TLS_TRY(p_hash(hash, master, sender == Tls12Sender::client ? "client finished" : "server finished",
                   {handshake_hash}, out.resize(tls12_verify_data_size)));
    return out;
}

Result<Tls12FinishedVerified> tls12_verify_finished(const crypto::HashDescriptor& hash, crypto::Bytes master,
                                                    Tls12Sender sender, crypto::Bytes handshake_hash,
                                                    crypto::Bytes received) noexcept {
    auto expected = tls12_verify_data(hash, master, sender, handshake_hash);
    if (!expected) return expected.error();
    if (!crypto::ct_equal(expected->bytes(), received))
        return Error{ErrorCode::bad_signature, "TLS 1.2 Finished verify_data does not match"};
    return Tls12FinishedVerified{};
}

Result<Tls12MasterSecret> Tls12MasterSecret::extended(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                                      crypto::Bytes session_hash) noexcept {
    auto secret = extended_master_secret(hash, pre_master, session_hash);
    if (!secret) return secret.error();
    return Tls12MasterSecret(hash, *secret);
}

Result<Tls12MasterSecret> Tls12MasterSecret::classic(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                                     crypto::Bytes client_random, crypto::Bytes server_random) noexcept {
    auto secret = master_secret(hash, pre_master, client_random, server_random);
    if (!secret) return secret.error();
    return Tls12MasterSecret(hash, *secret);
}

Result<Tls12MasterSecret> Tls12MasterSecret::resumed(const crypto::HashDescriptor& hash, crypto::Bytes master) noexcept {
    if (master.size() != tls12_master_secret_size)
        return Error{ErrorCode::invalid_argument, "TLS 1.2 master secret must be 48 bytes"};
    return Tls12MasterSecret(hash, crypto::Secret(master));
}

Result<Tls12KeyBlock> Tls12MasterSecret::key_block(const crypto::AeadDescriptor& aead, crypto::Bytes client_random,
                                                   crypto::Bytes server_random) const noexcept {
    return tls12_key_block(*hash_, aead, secret_.bytes(), client_random, server_random);
}

Result<crypto::Secret> Tls12MasterSecret::verify_data(Tls12Sender sender, crypto::Bytes handshake_hash) const noexcept {
    return tls12_verify_data(*hash_, secret_.bytes(), sender, handshake_hash);
}

Result<Tls12FinishedVerified> Tls12MasterSecret::verify_finished(Tls12Sender sender, crypto::Bytes handshake_hash,
                                                                 crypto::Bytes received) const noexcept {
    return tls12_verify_finished(*hash_, secret_.bytes(), sender, handshake_hash, received);
}

}  // namespace tls::handshake
