// X.509: parsing a leaf certificate and validating a three-certificate chain
// (root -> intermediate -> leaf with a SAN, including the host-name check, at a
// fixed time):
//   x509/parse/leaf-ecdsa-p256, x509/parse/leaf-rsa2048
//   x509/verify/chain3-ecdsa-p256, x509/verify/chain3-rsa2048
//
// Both libraries handle the same certificates, made once at start-up with the
// openssl command line in a temporary directory. cordon: Certificate::parse and
// verify_certificate (certificates parsed beforehand). OpenSSL: d2i_X509, and
// X509_STORE_CTX_init + X509_verify_cert with X509_VERIFY_PARAM_set1_host and a
// fixed time on a reused context, as a TLS client does per handshake. Each
// verifies two signatures (the intermediate's and the leaf's; the root is
// trusted as given) and refuses a wrong host name, checked before timing.
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>

#include "bench_common.hpp"
#include "x509/verify.hpp"

namespace cordon_bench {
namespace {

using tls::x509::Certificate;
using tls::x509::CertificatePtr;

enum class ChainKind { ecdsa_p256, rsa2048, count };

constexpr const char* host = "www.example.com";

struct ChainFiles {
    std::vector<std::uint8_t> root, intermediate, leaf;
};

std::vector<std::uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Makes root -> intermediate -> leaf with the openssl CLI; empty on failure.
ChainFiles make_chain(ChainKind kind) {
    std::string dir = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
                      "/cordon-bench-x509-XXXXXX";
    if (mkdtemp(dir.data()) == nullptr) return {};
    const std::string config = dir + "/x509.cnf";
    std::ofstream(config) << "[req]\ndistinguished_name = dn\n[dn]\n"
                             "[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
                             "[leaf]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n"
                             "extendedKeyUsage = serverAuth\n"
                             "subjectAltName = DNS:example.com,DNS:*.example.com,IP:192.0.2.1\n";
    const std::string algorithm = kind == ChainKind::rsa2048 ? "RSA -pkeyopt rsa_keygen_bits:2048"
                                                             : "EC -pkeyopt ec_paramgen_curve:P-256";
    const std::string req = "openssl req -x509 -config x509.cnf -sha256 -outform DER -newkey " + algorithm + " -nodes";
    const std::string script =
        "cd '" + dir + "' && " + req +
        " -keyout root.key -extensions ca -subj '/C=US/O=Cordon Bench/CN=Bench Root' -days 3650 -set_serial 1"
        " -out root.der && " +
        req +
        " -keyout int.key -extensions ca -subj '/C=US/O=Cordon Bench/CN=Bench Intermediate' -days 1825"
        " -set_serial 2 -CA root.der -CAkey root.key -out int.der && " +
        req +
        " -keyout leaf.key -extensions leaf -subj '/CN=example.com' -days 90 -set_serial 3"
        " -CA int.der -CAkey int.key -out leaf.der";
    ChainFiles files;
    if (std::system(("{ " + script + "; } >/dev/null 2>&1").c_str()) == 0) {
        files.root = read_file(dir + "/root.der");
        files.intermediate = read_file(dir + "/int.der");
        files.leaf = read_file(dir + "/leaf.der");
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return files;
}

// The chain of a kind, made on first use; nullptr if openssl failed.
const ChainFiles* chain(ChainKind kind) {
    static ChainFiles chains[static_cast<std::size_t>(ChainKind::count)];
    static std::once_flag made[static_cast<std::size_t>(ChainKind::count)];
    const auto i = static_cast<std::size_t>(kind);
    std::call_once(made[i], [&] { chains[i] = make_chain(kind); });
    const ChainFiles& c = chains[i];
    return c.root.empty() || c.intermediate.empty() || c.leaf.empty() ? nullptr : &c;
}

CertificatePtr cordon_cert(const std::vector<std::uint8_t>& der) {
    auto c = Certificate::parse(der);
    if (!c) return nullptr;
    return std::make_shared<const Certificate>(std::move(*c));
}

struct X509Free {
    void operator()(X509* p) const noexcept { X509_free(p); }
    void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
    void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
    void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_free(p); }
};
template <class T>
using X509Owned = std::unique_ptr<T, X509Free>;

X509Owned<X509> openssl_cert(const std::vector<std::uint8_t>& der) {
    const unsigned char* p = der.data();
    return X509Owned<X509>(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

// --- parse ---

void cordon_parse(benchmark::State& state, ChainKind kind) {
    const ChainFiles* c = chain(kind);
    if (c == nullptr) return state.SkipWithError("openssl CLI: making the certificates failed");
    {
        auto first = Certificate::parse(c->leaf);
        if (!first) return skip(state, "Certificate::parse", first.error());
        if (first->subject_alt_names.size() != 3) return state.SkipWithError("parsed leaf lacks its SAN entries");
    }
    for (auto _ : state) {
        auto parsed = Certificate::parse(c->leaf);
        if (!parsed) {
            skip(state, "Certificate::parse", parsed.error());
            break;
        }
        benchmark::DoNotOptimize(parsed->not_after);
    }
}

void openssl_parse(benchmark::State& state, ChainKind kind) {
    const ChainFiles* c = chain(kind);
    if (c == nullptr) return state.SkipWithError("openssl CLI: making the certificates failed");
    for (auto _ : state) {
        const unsigned char* p = c->leaf.data();
        X509* x = d2i_X509(nullptr, &p, static_cast<long>(c->leaf.size()));
        if (x == nullptr) {
            skip_openssl(state, "d2i_X509");
            break;
        }
        benchmark::DoNotOptimize(x);
        X509_free(x);
    }
}

// --- verify ---

void cordon_verify(benchmark::State& state, ChainKind kind) {
    const ChainFiles* c = chain(kind);
    if (c == nullptr) return state.SkipWithError("openssl CLI: making the certificates failed");
    const CertificatePtr root = cordon_cert(c->root), intermediate = cordon_cert(c->intermediate),
                         leaf = cordon_cert(c->leaf);
    if (!root || !intermediate || !leaf) return state.SkipWithError("Certificate::parse refused the chain");
    tls::x509::TrustStore store;
    store.add(root);
    const CertificatePtr pool[] = {intermediate};
    tls::x509::VerifyOptions options;
    options.now = leaf->not_before + 86400;
    options.peer_name = tls::x509::PeerName{tls::x509::PeerName::Kind::dns, host};

    // A verifier that accepts everything would be fast and useless.
    auto wrong = options;
    wrong.peer_name->value = "www.example.org";
    if (tls::x509::verify_certificate(leaf, pool, store, wrong).ok())
        return state.SkipWithError("verify_certificate accepts a wrong host name");
    auto first = tls::x509::verify_certificate(leaf, pool, store, options);
    if (!first) return skip(state, "verify_certificate", first.error());
    if (first->certificates.size() != 3) return state.SkipWithError("verified path is not three certificates");

    for (auto _ : state) {
        auto r = tls::x509::verify_certificate(leaf, pool, store, options);
        if (!r) {
            skip(state, "verify_certificate", r.error());
            break;
        }
        benchmark::DoNotOptimize(r->certificates.data());
    }
}

// One verification on a reused context: init, host and time, verify, cleanup.
bool openssl_verify_once(X509_STORE_CTX* ctx, X509_STORE* store, X509* leaf, STACK_OF(X509)* untrusted,
                         const char* name, time_t at) {
    if (X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) return false;
    X509_STORE_CTX_set_time(ctx, 0, at);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
    const bool ok = X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER) == 1 &&
                    X509_VERIFY_PARAM_set1_host(param, name, 0) == 1 && X509_verify_cert(ctx) == 1;
    X509_STORE_CTX_cleanup(ctx);
    return ok;
}

void openssl_verify(benchmark::State& state, ChainKind kind) {
    const ChainFiles* c = chain(kind);
    if (c == nullptr) return state.SkipWithError("openssl CLI: making the certificates failed");
    auto root = openssl_cert(c->root), intermediate = openssl_cert(c->intermediate), leaf = openssl_cert(c->leaf);
    if (!root || !intermediate || !leaf) return skip_openssl(state, "d2i_X509");
    X509Owned<X509_STORE> store(X509_STORE_new());
    X509Owned<STACK_OF(X509)> untrusted(sk_X509_new_null());
    X509Owned<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx || X509_STORE_add_cert(store.get(), root.get()) != 1 ||
        sk_X509_push(untrusted.get(), intermediate.get()) <= 0)
        return skip_openssl(state, "X509_STORE setup");
    // The same instant as cordon's: a day after the leaf's notBefore.
    const auto cordon_leaf = cordon_cert(c->leaf);
    if (!cordon_leaf) return state.SkipWithError("Certificate::parse refused the leaf");
    const auto at = static_cast<time_t>(cordon_leaf->not_before + 86400);

    if (openssl_verify_once(ctx.get(), store.get(), leaf.get(), untrusted.get(), "www.example.org", at))
        return state.SkipWithError("X509_verify_cert accepts a wrong host name");
    ERR_clear_error();
    if (!openssl_verify_once(ctx.get(), store.get(), leaf.get(), untrusted.get(), host, at))
        return skip_openssl(state, "X509_verify_cert");

    for (auto _ : state) {
        if (!openssl_verify_once(ctx.get(), store.get(), leaf.get(), untrusted.get(), host, at)) {
            skip_openssl(state, "X509_verify_cert");
            break;
        }
    }
}

struct ChainInfo {
    ChainKind kind;
    const char* parse_name;
    const char* verify_name;
};

constexpr ChainInfo chains[] = {
    {ChainKind::ecdsa_p256, "x509/parse/leaf-ecdsa-p256", "x509/verify/chain3-ecdsa-p256"},
    {ChainKind::rsa2048, "x509/parse/leaf-rsa2048", "x509/verify/chain3-rsa2048"},
};

}  // namespace

void register_x509_benchmarks() {
    for (const ChainInfo& info : chains) {
        const ChainKind kind = info.kind;
        add("cordon", info.parse_name, [kind](benchmark::State& state) { cordon_parse(state, kind); });
        add(openssl_name, info.parse_name, [kind](benchmark::State& state) { openssl_parse(state, kind); });
    }
    for (const ChainInfo& info : chains) {
        const ChainKind kind = info.kind;
        add("cordon", info.verify_name, [kind](benchmark::State& state) { cordon_verify(state, kind); })
            ->Unit(benchmark::kMicrosecond);
        add(openssl_name, info.verify_name, [kind](benchmark::State& state) { openssl_verify(state, kind); })
            ->Unit(benchmark::kMicrosecond);
    }
}

}  // namespace cordon_bench
