// Arbitrary bytes as a DER certificate, into Certificate::parse and
// parse_subject_public_key_info.
//
// When the certificate parses, every field is read (ASan sees any view that
// points outside the certificate's own copy of its DER), and:
// - every view (tbs, signature, spki, names, algorithm, serial, extension
//   values, name attributes, GeneralNames) lies inside Certificate::der(), which
//   is the input, byte for byte; a moved certificate keeps its views valid;
// - the parse is strict: the input with its last byte removed, or with a byte
//   appended, is refused; parsing again gives the same fields;
// - public_key is set exactly when parse_subject_public_key_info accepts spki,
//   and then they agree; v1/v2 certificates carry no extension fields;
// - the certificate then goes through verify_certificate as a leaf with no
//   anchors (the leaf and name checks run, no signature is checked), and with a
//   copy of itself as the only anchor (refused: a path never repeats a certificate).
// The input is also given to parse_subject_public_key_info on its own.
#include <cstdint>
#include <cstring>

#include "fuzz_input.hpp"
#include "x509/certificate.hpp"
#include "x509/name_matching.hpp"
#include "x509/spki.hpp"
#include "x509/verify.hpp"

namespace {

using cordon_fuzz::inside;
using cordon_fuzz::same_bytes;

using namespace tls;
using namespace tls::x509;
using cordon_fuzz::Bytes;

// A sink the compiler cannot drop, so every byte of every view is read.
volatile std::uint8_t sink;

void touch(Bytes b) {
    std::uint8_t acc = 0;
    for (auto v : b) acc = static_cast<std::uint8_t>(acc ^ v);
    sink = acc;
}

bool same_key(const crypto::PublicKey& a, const crypto::PublicKey& b) {
    if (a.index() != b.index()) return false;
    if (const auto* r = std::get_if<crypto::RsaPublicKey>(&a)) {
        const auto& s = std::get<crypto::RsaPublicKey>(b);
        return same_bytes(r->modulus, s.modulus) && same_bytes(r->exponent, s.exponent) && r->pss_only == s.pss_only &&
               r->pss_params.has_value() == s.pss_params.has_value();
    }
    if (const auto* e = std::get_if<crypto::EcPublicKey>(&a)) {
        const auto& f = std::get<crypto::EcPublicKey>(b);
        return e->curve == f.curve && same_bytes(e->point, f.point);
    }
    return same_bytes(std::get<crypto::Ed25519PublicKey>(a).key, std::get<crypto::Ed25519PublicKey>(b).key);
}

void check_name(const Name& n, Bytes der) {
    CORDON_FUZZ_CHECK(inside(n.der, der));
    touch(n.der);
    for (const auto& rdn : n.rdns) {
        CORDON_FUZZ_CHECK(!rdn.empty());  // RelativeDistinguishedName is SET SIZE (1..MAX)
        for (const auto& a : rdn) {
            CORDON_FUZZ_CHECK(inside(a.oid, n.der) && inside(a.value, n.der));
            CORDON_FUZZ_CHECK(!a.oid.empty());
            touch(a.oid);
            touch(a.value);
        }
    }
}

void check_general_name(const GeneralName& g, Bytes der) {
    CORDON_FUZZ_CHECK(inside(g.value, der));
    touch(g.value);
    CORDON_FUZZ_CHECK(g.directory.has_value() == (g.kind == GeneralName::Kind::directory));
    if (g.directory) {
        check_name(*g.directory, der);
        CORDON_FUZZ_CHECK(same_bytes(g.directory->der, g.value));
    }
    // The name functions on whatever the certificate holds.
    const std::string_view text = as_text(g.value);
    switch (g.kind) {
        case GeneralName::Kind::dns:
            sink = static_cast<std::uint8_t>(is_valid_presented_dns_name(text) + dns_name_matches(text, "example.com") +
                                             dns_name_matches(text, "www.example.com"));
            break;
        case GeneralName::Kind::ip:
            if (g.value.size() == 4 || g.value.size() == 16) {
                const std::string formatted = format_ip_address(g.value);
                auto back = parse_ip_address(formatted);
                CORDON_FUZZ_CHECK(back && same_bytes(back->view(), g.value));
            }
            break;
        case GeneralName::Kind::email:
            sink = static_cast<std::uint8_t>(email_constraint_matches("example.com", text));
            break;
        default: break;
    }
}

void check_certificate(const Certificate& c, Bytes input) {
    const Bytes der = c.der();
    CORDON_FUZZ_CHECK(same_bytes(der, input));
    CORDON_FUZZ_CHECK(der.data() != input.data());  // its own copy
    CORDON_FUZZ_CHECK(c.version >= 1 && c.version <= 3);
    for (Bytes b : {c.serial, c.tbs, c.signature, c.spki, c.signature_algorithm.der}) {
        CORDON_FUZZ_CHECK(inside(b, der));
        touch(b);
    }
    CORDON_FUZZ_CHECK(!c.serial.empty() && !c.tbs.empty() && !c.spki.empty());
    check_name(c.issuer, der);
    check_name(c.subject, der);
    CORDON_FUZZ_CHECK(c.self_issued() == same_bytes(c.issuer.der, c.subject.der));
    if (c.signature_algorithm.algorithm == SignatureAlgorithm::rsa_pss)
        CORDON_FUZZ_CHECK(c.signature_algorithm.pss.salt_size <= 0xffff);

    // The key: set exactly when the SPKI parser accepts it, and the same key.
    auto key = parse_subject_public_key_info(c.spki);
    CORDON_FUZZ_CHECK(key.ok() == c.public_key.has_value());
    if (!key.ok()) CORDON_FUZZ_CHECK(key.error().code != ErrorCode::decode_error);
    if (key.ok()) CORDON_FUZZ_CHECK(same_key(*key, *c.public_key));

    if (c.version < 3) {
        CORDON_FUZZ_CHECK(!c.basic_constraints && !c.key_usage && !c.extended_key_usage && !c.has_subject_alt_name &&
                          !c.name_constraints && !c.subject_key_id && !c.authority_key_id &&
                          !c.has_unknown_critical_extension && !c.has_authority_key_id_extension);
    }
    if (c.key_usage) CORDON_FUZZ_CHECK(*c.key_usage != 0);
    if (c.extended_key_usage) {
        CORDON_FUZZ_CHECK(!c.extended_key_usage->empty());
        for (Bytes e : *c.extended_key_usage) {
            CORDON_FUZZ_CHECK(inside(e, der));
            touch(e);
        }
    }
    CORDON_FUZZ_CHECK(c.has_subject_alt_name == !c.subject_alt_names.empty());
    for (const auto& g : c.subject_alt_names) check_general_name(g, der);
    if (c.name_constraints) {
        CORDON_FUZZ_CHECK(!c.name_constraints->permitted.empty() || !c.name_constraints->excluded.empty());
        for (const auto* list : {&c.name_constraints->permitted, &c.name_constraints->excluded}) {
            for (const auto& s : *list) {
                check_general_name(s.base, der);
                if (s.base.kind == GeneralName::Kind::ip)
                    CORDON_FUZZ_CHECK(s.base.value.size() == 8 || s.base.value.size() == 32);
            }
        }
    }
    if (c.subject_key_id) {
        CORDON_FUZZ_CHECK(inside(*c.subject_key_id, der));
        touch(*c.subject_key_id);
    }
    if (c.authority_key_id) {
        CORDON_FUZZ_CHECK(c.has_authority_key_id_extension);
        CORDON_FUZZ_CHECK(inside(*c.authority_key_id, der));
        touch(*c.authority_key_id);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);

    // The input as a SubjectPublicKeyInfo on its own.
    if (auto key = parse_subject_public_key_info(input); key.ok()) {
        if (const auto* r = std::get_if<crypto::RsaPublicKey>(&*key)) {
            CORDON_FUZZ_CHECK(inside(r->modulus, input) && inside(r->exponent, input));
            CORDON_FUZZ_CHECK(!r->modulus.empty() && !r->exponent.empty());
        } else if (const auto* e = std::get_if<crypto::EcPublicKey>(&*key)) {
            CORDON_FUZZ_CHECK(inside(e->point, input));
            CORDON_FUZZ_CHECK(e->curve == crypto::NamedGroup::secp256r1 || e->curve == crypto::NamedGroup::secp384r1);
        } else {
            const auto& ed = std::get<crypto::Ed25519PublicKey>(*key);
            CORDON_FUZZ_CHECK(inside(ed.key, input) && ed.key.size() == 32);
        }
    } else {
        const ErrorCode code = key.error().code;
        CORDON_FUZZ_CHECK(code == ErrorCode::decode_error || code == ErrorCode::unsupported ||
                          code == ErrorCode::invalid_public_key);
    }

    auto parsed = Certificate::parse(input);
    if (!parsed) {
        CORDON_FUZZ_CHECK(parsed.error().code == ErrorCode::decode_error);
        return 0;
    }
    check_certificate(*parsed, input);

    // Strict DER: no prefix is a certificate, and nothing may follow one.
    CORDON_FUZZ_CHECK(!Certificate::parse(input.first(size - 1)).ok());
    std::vector<std::uint8_t> longer(input.begin(), input.end());
    longer.push_back(0);
    CORDON_FUZZ_CHECK(!Certificate::parse(longer).ok());

    // The views survive a move (they point into the heap buffer, which moves along).
    Certificate moved = std::move(*parsed);
    check_certificate(moved, input);
    auto again = Certificate::parse(input);
    CORDON_FUZZ_CHECK(again.ok());
    CORDON_FUZZ_CHECK(same_bytes(again->tbs, moved.tbs) && same_bytes(again->spki, moved.spki) &&
                      again->not_before == moved.not_before && again->not_after == moved.not_after &&
                      again->subject_alt_names.size() == moved.subject_alt_names.size());

    // Validation as a leaf with no anchors: the leaf and name checks, no signature
    // (fuzz_verify puts fuzzed certificates into chains).
    const auto leaf = std::make_shared<const Certificate>(std::move(moved));
    VerifyOptions options;
    options.now = leaf->not_before;
    options.max_signature_checks = 4;
    for (const auto& g : leaf->subject_alt_names) {
        if (g.kind == GeneralName::Kind::dns && !options.peer_name) options.peer_name = PeerName{PeerName::Kind::dns, std::string(as_text(g.value))};
    }
    auto r = verify_certificate(leaf, {}, TrustStore(), options);
    CORDON_FUZZ_CHECK(!r.ok());
    // The same certificate as its own anchor is never a path (it would repeat).
    TrustStore self;
    self.add(std::make_shared<const Certificate>(std::move(*again)));
    CORDON_FUZZ_CHECK(!verify_certificate(leaf, {}, self, options).ok());
    return 0;
}
