// Chain validation with fuzzed certificates: a fixed Ed25519 chain (root, an
// intermediate and a name-constrained twin with the same name and key, a leaf;
// fuzz_verify_chain.inc, made by make_x509_seeds.sh) plus certificates from the
// input, into verify_certificate at a fixed time. It must never crash or take
// long: the signature budget bounds the work. (Ed25519 keeps real signature
// checks cheap: P-256 through mbedTLS held the target to 250 runs a second.)
//
// Input:
//   u8 flags: 1  signatures always verify (a provider whose verifiers accept
//                everything, so fuzzed certificates chain by name alone and the
//                fuzzer reaches the path checks: pathLen, name constraints, EKU)
//             2  the fixed root is a trust anchor
//             4  the fixed intermediates are in the pool
//             8  the leaf is the fixed leaf (else the first fuzzed certificate)
//             16 purpose clientAuth (else serverAuth)
//             32, 64  peer name from the name field: 32 DNS, 64 IP, 96 DNS "example.com"
//             128 the last fuzzed certificate is also a trust anchor
//   u8 budget: max_signature_checks = 64 - (budget & 63);
//              max_intermediates = 8 >> (budget >> 6)
//   i32 time offset (big-endian) from the fixed time (a day into the leaf's life)
//   field peer name (2-byte length, up to 64 bytes)
//   fields: up to 8 certificates (2-byte length each); those that parse join the pool
//
// Invariants: a verified path starts at the leaf and ends at a trust anchor;
// each certificate's issuer name is the next one's subject; none repeats; all
// are valid at the time; its length respects max_intermediates (plus the
// allowance for self-issued certificates); the peer name matches the leaf.
// Signature verifications never exceed max_signature_checks, and (with the
// accepting verifiers) the same call gives the same verdict twice.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_input.hpp"
#include "tls/crypto/provider.hpp"
#include "x509/verify.hpp"

namespace {

#include "fuzz_verify_chain.inc"

using namespace tls;
using namespace tls::x509;
using cordon_fuzz::Bytes;

std::size_t signature_calls = 0;

Result<void> accept(const crypto::PublicKey&, Bytes, Bytes) noexcept {
    ++signature_calls;
    return success();
}
Result<void> accept_pss(const crypto::RsaPublicKey&, const crypto::RsaPssParams&, Bytes, Bytes) noexcept {
    ++signature_calls;
    return success();
}

// Every scheme the default provider verifies, accepting every signature.
struct AcceptAll {
    std::vector<crypto::SignatureVerifier> verifiers;
    std::vector<const crypto::SignatureVerifier*> pointers;
    crypto::RsaPssVerifier pss{"accept-all", &accept_pss};
    crypto::CryptoProvider provider = crypto::default_provider();

    AcceptAll() {
        for (const auto* v : crypto::default_provider().verifiers) verifiers.push_back({v->scheme, "accept-all", &accept});
        for (const auto& v : verifiers) pointers.push_back(&v);
        provider.verifiers = pointers;
        provider.rsa_pss = &pss;
    }
};

CertificatePtr parse(const unsigned char* der, unsigned int size) {
    auto c = Certificate::parse(Bytes(der, size));
    if (!c) cordon_fuzz::invariant_failed("the fixed chain does not parse", __FILE__, __LINE__);
    return std::make_shared<const Certificate>(std::move(*c));
}

struct Fixed {
    CertificatePtr root = parse(chain_root, chain_root_len);
    CertificatePtr intermediate = parse(chain_int, chain_int_len);
    CertificatePtr constrained = parse(chain_int_nc, chain_int_nc_len);
    CertificatePtr leaf = parse(chain_leaf, chain_leaf_len);
    Time base = leaf->not_before + 86400;
    AcceptAll accept_all;

