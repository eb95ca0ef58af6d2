// The record reader: chunking, header rules, limits, CCS, alerts, bit flips,
// sequence exhaustion, early-data skipping and key changes.
#include <catch2/catch.hpp>

#include <cstring>

#include "record/handshake_joiner.hpp"
#include "record/record_reader.hpp"
#include "record/record_writer.hpp"
#include "support/hex.hpp"

using namespace tls::record;
using tls::ErrorCode;
using test::ByteVec;

namespace {

const tls::crypto::AeadDescriptor& aead(tls::crypto::AeadAlgorithm a) {
    return *tls::crypto::default_provider().find(a);
}

RecordCipher make_cipher(Protocol protocol, tls::crypto::AeadAlgorithm a, std::uint8_t seed) {
    const auto& d = aead(a);
    ByteVec key(d.key_size, seed), iv(12, static_cast<std::uint8_t>(seed + 1));
    auto c = protocol == Protocol::tls13 ? RecordCipher::tls13(d, key, iv)
                                         : RecordCipher::tls12(d, key, tls::crypto::Bytes(iv).first(
                                                                               a == tls::crypto::AeadAlgorithm::chacha20_poly1305 ? 12 : 4));
    REQUIRE(c.ok());
    return std::move(*c);
}

ByteVec plaintext_record(std::uint8_t type, const ByteVec& body, std::uint16_t version = 0x0303) {
    // Sized up front: GCC 12 at -O3 raises a false -Warray-bounds on insert() into a 5-byte vector.
    ByteVec r(header_size + body.size());
    r[0] = type;
    r[1] = static_cast<std::uint8_t>(version >> 8);
    r[2] = static_cast<std::uint8_t>(version);
    r[3] = static_cast<std::uint8_t>(body.size() >> 8);
    r[4] = static_cast<std::uint8_t>(body.size());
    std::copy(body.begin(), body.end(), r.begin() + header_size);
    return r;
}

// What a reader produced, flattened for comparison.
struct Seen {
    RecordReader::Status status;
    ContentType type;
    ByteVec payload;
    std::uint8_t alert;
    bool operator==(const Seen&) const = default;
};

// Feeds `stream` in the given chunk sizes (cycled), collecting every event until
// the stream is used up, or the first error (returned as the last element's code).
struct Outcome {
    std::vector<Seen> events;
    std::optional<ErrorCode> error;
};
Outcome drive(RecordReader& reader, const ByteVec& stream, const std::vector<std::size_t>& chunks) {
    Outcome out;
    std::size_t pos = 0, chunk_index = 0;
    ByteVec pending;
    for (;;) {
        auto e = reader.next();
        if (!e) {
            out.error = e.error().code;
            return out;
        }
        if (e->status == RecordReader::Status::need_more) {
            if (pending.empty()) {
                if (pos == stream.size()) return out;
                std::size_t n = chunks[chunk_index++ % chunks.size()];
                n = std::min(n, stream.size() - pos);
                pending.assign(stream.begin() + static_cast<std::ptrdiff_t>(pos),
                               stream.begin() + static_cast<std::ptrdiff_t>(pos + n));
                pos += n;
            }
            // The reader may take only part of a chunk; the rest is fed after next().
            std::size_t taken = reader.feed(pending);
            REQUIRE(reader.buffered() <= max_record_size);
            pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(taken));
            continue;
        }
        if (e->status == RecordReader::Status::closed) {
            out.events.push_back({e->status, ContentType::invalid, {}, 0});
            return out;
        }
        out.events.push_back({e->status, e->type, ByteVec(e->payload.begin(), e->payload.end()),
                              static_cast<std::uint8_t>(e->alert.description)});
    }
}

// Writes a mixed stream with `writer_cipher` and returns its bytes.
ByteVec sample_stream(std::optional<RecordCipher> cipher) {
    RecordWriter w;
    if (cipher) w.set_cipher(std::move(*cipher));
    ByteVec big(40000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i * 31 + 7);
    REQUIRE(w.write(ContentType::handshake, ByteVec{1, 2, 3, 4, 5}).ok());
    REQUIRE(w.write(ContentType::application_data, big).ok());
    REQUIRE(w.write(ContentType::application_data, {}).ok());
    REQUIRE(w.write(ContentType::application_data, ByteVec{9}).ok());
    REQUIRE(w.write_alert({tls::AlertLevel::warning, tls::AlertDescription::close_notify}).ok());
    auto p = w.pending();
    return ByteVec(p.begin(), p.end());
}

}  // namespace

