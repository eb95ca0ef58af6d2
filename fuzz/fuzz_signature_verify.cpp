// Arbitrary public keys and signatures into every verify routine of every backend,
// and the ECDSA DER signature codec (parse then re-encode must give the same bytes).
//
// Input layout (see fuzz_input.hpp: short input reads as zeros / empty fields):
//   u8   kind        % 3: 0 RSA, 1 EC, 2 Ed25519
//   u8   curve       EC only, % 6: secp256r1, secp384r1, secp521r1, x25519, x448, 0xfafa
//   u8   pss         explicit RSASSA-PSS: bits 0-1 hash, bits 2-3 MGF1 hash (HashAlgorithm order),
//                    bit 4: the RSA key is an id-RSASSA-PSS one (pss_only), bit 5: with these
//                    parameters as its own (pss_params),
//                    bit 7 set: the salt size below is SIZE_MAX - salt (overflow checks)
//   u16  salt        explicit RSASSA-PSS salt length
//   u16+ key         RSA modulus (at most 1100 bytes) / EC point / Ed25519 key
//   u16+ exponent    RSA public exponent (at most 64 bytes; read for every kind)
//   u16+ message     at most 4096 bytes
//   ...  signature   the rest
// (u16+ is a 2-byte big-endian length followed by that many bytes.)
//
// Nothing here may crash, leak or trip a sanitizer. Beyond that the checks are:
//   - a failed verification reports one of the documented error codes;
//   - every provider offering a scheme gives the same verdict for it;
//   - parse_ecdsa_signature -> encode_ecdsa_signature is byte-identical, and
//     encode -> parse gives back the (minimal) integers.
#include <array>
#include <cstdint>
#include <cstring>
#include <variant>

#include "crypto/ecdsa_signature.hpp"
#include "fuzz_input.hpp"
#include "tls/crypto/provider.hpp"

namespace {

using cordon_fuzz::same_bytes;

using namespace tls;
using namespace tls::crypto;

constexpr std::size_t max_modulus_bytes = 1100;  // > 8192 bits: the size limit itself is exercised
constexpr std::size_t max_exponent_bytes = 64;
constexpr std::size_t max_message_bytes = 4096;

constexpr NamedGroup curves[] = {NamedGroup::secp256r1, NamedGroup::secp384r1, NamedGroup::secp521r1,
                                 NamedGroup::x25519,    NamedGroup::x448,      static_cast<NamedGroup>(0xfafa)};

const std::array<const CryptoProvider*, 4>& providers() {
    static const std::array<const CryptoProvider*, 4> all{&sodium_provider(), &mbedtls_provider(),
                                                          &native_provider(), &default_provider()};
    return all;
}

bool documented_failure(const Result<void>& r) {
    if (r.error().message == nullptr) return false;
    switch (r.error().code) {
        case ErrorCode::bad_signature:
        case ErrorCode::invalid_public_key:
        case ErrorCode::weak_key:
        case ErrorCode::decode_error:
        case ErrorCode::unsupported:        // explicit PSS parameters naming SHA-1
        case ErrorCode::illegal_parameter:  // an RSA scheme or parameters the key's type does not allow
            return true;
        default:
            return false;
    }
}

Bytes strip_leading_zeros(Bytes v) {
    while (v.size() > 1 && v[0] == 0) v = v.subspan(1);
    return v;
}

// DER -> parts -> DER must be the identity on everything the strict parser accepts.
void check_ecdsa_parse_encode(Bytes der) {
    auto parts = parse_ecdsa_signature(der);
    if (!parts) {
        CORDON_FUZZ_CHECK(parts.error().code == ErrorCode::decode_error);
        return;
    }
    // Minimal magnitudes: non-empty, no leading zero unless the value is zero.
    for (Bytes v : {parts->r, parts->s}) {
        CORDON_FUZZ_CHECK(!v.empty());
        CORDON_FUZZ_CHECK(v.size() == 1 || v[0] != 0);
        CORDON_FUZZ_CHECK(v.data() >= der.data() && v.data() + v.size() <= der.data() + der.size());
    }
    std::uint8_t out[512];
    auto n = encode_ecdsa_signature(parts->r, parts->s, out);
    if (!n) {
        // The encoder's documented limit: components of at most 126 bytes.
        CORDON_FUZZ_CHECK(parts->r.size() > 126 || parts->s.size() > 126);
        return;
    }
    CORDON_FUZZ_CHECK(same_bytes(Bytes(out, *n), der));
}

// parts -> DER -> parts gives the same integers (leading zeros stripped).
void check_ecdsa_encode_parse(Bytes r, Bytes s) {
    std::uint8_t out[512];
    auto n = encode_ecdsa_signature(r, s, out);
    if (!n) {
        CORDON_FUZZ_CHECK(r.empty() || s.empty() || strip_leading_zeros(r).size() > 126 ||
                          strip_leading_zeros(s).size() > 126);
        return;
    }
    auto parts = parse_ecdsa_signature(Bytes(out, *n));
    CORDON_FUZZ_CHECK(parts.ok());
    CORDON_FUZZ_CHECK(same_bytes(parts->r, strip_leading_zeros(r)));
    CORDON_FUZZ_CHECK(same_bytes(parts->s, strip_leading_zeros(s)));
    // A buffer one byte short must fail cleanly, not truncate.
    std::uint8_t shorter[512];
    CORDON_FUZZ_CHECK(!encode_ecdsa_signature(r, s, MutableBytes(shorter, *n - 1)).ok());
}

// The verdict per scheme of the first provider that offered it.
struct Verdict {
    SignatureScheme scheme;
    bool ok;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cordon_fuzz::Input in(data, size);
    const std::uint8_t kind = in.u8() % 3;
    const NamedGroup curve = curves[in.u8() % std::size(curves)];
    const std::uint8_t pss = in.u8();
    const std::uint16_t salt = in.u16();
    const std::size_t salt_size = (pss & 0x80) ? SIZE_MAX - salt : salt;
    const Bytes key_bytes = in.field(max_modulus_bytes);
    const Bytes exponent = in.field(max_exponent_bytes);
    const Bytes message = in.field(max_message_bytes);
    const Bytes signature = in.rest();

