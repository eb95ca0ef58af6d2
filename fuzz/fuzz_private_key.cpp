// Arbitrary bytes into the private key parsers (src/x509/private_key.hpp), all
// of them on every input:
//
// 1. The input as DER: PKCS#8, SEC1 ECPrivateKey and PKCS#1 RSAPrivateKey, and
//    as an EncryptedPrivateKeyInfo opened with the password "fuzz" (the seeds
//    are encrypted with it at iteration count 1).
// 2. The input as PEM text, with the same password.
//
// Key derivation is capped at 64 iterations, so inputs with huge counts are
// refused at once instead of timing out. Checks beyond "no crash, leak or UB":
// only the documented error codes; every component of a parsed key views the
// key's own DER; a parsed key that loads (default provider) signs, for EC and
// Ed25519, a message its own public key verifies.
#include <cstdint>
#include <string_view>
#include <variant>

#include "fuzz_input.hpp"
#include "tls/crypto.hpp"
#include "x509/private_key.hpp"

namespace {

using cordon_fuzz::inside;

using namespace tls;
using tls::x509::LoadedPrivateKey;
using tls::x509::PrivateKeyFormat;
using Bytes = tls::crypto::Bytes;

constexpr std::string_view password = "fuzz";
constexpr tls::x509::KdfLimits limits{64};

void check_parse_error(const Error& e) {
    CORDON_FUZZ_CHECK(e.code == ErrorCode::decode_error || e.code == ErrorCode::unsupported ||
                      e.code == ErrorCode::bad_password);
    CORDON_FUZZ_CHECK(e.message != nullptr);
}

void check_key(const LoadedPrivateKey& key) {
    const Bytes der = key.der();
    if (const auto* rsa = std::get_if<crypto::RsaPrivateKey>(&key.components())) {
        for (Bytes part : {rsa->modulus, rsa->public_exponent, rsa->private_exponent, rsa->prime1, rsa->prime2,
                           rsa->exponent1, rsa->exponent2, rsa->coefficient})
            CORDON_FUZZ_CHECK(inside(part, der) && !part.empty());
        return;  // RSA loads are slow and mbedTLS' own business; the parse is what is fuzzed here
    }
    if (const auto* ec = std::get_if<crypto::EcPrivateKey>(&key.components())) {
        CORDON_FUZZ_CHECK(inside(ec->scalar, der));
        CORDON_FUZZ_CHECK(ec->scalar.size() == (ec->curve == crypto::NamedGroup::secp256r1 ? 32u : 48u));
    } else {
        const auto& ed = std::get<crypto::Ed25519PrivateKey>(key.components());
        CORDON_FUZZ_CHECK(inside(ed.seed, der) && ed.seed.size() == 32);
    }
    if (key.stated_public_key()) CORDON_FUZZ_CHECK(inside(*key.stated_public_key(), der));

    const auto& provider = crypto::default_provider();
    auto signer = tls::x509::load_signing_key(key, provider);
    if (!signer) {
        const auto code = signer.error().code;
        CORDON_FUZZ_CHECK(code == ErrorCode::invalid_argument || code == ErrorCode::unsupported);
        return;
    }
    // Sign and verify: the loaded key and the public key it reports belong together.
    using crypto::SignatureScheme;
    for (auto scheme : {SignatureScheme::ecdsa_secp256r1_sha256, SignatureScheme::ecdsa_secp384r1_sha384,
                        SignatureScheme::ed25519}) {
        if (!(*signer)->supports(scheme)) continue;
        static const std::uint8_t message[] = "fuzz";
        std::uint8_t signature[160];
        auto n = (*signer)->sign(scheme, message, *provider.rng, signature);
        CORDON_FUZZ_CHECK(n.ok());
        const auto* verifier = provider.find(scheme);
        CORDON_FUZZ_CHECK(verifier != nullptr);
        CORDON_FUZZ_CHECK(verifier->verify((*signer)->public_key(), message, Bytes(signature, *n)).ok());
    }
}

void parse_as(Bytes der, PrivateKeyFormat format) {
    auto key = LoadedPrivateKey::parse(der, format);
    if (!key) return check_parse_error(key.error());
    CORDON_FUZZ_CHECK(key->format() == format);
    check_key(*key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Bytes input(data, size);
    parse_as(input, PrivateKeyFormat::pkcs8);
    parse_as(input, PrivateKeyFormat::sec1);
    parse_as(input, PrivateKeyFormat::pkcs1);

    auto decrypted = LoadedPrivateKey::decrypt_pkcs8(input, password, crypto::default_provider(), limits);
    if (decrypted) check_key(*decrypted);
    else check_parse_error(decrypted.error());

    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto from_pem = tls::x509::parse_private_key_pem(text, password, crypto::default_provider(), limits);
    if (from_pem) check_key(*from_pem);
    else check_parse_error(from_pem.error());
    return 0;
}
