#include "x509/verify.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "x509/pem.hpp"

namespace tls::x509 {
namespace {

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool has_purpose(const std::vector<Bytes>& ekus, Bytes purpose) {
    return std::any_of(ekus.begin(), ekus.end(), [&](Bytes e) { return equal(e, purpose); });
}

Bytes purpose_oid(Purpose p) { return p == Purpose::server_auth ? Bytes(eku::server_auth) : Bytes(eku::client_auth); }

constexpr Error err(ErrorCode code, const char* message) { return Error{code, message}; }

// Bits in a big-endian unsigned integer.
std::size_t bit_length(Bytes v) {
    while (!v.empty() && v[0] == 0) v = v.subspan(1);
    if (v.empty()) return 0;
    std::size_t bits = 8 * v.size();
    for (std::uint8_t top = v[0]; (top & 0x80) == 0; top = static_cast<std::uint8_t>(top << 1)) --bits;
    return bits;
}

// Web PKI key rules (CABF BR 6.1.5): RSA of 2048..8192 bits in whole bytes; EC on P-256 or P-384.
Result<void> check_key(const Certificate& c) {
    if (!c.public_key) return err(ErrorCode::unsupported_certificate, "certificate key type or curve is not supported");
    if (const auto* rsa = std::get_if<crypto::RsaPublicKey>(&*c.public_key)) {
        const std::size_t bits = bit_length(rsa->modulus);
        if (bits < crypto::rsa_min_bits || bits > crypto::rsa_max_bits || bits % 8 != 0)
            return err(ErrorCode::unsupported_certificate, "RSA key size is not allowed (2048-8192 bits, whole bytes)");
    }
    return success();
}

// Serial numbers: positive, at most 20 octets (RFC 5280 4.1.2.2).
Result<void> check_serial(Bytes serial) {
    if (serial.empty() || (serial[0] & 0x80)) return err(ErrorCode::bad_certificate, "negative serial number");
    Bytes magnitude = serial;
    while (!magnitude.empty() && magnitude[0] == 0) magnitude = magnitude.subspan(1);
    if (magnitude.empty()) return err(ErrorCode::bad_certificate, "zero serial number");
    if (magnitude.size() > 20) return err(ErrorCode::bad_certificate, "serial number longer than 20 octets");
    return success();
}

class Verifier {
public:
    Verifier(std::span<const CertificatePtr> intermediates, const TrustStore& store, const VerifyOptions& options)
        : intermediates_(intermediates), store_(store), options_(options),
          provider_(options.provider ? *options.provider : crypto::default_provider()) {}

    Result<VerifiedPath> run(const CertificatePtr& leaf) {
        TLS_TRY(check_common(*leaf));
        TLS_TRY(check_serial(leaf->serial));
        TLS_TRY(check_leaf(*leaf));
        path_.push_back(leaf);
        auto r = extend();
        if (!r) return r.error();
        return VerifiedPath{path_};
    }

private:
    // ---- checks on one certificate ------------------------------------------

    Result<void> check_common(const Certificate& c) {
        // CABF BR 7.1.1: version 3.
        if (c.version != 3) return err(ErrorCode::bad_certificate, "certificate is not X.509 v3");
        if (options_.now < c.not_before || options_.now > c.not_after)
            return err(ErrorCode::certificate_expired, options_.now < c.not_before ? "certificate is not yet valid"
                                                                                   : "certificate has expired");
        if (c.has_unknown_critical_extension)
            return err(ErrorCode::unsupported_certificate, "certificate has an unknown critical extension");
        TLS_TRY(check_key(c));
        if (c.issuer.rdns.empty()) return err(ErrorCode::bad_certificate, "certificate has an empty issuer name");
        // RFC 5280 4.2.1.1, 4.2.1.2, 4.2.2.1: these extensions MUST be non-critical.
        if (c.authority_key_id_critical) return err(ErrorCode::bad_certificate, "critical authorityKeyIdentifier");
        if (c.subject_key_id_critical) return err(ErrorCode::bad_certificate, "critical subjectKeyIdentifier");
        if (c.authority_info_access_critical) return err(ErrorCode::bad_certificate, "critical authorityInfoAccess");
        // RFC 5280 4.2.1.11: policyConstraints MUST be critical.
        if (c.has_policy_constraints && !c.policy_constraints_critical)
            return err(ErrorCode::bad_certificate, "non-critical policyConstraints");
        return success();
    }

