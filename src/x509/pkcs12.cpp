#include "x509/pkcs12.hpp"

#include <algorithm>

#include "codec/der.hpp"
#include "tls/crypto/pbkdf2.hpp"
#include "x509/oids.hpp"
#include "x509/pkcs12_kdf.hpp"

namespace tls::x509 {
namespace {

namespace der = codec::der;
using codec::Reader;
using crypto::Bytes;

constexpr Error bad_mac{ErrorCode::bad_password, "PKCS#12 MAC does not verify: wrong password or corrupted file"};

// safeContentsBag nests SafeContents; nobody writes more than one level.
constexpr int max_nesting = 4;

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

Bytes as_bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

// ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY } (RFC 2315 7).
struct ContentInfo {
    Bytes type;
    Reader content;  // inside the [0]
};

Result<ContentInfo> read_content_info(Reader& r) {
    TLS_TRY_ASSIGN(seq, der::read_constructed(r));
    TLS_TRY_ASSIGN(type, der::read_oid(seq));
    TLS_TRY_ASSIGN(content, der::read_constructed(seq, der::context_constructed(0)));
    TLS_TRY(seq.expect_end());
    return ContentInfo{type, content};
}

// The OCTET STRING a data ContentInfo carries (DER: one primitive string).
Result<Bytes> read_data(Reader& content) {
    TLS_TRY_ASSIGN(octets, der::read(content, der::octet_string));
    TLS_TRY(content.expect_end());
    return octets;
}

// ----- MAC (RFC 7292 4, 5.1; RFC 9579 4) -----

struct MacData {
    Bytes algorithm;  // the digestAlgorithm AlgorithmIdentifier, whole
    Bytes digest;
    Bytes salt;
    std::uint64_t iterations = 1;
};

// MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }.
Result<MacData> read_mac_data(Reader& r) {
    MacData m;
    TLS_TRY_ASSIGN(seq, der::read_constructed(r));
    TLS_TRY_ASSIGN(digest_info, der::read_constructed(seq));
    TLS_TRY_ASSIGN(algorithm, der::read_tlv(digest_info));
    TLS_TRY_ASSIGN(digest, der::read(digest_info, der::octet_string));
    TLS_TRY(digest_info.expect_end());
    TLS_TRY_ASSIGN(salt, der::read(seq, der::octet_string));
    m.algorithm = algorithm;
    m.digest = digest;
    m.salt = salt;
    if (!seq.empty()) {
        TLS_TRY_ASSIGN(iterations, der::read_small_unsigned(seq));
        m.iterations = iterations;
    }
    TLS_TRY(seq.expect_end());
    return m;
}

const crypto::HashDescriptor* mac_hash(Bytes oid_bytes, const crypto::CryptoProvider& provider) {
    if (equal(oid_bytes, oid::sha1)) return provider.find(crypto::HashAlgorithm::sha1);
    if (equal(oid_bytes, oid::sha256)) return provider.find(crypto::HashAlgorithm::sha256);
    if (equal(oid_bytes, oid::sha384)) return provider.find(crypto::HashAlgorithm::sha384);
    if (equal(oid_bytes, oid::sha512)) return provider.find(crypto::HashAlgorithm::sha512);
    return nullptr;
}

// Checks the MAC over the AuthenticatedSafe's bytes. Returns whether it matches;
// errors are for what cannot be checked at all.
Result<bool> mac_matches(const MacData& mac, Bytes auth_safe, const Password& password,
                         const crypto::CryptoProvider& provider, const KdfLimits& limits) {
    Reader alg_reader(mac.algorithm);
    TLS_TRY_ASSIGN(alg, der::read_constructed(alg_reader));
    TLS_TRY_ASSIGN(alg_oid, der::read_oid(alg));
    std::uint8_t tag[64];

    if (equal(alg_oid, oid::pbmac1)) {
        // RFC 9579 4: PBMAC1-params ::= SEQUENCE { keyDerivationFunc (PBKDF2), messageAuthScheme (HMAC) };
        // the key comes from PBKDF2 over the UTF-8 password, and macSalt and iterations are ignored.
        TLS_TRY_ASSIGN(params, der::read_constructed(alg));
        TLS_TRY(alg.expect_end());
        TLS_TRY_ASSIGN(kdf, read_pbkdf2_algorithm(params, provider, limits));
        TLS_TRY_ASSIGN(hmac_hash, read_hmac_algorithm(params, provider));
        TLS_TRY(params.expect_end());
        // RFC 9579 appendix A.6: a file without keyLength is invalid.
        if (kdf.key_length == 0) return Error{ErrorCode::decode_error, "PBMAC1 PBKDF2 parameters without keyLength"};
        crypto::SecretBuffer key(kdf.key_length);
        TLS_TRY(crypto::pbkdf2_hmac(*kdf.prf, password.utf8, kdf.salt, kdf.iterations, key.mutable_bytes()));
        if (mac.digest.size() != hmac_hash->output_size) return false;
        crypto::Hmac::mac(*hmac_hash, key.bytes(), auth_safe, tag);
        const bool same = crypto::ct_equal({tag, hmac_hash->output_size}, mac.digest);
        crypto::secure_wipe(tag, sizeof tag);
        return same;
    }

    // RFC 7292 B.4: HMAC keyed by the PKCS#12 KDF (ID 3), key as long as the hash output.
    if (!alg.empty()) {
        auto null = der::read(alg, der::null);
        if (!null) return null.error();
        if (!null->empty()) return der::bad_der;
    }
    TLS_TRY(alg.expect_end());
    const crypto::HashDescriptor* hash = mac_hash(alg_oid, provider);
    if (hash == nullptr) return Error{ErrorCode::unsupported, "unsupported PKCS#12 MAC algorithm"};
    if (mac.iterations == 0) return Error{ErrorCode::decode_error, "PKCS#12 MAC iteration count must be at least 1"};
    if (mac.iterations > limits.max_iterations)
        return Error{ErrorCode::unsupported, "key derivation iteration count above the limit"};
    if (mac.salt.size() > 1024) return Error{ErrorCode::decode_error, "PKCS#12 MAC salt longer than 1024 bytes"};
    if (mac.digest.size() != hash->output_size) return false;
    std::uint8_t key[64];
    TLS_TRY(pkcs12_kdf(*hash, password.bmp, mac.salt, static_cast<std::uint32_t>(mac.iterations), Pkcs12Purpose::mac,
                       {key, hash->output_size}));
    crypto::Hmac::mac(*hash, {key, hash->output_size}, auth_safe, tag);
    const bool same = crypto::ct_equal({tag, hash->output_size}, mac.digest);
    crypto::secure_wipe(key, sizeof key);
    crypto::secure_wipe(tag, sizeof tag);
    return same;
}

// ----- Bags (RFC 7292 4.2) -----

struct Walker {
    const crypto::CryptoProvider& provider;
    const Pkcs12Options& options;
    Password password;
    bool authenticated;  // the MAC verified, so the password is the right one
    std::size_t encrypted_items = 0;
    Pkcs12Contents out;

