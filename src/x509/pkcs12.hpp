// PKCS#12 files (RFC 7292): a private key, its certificate and its chain, under
// one password. cordon reads the password-integrity mode that every tool
// writes: the MAC (HMAC with the PKCS#12 KDF, or PBMAC1 of RFC 9579) is checked
// before anything inside is looked at; the AuthenticatedSafe's data and
// encryptedData contents hold keyBag, pkcs8ShroudedKeyBag, certBag and nested
// safeContentsBag bags. Encryption is PBES2 (OpenSSL 3 and Java today) or the
// PKCS#12 PBEs (`openssl pkcs12 -legacy`: 3DES keys, 40-bit RC2 certificates).
// Public-key integrity and privacy modes (signedData, envelopedData) are unsupported.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tls/crypto/provider.hpp"
#include "tls/result.hpp"
#include "x509/certificate.hpp"
#include "x509/pbe.hpp"
#include "x509/private_key.hpp"

namespace tls::x509 {

struct Pkcs12Options {
    KdfLimits limits;  // per derivation (the MAC and each encrypted item)
    // Refuse files with more password-encrypted items than this: each costs a
    // key derivation, so this bounds the total work along with limits.
    std::size_t max_encrypted_items = 64;
    // Refuse a file without a MAC (`openssl pkcs12 -nomac`). Off by default,
    // as OpenSSL reads them; the encrypted items still need the password.
    bool require_mac = false;
};

// Every key and certificate in a file, in file order.
struct Pkcs12Contents {
    struct Key {
        LoadedPrivateKey key;
        std::vector<std::uint8_t> local_key_id;  // empty when the bag has none
    };
    struct Cert {
        CertificatePtr certificate;
        std::vector<std::uint8_t> local_key_id;
    };
    std::vector<Key> keys;
    std::vector<Cert> certificates;
};

// Verifies the MAC and decodes every bag cordon knows (others are skipped).
// Errors: bad_password (MAC mismatch, or an item that does not decrypt),
// decode_error (malformed DER anywhere, including truncation), unsupported
// (modes, algorithms or key types cordon does not read, limits exceeded).
Result<Pkcs12Contents> parse_pkcs12(crypto::Bytes der, std::string_view password,
                                    const crypto::CryptoProvider& provider, const Pkcs12Options& options = {});

// What a TLS server or client needs from a PKCS#12 file.
struct Pkcs12Bundle {
    LoadedPrivateKey private_key;
    std::unique_ptr<crypto::SigningKey> signing_key;
    CertificatePtr certificate;          // the key's certificate
    std::vector<CertificatePtr> chain;   // the others: certificate's issuers first (in order), then the rest
};

// parse_pkcs12, then: exactly one private key (none or several is unsupported);
// its certificate found by localKeyId where both sides carry one, else by public
// key; and that certificate's public key must be the private key's
// (bad_certificate if not, or if no certificate matches).
Result<Pkcs12Bundle> load_pkcs12(crypto::Bytes der, std::string_view password, const crypto::CryptoProvider& provider,
                                 const Pkcs12Options& options = {});

}  // namespace tls::x509