    Result<void> check_leaf(const Certificate& c) {
        if (c.basic_constraints && c.basic_constraints->ca)
            return err(ErrorCode::bad_certificate, "end-entity certificate is a CA certificate");
        if (c.key_usage && (*c.key_usage & KeyUsage::key_cert_sign))
            return err(ErrorCode::bad_certificate, "end-entity certificate may sign certificates (keyCertSign)");
        if (c.name_constraints) return err(ErrorCode::bad_certificate, "nameConstraints in an end-entity certificate");
        if (c.extended_key_usage) {
            if (c.extended_key_usage_critical)
                return err(ErrorCode::bad_certificate, "critical extendedKeyUsage in an end-entity certificate");
            if (has_purpose(*c.extended_key_usage, eku::any))
                return err(ErrorCode::bad_certificate, "anyExtendedKeyUsage in an end-entity certificate");
            if (!has_purpose(*c.extended_key_usage, purpose_oid(options_.purpose)))
                return err(ErrorCode::bad_certificate, "certificate is not valid for this purpose (extendedKeyUsage)");
        }
        if (!c.has_authority_key_id_extension)
            return err(ErrorCode::bad_certificate, "end-entity certificate has no authorityKeyIdentifier");
        // RFC 5280 4.2.1.6: with an empty subject the SAN is critical; CABF: otherwise not.
        // A server is named by its SAN; a client certificate may name its holder
        // in the subject alone (device and service certificates often do).
        if (!c.has_subject_alt_name) {
            if (options_.purpose == Purpose::server_auth || c.subject.rdns.empty())
                return err(ErrorCode::bad_certificate, "certificate has no subjectAltName");
        } else if (c.subject.rdns.empty() != c.subject_alt_name_critical) {
            return err(ErrorCode::bad_certificate, "subjectAltName criticality does not fit the subject");
        }
        for (const auto& name : c.subject_alt_names) {
            if (name.kind == GeneralName::Kind::dns && !is_valid_presented_dns_name(as_text(name.value)))
                return err(ErrorCode::bad_certificate, "malformed dNSName in subjectAltName");
            if (name.kind == GeneralName::Kind::ip && name.value.size() != 4 && name.value.size() != 16)
                return err(ErrorCode::bad_certificate, "malformed iPAddress in subjectAltName");
        }
        if (options_.peer_name) TLS_TRY(check_peer_name(c, *options_.peer_name));
        return success();
    }

    Result<void> check_peer_name(const Certificate& c, const PeerName& peer) {
        if (peer.kind == PeerName::Kind::ip) {
            auto ip = parse_ip_address(peer.value);
            if (!ip) return err(ErrorCode::invalid_argument, "peer name is not an IP address");
            for (const auto& name : c.subject_alt_names)
                if (name.kind == GeneralName::Kind::ip && equal(name.value, ip->view())) return success();
            return err(ErrorCode::certificate_name_mismatch, "certificate is not valid for this IP address");
        }
        if (!is_valid_reference_dns_name(peer.value))
            return err(ErrorCode::invalid_argument, "peer name is not a valid DNS name");
        // RFC 6125 6.4.4: no fallback to the subject's common name.
        for (const auto& name : c.subject_alt_names)
            if (name.kind == GeneralName::Kind::dns && dns_name_matches(as_text(name.value), peer.value)) return success();
        return err(ErrorCode::certificate_name_mismatch, "certificate is not valid for this host name");
    }