TEST_CASE("Every chunking of a record stream yields the same records", "[record][chunking]") {
    struct Variant {
        const char* name;
        Protocol protocol;
        std::optional<tls::crypto::AeadAlgorithm> aead;
    };
    const Variant variants[] = {
        {"plaintext", Protocol::tls13, std::nullopt},
        {"TLS 1.3 AES-128-GCM", Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm},
        {"TLS 1.3 ChaCha20-Poly1305", Protocol::tls13, tls::crypto::AeadAlgorithm::chacha20_poly1305},
        {"TLS 1.2 AES-256-GCM", Protocol::tls12, tls::crypto::AeadAlgorithm::aes256_gcm},
        {"TLS 1.2 ChaCha20-Poly1305", Protocol::tls12, tls::crypto::AeadAlgorithm::chacha20_poly1305},
    };
    for (const auto& v : variants) {
        INFO(v.name);
        auto cipher = [&]() -> std::optional<RecordCipher> {
            if (!v.aead) return std::nullopt;
            return make_cipher(v.protocol, *v.aead, 7);
        };
        ByteVec stream;
        if (v.aead) {
            stream = sample_stream(cipher());
        } else {
            // Plaintext records cannot carry application data: handshake and alert only.
            RecordWriter w;
            REQUIRE(w.write(ContentType::handshake, ByteVec(20000, 0x42)).ok());
            REQUIRE(w.write_alert({tls::AlertLevel::warning, tls::AlertDescription::close_notify}).ok());
            stream.assign(w.pending().begin(), w.pending().end());
        }
        auto reader_for = [&] {
            RecordReader r;
            r.set_protocol(v.protocol);
            if (v.aead) r.set_cipher(*cipher());
            return r;
        };
        RecordReader whole = reader_for();
        Outcome reference = drive(whole, stream, {stream.size()});
        REQUIRE_FALSE(reference.error);
        REQUIRE(reference.events.size() >= 3);
        CHECK(reference.events.back().status == RecordReader::Status::closed);  // after close_notify
        CHECK(reference.events[reference.events.size() - 2].status == RecordReader::Status::alert);

        RecordReader bytewise = reader_for();
        CHECK(drive(bytewise, stream, {1}).events == reference.events);
        for (std::size_t chunk : {2u, 3u, 5u, 6u, 7u, 100u, 4096u, 16389u, 16390u}) {
            RecordReader r = reader_for();
            INFO("chunk " << chunk);
            CHECK(drive(r, stream, {chunk}).events == reference.events);
        }
        // Two-way splits near every record boundary of the large stream.
        for (std::size_t split = 1; split < stream.size(); split += (split < 64 || stream.size() - split < 64) ? 1 : 997) {
            RecordReader r = reader_for();
            if (drive(r, stream, {split, stream.size()}).events != reference.events) FAIL("split at " << split << " differs");
        }
    }
}

TEST_CASE("Every two-way and three-way split of a small multi-record stream gives the same records",
          "[record][chunking]") {
    auto cipher = [] { return make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::chacha20_poly1305, 11); };
    RecordWriter w;
    w.set_cipher(cipher());
    REQUIRE(w.write(ContentType::handshake, ByteVec{1, 2, 3}).ok());
    REQUIRE(w.write(ContentType::application_data, ByteVec(40, 9)).ok());
    REQUIRE(w.write(ContentType::application_data, {}).ok());
    REQUIRE(w.write_alert({tls::AlertLevel::warning, tls::AlertDescription::close_notify}).ok());
    const ByteVec stream(w.pending().begin(), w.pending().end());
    RecordReader whole;
    whole.set_cipher(cipher());
    const Outcome reference = drive(whole, stream, {stream.size()});
    REQUIRE(reference.events.size() == 5);
    int runs = 0;
    for (std::size_t a = 1; a < stream.size(); ++a) {
        for (std::size_t b = 0; a + b < stream.size(); b += (b < 3 ? 1 : 7)) {
            RecordReader r;
            r.set_cipher(cipher());
            // Chunks a, b (b = 0 means a two-way split), then the rest.
            std::vector<std::size_t> chunks = {a};
            if (b) chunks.push_back(b);
            chunks.push_back(stream.size());
            if (drive(r, stream, chunks).events != reference.events) FAIL("split " << a << "+" << b << " differs");
            ++runs;
        }
    }
    CHECK(runs > 1000);
}

