#include "handshake/psk.hpp"

#include <cstring>

#include "handshake/key_schedule.hpp"

namespace tls::handshake {
namespace {

crypto::Secret truncated_transcript_hash(const crypto::HashDescriptor& hash, const Transcript* earlier,
                                         crypto::Bytes truncated_hello) noexcept {
    Transcript t = earlier ? *earlier : Transcript(hash);
    t.add(truncated_hello);
    return t.current();
}

}  // namespace

crypto::Secret resumption_psk(const crypto::HashDescriptor& hash, crypto::Bytes resumption_master_secret,
                              crypto::Bytes ticket_nonce) noexcept {
    crypto::Secret psk;
    // Cannot fail: the label is short and the length one hash.
    (void)hkdf_expand_label(hash, resumption_master_secret, "resumption", ticket_nonce, psk.resize(hash.output_size));
    return psk;
}

crypto::Secret psk_binder(const crypto::HashDescriptor& hash, crypto::Bytes psk, const Transcript* earlier,
                          crypto::Bytes truncated_hello) noexcept {
    const auto binder_key = EarlySecret(hash, psk).binder_key(/*resumption=*/true);
    const auto transcript_hash = truncated_transcript_hash(hash, earlier, truncated_hello);
    return finished_verify_data(hash, binder_key.bytes(), transcript_hash.bytes());
}

Result<void> fill_psk_binder(std::vector<std::uint8_t>& client_hello, const crypto::HashDescriptor& hash,
                             crypto::Bytes psk, const Transcript* earlier) noexcept {
    const std::size_t binders_size = 2 + 1 + hash.output_size;
    if (client_hello.size() < 4 + binders_size) return Error{ErrorCode::internal_error, "ClientHello too short for a binder"};
    const std::size_t truncated = client_hello.size() - binders_size;
    const auto binder = psk_binder(hash, psk, earlier, crypto::Bytes(client_hello.data(), truncated));
    std::memcpy(client_hello.data() + client_hello.size() - hash.output_size, binder.bytes().data(), hash.output_size);
    return success();
}

Result<void> verify_psk_binder(const crypto::HashDescriptor& hash, crypto::Bytes psk, const Transcript* earlier,
                               crypto::Bytes truncated_hello, crypto::Bytes binder) noexcept {
    const auto binder_key = EarlySecret(hash, psk).binder_key(/*resumption=*/true);
    const auto transcript_hash = truncated_transcript_hash(hash, earlier, truncated_hello);
    auto verified = verify_finished(hash, binder_key.bytes(), transcript_hash.bytes(), binder);
    if (!verified) return Error{ErrorCode::bad_signature, "the PSK binder does not verify"};
    return success();
}

}  // namespace tls::handshake
