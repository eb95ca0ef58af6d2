// The TLS 1.2 key derivation (handshake/tls12_key_schedule.hpp) and suite table
// (handshake/tls12_suites.hpp):
//   - the PRF against the published P_SHA256 / P_SHA384 vectors, on every provider;
//   - the PRF, the (extended) master secret, the key block and verify_data against
//     OpenSSL's EVP_KDF "TLS1-PRF" with random inputs;
//   - a record round trip through RecordCipher::tls12 with keys from the key block.
#include <catch2/catch.hpp>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>
#include <string>

#include "handshake/cipher_suites.hpp"
#include "handshake/tls12_key_schedule.hpp"
#include "handshake/tls12_suites.hpp"
#include "record/record_cipher.hpp"
#include "support/hex.hpp"

using namespace tls::handshake;
using tls::CipherSuite;
using tls::ErrorCode;
using tls::crypto::AeadAlgorithm;
using tls::crypto::HashAlgorithm;
using test::ByteVec;
using test::from_hex;
using test::to_hex;

namespace {

tls::crypto::Bytes label_bytes(std::string_view label) {
    return {reinterpret_cast<const std::uint8_t*>(label.data()), label.size()};
}

ByteVec concat(std::initializer_list<tls::crypto::Bytes> parts) {
    ByteVec out;
    std::size_t n = 0;
    for (auto p : parts) n += p.size();
    out.reserve(n);
    for (auto p : parts)
        for (auto b : p) out.push_back(b);
    return out;
}

ByteVec random_bytes(test::TestRng& rng, std::size_t n) {
    ByteVec out(n);
    REQUIRE(rng.fill(out).ok());
    return out;
}

std::size_t random_size(test::TestRng& rng, std::size_t lo, std::size_t hi) {
    std::uint8_t b[2];
    REQUIRE(rng.fill(b).ok());
    return lo + static_cast<std::size_t>(b[0] << 8 | b[1]) % (hi - lo + 1);
}

// OpenSSL's TLS 1.2 PRF: EVP_KDF "TLS1-PRF" with seed = label + seed.
ByteVec openssl_prf(HashAlgorithm hash, tls::crypto::Bytes secret, std::string_view label, tls::crypto::Bytes seed,
                    std::size_t length) {
    std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "TLS1-PRF", nullptr), EVP_KDF_free);
    REQUIRE(kdf);
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx(EVP_KDF_CTX_new(kdf.get()), EVP_KDF_CTX_free);
    REQUIRE(ctx);
    std::string digest = hash == HashAlgorithm::sha256 ? "SHA256" : "SHA384";
    ByteVec full_seed = concat({label_bytes(label), seed});
    ByteVec secret_copy(secret.begin(), secret.end());
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, secret_copy.data(), secret_copy.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, full_seed.data(), full_seed.size()),
        OSSL_PARAM_construct_end(),
    };
    ByteVec out(length);
    REQUIRE(EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) == 1);
    return out;
}

ByteVec prf(const tls::crypto::HashDescriptor& hash, tls::crypto::Bytes secret, std::string_view label,
            tls::crypto::Bytes seed, std::size_t length) {
    ByteVec out(length);
    REQUIRE(tls12_prf(hash, secret, label, seed, out).ok());
    return out;
}

const tls::crypto::HashDescriptor& default_hash(HashAlgorithm h) {
    return *tls::crypto::default_provider().find(h);
}

}  // namespace