TEST_CASE("A record with any single bit flipped in its body fails with bad_record_mac", "[record][bitflip]") {
    for (auto [protocol, a] : {std::pair{Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm},
                               std::pair{Protocol::tls13, tls::crypto::AeadAlgorithm::chacha20_poly1305},
                               std::pair{Protocol::tls12, tls::crypto::AeadAlgorithm::aes128_gcm},
                               std::pair{Protocol::tls12, tls::crypto::AeadAlgorithm::chacha20_poly1305}}) {
        INFO(to_string(a) << (protocol == Protocol::tls13 ? " TLS 1.3" : " TLS 1.2"));
        RecordWriter w;
        w.set_cipher(make_cipher(protocol, a, 3));
        REQUIRE(w.write(ContentType::application_data, ByteVec(33, 0x61)).ok());
        const ByteVec record(w.pending().begin(), w.pending().end());
        for (std::size_t bit = 0; bit < record.size() * 8; ++bit) {
            ByteVec flipped = record;
            flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            RecordReader r;
            r.set_cipher(make_cipher(protocol, a, 3));
            r.require_record_version(0x0303);
            REQUIRE(r.feed(flipped) == flipped.size());
            auto e = r.next();
            if (bit / 8 >= header_size) {
                REQUIRE_FALSE(e.ok());
                CHECK(e.error().code == ErrorCode::bad_record_mac);
            } else {
                // A header flip changes the type, version or length: rejected or still
                // incomplete, but it never yields plaintext.
                CHECK((!e.ok() || e->status == RecordReader::Status::need_more));
            }
        }
        // And the untouched record opens.
        RecordReader r;
        r.set_cipher(make_cipher(protocol, a, 3));
        REQUIRE(r.feed(record) == record.size());
        auto e = r.next();
        REQUIRE(e.ok());
        CHECK(e->payload.size() == 33);
    }
}

TEST_CASE("Length limits: plaintext 2^14, TLS 1.3 ciphertext 2^14+256, TLS 1.2 2^14+2048", "[record][limits]") {
    auto header_only = [](std::uint8_t type, std::size_t length) {
        return ByteVec{type, 0x03, 0x03, static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
    };
    SECTION("plaintext") {
        RecordReader ok;
        ByteVec at_limit = plaintext_record(22, ByteVec(max_plaintext, 1));
        REQUIRE(ok.feed(at_limit) == at_limit.size());
        auto e = ok.next();
        REQUIRE(e.ok());
        CHECK(e->payload.size() == max_plaintext);
        RecordReader over;
        over.feed(header_only(22, max_plaintext + 1));
        CHECK(over.next().error().code == ErrorCode::record_overflow);  // known from the header alone
    }
    SECTION("TLS 1.3 ciphertext") {
        RecordReader at;
        at.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 1));
        ByteVec rec = header_only(23, max_ciphertext_tls13);
        rec.resize(rec.size() + max_ciphertext_tls13, 0);
        REQUIRE(at.feed(rec) == rec.size());
        CHECK(at.next().error().code == ErrorCode::bad_record_mac);  // allowed length, forged contents
        RecordReader over;
        over.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 1));
        over.feed(header_only(23, max_ciphertext_tls13 + 1));
        CHECK(over.next().error().code == ErrorCode::record_overflow);
    }
    SECTION("TLS 1.2 ciphertext") {
        RecordReader over;
        over.set_cipher(make_cipher(Protocol::tls12, tls::crypto::AeadAlgorithm::aes128_gcm, 1));
        over.feed(header_only(23, max_ciphertext_tls12 + 1));
        CHECK(over.next().error().code == ErrorCode::record_overflow);
        RecordReader at;
        at.set_cipher(make_cipher(Protocol::tls12, tls::crypto::AeadAlgorithm::aes128_gcm, 1));
        ByteVec rec = header_only(23, max_ciphertext_tls12);
        rec.resize(rec.size() + max_ciphertext_tls12, 0);
        REQUIRE(at.feed(rec) == rec.size());
        CHECK(at.next().error().code == ErrorCode::bad_record_mac);
    }
    SECTION("TLS 1.3 inner plaintext one past 2^14 + 1") {
        auto cipher = make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 2);
        ByteVec buf(header_size + max_plaintext + 2 + 16);
        // 2^14 bytes of content, type byte, one byte of padding: inner = 2^14 + 2.
        std::memset(buf.data() + header_size, 0x41, max_plaintext);
        auto n = cipher.seal(ContentType::application_data, buf, max_plaintext, 1);
        REQUIRE(n.ok());
        RecordReader r;
        r.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 2));
        REQUIRE(r.feed(buf) == buf.size());
        CHECK(r.next().error().code == ErrorCode::record_overflow);
    }
}