    Result<void> check_ca(const Certificate& c, bool is_anchor) {
        // RFC 5280 4.2.1.9: basicConstraints with cA set, and critical.
        if (!c.basic_constraints || !c.basic_constraints->ca)
            return err(ErrorCode::bad_certificate, "issuer is not a CA (basicConstraints)");
        if (!c.basic_constraints_critical) return err(ErrorCode::bad_certificate, "CA basicConstraints is not critical");
        if (c.subject.rdns.empty()) return err(ErrorCode::bad_certificate, "CA certificate has an empty subject");
        if (c.key_usage && !(*c.key_usage & KeyUsage::key_cert_sign))
            return err(ErrorCode::bad_certificate, "issuer may not sign certificates (keyUsage)");
        // RFC 5280 4.2.1.2: CA certificates MUST carry a subjectKeyIdentifier.
        if (!c.subject_key_id) return err(ErrorCode::bad_certificate, "CA certificate has no subjectKeyIdentifier");
        // RFC 5280 4.2.1.1 asks CAs to include an authorityKeyIdentifier, but valid
        // chains without one exist (x509-limbo cve-2024-0567: an intermediate and a
        // trusted cross-signed root lack it), so its absence is accepted; a
        // self-signed root's AKI, when present, must name its own key.
        const bool self_signed_root = is_anchor && c.self_issued();
        if (self_signed_root && c.has_authority_key_id_extension) {
            // A root's AKI, if any, names its own key and nothing else.
            if (!c.authority_key_id || c.authority_key_id_has_issuer_or_serial ||
                !equal(*c.authority_key_id, *c.subject_key_id))
                return err(ErrorCode::bad_certificate, "root authorityKeyIdentifier does not match its own key");
        }
        if (c.extended_key_usage) {
            // CABF BR 7.1.2.1: root certificates carry no extendedKeyUsage.
            if (is_anchor) return err(ErrorCode::bad_certificate, "trust anchor has extendedKeyUsage");
            if (!has_purpose(*c.extended_key_usage, purpose_oid(options_.purpose)) &&
                !has_purpose(*c.extended_key_usage, eku::any))
                return err(ErrorCode::bad_certificate, "issuer is not valid for this purpose (extendedKeyUsage)");
        }
        return success();
    }

    // ---- signatures -------------------------------------------------------

    Result<void> verify_signature(const Certificate& child, const Certificate& issuer) {
        if (++signature_checks_ > options_.max_signature_checks)
            return err(ErrorCode::unknown_issuer, "path building gave up: too many signature checks");
        const auto& key = *issuer.public_key;
        const auto& alg = child.signature_algorithm;
        using SA = SignatureAlgorithm;
        using crypto::SignatureScheme;
        auto scheme_verify = [&](SignatureScheme s) -> Result<void> {
            const auto* v = provider_.find(s);
            if (v == nullptr) return err(ErrorCode::unsupported_certificate, "signature algorithm not offered");
            return v->verify(key, child.tbs, child.signature);
        };
        const auto* ec = std::get_if<crypto::EcPublicKey>(&key);
        const auto* rsa = std::get_if<crypto::RsaPublicKey>(&key);
        // RFC 4055 1.2: an id-RSASSA-PSS key makes RSASSA-PSS signatures only.
        const bool pss_only = rsa != nullptr && rsa->pss_only;
        switch (alg.algorithm) {
            case SA::rsa_pkcs1_sha256:
                if (pss_only) break;
                return scheme_verify(SignatureScheme::rsa_pkcs1_sha256);
            case SA::rsa_pkcs1_sha384:
                if (pss_only) break;
                return scheme_verify(SignatureScheme::rsa_pkcs1_sha384);
            case SA::rsa_pkcs1_sha512:
                if (pss_only) break;
                return scheme_verify(SignatureScheme::rsa_pkcs1_sha512);
            case SA::ecdsa_sha256:
                // CABF BR 7.1.3.2: P-256 signs with SHA-256, P-384 with SHA-384.
                if (ec == nullptr || ec->curve != crypto::NamedGroup::secp256r1) break;
                return scheme_verify(SignatureScheme::ecdsa_secp256r1_sha256);
            case SA::ecdsa_sha384:
                if (ec == nullptr || ec->curve != crypto::NamedGroup::secp384r1) break;
                return scheme_verify(SignatureScheme::ecdsa_secp384r1_sha384);
            case SA::ed25519: return scheme_verify(SignatureScheme::ed25519);
            case SA::rsa_pss: {
                const auto& p = alg.pss;
                const bool allowed = p.hash != crypto::HashAlgorithm::sha1 && p.mgf1_hash == p.hash &&
                                     p.salt_size == crypto::hash_output_size(p.hash);
                if (!allowed || rsa == nullptr || provider_.rsa_pss == nullptr) break;
                // An id-RSASSA-PSS issuer key with parameters signs only within them (RFC 4055 3.3).
                if (!crypto::check_rsa_pss_params(*rsa, p))
                    return err(ErrorCode::unsupported_certificate,
                               "certificate signature parameters are outside the issuer's RSASSA-PSS key's");
                return provider_.rsa_pss->verify(*rsa, p, child.tbs, child.signature);
            }
            case SA::rsa_pkcs1_sha1:
            case SA::ecdsa_sha1:
            case SA::md5_or_older:
                return err(ErrorCode::unsupported_certificate, "certificate signed with MD5 or SHA-1");
            case SA::ecdsa_sha512:
            case SA::unknown: break;
        }
        return err(ErrorCode::unsupported_certificate, "certificate signature algorithm is not allowed");
    }

