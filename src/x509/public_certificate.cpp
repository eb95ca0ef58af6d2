// The public certificate API (include/tls/certificate.hpp): small shared handles
// over the parsed certificates, trust stores and key files of src/x509, plus the
// text forms (names, serials, times) a user prints.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <variant>

#include "tls/certificate.hpp"
#include "x509/certificate.hpp"
#include "x509/name_matching.hpp"
#include "x509/pem.hpp"
#include "x509/private_key.hpp"
#include "x509/verify.hpp"

namespace tls {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_hex_byte(std::string& out, std::uint8_t b) {
    out.push_back(hex_digits[b >> 4]);
    out.push_back(hex_digits[b & 0x0f]);
}

Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{ErrorCode::invalid_argument, "cannot read file"};
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return Error{ErrorCode::invalid_argument, "cannot read file"};
    return text.str();
}

// ---- distinguished names as text ---------------------------------------------

bool equal(crypto::Bytes a, crypto::Bytes b) noexcept { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// Attribute types under id-at (2.5.4, RFC 4519 and X.520), by their last arc.
const char* x520_attribute_name(std::uint8_t arc) noexcept {
    switch (arc) {
        case 3: return "CN";
        case 4: return "SN";
        case 5: return "serialNumber";
        case 6: return "C";
        case 7: return "L";
        case 8: return "ST";
        case 9: return "street";
        case 10: return "O";
        case 11: return "OU";
        case 12: return "title";
        case 13: return "description";
        case 15: return "businessCategory";
        case 17: return "postalCode";
        case 41: return "name";
        case 42: return "GN";
        case 43: return "initials";
        case 44: return "generationQualifier";
        case 46: return "dnQualifier";
        case 65: return "pseudonym";
        case 97: return "organizationIdentifier";
        default: return nullptr;
    }
}

constexpr std::uint8_t oid_email_address[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};
constexpr std::uint8_t oid_domain_component[] = {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19};
constexpr std::uint8_t oid_user_id[] = {0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01};
// EV jurisdiction (1.3.6.1.4.1.311.60.2.1.{1,2,3}), named as OpenSSL names them.
constexpr std::uint8_t oid_jurisdiction_prefix[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x3c, 0x02, 0x01};

const char* attribute_name(crypto::Bytes oid) noexcept {
    if (oid.size() == 3 && oid[0] == 0x55 && oid[1] == 0x04) return x520_attribute_name(oid[2]);
    if (equal(oid, oid_email_address)) return "emailAddress";
    if (equal(oid, oid_domain_component)) return "DC";
    if (equal(oid, oid_user_id)) return "UID";
    const crypto::Bytes prefix(oid_jurisdiction_prefix);
    if (oid.size() == prefix.size() + 1 && equal(oid.first(prefix.size()), prefix)) {
        switch (oid.back()) {
            case 1: return "jurisdictionL";
            case 2: return "jurisdictionST";
            case 3: return "jurisdictionC";
            default: return nullptr;
        }
    }
    return nullptr;
}

// An OID's contents in dotted decimal ("1.2.840.113549"); arcs too large for 64
// bits or a truncated last arc (the DER reader refuses both) fall back to hex.
std::string dotted_oid(crypto::Bytes oid) {
    std::string out;
    std::uint64_t value = 0;
    bool in_arc = false;
    char buf[24];
    for (const std::uint8_t b : oid) {
        if (value > (UINT64_MAX >> 7)) break;
        value = (value << 7) | (b & 0x7fu);
        in_arc = (b & 0x80) != 0;
        if (in_arc) continue;
        if (out.empty()) {
            // X.690 8.19.4: the first subidentifier is 40 * arc1 + arc2.
            const std::uint64_t arc1 = value < 40 ? 0 : value < 80 ? 1 : 2;
            std::snprintf(buf, sizeof buf, "%llu.", static_cast<unsigned long long>(arc1));
            out.append(buf);
            value -= arc1 * 40;
        } else {
            out.push_back('.');
        }
        std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(value));
        out.append(buf);
        value = 0;
    }
    if (in_arc || value != 0 || out.empty()) {
        out.clear();
        out.push_back('#');
        for (const std::uint8_t b : oid) append_hex_byte(out, b);
    }
    return out;
}

// Decoded characters of a value: Unicode code points, or (with raw_flag set)
// bytes that do not decode and are shown as \xNN.
constexpr std::uint32_t raw_flag = 0x80000000u;