TEST_CASE("Header and content rules give the RFC's alerts", "[record][rules]") {
    auto first_error = [](RecordReader& r, const ByteVec& bytes) -> std::optional<ErrorCode> {
        r.feed(bytes);
        for (;;) {
            auto e = r.next();
            if (!e) return e.error().code;
            if (e->status == RecordReader::Status::need_more || e->status == RecordReader::Status::closed)
                return std::nullopt;
        }
    };
    RecordReader a;
    CHECK(first_error(a, plaintext_record(24, {1})) == ErrorCode::unexpected_message);  // unknown type
    RecordReader b;
    CHECK(first_error(b, plaintext_record(22, {1}, 0x0403)) == ErrorCode::protocol_version);
    RecordReader c;
    c.require_record_version(0x0303);
    CHECK(first_error(c, plaintext_record(22, {1}, 0x0301)) == ErrorCode::protocol_version);
    RecordReader d;  // before version negotiation a 0x0301 record is fine
    CHECK(first_error(d, plaintext_record(22, {1}, 0x0301)) == std::nullopt);
    RecordReader e;
    CHECK(first_error(e, plaintext_record(22, {})) == ErrorCode::decode_error);  // empty handshake
    RecordReader f;
    CHECK(first_error(f, plaintext_record(23, {1})) == ErrorCode::unexpected_message);  // app data in clear
    RecordReader g;
    CHECK(first_error(g, plaintext_record(21, {2, 40, 0})) == ErrorCode::decode_error);  // 3-byte alert
    RecordReader h;
    CHECK(first_error(h, plaintext_record(21, {3, 40})) == ErrorCode::decode_error);  // bad alert level

    SECTION("all-zero TLS 1.3 inner plaintext is unexpected_message") {
        auto cipher = make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 4);
        ByteVec buf(header_size + 4 + 16, 0);
        // Three zero content bytes whose "type" byte is zero as well: only padding.
        REQUIRE(cipher.seal(ContentType::invalid, buf, 3, 0).ok());
        RecordReader r;
        r.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 4));
        CHECK(first_error(r, buf) == ErrorCode::unexpected_message);
    }
    SECTION("a protected TLS 1.3 record must say application_data outside") {
        RecordReader r;
        r.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 4));
        CHECK(first_error(r, plaintext_record(22, ByteVec(30, 1))) == ErrorCode::unexpected_message);
    }
}

TEST_CASE("TLS 1.3 compatibility change_cipher_spec: one 0x01 record dropped in the window", "[record][ccs]") {
    const ByteVec ccs = plaintext_record(20, {1});
    const ByteVec hs = plaintext_record(22, {8, 0, 0, 0});
    auto run = [](RecordReader& r, const ByteVec& bytes) {
        r.feed(bytes);
        std::vector<ContentType> types;
        for (;;) {
            auto e = r.next();
            if (!e) return std::pair{types, std::optional<ErrorCode>(e.error().code)};
            if (e->status != RecordReader::Status::record) return std::pair{types, std::optional<ErrorCode>()};
            types.push_back(e->type);
        }
    };
    RecordReader open;
    open.allow_compatibility_ccs(true);
    auto [types, err] = run(open, [&] { ByteVec v = ccs; v.insert(v.end(), hs.begin(), hs.end()); return v; }());
    CHECK_FALSE(err);
    CHECK(types == std::vector<ContentType>{ContentType::handshake});
    // A second one is refused.
    CHECK(run(open, ccs).second == ErrorCode::unexpected_message);

    RecordReader closed;
    CHECK(run(closed, ccs).second == ErrorCode::unexpected_message);
    RecordReader wrong_byte;
    wrong_byte.allow_compatibility_ccs(true);
    CHECK(run(wrong_byte, plaintext_record(20, {2})).second == ErrorCode::unexpected_message);
    RecordReader two_bytes;
    two_bytes.allow_compatibility_ccs(true);
    CHECK(run(two_bytes, plaintext_record(20, {1, 1})).second == ErrorCode::unexpected_message);
    // TLS 1.2: change_cipher_spec is a real message and is delivered.
    RecordReader v12;
    v12.set_protocol(Protocol::tls12);
    CHECK(run(v12, ccs).first == std::vector<ContentType>{ContentType::change_cipher_spec});
}