    // ---- the whole path ------------------------------------------------------

    Result<void> check_path() {
        const std::size_t n = path_.size();
        // pathLenConstraint: non-self-issued intermediates below each CA (RFC 5280 6.1.4 (l), (m)).
        for (std::size_t k = 1; k < n; ++k) {
            const auto& bc = path_[k]->basic_constraints;
            if (!bc || !bc->path_length) continue;
            std::size_t below = 0;
            for (std::size_t j = 1; j < k; ++j)
                if (!path_[j]->self_issued()) ++below;
            if (below > *bc->path_length) return err(ErrorCode::bad_certificate, "path exceeds a CA's pathLenConstraint");
        }
        // Name constraints apply to every certificate below the CA that sets them,
        // except self-issued intermediates (RFC 5280 6.1.3 (b)).
        for (std::size_t k = 1; k < n; ++k) {
            if (!path_[k]->name_constraints) continue;
            for (std::size_t j = 0; j < k; ++j) {
                if (j > 0 && path_[j]->self_issued()) continue;
                TLS_TRY(check_name_constraints(*path_[k]->name_constraints, *path_[j]));
            }
        }
        return success();
    }

    Result<void> count_name_check() {
        if (++name_checks_ > options_.max_name_constraint_checks)
            return err(ErrorCode::bad_certificate, "too many name constraint checks");
        return success();
    }

    // Evaluates one name against one constraint of the same kind.
    Result<ConstraintMatch> match(const GeneralName& constraint, const GeneralName& name, bool excluded) {
        TLS_TRY(count_name_check());
        using K = GeneralName::Kind;
        switch (constraint.kind) {
            case K::dns:
                return excluded ? dns_constraint_may_match(as_text(constraint.value), as_text(name.value))
                                : dns_constraint_matches(as_text(constraint.value), as_text(name.value));
            case K::ip: return ip_constraint_matches(constraint.value, name.value);
            case K::email: return email_constraint_matches(as_text(constraint.value), as_text(name.value));
            case K::directory:
                return directory_constraint_matches(*constraint.directory, *name.directory) ? ConstraintMatch::match
                                                                                            : ConstraintMatch::no_match;
            default:
                // otherName, URI, x400, EDI, registeredID: not evaluated. A name of such a
                // kind under such a constraint cannot be shown to comply.
                return ConstraintMatch::invalid;
        }
    }