// The P_SHA256 and P_SHA384 vectors posted to the IETF TLS list,
// https://www.ietf.org/mail-archive/web/tls/current/msg03416.html
// (reused by OpenSSL's test/recipes/30-test_evp_data/evpkdf_tls12_prf.txt, GnuTLS'
// tests/tls12-prf.c and others).
TEST_CASE("TLS 1.2 PRF: the published P_SHA256 and P_SHA384 vectors, every provider", "[handshake][tls12]") {
    struct Vector {
        HashAlgorithm hash;
        const char *secret, *seed, *output;
    };
    const Vector vectors[] = {
        {HashAlgorithm::sha256, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
         "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e14baf9af"
         "0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
         "87347b66"},
        {HashAlgorithm::sha384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465",
         "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82b1233c9146a0"
         "e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
         "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee691c8f3a26854308d5eaa3be85e0990703d"
         "73e56f"},
    };
    int checked = 0;
    for (const auto& v : vectors) {
        const ByteVec expected = from_hex(v.output);
        for (const auto& p : test::all_providers()) {
            const auto* hash = p.provider->find(v.hash);
            if (!hash) continue;
            INFO(p.name << " " << tls::crypto::to_string(v.hash));
            CHECK(to_hex(prf(*hash, from_hex(v.secret), "test label", from_hex(v.seed), expected.size())) ==
                  to_hex(expected));
            // P_hash is a stream: every shorter output is a prefix (partial last block).
            for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{31}, std::size_t{32}, std::size_t{33},
                                  std::size_t{47}, std::size_t{48}, std::size_t{49}, std::size_t{99}}) {
                CHECK(to_hex(prf(*hash, from_hex(v.secret), "test label", from_hex(v.seed), n)) ==
                      to_hex(tls::crypto::Bytes(expected).first(n)));
            }
            ++checked;
        }
    }
    CHECK(checked >= 4);  // at least two providers per hash
}

TEST_CASE("TLS 1.2 PRF: absurd lengths are refused", "[handshake][tls12]") {
    const auto& sha256 = default_hash(HashAlgorithm::sha256);
    ByteVec big(0x10000);
    auto r = tls12_prf(sha256, {}, "label", {}, big);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    const std::string long_label(256, 'x');
    ByteVec out(12);
    CHECK_FALSE(tls12_prf(sha256, {}, long_label, {}, out).ok());
    CHECK(tls12_prf(sha256, {}, "", {}, out).ok());  // empty secret and seed are legal inputs
}

TEST_CASE("TLS 1.2 PRF: matches OpenSSL's TLS1-PRF for random inputs", "[handshake][tls12][openssl]") {
    test::TestRng rng(1207);
    const std::string_view labels[] = {"test label", "master secret", "extended master secret", "key expansion",
                                       "client finished", "x"};
    for (HashAlgorithm h : {HashAlgorithm::sha256, HashAlgorithm::sha384}) {
        for (const auto& p : test::all_providers()) {
            const auto* hash = p.provider->find(h);
            if (!hash) continue;
            for (int i = 0; i < 60; ++i) {
                const ByteVec secret = random_bytes(rng, random_size(rng, 1, 200));
                const ByteVec seed = random_bytes(rng, random_size(rng, 1, 200));
                const std::size_t length = random_size(rng, 1, 200);
                const auto label = labels[static_cast<std::size_t>(i) % std::size(labels)];
                INFO(p.name << " " << tls::crypto::to_string(h) << " secret " << secret.size() << " seed "
                            << seed.size() << " out " << length);
                CHECK(to_hex(prf(*hash, secret, label, seed, length)) ==
                      to_hex(openssl_prf(h, secret, label, seed, length)));
            }
        }
    }
}