TEST_CASE("Alerts: close_notify and fatal alerts end reading, warnings are bounded", "[record][alert]") {
    RecordReader r;
    ByteVec stream = plaintext_record(21, {2, 40});  // fatal handshake_failure
    auto more = plaintext_record(22, {1, 0, 0, 0});
    stream.insert(stream.end(), more.begin(), more.end());
    r.feed(stream);
    auto e = r.next();
    REQUIRE(e.ok());
    CHECK(e->status == RecordReader::Status::alert);
    CHECK(e->alert.description == tls::AlertDescription::handshake_failure);
    CHECK(r.closed());
    CHECK(r.next()->status == RecordReader::Status::closed);  // what follows is never processed

    // TLS 1.3: a "warning" bad_certificate is still fatal (RFC 8446 6).
    RecordReader w13;
    w13.feed(plaintext_record(21, {1, 42}));
    REQUIRE(w13.next().ok());
    CHECK(w13.closed());

    // TLS 1.2 warnings continue, but not forever.
    RecordReader w12;
    w12.set_protocol(Protocol::tls12);
    ByteVec warnings;
    for (int i = 0; i < 5; ++i) {
        auto a = plaintext_record(21, {1, 100});  // no_renegotiation warning
        warnings.insert(warnings.end(), a.begin(), a.end());
    }
    w12.feed(warnings);
    for (int i = 0; i < 4; ++i) {
        auto ev = w12.next();
        REQUIRE(ev.ok());
        CHECK(ev->status == RecordReader::Status::alert);
        CHECK_FALSE(w12.closed());
    }
    CHECK(w12.next().error().code == ErrorCode::unexpected_message);
}

TEST_CASE("Sequence numbers never wrap", "[record][sequence]") {
    for (auto protocol : {Protocol::tls13, Protocol::tls12}) {
        auto cipher = make_cipher(protocol, tls::crypto::AeadAlgorithm::chacha20_poly1305, 5);
        cipher.set_sequence_for_testing(UINT64_MAX - 1);
        RecordWriter w;
        w.set_cipher(std::move(cipher));
        CHECK(w.write(ContentType::application_data, ByteVec{1}).ok());  // uses 2^64 - 2
        auto second = w.write(ContentType::application_data, ByteVec{2});
        REQUIRE_FALSE(second.ok());
        CHECK(second.error().code == ErrorCode::sequence_exhausted);
        CHECK(w.pending().size() == header_size + 1 + w.cipher()->overhead());  // nothing half-written

        RecordReader r;
        auto rc = make_cipher(protocol, tls::crypto::AeadAlgorithm::chacha20_poly1305, 5);
        rc.set_sequence_for_testing(UINT64_MAX);
        r.set_cipher(std::move(rc));
        ByteVec rec(w.pending().begin(), w.pending().end());
        r.feed(rec);
        CHECK(r.next().error().code == ErrorCode::sequence_exhausted);
    }
}

TEST_CASE("AEAD usage limits ask for a key update before AES-GCM's 2^24.5 records", "[record][limits]") {
    auto gcm = make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 6);
    gcm.set_sequence_for_testing((std::uint64_t{1} << 24) - 1);
    CHECK_FALSE(gcm.key_update_due());
    RecordWriter w;
    w.set_cipher(std::move(gcm));
    REQUIRE(w.write(ContentType::application_data, ByteVec{1}).ok());
    CHECK(w.key_update_due());
    auto chacha = make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::chacha20_poly1305, 6);
    chacha.set_sequence_for_testing(std::uint64_t{1} << 40);
    CHECK_FALSE(chacha.key_update_due());
}

