// The record writer: fragmentation, record_size_limit, padding, coalescing,
// TLS 1.2 nonces, and a TLS 1.2 record checked against OpenSSL's AEAD.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include "record/record_reader.hpp"
#include "record/record_writer.hpp"
#include "support/hex.hpp"

using namespace tls::record;
using test::ByteVec;

namespace {

const tls::crypto::AeadDescriptor& aead(tls::crypto::AeadAlgorithm a) {
    return *tls::crypto::default_provider().find(a);
}

std::vector<std::size_t> record_lengths(tls::crypto::Bytes stream) {
    std::vector<std::size_t> out;
    while (stream.size() >= header_size) {
        const std::size_t len = static_cast<std::size_t>(stream[3] << 8 | stream[4]);
        out.push_back(len);
        stream = stream.subspan(header_size + len);
    }
    return out;
}

}  // namespace

TEST_CASE("Writes are split into full-size records and coalesced in one buffer", "[record][writer]") {
    RecordWriter w;
    REQUIRE(w.write(ContentType::handshake, ByteVec(40000, 1)).ok());
    REQUIRE(w.write(ContentType::handshake, ByteVec(10, 2)).ok());
    CHECK(record_lengths(w.pending()) == std::vector<std::size_t>{16384, 16384, 7232, 10});
    // Partial sends: the rest stays pending.
    const std::size_t total = w.pending().size();
    w.consume(100);
    CHECK(w.pending().size() == total - 100);
    w.consume(total);
    CHECK(w.pending().empty());
    // Zero-length writes: one empty record for application data only.
    RecordWriter z;
    z.set_cipher(*RecordCipher::tls13(aead(tls::crypto::AeadAlgorithm::aes128_gcm), ByteVec(16, 1), ByteVec(12, 2)));
    REQUIRE(z.write(ContentType::handshake, {}).ok());
    CHECK(z.pending().empty());
    REQUIRE(z.write(ContentType::application_data, {}).ok());
    CHECK(record_lengths(z.pending()) == std::vector<std::size_t>{1 + 16});
}

TEST_CASE("record_size_limit bounds the plaintext per record", "[record][writer]") {
    RecordWriter w;
    w.set_cipher(*RecordCipher::tls13(aead(tls::crypto::AeadAlgorithm::aes128_gcm), ByteVec(16, 1), ByteVec(12, 2)));
    // RFC 8449: a TLS 1.3 limit of 1000 leaves 999 bytes of content (the type byte counts).
    w.set_max_fragment(999);
    REQUIRE(w.write(ContentType::application_data, ByteVec(2500, 3)).ok());
    CHECK(record_lengths(w.pending()) == std::vector<std::size_t>{999 + 17, 999 + 17, 502 + 17});
}

TEST_CASE("TLS 1.3 padding policy pads the inner plaintext to a block", "[record][writer]") {
    auto make = [] {
        return *RecordCipher::tls13(aead(tls::crypto::AeadAlgorithm::chacha20_poly1305), ByteVec(32, 1), ByteVec(12, 2));
    };
    RecordWriter w;
    w.set_cipher(make());
    w.set_padding(pad_to_block(256));
    REQUIRE(w.write(ContentType::application_data, ByteVec(10, 4)).ok());
    REQUIRE(w.write(ContentType::application_data, ByteVec(300, 4)).ok());
    CHECK(record_lengths(w.pending()) == std::vector<std::size_t>{256 + 16, 512 + 16});
    // The reader strips the padding.
    RecordReader r;
    r.set_cipher(make());
    ByteVec stream(w.pending().begin(), w.pending().end());
    REQUIRE(r.feed(stream) == stream.size());
    CHECK(r.next()->payload.size() == 10);
    CHECK(r.next()->payload.size() == 300);
}

