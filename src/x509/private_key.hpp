// Private key files: PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208,
// RFC 5958) for RSA (rsaEncryption, and id-RSASSA-PSS keys, RFC 4055, which
// come back with RsaPrivateKey::pss_only set), EC P-256/P-384 and Ed25519 (RFC 8410); SEC1 ECPrivateKey
// (RFC 5915); PKCS#1 RSAPrivateKey (RFC 8017 A.1.2, two-prime); the encrypted
// PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 3) under PBES2 or the PKCS#12 PBEs;
// and their PEM forms (RFC 7468). Parsed strictly with codec::der.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "tls/crypto/provider.hpp"
#include "tls/crypto/secret.hpp"
#include "tls/crypto/signature.hpp"
#include "tls/result.hpp"
#include "x509/pbe.hpp"

namespace tls::x509 {

enum class PrivateKeyFormat : std::uint8_t {
    pkcs8,  // PrivateKeyInfo / OneAsymmetricKey, PEM "PRIVATE KEY"
    sec1,   // ECPrivateKey, PEM "EC PRIVATE KEY"
    pkcs1,  // RSAPrivateKey, PEM "RSA PRIVATE KEY"
};

// A parsed private key that owns its (unencrypted) DER: components() views
// into it. Move-only, so the views can never outlive or alias a copy; the DER
// is wiped when the object dies.
class LoadedPrivateKey {
public:
    // Parses der (copying it). decode_error for malformed DER; unsupported for
    // other key types, curves, multi-prime RSA or explicit EC parameters.
    static Result<LoadedPrivateKey> parse(crypto::Bytes der, PrivateKeyFormat format);
    // The same, taking ownership of a buffer (a decrypted key stays in wiped memory).
    static Result<LoadedPrivateKey> parse(crypto::SecretBuffer der, PrivateKeyFormat format);
    // Decrypts a DER EncryptedPrivateKeyInfo with password (UTF-8) and parses
    // the PKCS#8 key inside. A wrong password is bad_password.
    static Result<LoadedPrivateKey> decrypt_pkcs8(crypto::Bytes der, std::string_view password,
                                                  const crypto::CryptoProvider& provider,
                                                  const KdfLimits& limits = {});
    // The same with the password already in both encodings (PKCS#12 chooses the BMP form).
    static Result<LoadedPrivateKey> decrypt_pkcs8(crypto::Bytes der, const Password& password,
                                                  const crypto::CryptoProvider& provider, const KdfLimits& limits);

    LoadedPrivateKey(LoadedPrivateKey&&) noexcept = default;
    LoadedPrivateKey& operator=(LoadedPrivateKey&&) noexcept = default;
    LoadedPrivateKey(const LoadedPrivateKey&) = delete;
    LoadedPrivateKey& operator=(const LoadedPrivateKey&) = delete;
    ~LoadedPrivateKey() = default;  // der_ wipes itself

    const crypto::PrivateKey& components() const noexcept { return components_; }
    // The public key the file states beside the private one, if it does: the
    // point of an EC key (RFC 5915 publicKey) or an Ed25519 key (RFC 5958 v2).
    const std::optional<crypto::Bytes>& stated_public_key() const noexcept { return public_key_; }
    PrivateKeyFormat format() const noexcept { return format_; }
    crypto::Bytes der() const noexcept { return der_.bytes(); }

private:
    LoadedPrivateKey() = default;

    crypto::SecretBuffer der_;
    PrivateKeyFormat format_ = PrivateKeyFormat::pkcs8;
    crypto::PrivateKey components_;
    std::optional<crypto::Bytes> public_key_;
};

// Loads key into a SigningKey through provider and checks that a stated public
// key is the one the private key gives (invalid_argument if not).
Result<std::unique_ptr<crypto::SigningKey>> load_signing_key(const LoadedPrivateKey& key,
                                                             const crypto::CryptoProvider& provider);

// The one private key in PEM text: "PRIVATE KEY", "ENCRYPTED PRIVATE KEY" (opened
// with password), "EC PRIVATE KEY" or "RSA PRIVATE KEY". Other blocks (CERTIFICATE,
// EC PARAMETERS) are skipped; no key or two keys is a decode_error. Keys encrypted
// the legacy OpenSSL way (Proc-Type/DEK-Info headers) are unsupported.
Result<LoadedPrivateKey> parse_private_key_pem(std::string_view pem, std::string_view password,
                                               const crypto::CryptoProvider& provider, const KdfLimits& limits = {});

// parse_private_key_pem, then load_signing_key.
Result<std::unique_ptr<crypto::SigningKey>> load_private_key_pem(std::string_view pem, std::string_view password,
                                                                 const crypto::CryptoProvider& provider);

}  // namespace tls::x509