    Result<void> count_encrypted_item() {
        if (++encrypted_items > options.max_encrypted_items)
            return Error{ErrorCode::unsupported, "PKCS#12 file has more encrypted items than the limit"};
        return success();
    }

    // Without a MAC, garbage from a wrong password shows up as malformed DER.
    Error decryption_error(const Error& e) const {
        return (!authenticated && e.code == ErrorCode::decode_error) ? wrong_password : e;
    }

    // bagAttributes SET OF PKCS12Attribute; returns the localKeyId (RFC 2985 5.5.2), if any.
    static Result<std::vector<std::uint8_t>> read_local_key_id(Reader& attributes) {
        std::vector<std::uint8_t> id;
        bool seen = false;
        while (!attributes.empty()) {
            // PKCS12Attribute ::= SEQUENCE { attrId OID, attrValues SET OF ANY }.
            TLS_TRY_ASSIGN(attribute, der::read_constructed(attributes));
            TLS_TRY_ASSIGN(attr_id, der::read_oid(attribute));
            TLS_TRY_ASSIGN(values, der::read_constructed(attribute, der::set));
            TLS_TRY(attribute.expect_end());
            if (!equal(attr_id, oid::local_key_id)) continue;  // friendlyName, Java's trust marks, ...
            TLS_TRY_ASSIGN(value, der::read(values, der::octet_string));
            TLS_TRY(values.expect_end());
            if (seen) return Error{ErrorCode::decode_error, "PKCS#12 bag with two localKeyId attributes"};
            seen = true;
            id.assign(value.begin(), value.end());
        }
        return id;
    }

