#include "x509/key_tools.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace keytest {

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/cordon-keys-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

int run(const TempDir& dir, const std::string& command) {
    const std::string full = "cd '" + dir.path() + "' && (" + command + ") >last.log 2>&1 </dev/null";
    const int status = std::system(full.c_str());
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

void run_ok(const TempDir& dir, const std::string& command) {
    const int status = run(dir, command);
    INFO("command: " << command << "\n" << read_text(dir.file("last.log")));
    REQUIRE(status == 0);
}

bool have_program(const std::string& name) {
    return std::system(("command -v '" + name + "' >/dev/null 2>&1").c_str()) == 0;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> read_bytes(const std::string& path) {
    const std::string text = read_text(path);
    return {text.begin(), text.end()};
}

void write_bytes(const std::string& path, tls::crypto::Bytes data) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<EVP_PKEY, PkeyFree> read_public_key(const std::string& pem_path) {
    const std::string text = read_text(pem_path);
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (text.find("BEGIN CERTIFICATE") != std::string::npos) {
        std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!cert) return nullptr;
        return std::unique_ptr<EVP_PKEY, PkeyFree>(X509_get_pubkey(cert.get()));
    }
    return std::unique_ptr<EVP_PKEY, PkeyFree>(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

}  // namespace

bool openssl_verifies(const std::string& pem_path, tls::crypto::SignatureScheme scheme, tls::crypto::Bytes message,
                      tls::crypto::Bytes signature) {
    using tls::crypto::SignatureScheme;
    auto key = read_public_key(pem_path);
    if (!key) return false;
    const EVP_MD* md = nullptr;
    bool pss = false;
    switch (scheme) {
        case SignatureScheme::rsa_pss_rsae_sha256:
        case SignatureScheme::rsa_pss_pss_sha256: pss = true; [[fallthrough]];
        case SignatureScheme::rsa_pkcs1_sha256:
        case SignatureScheme::ecdsa_secp256r1_sha256: md = EVP_sha256(); break;
        case SignatureScheme::rsa_pss_rsae_sha384:
        case SignatureScheme::rsa_pss_pss_sha384: pss = true; [[fallthrough]];
        case SignatureScheme::rsa_pkcs1_sha384:
        case SignatureScheme::ecdsa_secp384r1_sha384: md = EVP_sha384(); break;
        case SignatureScheme::rsa_pss_rsae_sha512:
        case SignatureScheme::rsa_pss_pss_sha512: pss = true; [[fallthrough]];
        case SignatureScheme::rsa_pkcs1_sha512: md = EVP_sha512(); break;
        case SignatureScheme::ed25519: break;
        default: return false;
    }
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, key.get()) != 1) return false;
    if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
        return false;
    return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(), message.size()) == 1;
}

bool signs_for_openssl(const tls::crypto::SigningKey& key, tls::crypto::SignatureScheme scheme,
                       const std::string& pem_path) {
    static const std::uint8_t message[] = "cordon signs this; OpenSSL checks it";
    std::vector<std::uint8_t> signature(key.max_signature_size());
    test::TestRng rng(1);
    auto n = key.sign(scheme, message, rng, signature);
    if (!n) return false;
    signature.resize(*n);
    return openssl_verifies(pem_path, scheme, message, signature);
}

std::vector<std::uint8_t> der_tlv(std::uint8_t tag, const std::vector<std::uint8_t>& contents) {
    std::vector<std::uint8_t> out{tag};
    const std::size_t n = contents.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        std::vector<std::uint8_t> length;
        for (std::size_t l = n; l != 0; l >>= 8) length.insert(length.begin(), static_cast<std::uint8_t>(l));
        out.push_back(static_cast<std::uint8_t>(0x80 | length.size()));
        out.insert(out.end(), length.begin(), length.end());
    }
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

}  // namespace keytest