TEST_CASE("TLS 1.2 master secrets, key block and verify_data against a direct composition with OpenSSL",
          "[handshake][tls12][openssl]") {
    test::TestRng rng(5246);
    for (CipherSuite suite : tls12_default_suites()) {
        const auto params = resolve_tls12_suite(tls::crypto::default_provider(), suite);
        REQUIRE(params);
        const auto h = params->prf_hash->algorithm;
        INFO(tls::to_string(suite));
        for (int i = 0; i < 8; ++i) {
            const ByteVec pre_master = random_bytes(rng, i % 2 ? 48 : 32);  // P-384 or X25519/P-256 shares
            const ByteVec session_hash = random_bytes(rng, params->prf_hash->output_size);
            const ByteVec client_random = random_bytes(rng, 32);
            const ByteVec server_random = random_bytes(rng, 32);

            // RFC 7627 4.
            auto ems = extended_master_secret(*params->prf_hash, pre_master, session_hash);
            REQUIRE(ems.ok());
            CHECK(to_hex(ems->bytes()) ==
                  to_hex(openssl_prf(h, pre_master, "extended master secret", session_hash, 48)));
            // RFC 5246 8.1.
            auto classic = master_secret(*params->prf_hash, pre_master, client_random, server_random);
            REQUIRE(classic.ok());
            CHECK(to_hex(classic->bytes()) ==
                  to_hex(openssl_prf(h, pre_master, "master secret", concat({client_random, server_random}), 48)));

            // RFC 5246 6.3: server_random first; AEAD suites have no MAC keys.
            auto block = tls12_key_block(*params->prf_hash, *params->aead, ems->bytes(), client_random, server_random);
            REQUIRE(block.ok());
            const std::size_t k = params->aead->key_size, iv = params->fixed_iv_size;
            const ByteVec reference =
                openssl_prf(h, ems->bytes(), "key expansion", concat({server_random, client_random}), 2 * k + 2 * iv);
            const tls::crypto::Bytes ref(reference);
            CHECK(to_hex(block->client_write_key.bytes()) == to_hex(ref.subspan(0, k)));
            CHECK(to_hex(block->server_write_key.bytes()) == to_hex(ref.subspan(k, k)));
            CHECK(to_hex(block->client_write_iv.bytes()) == to_hex(ref.subspan(2 * k, iv)));
            CHECK(to_hex(block->server_write_iv.bytes()) == to_hex(ref.subspan(2 * k + iv, iv)));

            // RFC 5246 7.4.9, through the staged master secret.
            auto master = Tls12MasterSecret::extended(*params->prf_hash, pre_master, session_hash);
            REQUIRE(master.ok());
            CHECK(to_hex(master->secret_bytes()) == to_hex(ems->bytes()));
            const ByteVec handshake_hash = random_bytes(rng, params->prf_hash->output_size);
            auto client_vd = master->verify_data(Tls12Sender::client, handshake_hash);
            auto server_vd = master->verify_data(Tls12Sender::server, handshake_hash);
            REQUIRE(client_vd.ok());
            REQUIRE(server_vd.ok());
            CHECK(to_hex(client_vd->bytes()) ==
                  to_hex(openssl_prf(h, ems->bytes(), "client finished", handshake_hash, 12)));
            CHECK(to_hex(server_vd->bytes()) ==
                  to_hex(openssl_prf(h, ems->bytes(), "server finished", handshake_hash, 12)));

            CHECK(master->verify_finished(Tls12Sender::client, handshake_hash, client_vd->bytes()).ok());
            CHECK(master->verify_finished(Tls12Sender::server, handshake_hash, server_vd->bytes()).ok());
            // The wrong sender's label, a flipped bit, a truncated or an extended value: decrypt_error.
            auto swapped = master->verify_finished(Tls12Sender::server, handshake_hash, client_vd->bytes());
            REQUIRE_FALSE(swapped.ok());
            CHECK(swapped.error().code == ErrorCode::bad_signature);
            ByteVec flipped(client_vd->bytes().begin(), client_vd->bytes().end());
            flipped[static_cast<std::size_t>(i) % flipped.size()] ^= 0x01;
            CHECK_FALSE(master->verify_finished(Tls12Sender::client, handshake_hash, flipped).ok());
            CHECK_FALSE(
                master->verify_finished(Tls12Sender::client, handshake_hash, client_vd->bytes().first(11)).ok());
            ByteVec longer(client_vd->bytes().begin(), client_vd->bytes().end());
            longer.push_back(0);
            CHECK_FALSE(master->verify_finished(Tls12Sender::client, handshake_hash, longer).ok());

            // The classic and resumed stages agree with the free functions.
            auto classic_stage =
                Tls12MasterSecret::classic(*params->prf_hash, pre_master, client_random, server_random);
            REQUIRE(classic_stage.ok());
            CHECK(to_hex(classic_stage->secret_bytes()) == to_hex(classic->bytes()));
            auto resumed = Tls12MasterSecret::resumed(*params->prf_hash, ems->bytes());
            REQUIRE(resumed.ok());
            auto resumed_block = resumed->key_block(*params->aead, client_random, server_random);
            REQUIRE(resumed_block.ok());
            CHECK(to_hex(resumed_block->server_write_key.bytes()) == to_hex(block->server_write_key.bytes()));
        }
    }
}