    Result<void> check_name_constraints(const NameConstraints& nc, const Certificate& c) {
        // The names to check: every SAN, and the subject as a directory name.
        std::vector<GeneralName> names = c.subject_alt_names;
        if (!c.subject.rdns.empty()) names.push_back({GeneralName::Kind::directory, c.subject.der, c.subject});
        for (const auto& name : names) {
            bool any_permitted_of_kind = false, permitted = false;
            for (const auto& subtree : nc.permitted) {
                if (subtree.base.kind != name.kind) continue;
                any_permitted_of_kind = true;
                auto m = match(subtree.base, name, false);
                if (!m) return m.error();
                if (*m == ConstraintMatch::invalid) return err(ErrorCode::bad_certificate, "malformed name or name constraint");
                if (*m == ConstraintMatch::match) permitted = true;
            }
            if (any_permitted_of_kind && !permitted)
                return err(ErrorCode::bad_certificate, "name is not in a permitted subtree");
            for (const auto& subtree : nc.excluded) {
                if (subtree.base.kind != name.kind) continue;
                auto m = match(subtree.base, name, true);
                if (!m) return m.error();
                if (*m == ConstraintMatch::invalid) return err(ErrorCode::bad_certificate, "malformed name or name constraint");
                if (*m == ConstraintMatch::match) return err(ErrorCode::bad_certificate, "name is in an excluded subtree");
            }
        }
        // Constraints of a kind cordon does not evaluate must at least be well formed.
        for (const auto* list : {&nc.permitted, &nc.excluded}) {
            for (const auto& subtree : *list) {
                if (subtree.base.kind == GeneralName::Kind::dns &&
                    dns_constraint_matches(as_text(subtree.base.value), "a.invalid") == ConstraintMatch::invalid)
                    return err(ErrorCode::bad_certificate, "malformed dNSName constraint");
                if (subtree.base.kind == GeneralName::Kind::ip) {
                    const std::uint8_t zero[16] = {};
                    if (ip_constraint_matches(subtree.base.value, Bytes(zero, subtree.base.value.size() / 2)) ==
                        ConstraintMatch::invalid)
                        return err(ErrorCode::bad_certificate, "malformed iPAddress constraint");
                }
                if (subtree.base.kind == GeneralName::Kind::email &&
                    email_constraint_matches(as_text(subtree.base.value), "a@a.invalid") == ConstraintMatch::invalid)
                    return err(ErrorCode::bad_certificate, "malformed rfc822Name constraint");
            }
        }
        return success();
    }

    // ---- path building -----------------------------------------------------

    bool in_path(const Certificate& c) const {
        // The same certificate, or the same CA under another certificate (same
        // subject and key), must not repeat: that is a loop.
        return std::any_of(path_.begin(), path_.end(), [&](const CertificatePtr& p) {
            return equal(p->der(), c.der()) || (names_match(p->subject, c.subject) && equal(p->spki, c.spki));
        });
    }

    void note(const Error& e) {
        // Keep the error from the longest path tried: it says the most.
        if (path_.size() >= best_depth_) {
            best_depth_ = path_.size();
            best_error_ = e;
        }
    }

    Result<void> try_issuer(const CertificatePtr& issuer, bool is_anchor) {
        const Certificate& child = *path_.back();
        TLS_TRY(check_common(*issuer));
        // Trust anchors are trusted as given; CABF's serial rules bind issued certificates.
        if (!is_anchor) TLS_TRY(check_serial(issuer->serial));
        TLS_TRY(check_ca(*issuer, is_anchor));
        return verify_signature(child, *issuer);
    }

    // The certificates of `pool` that may have issued `child` (subject equals its
    // issuer), those whose subjectKeyIdentifier matches the child's
    // authorityKeyIdentifier first: a hint that spares signature checks in
    // cross-signed meshes, never a filter (key identifiers are not verified).
    std::vector<const CertificatePtr*> candidates(std::span<const CertificatePtr> pool, const Certificate& child) const {
        std::vector<const CertificatePtr*> out;
        for (const auto& c : pool)
            if (c && names_match(c->subject, child.issuer) && !in_path(*c)) out.push_back(&c);
        if (child.authority_key_id) {
            std::stable_partition(out.begin(), out.end(), [&](const CertificatePtr* c) {
                return (*c)->subject_key_id && equal(*(*c)->subject_key_id, *child.authority_key_id);
            });
        }
        return out;
    }

