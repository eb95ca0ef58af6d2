#include "x509/pbe.hpp"

#include <algorithm>
#include <cstring>

#include "codec/der.hpp"
#include "tls/crypto/pbkdf2.hpp"
#include "x509/oids.hpp"
#include "x509/pkcs12_kdf.hpp"

namespace tls::x509 {
namespace {

namespace der = codec::der;
using codec::Reader;
using crypto::Bytes;

constexpr Error unsupported_scheme{ErrorCode::unsupported, "unsupported password-based encryption scheme"};
constexpr Error unsupported_prf{ErrorCode::unsupported, "unsupported PBKDF2 pseudo-random function"};
constexpr Error unsupported_cipher{ErrorCode::unsupported, "unsupported PBES2 encryption scheme"};
constexpr Error too_many_iterations{ErrorCode::unsupported, "key derivation iteration count above the limit"};
constexpr Error bad_iterations{ErrorCode::decode_error, "key derivation iteration count must be at least 1"};
constexpr Error bad_salt{ErrorCode::decode_error, "key derivation salt longer than 1024 bytes"};
constexpr Error bad_blocks{ErrorCode::decode_error, "encrypted data is not a whole, non-zero number of cipher blocks"};

// Salts are 8 to 64 bytes in practice; anything past this is an attack on memory or time.
constexpr std::size_t max_salt_size = 1024;
constexpr std::size_t max_key_length = 1024;

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// NULL or absent AlgorithmIdentifier parameters (RFC 8018 B.1 lets HMAC OIDs have either).
Result<void> null_or_absent(Reader& params) {
    if (params.empty()) return success();
    auto n = der::read(params, der::null);
    if (!n) return n.error();
    if (!n->empty()) return der::bad_der;
    return params.expect_end();
}

Result<std::uint32_t> read_iterations(Reader& r, const KdfLimits& limits) {
    auto n = der::read_small_unsigned(r);
    if (!n) return n.error();
    if (*n == 0) return bad_iterations;
    if (*n > limits.max_iterations) return too_many_iterations;
    return static_cast<std::uint32_t>(*n);
}

Result<Bytes> read_salt(Reader& r) {
    auto salt = der::read(r, der::octet_string);
    if (!salt) return salt.error();
    if (salt->size() > max_salt_size) return bad_salt;
    return *salt;
}

// RFC 8018 6.1.1 step 4 (and RFC 5652 6.3): 1..block_size bytes, each equal to
// their count. Checked without an early exit over the last block.
Result<std::size_t> unpadded_size(Bytes plaintext, std::size_t block_size) {
    const std::uint8_t n = plaintext.back();
    unsigned bad = (n == 0) | (n > block_size);
    const Bytes last = plaintext.last(block_size);
    for (std::size_t i = 0; i < block_size; ++i) {
        const bool in_padding = block_size - i <= n;
        bad |= in_padding & (last[i] != n);
    }
    if (bad) return wrong_password;
    return plaintext.size() - n;
}

// Decrypts with a derived key and IV, then strips the padding.
Result<crypto::SecretBuffer> cbc_decrypt(const crypto::BlockCipherDescriptor& cipher, Bytes key, Bytes iv,
                                         Bytes ciphertext) {
    if (ciphertext.empty() || ciphertext.size() % cipher.block_size != 0) return bad_blocks;
    crypto::SecretBuffer work(ciphertext);
    TLS_TRY(cipher.cbc_decrypt(key, iv, work.mutable_bytes()));
    auto size = unpadded_size(work.bytes(), cipher.block_size);
    if (!size) return size.error();
    return crypto::SecretBuffer(work.bytes().first(*size));
}

// RFC 8018 A.4: PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }.
Result<crypto::SecretBuffer> pbes2_decrypt(Reader& params, const Password& password, Bytes ciphertext,
                                           const crypto::CryptoProvider& provider, const KdfLimits& limits) {
    TLS_TRY_ASSIGN(seq, der::read_constructed(params));
    TLS_TRY(params.expect_end());
    TLS_TRY_ASSIGN(kdf, read_pbkdf2_algorithm(seq, provider, limits));

    // encryptionScheme: the cipher OID with its IV as parameters (RFC 8018 B.2.2, B.2.5).
    TLS_TRY_ASSIGN(scheme, der::read_constructed(seq));
    TLS_TRY(seq.expect_end());
    TLS_TRY_ASSIGN(cipher_oid, der::read_oid(scheme));
    crypto::BlockCipher which;
    if (equal(cipher_oid, oid::aes128_cbc)) which = crypto::BlockCipher::aes128_cbc;
    else if (equal(cipher_oid, oid::aes256_cbc)) which = crypto::BlockCipher::aes256_cbc;
    else if (equal(cipher_oid, oid::des_ede3_cbc)) which = crypto::BlockCipher::des_ede3_cbc;
    else return unsupported_cipher;
    const crypto::BlockCipherDescriptor* cipher = provider.find(which);
    if (cipher == nullptr) return Error{ErrorCode::unsupported, "this provider has no cipher for the PBES2 scheme"};
    TLS_TRY_ASSIGN(iv, der::read(scheme, der::octet_string));
    TLS_TRY(scheme.expect_end());
    if (iv.size() != cipher->block_size) return Error{ErrorCode::decode_error, "PBES2 IV has the wrong size"};
    // RFC 8018 A.2: keyLength, when present, is the cipher's key length.
    if (kdf.key_length != 0 && kdf.key_length != cipher->key_size)
        return Error{ErrorCode::decode_error, "PBKDF2 keyLength does not match the cipher"};

    std::uint8_t key[32];
    auto derived = crypto::pbkdf2_hmac(*kdf.prf, password.utf8, kdf.salt, kdf.iterations, {key, cipher->key_size});
    if (!derived) return derived.error();
    auto plaintext = cbc_decrypt(*cipher, {key, cipher->key_size}, iv, ciphertext);
    crypto::secure_wipe(key, sizeof key);
    return plaintext;
}

// RFC 7292 C: pkcs-12PbeParams ::= SEQUENCE { salt OCTET STRING, iterations INTEGER },
// key and IV from the PKCS#12 KDF with SHA-1 (IDs 1 and 2).
Result<crypto::SecretBuffer> pkcs12_pbe_decrypt(crypto::BlockCipher which, Reader& params, const Password& password,
                                                Bytes ciphertext, const crypto::CryptoProvider& provider,
                                                const KdfLimits& limits) {
    TLS_TRY_ASSIGN(seq, der::read_constructed(params));
    TLS_TRY(params.expect_end());
    TLS_TRY_ASSIGN(salt, read_salt(seq));
    TLS_TRY_ASSIGN(iterations, read_iterations(seq, limits));
    TLS_TRY(seq.expect_end());
    const crypto::HashDescriptor* sha1 = provider.find(crypto::HashAlgorithm::sha1);
    const crypto::BlockCipherDescriptor* cipher = provider.find(which);
    if (sha1 == nullptr || cipher == nullptr)
        return Error{ErrorCode::unsupported, "this provider lacks SHA-1 or the cipher of the PKCS#12 PBE"};

    std::uint8_t key[32], iv[16];
    auto k = pkcs12_kdf(*sha1, password.bmp, salt, iterations, Pkcs12Purpose::key, {key, cipher->key_size});
    if (!k) return k.error();
    auto i = pkcs12_kdf(*sha1, password.bmp, salt, iterations, Pkcs12Purpose::iv, {iv, cipher->block_size});
    if (!i) return i.error();
    auto plaintext = cbc_decrypt(*cipher, {key, cipher->key_size}, {iv, cipher->block_size}, ciphertext);
    crypto::secure_wipe(key, sizeof key);
    crypto::secure_wipe(iv, sizeof iv);
    return plaintext;
}

}  // namespace

Result<const crypto::HashDescriptor*> read_hmac_algorithm(Reader& reader, const crypto::CryptoProvider& provider) {
    TLS_TRY_ASSIGN(seq, der::read_constructed(reader));
    TLS_TRY_ASSIGN(oid_bytes, der::read_oid(seq));
    TLS_TRY(null_or_absent(seq));
    crypto::HashAlgorithm hash;
    if (equal(oid_bytes, oid::hmac_with_sha1)) hash = crypto::HashAlgorithm::sha1;
    else if (equal(oid_bytes, oid::hmac_with_sha256)) hash = crypto::HashAlgorithm::sha256;
    else if (equal(oid_bytes, oid::hmac_with_sha384)) hash = crypto::HashAlgorithm::sha384;
    else if (equal(oid_bytes, oid::hmac_with_sha512)) hash = crypto::HashAlgorithm::sha512;
    else return unsupported_prf;
    const crypto::HashDescriptor* d = provider.find(hash);
    if (d == nullptr) return Error{ErrorCode::unsupported, "this provider lacks the HMAC hash"};
    return d;
}

Result<Pbkdf2Params> read_pbkdf2_algorithm(Reader& reader, const crypto::CryptoProvider& provider,
                                           const KdfLimits& limits) {
    TLS_TRY_ASSIGN(kdf, der::read_constructed(reader));
    TLS_TRY_ASSIGN(kdf_oid, der::read_oid(kdf));
    if (!equal(kdf_oid, oid::pbkdf2)) return Error{ErrorCode::unsupported, "unsupported key derivation function"};
    // RFC 8018 A.2: PBKDF2-params ::= SEQUENCE { salt CHOICE { specified OCTET STRING,
    // otherSource AlgorithmIdentifier }, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1 }.
    TLS_TRY_ASSIGN(params, der::read_constructed(kdf));
    TLS_TRY(kdf.expect_end());
    Pbkdf2Params out;
    if (der::peek_tag(params) != der::octet_string)
        return Error{ErrorCode::unsupported, "PBKDF2 salt from another source is not supported"};
    TLS_TRY_ASSIGN(salt, read_salt(params));
    out.salt = salt;
    TLS_TRY_ASSIGN(iterations, read_iterations(params, limits));
    out.iterations = iterations;
    if (der::peek_tag(params) == der::integer) {
        TLS_TRY_ASSIGN(key_length, der::read_small_unsigned(params));
        // Ciphers take at most 32 bytes; PBMAC1 keys have been seen up to 256 (BouncyCastle).
        if (key_length == 0 || key_length > max_key_length)
            return Error{ErrorCode::decode_error, "PBKDF2 keyLength out of range"};
        out.key_length = static_cast<std::size_t>(key_length);
    }
    if (params.empty()) {
        out.prf = provider.find(crypto::HashAlgorithm::sha1);
        if (out.prf == nullptr) return Error{ErrorCode::unsupported, "this provider lacks the HMAC hash"};
    } else {
        TLS_TRY_ASSIGN(prf, read_hmac_algorithm(params, provider));
        out.prf = prf;
    }
    TLS_TRY(params.expect_end());
    return out;
}

Result<crypto::SecretBuffer> pbe_decrypt(Bytes algorithm, const Password& password, Bytes ciphertext,
                                         const crypto::CryptoProvider& provider, const KdfLimits& limits) {
    Reader top(algorithm);
    TLS_TRY_ASSIGN(seq, der::read_constructed(top));
    TLS_TRY(top.expect_end());
    TLS_TRY_ASSIGN(scheme, der::read_oid(seq));
    if (equal(scheme, oid::pbes2)) return pbes2_decrypt(seq, password, ciphertext, provider, limits);
    if (equal(scheme, oid::pbe_sha1_3des))
        return pkcs12_pbe_decrypt(crypto::BlockCipher::des_ede3_cbc, seq, password, ciphertext, provider, limits);
    if (equal(scheme, oid::pbe_sha1_rc2_40))
        return pkcs12_pbe_decrypt(crypto::BlockCipher::rc2_40_cbc, seq, password, ciphertext, provider, limits);
    return unsupported_scheme;
}

}  // namespace tls::x509
