#include "record/record_cipher.hpp"

#include <cstring>

namespace tls::record {
namespace {

constexpr std::uint64_t aes_gcm_record_limit = std::uint64_t{1} << 24;
// ChaCha20-Poly1305 has no practical confidentiality limit; stay far from wrapping.
constexpr std::uint64_t chacha_record_limit = std::uint64_t{1} << 62;

void put_u64(std::uint8_t* out, std::uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<std::uint8_t>(v);
}

std::uint64_t limit_for(crypto::AeadAlgorithm a) {
    return a == crypto::AeadAlgorithm::chacha20_poly1305 ? chacha_record_limit : aes_gcm_record_limit;
}

}  // namespace

RecordCipher::~RecordCipher() { crypto::secure_wipe(iv_, sizeof iv_); }

Result<RecordCipher> RecordCipher::tls13(const crypto::AeadDescriptor& aead, crypto::Bytes key, crypto::Bytes iv) noexcept {
    if (iv.size() != 12) return Error{ErrorCode::invalid_argument, "TLS 1.3 IV must be 12 bytes"};
    auto k = aead.new_key(key);
    if (!k) return k.error();
    RecordCipher c;
    c.key_ = std::move(*k);
    std::memcpy(c.iv_, iv.data(), 12);
    c.protocol_ = Protocol::tls13;
    c.usage_limit_ = limit_for(aead.algorithm);
    return c;
}

Result<RecordCipher> RecordCipher::tls12(const crypto::AeadDescriptor& aead, crypto::Bytes key,
                                         crypto::Bytes fixed_iv) noexcept {
    const bool gcm = aead.algorithm != crypto::AeadAlgorithm::chacha20_poly1305;
    if (fixed_iv.size() != (gcm ? 4u : 12u))
        return Error{ErrorCode::invalid_argument, "TLS 1.2 fixed IV must be 4 bytes (GCM) or 12 (ChaCha20)"};
    auto k = aead.new_key(key);
    if (!k) return k.error();
    RecordCipher c;
    c.key_ = std::move(*k);
    std::memcpy(c.iv_, fixed_iv.data(), fixed_iv.size());
    c.protocol_ = Protocol::tls12;
    c.explicit_nonce_ = gcm;
    c.usage_limit_ = limit_for(aead.algorithm);
    return c;
}

// The nonce for the current sequence number. RFC 8446 5.3 (and RFC
// 7905 for TLS 1.2 ChaCha20): IV XOR the big-endian sequence number. RFC 5288:
// 4-byte salt || 8-byte explicit nonce, for which we use the sequence number
// so it can never repeat under one key.
Result<void> RecordCipher::current_nonce(std::uint8_t nonce[12]) const noexcept {
    // RFC 8446 5.3: a sequence number must never wrap; the last value is not used.
    if (sequence_ == UINT64_MAX) return Error{ErrorCode::sequence_exhausted, "record sequence number exhausted"};
    std::uint8_t seq[8];
    put_u64(seq, sequence_);
    if (explicit_nonce_) {
        std::memcpy(nonce, iv_, 4);
        std::memcpy(nonce + 4, seq, 8);
    } else {
        std::memcpy(nonce, iv_, 12);
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= seq[i];
    }
    return success();
}

Result<std::size_t> RecordCipher::seal(ContentType type, crypto::MutableBytes record, std::size_t plaintext_size,
                                       std::size_t padding) noexcept {
    if (protocol_ == Protocol::tls12) padding = 0;
    const std::size_t inner = plaintext_size + (protocol_ == Protocol::tls13 ? 1 + padding : 0);
    const std::size_t body = prefix_size() + inner + crypto::aead_tag_size;
    const std::size_t limit = protocol_ == Protocol::tls13 ? max_ciphertext_tls13 : max_ciphertext_tls12;
    if (plaintext_size > max_plaintext || body > limit || header_size + body > record.size())
        return Error{ErrorCode::internal_error, "record too large to seal"};

    std::uint8_t nonce[12];
    const std::uint64_t seq = sequence_;
    TLS_TRY(current_nonce(nonce));

    std::uint8_t* h = record.data();
    std::uint8_t* payload = h + header_size + prefix_size();
    std::uint8_t aad_buf[13];
    crypto::Bytes aad;
    if (protocol_ == Protocol::tls13) {
        // TLSInnerPlaintext: content || type || zeros; outer header says application_data.
        payload[plaintext_size] = static_cast<std::uint8_t>(type);
        if (padding) std::memset(payload + plaintext_size + 1, 0, padding);
        h[0] = static_cast<std::uint8_t>(ContentType::application_data);
        aad = crypto::Bytes(h, header_size);  // RFC 8446 5.2: additional_data = the record header
    } else {
        h[0] = static_cast<std::uint8_t>(type);
        put_u64(aad_buf, seq);  // RFC 5246 6.2.3.3: seq_num || type || version || length
        aad_buf[8] = h[0];
        aad_buf[9] = 0x03;
        aad_buf[10] = 0x03;
        aad_buf[11] = static_cast<std::uint8_t>(plaintext_size >> 8);
        aad_buf[12] = static_cast<std::uint8_t>(plaintext_size);
        aad = crypto::Bytes(aad_buf, sizeof aad_buf);
        if (explicit_nonce_) std::memcpy(h + header_size, nonce + 4, 8);
    }
    h[1] = 0x03;
    h[2] = 0x03;
    h[3] = static_cast<std::uint8_t>(body >> 8);
    h[4] = static_cast<std::uint8_t>(body);
    TLS_TRY(key_->seal({nonce, 12}, aad, {payload, inner}, {payload + inner, crypto::aead_tag_size}));
    ++sequence_;
    return header_size + body;
}

Result<RecordCipher::Opened> RecordCipher::open(crypto::Bytes header, crypto::MutableBytes fragment) noexcept {
    constexpr Error bad_mac{ErrorCode::bad_record_mac, "record authentication failed"};
    const std::size_t min = prefix_size() + crypto::aead_tag_size + (protocol_ == Protocol::tls13 ? 1 : 0);
    // Too short to be a record of this cipher: as if authentication failed.
    if (fragment.size() < min || header.size() != header_size) return bad_mac;
    std::uint8_t nonce[12];
    const std::uint64_t seq = sequence_;
    TLS_TRY(current_nonce(nonce));
    if (explicit_nonce_) std::memcpy(nonce + 4, fragment.data(), 8);

    crypto::MutableBytes sealed = fragment.subspan(prefix_size());
    crypto::MutableBytes data = sealed.first(sealed.size() - crypto::aead_tag_size);
    crypto::Bytes tag = sealed.last(crypto::aead_tag_size);
    std::uint8_t aad_buf[13];
    crypto::Bytes aad = header;
    if (protocol_ == Protocol::tls12) {
        put_u64(aad_buf, seq);
        std::memcpy(aad_buf + 8, header.data(), 3);  // type and version as received
        aad_buf[11] = static_cast<std::uint8_t>(data.size() >> 8);
        aad_buf[12] = static_cast<std::uint8_t>(data.size());
        aad = crypto::Bytes(aad_buf, sizeof aad_buf);
    }
    // A failed open consumes no sequence number, so a server skipping rejected
    // 0-RTT records by trial decryption stays in step (RFC 8446 4.2.10).
    auto r = key_->open({nonce, 12}, aad, data, tag);
    if (!r) return r.error().code == ErrorCode::bad_record_mac ? bad_mac : r.error();
    ++sequence_;

    if (protocol_ == Protocol::tls12) {
        if (data.size() > max_plaintext) return Error{ErrorCode::record_overflow, "decrypted record longer than 2^14"};
        return Opened{static_cast<ContentType>(header[0]), data};
    }
    // RFC 8446 5.2: TLSInnerPlaintext is at most 2^14 + 1 bytes (content plus type).
    if (data.size() > max_plaintext + 1) return Error{ErrorCode::record_overflow, "TLSInnerPlaintext longer than 2^14 + 1"};
    // RFC 8446 5.4: the type is the last non-zero byte; none at all is unexpected_message.
    std::size_t end = data.size();
    while (end > 0 && data[end - 1] == 0) --end;
    if (end == 0) return Error{ErrorCode::unexpected_message, "protected record has no non-zero content type byte"};
    return Opened{static_cast<ContentType>(data[end - 1]), data.first(end - 1)};
}

}  // namespace tls::record
