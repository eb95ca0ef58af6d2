// Building and validating configurations (tls/config.hpp).
#include <algorithm>
#include <chrono>

#include "handshake/cipher_suites.hpp"
#include "handshake/strike_register.hpp"
#include "handshake/ticketer.hpp"
#include "handshake/tls12_suites.hpp"
#include "tls/config.hpp"

namespace tls {
namespace {

using crypto::NamedGroup;
using crypto::SignatureScheme;

constexpr CipherSuite default_suites[] = {CipherSuite::tls_aes_128_gcm_sha256, CipherSuite::tls_aes_256_gcm_sha384,
                                          CipherSuite::tls_chacha20_poly1305_sha256};
constexpr NamedGroup default_groups[] = {NamedGroup::x25519, NamedGroup::secp256r1, NamedGroup::secp384r1};
// Strongest-and-fastest first; RSA PKCS#1 v1.5 only for signatures in certificates.
constexpr SignatureScheme default_schemes[] = {
    SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ed25519,
    SignatureScheme::ecdsa_secp384r1_sha384, SignatureScheme::rsa_pss_rsae_sha256,
    SignatureScheme::rsa_pss_rsae_sha384,    SignatureScheme::rsa_pss_rsae_sha512,
    SignatureScheme::rsa_pss_pss_sha256,     SignatureScheme::rsa_pss_pss_sha384,
    SignatureScheme::rsa_pss_pss_sha512,     SignatureScheme::rsa_pkcs1_sha256,
    SignatureScheme::rsa_pkcs1_sha384,       SignatureScheme::rsa_pkcs1_sha512,
};

std::int64_t system_clock_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<void> complete_common(CommonSettings& s, bool is_server) {
    if (!s.provider) s.provider = &crypto::default_provider();
    const crypto::CryptoProvider& p = *s.provider;
    if (!s.rng) s.rng = p.rng ? p.rng : &crypto::system_rng();
    if (!s.clock) s.clock = system_clock_seconds;

    const bool versions_given = !s.versions.empty();
    if (!versions_given) s.versions = {ProtocolVersion::tls13, ProtocolVersion::tls12};
    for (auto v : s.versions)
        if (v != ProtocolVersion::tls13 && v != ProtocolVersion::tls12)
            return Error{ErrorCode::unsupported, "cordon speaks TLS 1.3 and TLS 1.2 only"};
    const auto has_suite_for = [&](ProtocolVersion v) {
        return std::any_of(s.cipher_suites.begin(), s.cipher_suites.end(), [&](CipherSuite suite) {
            return v == ProtocolVersion::tls13 ? handshake::resolve_suite(p, suite).has_value()
                                               : handshake::resolve_tls12_suite(p, suite).has_value();
        });
    };
    // Suites listed without versions choose the versions: a list of TLS 1.3
    // suites alone means TLS 1.3 alone.
    if (!versions_given && !s.cipher_suites.empty())
        s.versions.erase(std::remove_if(s.versions.begin(), s.versions.end(), [&](auto v) { return !has_suite_for(v); }),
                         s.versions.end());
    const bool tls13 = s.allows(ProtocolVersion::tls13), tls12 = s.allows(ProtocolVersion::tls12);
    if (s.cipher_suites.empty()) {
        if (tls13)
            for (auto suite : default_suites)
                if (handshake::resolve_suite(p, suite)) s.cipher_suites.push_back(suite);
        if (tls12)
            for (auto suite : handshake::tls12_default_suites())
                if (handshake::resolve_tls12_suite(p, suite)) s.cipher_suites.push_back(suite);
    } else {
        for (auto suite : s.cipher_suites)
            if (!handshake::resolve_suite(p, suite) && !handshake::resolve_tls12_suite(p, suite))
                return Error{ErrorCode::invalid_argument, "a configured cipher suite is unknown or the provider lacks it"};
    }
    if (s.versions.empty()) return Error{ErrorCode::invalid_argument, "no protocol version is enabled"};
    // Each version needs a suite of its own.
    if (tls13 && !has_suite_for(ProtocolVersion::tls13))
        return Error{ErrorCode::unsupported, "TLS 1.3 is enabled but no TLS 1.3 cipher suite is"};
    if (tls12 && !has_suite_for(ProtocolVersion::tls12))
        return Error{ErrorCode::unsupported, "TLS 1.2 is enabled but no TLS 1.2 cipher suite is"};
    if (s.groups.empty()) {
        for (auto g : default_groups)
            if (p.find(g)) s.groups.push_back(g);
        if (s.groups.empty()) return Error{ErrorCode::unsupported, "the provider serves no key exchange group"};
    } else {
        for (auto g : s.groups)
            if (!p.find(g)) return Error{ErrorCode::invalid_argument, "a configured group is unknown or the provider lacks it"};
    }

    if (s.signature_schemes.empty()) {
        // A client offers what it can verify; a server allows what it might sign with.
        for (auto scheme : default_schemes)
            if (is_server || p.find(scheme)) s.signature_schemes.push_back(scheme);
    } else if (!is_server) {
        for (auto scheme : s.signature_schemes)
            if (!p.find(scheme))
                return Error{ErrorCode::invalid_argument, "a configured signature scheme has no verifier in the provider"};
    }

    std::size_t alpn_bytes = 0;
    for (const auto& proto : s.alpn) {
        if (proto.empty() || proto.size() > 255)
            return Error{ErrorCode::invalid_argument, "an ALPN protocol name must be 1 to 255 bytes"};
        alpn_bytes += proto.size() + 1;
    }
    if (alpn_bytes > 0xffff) return Error{ErrorCode::invalid_argument, "the ALPN list is too long"};
    if (s.max_handshake_message < 1024 || s.max_handshake_message > (1u << 24))
        return Error{ErrorCode::invalid_argument, "max_handshake_message must be between 1 KiB and 16 MiB"};
    return success();
}

}  // namespace

std::string format_key_log_line(std::string_view label, crypto::Bytes client_random, crypto::Bytes secret) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string line(label);
    line.reserve(label.size() + 2 + 2 * (client_random.size() + secret.size()));
    line.push_back(' ');
    for (auto b : client_random) {
        line.push_back(hex[b >> 4]);
        line.push_back(hex[b & 15]);
    }
    line.push_back(' ');
    for (auto b : secret) {
        line.push_back(hex[b >> 4]);
        line.push_back(hex[b & 15]);
    }
    return line;
}

