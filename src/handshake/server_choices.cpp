#include "handshake/server_choices.hpp"

#include <algorithm>

#include "handshake/client_hello_info.hpp"
#include "handshake/extension_codecs.hpp"
#include "x509/name_matching.hpp"

namespace tls::handshake {

Result<ProtocolVersion> choose_version(const ServerSettings& settings, const ClientHello& hello) {
    // RFC 8446 D.5: SSL 3.0 and older ClientHellos are refused outright.
    if (hello.legacy_version < 0x0300) return Error{ErrorCode::protocol_version, "ClientHello from before SSL 3.0"};
    if (auto data = hello.extensions.find(ExtensionType::supported_versions)) {
        // RFC 8446 4.2.1: the list decides; legacy_version is ignored.
        TLS_TRY_ASSIGN(versions, parse_supported_versions_list(*data));
        for (auto v : {ProtocolVersion::tls13, ProtocolVersion::tls12})
            if (settings.allows(v) &&
                std::find(versions.begin(), versions.end(), static_cast<std::uint16_t>(v)) != versions.end())
                return v;
        return Error{ErrorCode::protocol_version, "no protocol version in common with the client"};
    }
    // A TLS 1.2 (or older) client: legacy_version is its highest version.
    if (hello.legacy_version >= static_cast<std::uint16_t>(ProtocolVersion::tls12) && settings.allows(ProtocolVersion::tls12))
        return ProtocolVersion::tls12;
    if (settings.allows(ProtocolVersion::tls12))
        return Error{ErrorCode::protocol_version, "the client speaks only versions older than TLS 1.2"};
    return Error{ErrorCode::protocol_version, "the client does not offer TLS 1.3"};
}

Result<std::string> choose_server_name(const ClientHello& hello) {
    auto data = hello.extensions.find(ExtensionType::server_name);
    if (!data) return std::string();
    TLS_TRY_ASSIGN(name, parse_server_name(*data));
    if (!name) return std::string();
    std::string host(name->begin(), name->end());
    if (!host.empty() && host.back() == '.') host.pop_back();
    if (!x509::is_valid_reference_dns_name(host))
        return Error{ErrorCode::illegal_parameter, "server_name is not a DNS host name"};
    std::transform(host.begin(), host.end(), host.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return host;
}

Result<std::string> choose_alpn(const ServerSettings& settings, const ClientHello& hello) {
    auto data = hello.extensions.find(ExtensionType::application_layer_protocol_negotiation);
    if (!data) return std::string();
    TLS_TRY_ASSIGN(offered, parse_alpn_list(*data));
    if (settings.alpn.empty()) return std::string();
    for (const auto& mine : settings.alpn) {
        auto it = std::find_if(offered.begin(), offered.end(), [&](Bytes p) {
            return std::string_view(reinterpret_cast<const char*>(p.data()), p.size()) == mine;
        });
        if (it != offered.end()) return mine;
    }
    return Error{ErrorCode::no_application_protocol, "no ALPN protocol in common"};
}

Result<std::shared_ptr<const CertifiedKey>> choose_certificate(const ServerSettings& settings, const ClientHello& hello,
                                                              const std::string& server_name) {
    std::shared_ptr<const CertifiedKey> certificate;
    if (settings.resolver) {
        TLS_TRY_ASSIGN(info, client_hello_info(hello));
        info.server_name = server_name;
        certificate = settings.resolver(info);
    } else {
        certificate = settings.certificate;
    }
    if (certificate) return certificate;
    // RFC 6066 3: a server name the server does not serve is unrecognized_name.
    if (!server_name.empty()) return Error{ErrorCode::unrecognized_name, "no certificate for this server name"};
    return Error{ErrorCode::handshake_failure, "no certificate for a client that sent no server name"};
}

}  // namespace tls::handshake