    const RsaPssParams params{static_cast<HashAlgorithm>(pss & 3), static_cast<HashAlgorithm>((pss >> 2) & 3),
                              salt_size};
    PublicKey key;
    switch (kind) {
        case 0: {
            RsaPublicKey rsa{key_bytes, exponent};
            rsa.pss_only = (pss & 0x10) != 0;
            if (pss & 0x20) rsa.pss_params = params;
            key = rsa;
            break;
        }
        case 1: key = EcPublicKey{curve, key_bytes}; break;
        default: key = Ed25519PublicKey{key_bytes}; break;
    }

    Verdict verdicts[32];
    std::size_t verdict_count = 0;
    int pss_verdict = -1;  // the same for explicit-parameter PSS
    for (const CryptoProvider* p : providers()) {
        for (const SignatureVerifier* v : p->verifiers) {
            auto r = v->verify(key, message, signature);
            CORDON_FUZZ_CHECK(r.ok() || documented_failure(r));
            bool seen = false;
            for (std::size_t i = 0; i < verdict_count; ++i) {
                if (verdicts[i].scheme != v->scheme) continue;
                CORDON_FUZZ_CHECK(verdicts[i].ok == r.ok());  // backends disagree
                seen = true;
            }
            if (!seen && verdict_count < std::size(verdicts)) verdicts[verdict_count++] = {v->scheme, r.ok()};
        }
        if (p->rsa_pss != nullptr && kind == 0) {
            auto r = p->rsa_pss->verify(std::get<RsaPublicKey>(key), params, message, signature);
            CORDON_FUZZ_CHECK(r.ok() || documented_failure(r));
            if (pss_verdict == -1) pss_verdict = r.ok();
            CORDON_FUZZ_CHECK(pss_verdict == static_cast<int>(r.ok()));
        }
    }

    // The DER signature codec, on the signature field and on the whole input.
    check_ecdsa_parse_encode(signature);
    check_ecdsa_parse_encode(Bytes(data, size));
    check_ecdsa_encode_parse(key_bytes, exponent);
    return 0;
}
