#include "x509/certificate.hpp"

#include <algorithm>

#include "codec/der.hpp"
#include "x509/oids.hpp"
#include "x509/spki.hpp"

namespace tls::x509 {
namespace {

namespace der = codec::der;
using codec::Reader;

constexpr Error bad_certificate{ErrorCode::decode_error, "malformed certificate"};

bool equal(Bytes a, Bytes b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

// The element's full encoding (tag and length included), read as a view.
Result<Bytes> read_whole(Reader& r) {
    const Bytes before = r.rest();
    auto e = der::read_element(r);
    if (!e) return e.error();
    return before.first(before.size() - r.rest().size());
}

// A NULL parameter that may be absent ("NULL or absent", as RFC 4055 2.1 tolerates).
Result<void> null_or_absent(Reader& params) {
    if (params.empty()) return success();
    auto n = der::read(params, der::null);
    if (!n) return n.error();
    if (!n->empty()) return der::bad_der;
    return params.expect_end();
}

Result<AlgorithmIdentifier> read_algorithm(Reader& r) {
    AlgorithmIdentifier out;
    TLS_TRY_ASSIGN(whole, read_whole(r));
    out.der = whole;
    Reader outer(whole);
    auto seq = der::read_constructed(outer);
    if (!seq) return seq.error();
    auto o = der::read_oid(*seq);
    if (!o) return o.error();
    const Bytes id = *o;
    using SA = SignatureAlgorithm;
    struct Simple {
        Bytes oid;
        SA algorithm;
        bool rsa;  // RSA PKCS#1 algorithms take NULL (or absent) parameters; the rest none
    };
    const Simple simple[] = {
        {oid::sha256_with_rsa, SA::rsa_pkcs1_sha256, true}, {oid::sha384_with_rsa, SA::rsa_pkcs1_sha384, true},
        {oid::sha512_with_rsa, SA::rsa_pkcs1_sha512, true}, {oid::sha1_with_rsa, SA::rsa_pkcs1_sha1, true},
        {oid::md5_with_rsa, SA::md5_or_older, true},         {oid::md2_with_rsa, SA::md5_or_older, true},
        {oid::ecdsa_with_sha256, SA::ecdsa_sha256, false},   {oid::ecdsa_with_sha384, SA::ecdsa_sha384, false},
        {oid::ecdsa_with_sha512, SA::ecdsa_sha512, false},   {oid::ecdsa_with_sha1, SA::ecdsa_sha1, false},
        {oid::ed25519, SA::ed25519, false},
    };
    for (const auto& s : simple) {
        if (!equal(id, s.oid)) continue;
        if (s.rsa) TLS_TRY(null_or_absent(*seq));
        else TLS_TRY(seq->expect_end());  // RFC 5758 3.2, RFC 8410 3: parameters absent
        out.algorithm = s.algorithm;
        return out;
    }
    if (equal(id, oid::rsassa_pss)) {
        auto params = parse_rsassa_pss_params(seq->rest());
        if (!params) {
            if (params.error().code != ErrorCode::unsupported) return params.error();
            out.algorithm = SA::unknown;
            return out;
        }
        out.algorithm = SA::rsa_pss;
        out.pss = *params;
        return out;
    }
    out.algorithm = SA::unknown;  // unknown algorithms parse; verification refuses them
    return out;
}

Result<Name> read_name(Reader& r) {
    Name name;
    TLS_TRY_ASSIGN(whole, read_whole(r));
    name.der = whole;
    Reader outer(whole);
    auto seq = der::read_constructed(outer);
    if (!seq) return seq.error();
    while (!seq->empty()) {
        auto set = der::read_constructed(*seq, der::set);
        if (!set) return set.error();
        if (set->empty()) return bad_certificate;  // RelativeDistinguishedName is SET SIZE (1..MAX)
        std::vector<NameAttribute> rdn;
        while (!set->empty()) {
            auto atv = der::read_constructed(*set);
            if (!atv) return atv.error();
            auto type = der::read_oid(*atv);
            if (!type) return type.error();
            auto value = der::read_element(*atv);
            if (!value) return value.error();
            TLS_TRY(atv->expect_end());
            rdn.push_back({*type, value->tag, value->contents});
        }
        name.rdns.push_back(std::move(rdn));
    }
    return name;
}

bool is_ia5(Bytes s) {
    return std::all_of(s.begin(), s.end(), [](std::uint8_t c) { return c < 0x80; });
}

Result<GeneralName> read_general_name(Reader& r) {
    auto e = der::read_element(r);
    if (!e) return e.error();
    GeneralName g{GeneralName::Kind::other, e->contents, std::nullopt};
    using K = GeneralName::Kind;
    switch (e->tag) {
        case 0xa0: g.kind = K::other; break;
        case 0x81: g.kind = K::email; break;
        case 0x82: g.kind = K::dns; break;
        case 0xa3: g.kind = K::x400; break;
        case 0xa4: {
            g.kind = K::directory;
            Reader inner(e->contents);
            auto name = read_name(inner);
            if (!name) return name.error();
            TLS_TRY(inner.expect_end());
            g.value = name->der;
            g.directory = std::move(*name);
            break;
        }
        case 0xa5: g.kind = K::edi; break;
        case 0x86: g.kind = K::uri; break;
        case 0x87: g.kind = K::ip; break;
        case 0x88: g.kind = K::registered_id; break;
        default: return Error{ErrorCode::decode_error, "unknown GeneralName tag"};
    }
    if ((g.kind == K::email || g.kind == K::dns || g.kind == K::uri) && !is_ia5(g.value))
        return Error{ErrorCode::decode_error, "GeneralName is not an IA5String"};
    return g;
}

Result<std::vector<GeneralName>> read_general_names(Reader& r) {
    auto seq = der::read_constructed(r);
    if (!seq) return seq.error();
    TLS_TRY(r.expect_end());
    if (seq->empty()) return Error{ErrorCode::decode_error, "empty GeneralNames"};
    std::vector<GeneralName> names;
    while (!seq->empty()) {
        auto g = read_general_name(*seq);
        if (!g) return g.error();
        names.push_back(std::move(*g));
    }
    return names;
}

Result<std::vector<GeneralSubtree>> read_subtrees(Bytes contents) {
    Reader r(contents);
    if (r.empty()) return Error{ErrorCode::decode_error, "empty GeneralSubtrees"};
    std::vector<GeneralSubtree> out;
    while (!r.empty()) {
        auto subtree = der::read_constructed(r);
        if (!subtree) return subtree.error();
        auto base = read_general_name(*subtree);
        if (!base) return base.error();
        // RFC 5280 4.2.1.10: minimum MUST be zero and maximum MUST be absent.
        if (!subtree->empty()) return Error{ErrorCode::decode_error, "name constraint with minimum or maximum"};
        if (base->kind == GeneralName::Kind::ip && base->value.size() != 8 && base->value.size() != 32)
            return Error{ErrorCode::decode_error, "iPAddress name constraint is not address and mask"};
        out.push_back({std::move(*base)});
    }
    return out;
}

Result<void> parse_extension(Certificate& c, Bytes id, bool critical, Bytes value) {
    Reader r(value);
    if (equal(id, oid::basic_constraints)) {
        auto seq = der::read_constructed(r);
        if (!seq) return seq.error();
        TLS_TRY(r.expect_end());
        BasicConstraints bc;
        if (der::peek_tag(*seq) == der::boolean) {
            auto ca = der::read_boolean(*seq);
            if (!ca) return ca.error();
            bc.ca = *ca;
        }
        if (!seq->empty()) {
            auto len = der::read_unsigned_integer(*seq);
            if (!len) return len.error();
            if (len->size() > 4) return Error{ErrorCode::decode_error, "pathLenConstraint too large"};
            std::uint32_t v = 0;
            for (auto b : *len) v = v << 8 | b;
            bc.path_length = v;
        }
        TLS_TRY(seq->expect_end());
        c.basic_constraints = bc;
        c.basic_constraints_critical = critical;
    } else if (equal(id, oid::key_usage)) {
        auto bits = der::read_named_bits(r);
        if (!bits) return bits.error();
        TLS_TRY(r.expect_end());
        // RFC 5280 4.2.1.3: at least one bit MUST be set.
        if (*bits == 0) return Error{ErrorCode::decode_error, "keyUsage with no bit set"};
        c.key_usage = *bits;
    } else if (equal(id, oid::extended_key_usage)) {
        auto seq = der::read_constructed(r);
        if (!seq) return seq.error();
        TLS_TRY(r.expect_end());
        if (seq->empty()) return Error{ErrorCode::decode_error, "empty extKeyUsage"};
        std::vector<Bytes> purposes;
        while (!seq->empty()) {
            auto o = der::read_oid(*seq);
            if (!o) return o.error();
            purposes.push_back(*o);
        }
        c.extended_key_usage = std::move(purposes);
        c.extended_key_usage_critical = critical;
    } else if (equal(id, oid::subject_alt_name)) {
        auto names = read_general_names(r);
        if (!names) return names.error();
        c.has_subject_alt_name = true;
        c.subject_alt_name_critical = critical;
        c.subject_alt_names = std::move(*names);
    } else if (equal(id, oid::name_constraints)) {
        auto seq = der::read_constructed(r);
        if (!seq) return seq.error();
        TLS_TRY(r.expect_end());
        NameConstraints nc;
        auto permitted = der::read_optional(*seq, der::context_constructed(0));
        if (!permitted) return permitted.error();
        auto excluded = der::read_optional(*seq, der::context_constructed(1));
        if (!excluded) return excluded.error();
        TLS_TRY(seq->expect_end());
        // RFC 5280 4.2.1.10: the sequence MUST NOT be empty.
        if (!*permitted && !*excluded) return Error{ErrorCode::decode_error, "empty nameConstraints"};
        if (*permitted) {
            auto p = read_subtrees(**permitted);
            if (!p) return p.error();
            nc.permitted = std::move(*p);
        }
        if (*excluded) {
            auto e = read_subtrees(**excluded);
            if (!e) return e.error();
            nc.excluded = std::move(*e);
        }
        c.name_constraints = std::move(nc);
        c.name_constraints_critical = critical;
    } else if (equal(id, oid::subject_key_identifier)) {
        auto ski = der::read(r, der::octet_string);
        if (!ski) return ski.error();
        TLS_TRY(r.expect_end());
        c.subject_key_id = *ski;
        c.subject_key_id_critical = critical;
    } else if (equal(id, oid::authority_key_identifier)) {
        auto seq = der::read_constructed(r);
        if (!seq) return seq.error();
        TLS_TRY(r.expect_end());
        auto key_id = der::read_optional(*seq, der::context_primitive(0));
        if (!key_id) return key_id.error();
        if (*key_id) c.authority_key_id = **key_id;
        // authorityCertIssuer [1] and authorityCertSerialNumber [2]: noted, not used for path building.
        c.authority_key_id_has_issuer_or_serial = !seq->empty();
        while (!seq->empty()) {
            auto e = der::read_element(*seq);
            if (!e) return e.error();
            if (e->tag != der::context_constructed(1) && e->tag != der::context_primitive(2))
                return Error{ErrorCode::decode_error, "malformed authorityKeyIdentifier"};
        }
        c.has_authority_key_id_extension = true;
        c.authority_key_id_critical = critical;
    } else if (equal(id, oid::policy_constraints)) {
        c.has_policy_constraints = true;
        c.policy_constraints_critical = critical;
    } else if (equal(id, oid::authority_info_access)) {
        // SEQUENCE SIZE (1..MAX) OF AccessDescription { accessMethod OID, accessLocation GeneralName }
        auto seq = der::read_constructed(r);
        if (!seq) return seq.error();
        TLS_TRY(r.expect_end());
        if (seq->empty()) return Error{ErrorCode::decode_error, "empty authorityInfoAccess"};
        while (!seq->empty()) {
            auto ad = der::read_constructed(*seq);
            if (!ad) return ad.error();
            auto method = der::read_oid(*ad);
            if (!method) return method.error();
            auto location = read_general_name(*ad);
            if (!location) return location.error();
            TLS_TRY(ad->expect_end());
        }
        c.authority_info_access_critical = critical;
    } else if (equal(id, oid::certificate_policies) || equal(id, oid::policy_mappings) ||
               equal(id, oid::inhibit_any_policy) || equal(id, oid::crl_distribution_points) ||
               equal(id, oid::issuer_alt_name) ||
               equal(id, oid::freshest_crl) || equal(id, oid::subject_info_access)) {
        // Recognised; the web PKI profile does not act on them.
    } else if (critical) {
        c.has_unknown_critical_extension = true;
    }
    return success();
}

}  // namespace

bool names_match(const Name& a, const Name& b) noexcept { return equal(a.der, b.der); }

Result<Certificate> Certificate::parse(Bytes input) {
    Certificate c;
    c.der_.assign(input.begin(), input.end());
    Reader top(c.der());
    auto cert = der::read_constructed(top);
    if (!cert) return cert.error();
    TLS_TRY(top.expect_end());

    TLS_TRY_ASSIGN(tbs_whole, read_whole(*cert));
    c.tbs = tbs_whole;
    auto outer_alg = read_algorithm(*cert);
    if (!outer_alg) return outer_alg.error();
    c.signature_algorithm = *outer_alg;
    auto sig = der::read_bit_string_bytes(*cert);
    if (!sig) return sig.error();
    c.signature = *sig;
    TLS_TRY(cert->expect_end());

    Reader tbs_outer(c.tbs);
    auto tbs = der::read_constructed(tbs_outer);
    if (!tbs) return tbs.error();
    // version [0] EXPLICIT INTEGER DEFAULT v1: DER omits v1.
    if (auto v = der::read_optional(*tbs, der::context_constructed(0)); !v) {
        return v.error();
    } else if (*v) {
        Reader vr(**v);
        auto n = der::read_unsigned_integer(vr);
        if (!n) return n.error();
        TLS_TRY(vr.expect_end());
        if (n->size() != 1 || (*n)[0] > 2) return Error{ErrorCode::decode_error, "unknown certificate version"};
        if ((*n)[0] == 0) return Error{ErrorCode::decode_error, "explicit v1 version (DER omits defaults)"};
        c.version = (*n)[0] + 1;
    }
    auto serial = der::read(*tbs, der::integer);
    if (!serial) return serial.error();
    if (serial->empty()) return bad_certificate;
    c.serial = *serial;
    auto inner_alg = read_algorithm(*tbs);
    if (!inner_alg) return inner_alg.error();
    // RFC 5280 4.1.1.2: signatureAlgorithm MUST equal TBSCertificate.signature.
    if (!equal(inner_alg->der, c.signature_algorithm.der))
        return Error{ErrorCode::decode_error, "outer and inner signature algorithms differ"};
    auto issuer = read_name(*tbs);
    if (!issuer) return issuer.error();
    c.issuer = std::move(*issuer);
    auto validity = der::read_constructed(*tbs);
    if (!validity) return validity.error();
    auto nb = der::read_time(*validity);
    if (!nb) return nb.error();
    auto na = der::read_time(*validity);
    if (!na) return na.error();
    TLS_TRY(validity->expect_end());
    c.not_before = *nb;
    c.not_after = *na;
    auto subject = read_name(*tbs);
    if (!subject) return subject.error();
    c.subject = std::move(*subject);
    TLS_TRY_ASSIGN(spki, read_whole(*tbs));
    c.spki = spki;
    auto key = parse_subject_public_key_info(spki);
    if (key) c.public_key = *key;
    else if (key.error().code == ErrorCode::decode_error) return key.error();

    // issuerUniqueID [1] and subjectUniqueID [2]: v2/v3 only; skipped.
    for (unsigned n : {1u, 2u}) {
        auto uid = der::read_optional(*tbs, der::context_primitive(n));
        if (!uid) return uid.error();
        if (*uid && c.version < 2) return Error{ErrorCode::decode_error, "unique identifier in a v1 certificate"};
    }
    auto extensions = der::read_optional(*tbs, der::context_constructed(3));
    if (!extensions) return extensions.error();
    TLS_TRY(tbs->expect_end());
    if (*extensions) {
        if (c.version != 3) return Error{ErrorCode::decode_error, "extensions in a certificate older than v3"};
        Reader ext_outer(**extensions);
        auto list = der::read_constructed(ext_outer);
        if (!list) return list.error();
        TLS_TRY(ext_outer.expect_end());
        if (list->empty()) return Error{ErrorCode::decode_error, "empty extensions"};
        std::vector<Bytes> seen;
        while (!list->empty()) {
            auto ext = der::read_constructed(*list);
            if (!ext) return ext.error();
            auto id = der::read_oid(*ext);
            if (!id) return id.error();
            bool critical = false;
            if (der::peek_tag(*ext) == der::boolean) {
                auto b = der::read_boolean(*ext);
                if (!b) return b.error();
                critical = *b;
            }
            auto value = der::read(*ext, der::octet_string);
            if (!value) return value.error();
            TLS_TRY(ext->expect_end());
            seen.push_back(*id);
            TLS_TRY(parse_extension(c, *id, critical, *value));
        }
        // RFC 5280 4.2: a certificate MUST NOT include more than one instance of an
        // extension. Sorted, so that a hostile certificate with 10^5 extensions costs
        // O(n log n) here, not O(n^2) (a 1 MB certificate took 22 s with pairwise checks).
        const auto less = [](Bytes a, Bytes b) { return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end()); };
        std::sort(seen.begin(), seen.end(), less);
        if (std::adjacent_find(seen.begin(), seen.end(), [](Bytes a, Bytes b) { return equal(a, b); }) != seen.end())
            return Error{ErrorCode::decode_error, "duplicate extension"};
    }
    return c;
}

}  // namespace tls::x509