TEST_CASE("Rejected 0-RTT: undecryptable records are skipped up to max_early_data_size", "[record][early]") {
    auto early_records = [](std::size_t count) {
        RecordWriter w;
        w.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 8));  // early key
        for (std::size_t i = 0; i < count; ++i) REQUIRE(w.write(ContentType::application_data, ByteVec(100, 1)).ok());
        return ByteVec(w.pending().begin(), w.pending().end());
    };
    RecordWriter hs;
    hs.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 9));  // handshake key
    REQUIRE(hs.write(ContentType::handshake, ByteVec{20, 0, 0, 1, 0xaa}).ok());
    const ByteVec finished(hs.pending().begin(), hs.pending().end());

    SECTION("within the budget") {
        RecordReader r;
        r.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 9));
        r.skip_early_data(RecordReader::EarlyDataSkip::trial_decrypt, 300);
        ByteVec stream = early_records(3);
        stream.insert(stream.end(), finished.begin(), finished.end());
        Outcome got = drive(r, stream, {7});
        REQUIRE_FALSE(got.error);
        REQUIRE(got.events.size() == 1);
        CHECK(got.events[0].type == ContentType::handshake);
        // Skipping has ended: a bad record is now an error.
        r.feed(early_records(1));
        CHECK(r.next().error().code == ErrorCode::bad_record_mac);
    }
    SECTION("over the budget") {
        RecordReader r;
        r.set_cipher(make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 9));
        r.skip_early_data(RecordReader::EarlyDataSkip::trial_decrypt, 250);
        CHECK(drive(r, early_records(3), {1000}).error == ErrorCode::unexpected_message);
    }
    SECTION("after HelloRetryRequest every application_data record is skipped") {
        RecordReader r;
        r.skip_early_data(RecordReader::EarlyDataSkip::skip_application_data, 1000);
        ByteVec stream = early_records(2);
        auto ch2 = plaintext_record(22, {1, 0, 0, 0});
        stream.insert(stream.end(), ch2.begin(), ch2.end());
        Outcome got = drive(r, stream, {stream.size()});
        REQUIRE_FALSE(got.error);
        REQUIRE(got.events.size() == 1);
        CHECK(got.events[0].type == ContentType::handshake);
    }
}

TEST_CASE("Keys change only at a handshake message boundary", "[record][keychange]") {
    HandshakeJoiner joiner;
    RecordReader reader;
    // A complete message, then half of the next one.
    REQUIRE(joiner.push(ByteVec{2, 0, 0, 2, 0xaa, 0xbb, 8, 0, 0}).ok());
    REQUIRE(joiner.next_message().has_value());
    CHECK_FALSE(joiner.at_boundary());
    auto r = install_read_cipher(reader, joiner, make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::unexpected_message);
    CHECK(reader.cipher() == nullptr);
    // Completing the message makes the change legal.
    REQUIRE(joiner.push(ByteVec{1, 0x10}).ok());
    REQUIRE(joiner.next_message().has_value());
    CHECK(install_read_cipher(reader, joiner, make_cipher(Protocol::tls13, tls::crypto::AeadAlgorithm::aes128_gcm, 1)).ok());
}

TEST_CASE("The joiner bounds message sizes", "[record][joiner]") {
    HandshakeJoiner joiner(1000);
    CHECK(joiner.push(ByteVec{11, 0, 0x03, 0xe9}).error().code == ErrorCode::unexpected_message);  // 1001 bytes
    HandshakeJoiner ok(1000);
    ByteVec msg = {11, 0, 0x03, 0xe8};
    msg.resize(4 + 1000, 7);
    REQUIRE(ok.push(msg).ok());
    CHECK(ok.next_message()->size() == 1004);
}

TEST_CASE("The reader buffers at most one maximum record and frees its buffer when idle", "[record][memory]") {
    RecordReader r;
    CHECK(r.input_space().size() == max_record_size);
    ByteVec lots(3 * max_record_size, 0);
    CHECK(r.feed(lots) == max_record_size);  // takes no more than one record's worth
    r.release_buffer_if_empty();
    CHECK(r.buffered() == max_record_size);  // still holding data: kept
    RecordReader idle;
    idle.release_buffer_if_empty();
    CHECK(idle.buffered() == 0);
}