    Result<void> extend() {
        const Certificate& child = *path_.back();
        for (const CertificatePtr* anchor_ptr : candidates(store_.anchors(), child)) {
            const CertificatePtr& anchor = *anchor_ptr;
            auto r = try_issuer(anchor, true);
            if (r) {
                path_.push_back(anchor);
                r = check_path();
                if (r) return success();
                note(r.error());
                path_.pop_back();
            } else {
                note(r.error());
            }
            if (signature_checks_ > options_.max_signature_checks) return best_error_;
        }
        // The depth limit counts logical intermediates: self-issued ones (key
        // rollover) do not add a level, but the path as a whole stays bounded.
        std::size_t logical = 0;
        for (std::size_t i = 1; i < path_.size(); ++i)
            if (!path_[i]->self_issued()) ++logical;
        if (path_.size() > options_.max_intermediates + max_self_issued_) {
            note(err(ErrorCode::unknown_issuer, "no path to a trust anchor within the depth limit"));
            return best_error_;
        }
        for (const CertificatePtr* candidate_ptr : candidates(intermediates_, child)) {
            const CertificatePtr& candidate = *candidate_ptr;
            if (!candidate->self_issued() && logical + 1 > options_.max_intermediates) {
                note(err(ErrorCode::unknown_issuer, "no path to a trust anchor within the depth limit"));
                continue;
            }
            auto r = try_issuer(candidate, false);
            if (!r) {
                note(r.error());
                if (signature_checks_ > options_.max_signature_checks) return best_error_;
                continue;
            }
            path_.push_back(candidate);
            if (extend()) return success();
            path_.pop_back();
            if (signature_checks_ > options_.max_signature_checks) return best_error_;
        }
        return best_error_;
    }

    std::span<const CertificatePtr> intermediates_;
    const TrustStore& store_;
    const VerifyOptions& options_;
    const crypto::CryptoProvider& provider_;
    std::vector<CertificatePtr> path_;
    std::size_t signature_checks_ = 0;
    std::size_t name_checks_ = 0;
    std::size_t best_depth_ = 0;
    static constexpr std::size_t max_self_issued_ = 4;
    Error best_error_{ErrorCode::unknown_issuer, "no path to a trust anchor"};
};

}  // namespace

void TrustStore::add(CertificatePtr certificate) {
    for (const auto& a : anchors_)
        if (equal(a->der(), certificate->der())) return;
    anchors_.push_back(std::move(certificate));
}

Result<std::size_t> TrustStore::add_pem(std::string_view pem) {
    auto blocks = parse_pem(pem);
    if (!blocks) return blocks.error();
    std::size_t added = 0;
    for (const auto& block : *blocks) {
        if (block.label != "CERTIFICATE") continue;
        auto cert = Certificate::parse(block.der);
        if (!cert) return cert.error();
        add(std::make_shared<const Certificate>(std::move(*cert)));
        ++added;
    }
    return added;
}

namespace {

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{ErrorCode::invalid_argument, "cannot open file"};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

Result<std::size_t> TrustStore::add_directory(const std::string& path) {
    std::error_code ec;
    std::filesystem::directory_iterator it(path, ec);
    if (ec) return Error{ErrorCode::invalid_argument, "cannot read the trust store directory"};
    const std::size_t before = anchors_.size();
    for (const auto& entry : it) {
        if (!entry.is_regular_file(ec)) continue;  // follows symlinks, as /etc/ssl/certs uses them
        auto text = read_file(entry.path().string());
        if (!text) continue;
        TrustStore one;
        if (!one.add_pem(*text)) continue;
        for (auto& c : one.anchors_) add(std::move(c));  // hash links repeat files: add() drops duplicates
    }
    return anchors_.size() - before;
}

Result<std::size_t> TrustStore::add_system() {
    for (const char* bundle : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"}) {
        auto text = read_file(bundle);
        if (!text) continue;
        auto blocks = parse_pem(*text);
        if (!blocks) return blocks.error();
        std::size_t added = 0;
        for (const auto& block : *blocks) {
            // A system bundle may hold certificates cordon cannot parse: skip those.
            if (block.label != "CERTIFICATE") continue;
            auto cert = Certificate::parse(block.der);
            if (!cert) continue;
            add(std::make_shared<const Certificate>(std::move(*cert)));
            ++added;
        }
        return added;
    }
    return add_directory("/etc/ssl/certs");
}

Result<VerifiedPath> verify_certificate(const CertificatePtr& leaf, std::span<const CertificatePtr> intermediates,
                                        const TrustStore& anchors, const VerifyOptions& options) {
    if (!leaf) return Error{ErrorCode::invalid_argument, "no certificate to verify"};
    Verifier v(intermediates, anchors, options);
    return v.run(leaf);
}

}  // namespace tls::x509