TEST_CASE("TLS 1.2 key derivation refuses malformed sizes", "[handshake][tls12]") {
    const auto& sha256 = default_hash(HashAlgorithm::sha256);
    const auto& aead = *tls::crypto::default_provider().find(AeadAlgorithm::aes128_gcm);
    const ByteVec pms(32, 1), r32(32, 2), r31(31, 3), master(48, 4);
    CHECK_FALSE(master_secret(sha256, pms, r31, r32).ok());
    CHECK_FALSE(master_secret(sha256, pms, r32, r31).ok());
    CHECK_FALSE(tls12_key_block(sha256, aead, master, r32, r31).ok());
    CHECK_FALSE(Tls12MasterSecret::resumed(sha256, r32).ok());
    CHECK(Tls12MasterSecret::resumed(sha256, master).ok());
}

TEST_CASE("TLS 1.2 suite table", "[handshake][tls12]") {
    CHECK(tls12_default_suites().size() == 6);
    for (CipherSuite suite : tls12_default_suites()) {
        auto a = tls12_suite_algorithms(suite);
        REQUIRE(a);
        CHECK(a->fixed_iv_size == tls12_fixed_iv_size(a->aead));
        // A TLS 1.2 suite is not a TLS 1.3 one, and the other way round.
        CHECK_FALSE(tls13_suite_algorithms(suite));
        CHECK_FALSE(resolve_suite(tls::crypto::default_provider(), suite));
    }
    for (CipherSuite suite : {CipherSuite::tls_aes_128_gcm_sha256, CipherSuite::tls_aes_256_gcm_sha384,
                              CipherSuite::tls_chacha20_poly1305_sha256, CipherSuite::tls_empty_renegotiation_info_scsv,
                              static_cast<CipherSuite>(0x009c) /* TLS_RSA_WITH_AES_128_GCM_SHA256 */,
                              static_cast<CipherSuite>(0xc027) /* ECDHE_RSA AES_128_CBC_SHA256 */}) {
        CHECK_FALSE(tls12_suite_algorithms(suite));
    }
    auto a = tls12_suite_algorithms(CipherSuite::tls_ecdhe_ecdsa_with_aes_256_gcm_sha384);
    REQUIRE(a);
    CHECK(a->aead == AeadAlgorithm::aes256_gcm);
    CHECK(a->prf_hash == HashAlgorithm::sha384);
    CHECK(a->signature_key == Tls12SignatureKey::ecdsa);
    CHECK(a->fixed_iv_size == 4);
    a = tls12_suite_algorithms(CipherSuite::tls_ecdhe_rsa_with_chacha20_poly1305_sha256);
    REQUIRE(a);
    CHECK(a->aead == AeadAlgorithm::chacha20_poly1305);
    CHECK(a->prf_hash == HashAlgorithm::sha256);
    CHECK(a->signature_key == Tls12SignatureKey::rsa);
    CHECK(a->fixed_iv_size == 12);
    a = tls12_suite_algorithms(CipherSuite::tls_ecdhe_rsa_with_aes_128_gcm_sha256);
    REQUIRE(a);
    CHECK(a->aead == AeadAlgorithm::aes128_gcm);
    CHECK(a->prf_hash == HashAlgorithm::sha256);
    CHECK(a->signature_key == Tls12SignatureKey::rsa);
    // TLS 1.3 is unchanged.
    auto t13 = tls13_suite_algorithms(CipherSuite::tls_aes_256_gcm_sha384);
    REQUIRE(t13);
    CHECK(t13->aead == AeadAlgorithm::aes256_gcm);
    CHECK(resolve_suite(tls::crypto::default_provider(), CipherSuite::tls_aes_128_gcm_sha256));
}