Result<std::shared_ptr<const ClientConfig>> ClientConfig::build(ClientSettings settings) {
    TLS_TRY(complete_common(settings, /*is_server=*/false));
    if (!settings.verifier) settings.verifier = webpki_server_verifier(settings.roots, settings.provider);
    if (settings.key_shares == 0 || settings.key_shares > settings.groups.size())
        return Error{ErrorCode::invalid_argument, "key_shares must be between 1 and the number of groups"};
    if (settings.resumption && !settings.session_cache) settings.session_cache = std::make_shared<ClientSessionCache>();
    return std::shared_ptr<const ClientConfig>(new ClientConfig(std::move(settings)));
}

Result<std::shared_ptr<const ServerConfig>> ServerConfig::build(ServerSettings settings) {
    TLS_TRY(complete_common(settings, /*is_server=*/true));
    if (!settings.certificate && !settings.resolver)
        return Error{ErrorCode::invalid_argument, "a server needs a certificate or a certificate resolver"};
    if (settings.certificate && (settings.certificate->chain.empty() || !settings.certificate->key))
        return Error{ErrorCode::invalid_argument, "the server certificate needs a chain and a key"};
    if (settings.client_auth != ClientAuth::none && !settings.client_verifier) {
        if (settings.client_roots.size() == 0)
            return Error{ErrorCode::invalid_argument, "client_auth needs client_roots or a client_verifier"};
        settings.client_verifier = webpki_client_verifier(settings.client_roots, settings.provider);
    }
    // RFC 8446 4.6.1: a ticket lives 7 days at most (the same bound serves TLS 1.2).
    if (settings.session_tickets && (settings.ticket_lifetime == 0 || settings.ticket_lifetime > 7 * 24 * 3600))
        return Error{ErrorCode::invalid_argument, "ticket_lifetime must be between 1 second and 7 days"};
    auto config = std::shared_ptr<ServerConfig>(new ServerConfig(std::move(settings)));
    if (config->settings_.session_tickets && config->settings_.ticket_protector) {
        config->ticketer_ = config->settings_.ticket_protector;
    } else if (config->settings_.session_tickets) {
        auto ticketer =
            std::make_shared<handshake::Ticketer>(config->provider(), config->rng(), config->settings_.ticket_lifetime);
        if (ticketer->available()) config->ticketer_ = std::move(ticketer);
    }
    if (config->settings_.max_early_data_size > 0) {
        if (config->settings_.early_data_window == 0 || config->settings_.early_data_window > 600)
            return Error{ErrorCode::invalid_argument, "early_data_window must be between 1 and 600 seconds"};
        config->strike_register_ = std::make_shared<handshake::StrikeRegister>(config->settings_.early_data_window);
    }
    return std::shared_ptr<const ServerConfig>(std::move(config));
}

}  // namespace tls