    Result<void> safe_contents(Bytes der_bytes, int depth) {
        if (depth > max_nesting) return Error{ErrorCode::unsupported, "PKCS#12 bags nested too deeply"};
        Reader top(der_bytes);
        // SafeContents ::= SEQUENCE OF SafeBag.
        TLS_TRY_ASSIGN(bags, der::read_constructed(top));
        TLS_TRY(top.expect_end());
        while (!bags.empty()) TLS_TRY(safe_bag(bags, depth));
        return success();
    }

    // SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY, bagAttributes SET OF PKCS12Attribute OPTIONAL }.
    Result<void> safe_bag(Reader& bags, int depth) {
        TLS_TRY_ASSIGN(bag, der::read_constructed(bags));
        TLS_TRY_ASSIGN(bag_id, der::read_oid(bag));
        TLS_TRY_ASSIGN(value_reader, der::read_constructed(bag, der::context_constructed(0)));
        TLS_TRY_ASSIGN(value, der::read_tlv(value_reader));
        TLS_TRY(value_reader.expect_end());
        std::vector<std::uint8_t> local_key_id;
        if (!bag.empty()) {
            TLS_TRY_ASSIGN(attributes, der::read_constructed(bag, der::set));
            TLS_TRY_ASSIGN(id, read_local_key_id(attributes));
            local_key_id = std::move(id);
        }
        TLS_TRY(bag.expect_end());

        if (equal(bag_id, oid::key_bag)) {
            // KeyBag ::= PrivateKeyInfo.
            TLS_TRY_ASSIGN(key, LoadedPrivateKey::parse(value, PrivateKeyFormat::pkcs8));
            out.keys.push_back({std::move(key), std::move(local_key_id)});
        } else if (equal(bag_id, oid::pkcs8_shrouded_key_bag)) {
            // PKCS8ShroudedKeyBag ::= EncryptedPrivateKeyInfo.
            TLS_TRY(count_encrypted_item());
            auto key = LoadedPrivateKey::decrypt_pkcs8(value, password, provider, options.limits);
            if (!key) return decryption_error(key.error());
            out.keys.push_back({std::move(*key), std::move(local_key_id)});
        } else if (equal(bag_id, oid::cert_bag)) {
            // CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT ANY }; x509Certificate
            // holds the DER certificate in an OCTET STRING. Other certificate types are skipped.
            Reader v(value);
            TLS_TRY_ASSIGN(cert_bag, der::read_constructed(v));
            TLS_TRY_ASSIGN(cert_id, der::read_oid(cert_bag));
            TLS_TRY_ASSIGN(cert_value, der::read_constructed(cert_bag, der::context_constructed(0)));
            TLS_TRY(cert_bag.expect_end());
            if (!equal(cert_id, oid::x509_certificate)) return success();
            TLS_TRY_ASSIGN(cert_der, read_data(cert_value));
            TLS_TRY_ASSIGN(cert, Certificate::parse(cert_der));
            out.certificates.push_back({std::make_shared<const Certificate>(std::move(cert)), std::move(local_key_id)});
        } else if (equal(bag_id, oid::safe_contents_bag)) {
            TLS_TRY(safe_contents(value, depth + 1));
        }
        // crlBag, secretBag and unknown bags carry nothing cordon uses.
        return success();
    }

    // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo, unprotectedAttrs [1] IMPLICIT OPTIONAL }
    // (RFC 5652 8); EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm,
    // encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL } (RFC 5652 6.1).
    Result<void> encrypted_data(Reader& content) {
        TLS_TRY(count_encrypted_item());
        TLS_TRY_ASSIGN(seq, der::read_constructed(content));
        TLS_TRY(content.expect_end());
        TLS_TRY_ASSIGN(version, der::read_small_unsigned(seq));
        if (version != 0 && version != 2) return Error{ErrorCode::decode_error, "unknown EncryptedData version"};
        TLS_TRY_ASSIGN(info, der::read_constructed(seq));
        TLS_TRY_ASSIGN(unprotected, der::read_optional(seq, der::context_constructed(1)));
        (void)unprotected;
        TLS_TRY(seq.expect_end());
        TLS_TRY_ASSIGN(content_type, der::read_oid(info));
        if (!equal(content_type, oid::pkcs7_data))
            return Error{ErrorCode::unsupported, "PKCS#12 encrypted content that is not data"};
        TLS_TRY_ASSIGN(algorithm, der::read_tlv(info));
        // DER gives the IMPLICIT OCTET STRING its primitive form.
        TLS_TRY_ASSIGN(ciphertext, der::read(info, der::context_primitive(0)));
        TLS_TRY(info.expect_end());
        auto plaintext = pbe_decrypt(algorithm, password, ciphertext, provider, options.limits);
        if (!plaintext) return plaintext.error();
        auto walked = safe_contents(plaintext->bytes(), 0);
        if (!walked) return decryption_error(walked.error());
        return success();
    }