TEST_CASE("TLS 1.2 records: explicit nonce is the sequence number, ChaCha20 uses the implicit nonce",
          "[record][tls12]") {
    const ByteVec key(16, 0x11), salt = {1, 2, 3, 4};
    RecordWriter w;
    w.set_cipher(*RecordCipher::tls12(aead(tls::crypto::AeadAlgorithm::aes128_gcm), key, salt));
    const ByteVec msg = {'h', 'e', 'l', 'l', 'o'};
    REQUIRE(w.write(ContentType::application_data, msg).ok());
    REQUIRE(w.write(ContentType::application_data, msg).ok());
    ByteVec stream(w.pending().begin(), w.pending().end());
    REQUIRE(record_lengths(stream) == std::vector<std::size_t>{8 + 5 + 16, 8 + 5 + 16});
    // Explicit nonces 0 and 1.
    CHECK(test::to_hex({stream.data() + 5, 8}) == "0000000000000000");
    CHECK(test::to_hex({stream.data() + 5 + 29 + 5, 8}) == "0000000000000001");

    // The second record, rebuilt independently with OpenSSL from RFC 5246/5288:
    // nonce = salt || seq, AAD = seq || type || version || length.
    const ByteVec nonce = {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 1};
    const ByteVec aad = {0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0, 5};
    ByteVec ct(5), tag(16);
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    int len = 0;
    REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nonce.data()) == 1);
    REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1);
    REQUIRE(EVP_EncryptUpdate(ctx, ct.data(), &len, msg.data(), static_cast<int>(msg.size())) == 1);
    REQUIRE(EVP_EncryptFinal_ex(ctx, nullptr, &len) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1);
    EVP_CIPHER_CTX_free(ctx);
    ByteVec expected = {23, 3, 3, 0, 29, 0, 0, 0, 0, 0, 0, 0, 1};
    expected.insert(expected.end(), ct.begin(), ct.end());
    expected.insert(expected.end(), tag.begin(), tag.end());
    CHECK(test::to_hex({stream.data() + 34, 34}) == test::to_hex(expected));

    // ChaCha20-Poly1305 (RFC 7905): nonce = IV XOR seq, no explicit part.
    const ByteVec ckey(32, 0x22), civ = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
    RecordWriter cw;
    cw.set_cipher(*RecordCipher::tls12(aead(tls::crypto::AeadAlgorithm::chacha20_poly1305), ckey, civ));
    REQUIRE(cw.write(ContentType::application_data, msg).ok());
    REQUIRE(cw.write(ContentType::application_data, msg).ok());
    ByteVec cstream(cw.pending().begin(), cw.pending().end());
    const ByteVec cnonce = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 3};  // last byte 2 ^ 1
    ctx = EVP_CIPHER_CTX_new();
    REQUIRE(EVP_EncryptInit_ex(ctx, EVP_chacha20_poly1305(), nullptr, ckey.data(), cnonce.data()) == 1);
    REQUIRE(EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) == 1);
    REQUIRE(EVP_EncryptUpdate(ctx, ct.data(), &len, msg.data(), static_cast<int>(msg.size())) == 1);
    REQUIRE(EVP_EncryptFinal_ex(ctx, nullptr, &len) == 1);
    REQUIRE(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1);
    EVP_CIPHER_CTX_free(ctx);
    ByteVec cexpected = {23, 3, 3, 0, 21};
    cexpected.insert(cexpected.end(), ct.begin(), ct.end());
    cexpected.insert(cexpected.end(), tag.begin(), tag.end());
    CHECK(test::to_hex({cstream.data() + 26, 26}) == test::to_hex(cexpected));

    // And our reader opens both streams.
    auto open_both = [&](const ByteVec& s, RecordCipher cipher) {
        RecordReader r;
        r.set_cipher(std::move(cipher));
        REQUIRE(r.feed(s) == s.size());
        for (int i = 0; i < 2; ++i) {
            auto e = r.next();
            REQUIRE(e.ok());
            CHECK(ByteVec(e->payload.begin(), e->payload.end()) == msg);
        }
    };
    open_both(stream, *RecordCipher::tls12(aead(tls::crypto::AeadAlgorithm::aes128_gcm), key, salt));
    open_both(cstream, *RecordCipher::tls12(aead(tls::crypto::AeadAlgorithm::chacha20_poly1305), ckey, civ));
}

TEST_CASE("The writer frees its buffer when everything was sent", "[record][memory]") {
    RecordWriter w;
    REQUIRE(w.write(ContentType::handshake, ByteVec(100, 1)).ok());
    w.release_buffer_if_empty();
    CHECK(w.pending().size() == 105);  // unsent data is kept
    w.consume(105);
    w.release_buffer_if_empty();
    CHECK(w.pending().empty());
}

TEST_CASE("Zero-copy writes: fill the send buffer, then seal it in place", "[record][writer]") {
    auto make = [] {
        return *RecordCipher::tls13(aead(tls::crypto::AeadAlgorithm::aes128_gcm), ByteVec(16, 5), ByteVec(12, 6));
    };
    RecordWriter w;
    w.set_cipher(make());
    auto room = w.begin_record(100000);
    CHECK(room.size() == max_plaintext);  // capped at the fragment limit
    for (std::size_t i = 0; i < 50; ++i) room[i] = static_cast<std::uint8_t>(i);
    REQUIRE(w.commit_record(ContentType::application_data, 50).ok());
    CHECK(record_lengths(w.pending()) == std::vector<std::size_t>{50 + 17});
    CHECK(w.commit_record(ContentType::application_data, 1).error().code == tls::ErrorCode::internal_error);

    // Same bytes as the copying write().
    RecordWriter copy;
    copy.set_cipher(make());
    ByteVec data(50);
    for (std::size_t i = 0; i < 50; ++i) data[i] = static_cast<std::uint8_t>(i);
    REQUIRE(copy.write(ContentType::application_data, data).ok());
    CHECK(test::to_hex(copy.pending()) == test::to_hex(w.pending()));
}