namespace {

// Seals `message` with `writer` and opens it with `reader`; returns the opened plaintext
// (or the error code's name).
std::string seal_and_open(tls::record::RecordCipher& writer, tls::record::RecordCipher& reader,
                          const std::string& message) {
    using namespace tls::record;
    ByteVec record(header_size + writer.prefix_size() + message.size() + writer.overhead());
    std::memcpy(record.data() + header_size + writer.prefix_size(), message.data(), message.size());
    auto n = writer.seal(ContentType::application_data, record, message.size(), 0);
    REQUIRE(n.ok());
    REQUIRE(*n <= record.size());
    auto opened = reader.open(tls::crypto::Bytes(record).first(header_size),
                              tls::crypto::MutableBytes(record).subspan(header_size, *n - header_size));
    if (!opened) return std::string("error: ") + tls::to_string(opened.error().code);
    CHECK(opened->type == ContentType::application_data);
    return std::string(opened->payload.begin(), opened->payload.end());
}

}  // namespace

TEST_CASE("TLS 1.2 key block drives RecordCipher::tls12 in both directions, every suite and provider",
          "[handshake][tls12][record]") {
    using tls::record::RecordCipher;
    test::TestRng rng(7905);
    int rounds = 0;
    for (CipherSuite suite : tls12_default_suites()) {
        const auto algorithms = tls12_suite_algorithms(suite);
        REQUIRE(algorithms);
        for (const auto& p : test::all_providers()) {
            const auto* aead = p.provider->find(algorithms->aead);
            if (!aead) continue;
            const auto* hash = p.provider->find(algorithms->prf_hash);
            if (!hash) hash = &default_hash(algorithms->prf_hash);  // the native provider has AEADs only
            INFO(tls::to_string(suite) << " on " << p.name);

            const ByteVec pre_master = random_bytes(rng, 32), session_hash = random_bytes(rng, hash->output_size);
            const ByteVec client_random = random_bytes(rng, 32), server_random = random_bytes(rng, 32);
            auto master = Tls12MasterSecret::extended(*hash, pre_master, session_hash);
            REQUIRE(master.ok());
            auto block = master->key_block(*aead, client_random, server_random);
            REQUIRE(block.ok());
            CHECK(block->client_write_key.size() == aead->key_size);
            CHECK(block->client_write_iv.size() == algorithms->fixed_iv_size);

            auto client_write = RecordCipher::tls12(*aead, block->client_write_key.bytes(), block->client_write_iv.bytes());
            auto server_read = RecordCipher::tls12(*aead, block->client_write_key.bytes(), block->client_write_iv.bytes());
            auto server_write = RecordCipher::tls12(*aead, block->server_write_key.bytes(), block->server_write_iv.bytes());
            auto client_read = RecordCipher::tls12(*aead, block->server_write_key.bytes(), block->server_write_iv.bytes());
            REQUIRE(client_write.ok());
            REQUIRE(server_read.ok());
            REQUIRE(server_write.ok());
            REQUIRE(client_read.ok());

            for (int i = 0; i < 3; ++i) {
                const std::string request = "GET / HTTP/1.1 #" + std::to_string(i);
                const std::string response = "HTTP/1.1 200 OK #" + std::to_string(i);
                CHECK(seal_and_open(*client_write, *server_read, request) == request);
                CHECK(seal_and_open(*server_write, *client_read, response) == response);
            }
            CHECK(client_write->sequence() == 3);
            CHECK(server_read->sequence() == 3);

            // The other direction's keys do not open a record: the halves of the block differ.
            auto wrong_reader =
                RecordCipher::tls12(*aead, block->server_write_key.bytes(), block->server_write_iv.bytes());
            REQUIRE(wrong_reader.ok());
            CHECK(seal_and_open(*client_write, *wrong_reader, "secret") == "error: bad_record_mac");
            ++rounds;
        }
    }
    CHECK(rounds >= 6);
}