    // AuthenticatedSafe ::= SEQUENCE OF ContentInfo, each data or encryptedData.
    Result<void> authenticated_safe(Bytes der_bytes) {
        Reader top(der_bytes);
        TLS_TRY_ASSIGN(infos, der::read_constructed(top));
        TLS_TRY(top.expect_end());
        while (!infos.empty()) {
            TLS_TRY_ASSIGN(info, read_content_info(infos));
            if (equal(info.type, oid::pkcs7_data)) {
                TLS_TRY_ASSIGN(data, read_data(info.content));
                TLS_TRY(safe_contents(data, 0));
            } else if (equal(info.type, oid::pkcs7_encrypted_data)) {
                TLS_TRY(encrypted_data(info.content));
            } else {
                return Error{ErrorCode::unsupported,
                             "PKCS#12 public-key privacy mode (envelopedData) is not supported"};
            }
        }
        return success();
    }
};

// Public keys compared by value: RSA integers without leading zeros, EC points and Ed25519 keys as bytes.
Bytes strip_zeros(Bytes b) {
    while (b.size() > 1 && b[0] == 0) b = b.subspan(1);
    return b;
}

bool same_public_key(const crypto::PublicKey& a, const crypto::PublicKey& b) {
    if (const auto* ra = std::get_if<crypto::RsaPublicKey>(&a)) {
        const auto* rb = std::get_if<crypto::RsaPublicKey>(&b);
        return rb != nullptr && equal(strip_zeros(ra->modulus), strip_zeros(rb->modulus)) &&
               equal(strip_zeros(ra->exponent), strip_zeros(rb->exponent));
    }
    if (const auto* ea = std::get_if<crypto::EcPublicKey>(&a)) {
        const auto* eb = std::get_if<crypto::EcPublicKey>(&b);
        return eb != nullptr && ea->curve == eb->curve && equal(ea->point, eb->point);
    }
    const auto* da = std::get_if<crypto::Ed25519PublicKey>(&a);
    const auto* db = std::get_if<crypto::Ed25519PublicKey>(&b);
    return da != nullptr && db != nullptr && equal(da->key, db->key);
}

}  // namespace

Result<Pkcs12Contents> parse_pkcs12(Bytes der_bytes, std::string_view password, const crypto::CryptoProvider& provider,
                                    const Pkcs12Options& options) {
    // PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }.
    Reader top(der_bytes);
    TLS_TRY_ASSIGN(pfx, der::read_constructed(top));
    TLS_TRY(top.expect_end());
    TLS_TRY_ASSIGN(version, der::read_small_unsigned(pfx));
    if (version != 3) return Error{ErrorCode::unsupported, "PKCS#12 version other than 3"};
    TLS_TRY_ASSIGN(auth_safe_info, read_content_info(pfx));
    // RFC 7292 4: "authSafe ... contentType is signedData in public-key integrity mode and data in
    // password integrity mode".
    if (!equal(auth_safe_info.type, oid::pkcs7_data))
        return Error{ErrorCode::unsupported, "PKCS#12 public-key integrity mode (signedData) is not supported"};
    TLS_TRY_ASSIGN(auth_safe, read_data(auth_safe_info.content));
    std::optional<MacData> mac;
    if (!pfx.empty()) {
        TLS_TRY_ASSIGN(m, read_mac_data(pfx));
        mac = m;
    }
    TLS_TRY(pfx.expect_end());
    if (!mac && options.require_mac) return Error{ErrorCode::unsupported, "PKCS#12 file without a MAC"};

    TLS_TRY_ASSIGN(bmp, pkcs12_bmp_password(password));
    Password chosen{as_bytes(password), bmp.bytes()};
    if (mac) {
        // Verify the MAC before looking at anything it protects. An empty password is
        // either an empty BMPString (two zero bytes) or no bytes at all, depending on
        // the writer (OpenSSL tries both as well).
        TLS_TRY_ASSIGN(matches, mac_matches(*mac, auth_safe, chosen, provider, options.limits));
        if (!matches && password.empty()) {
            const Password no_bytes{as_bytes(password), Bytes()};
            TLS_TRY_ASSIGN(matches_without, mac_matches(*mac, auth_safe, no_bytes, provider, options.limits));
            if (matches_without) chosen = no_bytes;
            matches = matches_without;
        }
        if (!matches) return bad_mac;
    }

    Walker walker{provider, options, chosen, mac.has_value(), 0, {}};
    TLS_TRY(walker.authenticated_safe(auth_safe));
    return std::move(walker.out);
}

Result<Pkcs12Bundle> load_pkcs12(Bytes der_bytes, std::string_view password, const crypto::CryptoProvider& provider,
                                 const Pkcs12Options& options) {
    TLS_TRY_ASSIGN(contents, parse_pkcs12(der_bytes, password, provider, options));
    if (contents.keys.empty()) return Error{ErrorCode::unsupported, "PKCS#12 file holds no private key"};
    if (contents.keys.size() > 1) return Error{ErrorCode::unsupported, "PKCS#12 file holds more than one private key"};
    auto& key = contents.keys.front();
    TLS_TRY_ASSIGN(signer, load_signing_key(key.key, provider));
    const crypto::PublicKey public_key = signer->public_key();

    auto& certs = contents.certificates;
    auto match = certs.end();
    if (!key.local_key_id.empty())
        match = std::find_if(certs.begin(), certs.end(),
                             [&](const auto& c) { return c.local_key_id == key.local_key_id; });
    if (match == certs.end())
        match = std::find_if(certs.begin(), certs.end(), [&](const auto& c) {
            return c.certificate->public_key && same_public_key(*c.certificate->public_key, public_key);
        });
    if (match == certs.end())
        return Error{ErrorCode::bad_certificate, "no certificate in the PKCS#12 file matches its private key"};
    if (!match->certificate->public_key || !same_public_key(*match->certificate->public_key, public_key))
        return Error{ErrorCode::bad_certificate, "the PKCS#12 certificate and private key do not match"};

    Pkcs12Bundle bundle{std::move(key.key), std::move(signer), match->certificate, {}};
    // The other certificates, each once: Java lists a root both in the chain and as a trusted entry.
    std::vector<CertificatePtr> rest;
    auto listed = [&](const CertificatePtr& c) {
        auto same = [&](const CertificatePtr& r) { return equal(r->der(), c->der()); };
        return same(bundle.certificate) || std::any_of(rest.begin(), rest.end(), same);
    };
    for (const auto& c : certs)
        if (!listed(c.certificate)) rest.push_back(c.certificate);
    // The chain in issuing order from the leaf, as a TLS Certificate message wants it, then the rest.
    for (CertificatePtr current = bundle.certificate; !current->self_issued();) {
        auto issuer = std::find_if(rest.begin(), rest.end(),
                                   [&](const CertificatePtr& c) { return names_match(c->subject, current->issuer); });
        if (issuer == rest.end()) break;
        current = *issuer;
        bundle.chain.push_back(current);
        rest.erase(issuer);
    }
    bundle.chain.insert(bundle.chain.end(), rest.begin(), rest.end());
    return bundle;
}

}  // namespace tls::x509