    Fixed() {
        // The fixed chain must validate as it is, or the target tests nothing.
        TrustStore store;
        store.add(root);
        VerifyOptions o;
        o.now = base;
        o.peer_name = PeerName{PeerName::Kind::dns, "example.com"};
        const CertificatePtr pool[] = {intermediate};
        if (!verify_certificate(leaf, pool, store, o).ok())
            cordon_fuzz::invariant_failed("the fixed chain does not validate", __FILE__, __LINE__);
    }
};


void check_path(const VerifiedPath& path, const CertificatePtr& leaf, const TrustStore& store,
                const VerifyOptions& options) {
    const auto& certs = path.certificates;
    CORDON_FUZZ_CHECK(certs.size() >= 2);
    CORDON_FUZZ_CHECK(certs.front() == leaf);
    CORDON_FUZZ_CHECK(std::any_of(store.anchors().begin(), store.anchors().end(),
                                  [&](const CertificatePtr& a) { return a == certs.back(); }));
    CORDON_FUZZ_CHECK(certs.size() <= options.max_intermediates + 2 + 4);
    for (std::size_t i = 0; i < certs.size(); ++i) {
        CORDON_FUZZ_CHECK(options.now >= certs[i]->not_before && options.now <= certs[i]->not_after);
        CORDON_FUZZ_CHECK(certs[i]->version == 3);
        if (i + 1 < certs.size()) CORDON_FUZZ_CHECK(names_match(certs[i]->issuer, certs[i + 1]->subject));
        for (std::size_t j = 0; j < i; ++j) CORDON_FUZZ_CHECK(!cordon_fuzz::same_bytes(certs[i]->der(), certs[j]->der()));
        if (i > 0) CORDON_FUZZ_CHECK(certs[i]->basic_constraints && certs[i]->basic_constraints->ca);
    }
    if (options.peer_name) {
        const PeerName& p = *options.peer_name;
        bool found = false;
        for (const auto& g : leaf->subject_alt_names) {
            if (p.kind == PeerName::Kind::dns && g.kind == GeneralName::Kind::dns)
                found = found || dns_name_matches(as_text(g.value), p.value);
            if (p.kind == PeerName::Kind::ip && g.kind == GeneralName::Kind::ip) {
                auto ip = parse_ip_address(p.value);
                found = found || (ip && cordon_fuzz::same_bytes(ip->view(), g.value));
            }
        }
        CORDON_FUZZ_CHECK(found);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixed fixed;
    cordon_fuzz::Input in(data, size);
    const std::uint8_t flags = in.u8();
    const std::uint8_t budget = in.u8();
    const auto offset = static_cast<std::int32_t>(static_cast<std::uint32_t>(in.u16()) << 16 | in.u16());
    const Bytes name = in.field(64);

    std::vector<CertificatePtr> fuzzed;
    for (int i = 0; i < 8 && !in.empty(); ++i) {
        auto c = Certificate::parse(in.field(4096));
        if (c) fuzzed.push_back(std::make_shared<const Certificate>(std::move(*c)));
    }

    TrustStore store;
    if (flags & 2) store.add(fixed.root);
    if ((flags & 128) && !fuzzed.empty()) store.add(fuzzed.back());
    std::vector<CertificatePtr> pool;
    CertificatePtr leaf;
    if (flags & 8) {
        leaf = fixed.leaf;
        pool = fuzzed;
    } else {
        if (fuzzed.empty()) return 0;
        leaf = fuzzed.front();
        pool.assign(fuzzed.begin() + 1, fuzzed.end());
    }
    if (flags & 4) {
        // Interleaved with the fuzzed ones, so order matters to the search.
        pool.insert(pool.begin() + static_cast<std::ptrdiff_t>(pool.size() / 2), fixed.constrained);
        pool.push_back(fixed.intermediate);
    }

    VerifyOptions options;
    options.now = fixed.base + offset;
    options.purpose = (flags & 16) ? Purpose::client_auth : Purpose::server_auth;
    options.max_signature_checks = 64 - (budget & 63u);
    options.max_intermediates = 8u >> (budget >> 6);
    const std::string peer(reinterpret_cast<const char*>(name.data()), name.size());
    switch ((flags >> 5) & 3) {
        case 0: break;
        case 1: options.peer_name = PeerName{PeerName::Kind::dns, peer}; break;
        case 2: options.peer_name = PeerName{PeerName::Kind::ip, peer}; break;
        case 3: options.peer_name = PeerName{PeerName::Kind::dns, "example.com"}; break;
    }
    const bool accept_all = (flags & 1) != 0;
    if (accept_all) options.provider = &fixed.accept_all.provider;

    signature_calls = 0;
    auto result = verify_certificate(leaf, pool, store, options);
    if (accept_all) CORDON_FUZZ_CHECK(signature_calls <= options.max_signature_checks);
    if (result.ok()) {
        check_path(*result, leaf, store, options);
    } else {
        const ErrorCode code = result.error().code;
        CORDON_FUZZ_CHECK(code == ErrorCode::certificate_expired || code == ErrorCode::unknown_issuer ||
                          code == ErrorCode::certificate_name_mismatch || code == ErrorCode::bad_certificate ||
                          code == ErrorCode::unsupported_certificate || code == ErrorCode::bad_signature ||
                          code == ErrorCode::invalid_argument || code == ErrorCode::invalid_public_key ||
                          code == ErrorCode::weak_key || code == ErrorCode::decode_error);
    }
    // Deterministic: the same call, the same verdict (checked where it is cheap).
    if (!accept_all) return 0;
    auto again = verify_certificate(leaf, pool, store, options);
    CORDON_FUZZ_CHECK(again.ok() == result.ok());
    if (!again.ok()) CORDON_FUZZ_CHECK(again.error().code == result.error().code);
    return 0;
}
