// Codecs for the contents of the extensions TLS 1.3 negotiates with (RFC 8446
// 4.2, RFC 6066 3, RFC 7301, RFC 8449). Parsing checks each <min..max> bound and
// that nothing trails; results are views into the extension data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/reader.hpp"
#include "codec/writer.hpp"
#include "tls/crypto/algorithms.hpp"

namespace tls::handshake {

using codec::Bytes;

// supported_versions (4.2.1): a list in a ClientHello, one version in a ServerHello/HRR.
Result<std::vector<std::uint16_t>> parse_supported_versions_list(Bytes data);
Result<std::uint16_t> parse_selected_version(Bytes data);

// supported_groups (4.2.7) and signature_algorithms(_cert) (4.2.3): lists of u16.
Result<std::vector<crypto::NamedGroup>> parse_named_group_list(Bytes data);
Result<std::vector<crypto::SignatureScheme>> parse_signature_scheme_list(Bytes data);

// key_share (4.2.8).
struct KeyShareEntry {
    crypto::NamedGroup group;
    Bytes key_exchange;
};
// ClientHello: client_shares<0..2^16-1>, each group at most once (illegal_parameter).
Result<std::vector<KeyShareEntry>> parse_client_key_shares(Bytes data);
// ServerHello: one entry.
Result<KeyShareEntry> parse_server_key_share(Bytes data);
// HelloRetryRequest: the selected group.
Result<crypto::NamedGroup> parse_hello_retry_key_share(Bytes data);

// server_name (RFC 6066 3): the host_name, if the list carries one (an empty
// extension, as a server's EncryptedExtensions sends it, gives nothing).
Result<std::optional<Bytes>> parse_server_name(Bytes data);

// ALPN (RFC 7301 3.1): ProtocolNameList<2..2^16-1> of ProtocolName<1..2^8-1>.
Result<std::vector<Bytes>> parse_alpn_list(Bytes data);

// A server's ALPN reply (RFC 7301 3.1), in a TLS 1.3 EncryptedExtensions or a
// TLS 1.2 ServerHello: exactly one protocol, one of those `offered`
// (illegal_parameter otherwise; unsupported_extension when none was offered).
Result<std::string> parse_selected_alpn(Bytes data, const std::vector<std::string>& offered);

// psk_key_exchange_modes (4.2.9): modes<1..255>.
Result<std::vector<std::uint8_t>> parse_psk_key_exchange_modes(Bytes data);

// pre_shared_key (4.2.11). ClientHello: OfferedPsks { PskIdentity
// identities<7..2^16-1>; PskBinderEntry binders<33..2^16-1>; } with
// PskIdentity { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; } and
// PskBinderEntry opaque<32..255>. As many binders as identities (else
// illegal_parameter); max_identities bounds the work (decode_error beyond).
// binders_size is the size of the binders list with its length prefix: the
// bytes at the end of the ClientHello that the binders' transcript leaves out.
// ServerHello: the selected identity, a u16.
inline constexpr std::uint8_t psk_ke = 0;      // psk_key_exchange_modes values (4.2.9)
inline constexpr std::uint8_t psk_dhe_ke = 1;
struct PskIdentity {
    Bytes identity;
    std::uint32_t obfuscated_ticket_age = 0;
};
struct OfferedPsks {
    std::vector<PskIdentity> identities;
    std::vector<Bytes> binders;
    std::size_t binders_size = 0;
};
Result<OfferedPsks> parse_offered_psks(Bytes data, std::size_t max_identities = 16);
void write_offered_psks(codec::Writer& w, const std::vector<PskIdentity>& identities,
                        const std::vector<Bytes>& binders) noexcept;
Result<std::uint16_t> parse_selected_identity(Bytes data);

// cookie (4.2.2): opaque cookie<1..2^16-1>.
Result<Bytes> parse_cookie(Bytes data);

// record_size_limit (RFC 8449 4): a u16 of at least 64 (illegal_parameter below).
Result<std::uint16_t> parse_record_size_limit(Bytes data);

// renegotiation_info (RFC 5746 3.2): opaque renegotiated_connection<0..255>,
// empty on an initial handshake (checking that is the caller's job).
Result<Bytes> parse_renegotiation_info(Bytes data);
void write_renegotiation_info(codec::Writer& w, Bytes renegotiated_connection) noexcept;

// ec_point_formats (RFC 8422 5.1.2): ECPointFormat ec_point_format_list<1..2^8-1>;
// a list without uncompressed (0) is illegal_parameter. Returns the list.
inline constexpr std::uint8_t ec_point_format_uncompressed = 0;
Result<Bytes> parse_ec_point_formats(Bytes data);
void write_ec_point_formats(codec::Writer& w, Bytes formats) noexcept;

// certificate_authorities (RFC 8446 4.2.4): DistinguishedName
// authorities<3..2^16-1>, each opaque DistinguishedName<1..2^16-1> (DER, not
// parsed here). max_names bounds the work a hostile list can cause.
Result<std::vector<Bytes>> parse_certificate_authorities(Bytes data, std::size_t max_names = 256);
void write_certificate_authorities(codec::Writer& w, const std::vector<Bytes>& names) noexcept;

// Writers for the lists a client sends.
void write_u16_list(codec::Writer& w, std::size_t prefix_size, const std::vector<std::uint16_t>& values) noexcept;
void write_client_key_shares(codec::Writer& w, const std::vector<KeyShareEntry>& shares) noexcept;
void write_alpn_list(codec::Writer& w, const std::vector<Bytes>& protocols) noexcept;
void write_server_name(codec::Writer& w, Bytes host_name) noexcept;

}  // namespace tls::handshake