void decode_utf8(crypto::Bytes s, std::vector<std::uint32_t>& out) {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::uint8_t b = s[i];
        if (b < 0x80) {
            out.push_back(b);
            ++i;
            continue;
        }
        std::size_t n = 0;  // continuation bytes
        std::uint32_t cp = 0, min = 0;
        if ((b & 0xe0) == 0xc0) {
            n = 1;
            cp = b & 0x1fu;
            min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            n = 2;
            cp = b & 0x0fu;
            min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            n = 3;
            cp = b & 0x07u;
            min = 0x10000;
        }
        bool ok = n != 0 && s.size() - i > n;
        for (std::size_t k = 1; ok && k <= n; ++k) {
            if ((s[i + k] & 0xc0) != 0x80) ok = false;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        // No overlong forms, surrogates or code points past U+10FFFF (RFC 3629 3).
        if (ok && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
        if (!ok) {
            out.push_back(raw_flag | b);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += n + 1;
    }
}

// BMPString (UTF-16BE, surrogate pairs tolerated) or UniversalString (UTF-32BE).
bool decode_wide(crypto::Bytes s, std::size_t unit, std::vector<std::uint32_t>& out) {
    if (s.size() % unit != 0) return false;
    for (std::size_t i = 0; i < s.size(); i += unit) {
        std::uint32_t cp = 0;
        for (std::size_t k = 0; k < unit; ++k) cp = (cp << 8) | s[i + k];
        if (unit == 2 && cp >= 0xd800 && cp <= 0xdbff && i + 4 <= s.size()) {
            const std::uint32_t low = static_cast<std::uint32_t>(s[i + 2] << 8 | s[i + 3]);
            if (low >= 0xdc00 && low <= 0xdfff) {
                cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                i += 2;
            }
        }
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        out.push_back(cp);
    }
    return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

// The value as RFC 4514 2.4 escapes it ('"', '+', ',', ';', '<', '>', '\\'
// anywhere; '#' or a space first; a space last), with control characters and
// bytes that are not text shown as \xNN so the result is always printable.
void append_escaped(std::string& out, const std::vector<std::uint32_t>& chars) {
    for (std::size_t i = 0; i < chars.size(); ++i) {
        const std::uint32_t c = chars[i];
        if ((c & raw_flag) != 0 || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
            out.push_back('\\');
            out.push_back('x');
            append_hex_byte(out, static_cast<std::uint8_t>(c & 0xff));
            continue;
        }
        const bool special = c == '"' || c == '+' || c == ',' || c == ';' || c == '<' || c == '>' || c == '\\' ||
                             (i == 0 && (c == '#' || c == ' ')) || (i + 1 == chars.size() && c == ' ');
        if (special) out.push_back('\\');
        append_utf8(out, c);
    }
}

// "#" and the hex of the value's DER encoding (RFC 4514 2.4), for values that
// are not strings.
void append_hex_value(std::string& out, const x509::NameAttribute& a) {
    out.push_back('#');
    append_hex_byte(out, a.string_tag);
    const std::size_t n = a.value.size();
    if (n < 0x80) {
        append_hex_byte(out, static_cast<std::uint8_t>(n));
    } else {
        std::uint8_t digits[sizeof(std::size_t)];
        std::size_t count = 0;
        for (std::size_t v = n; v != 0; v >>= 8) digits[count++] = static_cast<std::uint8_t>(v & 0xff);
        append_hex_byte(out, static_cast<std::uint8_t>(0x80 | count));
        while (count > 0) append_hex_byte(out, digits[--count]);
    }
    for (const std::uint8_t b : a.value) append_hex_byte(out, b);
}

void append_value(std::string& out, const x509::NameAttribute& a) {
    std::vector<std::uint32_t> chars;
    chars.reserve(a.value.size());
    switch (a.string_tag) {
        case 0x0c:  // UTF8String
            decode_utf8(a.value, chars);
            break;
        case 0x12:  // NumericString
        case 0x13:  // PrintableString
        case 0x14:  // TeletexString (T.61: shown byte by byte; ASCII is the same)
        case 0x16:  // IA5String
        case 0x1a:  // VisibleString
            for (const std::uint8_t b : a.value) chars.push_back(b < 0x80 ? b : raw_flag | b);
            break;
        case 0x1c:  // UniversalString
            if (!decode_wide(a.value, 4, chars)) return append_hex_value(out, a);
            break;
        case 0x1e:  // BMPString
            if (!decode_wide(a.value, 2, chars)) return append_hex_value(out, a);
            break;
        default: return append_hex_value(out, a);
    }
    append_escaped(out, chars);
}

std::string format_name(const x509::Name& name) {
    std::string out;
    for (const auto& rdn : name.rdns) {
        if (!out.empty()) out.append(", ");
        bool first = true;
        for (const auto& attribute : rdn) {
            if (!first) out.push_back('+');
            first = false;
            if (const char* short_name = attribute_name(attribute.oid)) {
                out.append(short_name);
            } else {
                out.append(dotted_oid(attribute.oid));
            }
            out.push_back('=');
            append_value(out, attribute);
        }
    }
    return out;
}

// ---- keys ----------------------------------------------------------------------

// Big-endian unsigned integers, equal as numbers (leading zero bytes ignored).
bool same_integer(crypto::Bytes a, crypto::Bytes b) noexcept {
    while (!a.empty() && a.front() == 0) a = a.subspan(1);
    while (!b.empty() && b.front() == 0) b = b.subspan(1);
    return equal(a, b);
}

bool same_public_key(const crypto::PublicKey& a, const crypto::PublicKey& b) noexcept {
    if (a.index() != b.index()) return false;
    if (const auto* ra = std::get_if<crypto::RsaPublicKey>(&a)) {
        const auto& rb = std::get<crypto::RsaPublicKey>(b);
        return same_integer(ra->modulus, rb.modulus) && same_integer(ra->exponent, rb.exponent);
    }
    if (const auto* ea = std::get_if<crypto::EcPublicKey>(&a)) {
        const auto& eb = std::get<crypto::EcPublicKey>(b);
        return ea->curve == eb.curve && equal(ea->point, eb.point);
    }
    const auto& da = std::get<crypto::Ed25519PublicKey>(a);
    const auto& db = std::get<crypto::Ed25519PublicKey>(b);
    return equal(da.key, db.key);
}

}  // namespace

// For RSA keys: both rsaEncryption, or both id-RSASSA-PSS with the same
// parameters. The type decides the signature schemes the key signs with
// (RFC 8446 4.2.3), so the private key file and the certificate must agree.
bool same_rsa_key_type(const crypto::PublicKey& a, const crypto::PublicKey& b) noexcept {
    const auto* ra = std::get_if<crypto::RsaPublicKey>(&a);
    const auto* rb = std::get_if<crypto::RsaPublicKey>(&b);
    if (ra == nullptr || rb == nullptr) return true;
    if (ra->pss_only != rb->pss_only || ra->pss_params.has_value() != rb->pss_params.has_value()) return false;
    if (!ra->pss_params) return true;
    const auto& pa = *ra->pss_params;
    const auto& pb = *rb->pss_params;
    return pa.hash == pb.hash && pa.mgf1_hash == pb.mgf1_hash && pa.salt_size == pb.salt_size;
}

// ---- Certificate ---------------------------------------------------------------

Result<Certificate> Certificate::from_der(crypto::Bytes der) {
    auto parsed = x509::Certificate::parse(der);
    if (!parsed) return parsed.error();
    return Certificate(std::make_shared<const x509::Certificate>(std::move(*parsed)));
}

Result<std::vector<Certificate>> Certificate::chain_from_pem(std::string_view pem) {
    auto blocks = x509::parse_pem(pem);
    if (!blocks) return blocks.error();
    std::vector<Certificate> chain;
    for (const auto& block : *blocks) {
        if (block.label != "CERTIFICATE") continue;
        auto certificate = from_der(block.der);
        if (!certificate) return certificate.error();
        chain.push_back(std::move(*certificate));
    }
    if (chain.empty()) return Error{ErrorCode::decode_error, "no CERTIFICATE block in the PEM text"};
    return chain;
}

Result<std::vector<Certificate>> Certificate::chain_from_file(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    return chain_from_pem(*text);
}

crypto::Bytes Certificate::der() const noexcept { return parsed_->der(); }
std::string Certificate::subject() const { return format_name(parsed_->subject); }
std::string Certificate::issuer() const { return format_name(parsed_->issuer); }
std::int64_t Certificate::not_before() const noexcept { return parsed_->not_before; }
std::int64_t Certificate::not_after() const noexcept { return parsed_->not_after; }

std::vector<std::string> Certificate::dns_names() const {
    std::vector<std::string> names;
    for (const auto& name : parsed_->subject_alt_names)
        if (name.kind == x509::GeneralName::Kind::dns) names.emplace_back(x509::as_text(name.value));
    return names;
}

std::vector<std::string> Certificate::ip_addresses() const {
    std::vector<std::string> addresses;
    for (const auto& name : parsed_->subject_alt_names)
        if (name.kind == x509::GeneralName::Kind::ip) addresses.push_back(x509::format_ip_address(name.value));
    return addresses;
}

std::string Certificate::serial_number() const {
    crypto::Bytes serial = parsed_->serial;
    // The sign byte DER adds before a high bit (and any other leading zero) is not
    // part of the number; zero itself stays "00".
    while (serial.size() > 1 && serial.front() == 0) serial = serial.subspan(1);
    std::string out;
    out.reserve(serial.size() * 2);
    for (const std::uint8_t b : serial) append_hex_byte(out, b);
    return out;
}

// ---- time ----------------------------------------------------------------------

std::string format_utc_time(std::int64_t seconds) {
    // Floor division, so times before 1970 land on the right day.
    std::int64_t days = seconds / 86400;
    std::int64_t rem = seconds % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    // Days to the proleptic Gregorian civil date (H. Hinnant's civil_from_days).
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;                                 // [0, 146096]
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           // [0, 365]
    const std::int64_t mp = (5 * doy + 2) / 153;                                // [0, 11]
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;                      // [1, 31]
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;                       // [1, 12]
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", static_cast<long long>(year),
                  static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(rem / 3600),
                  static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
    return buf;
}

// ---- TrustStore ----------------------------------------------------------------

TrustStore::TrustStore() : store_(std::make_shared<x509::TrustStore>()) {}

void TrustStore::add(const Certificate& anchor) {
    if (anchor.parsed()) store_->add(anchor.parsed());
}

Result<std::size_t> TrustStore::add_pem(std::string_view pem) { return store_->add_pem(pem); }

Result<std::size_t> TrustStore::add_pem_file(const std::string& path) {
    auto text = read_text_file(path);
    if (!text) return text.error();
    return store_->add_pem(*text);
}

Result<std::size_t> TrustStore::add_directory(const std::string& path) { return store_->add_directory(path); }
Result<std::size_t> TrustStore::add_system() { return store_->add_system(); }
std::size_t TrustStore::size() const noexcept { return store_->anchors().size(); }

// ---- CertifiedKey --------------------------------------------------------------

Result<std::shared_ptr<const CertifiedKey>> CertifiedKey::from_pem(std::string_view chain_pem, std::string_view key_pem,
                                                                   const crypto::CryptoProvider* provider) {
    const crypto::CryptoProvider& p = provider != nullptr ? *provider : crypto::default_provider();
    auto certificates = Certificate::chain_from_pem(chain_pem);
    if (!certificates) return certificates.error();
    auto signing_key = x509::load_private_key_pem(key_pem, "", p);
    if (!signing_key) return signing_key.error();
    return make(std::move(*certificates), std::shared_ptr<const crypto::SigningKey>(std::move(*signing_key)));
}

Result<std::shared_ptr<const CertifiedKey>> CertifiedKey::from_files(const std::string& chain_path,
                                                                     const std::string& key_path,
                                                                     const crypto::CryptoProvider* provider) {
    auto chain_pem = read_text_file(chain_path);
    if (!chain_pem) return chain_pem.error();
    auto key_pem = read_text_file(key_path);
    if (!key_pem) return key_pem.error();
    return from_pem(*chain_pem, *key_pem, provider);
}

Result<std::shared_ptr<const CertifiedKey>> CertifiedKey::make(std::vector<Certificate> certificates,
                                                               std::shared_ptr<const crypto::SigningKey> signing_key) {
    if (certificates.empty()) return Error{ErrorCode::invalid_argument, "the certificate chain is empty"};
    for (const auto& certificate : certificates)
        if (!certificate.parsed())
            return Error{ErrorCode::invalid_argument, "the certificate chain holds an empty certificate"};
    if (!signing_key) return Error{ErrorCode::invalid_argument, "no private key"};
    const auto& leaf_key = certificates.front().parsed()->public_key;
    const crypto::PublicKey key = signing_key->public_key();
    if (!leaf_key || !same_public_key(*leaf_key, key))
        return Error{ErrorCode::invalid_argument, "the private key does not belong to the certificate"};
    if (!same_rsa_key_type(*leaf_key, key))
        return Error{ErrorCode::invalid_argument,
                     "the private key and the certificate disagree on the RSA key type (rsaEncryption or "
                     "RSASSA-PSS, and its parameters)"};
    return std::make_shared<const CertifiedKey>(CertifiedKey{std::move(certificates), std::move(signing_key)});
}

}  // namespace tls
