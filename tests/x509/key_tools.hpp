// Helpers for the key-file tests: a scratch directory, the openssl and keytool
// command lines run in it (every key, certificate and keystore the tests read is
// made at run time by the real tools), and signature checks by OpenSSL's libcrypto.
#pragma once

#include <string>
#include <vector>

#include "support/hex.hpp"
#include "tls/crypto.hpp"

namespace keytest {

// A fresh directory under $TMPDIR (or /tmp), deleted with its contents at scope exit.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

// Runs `command` with sh in dir; stdout and stderr go to dir/last.log. Returns the exit status.
int run(const TempDir& dir, const std::string& command);
// The same, failing the test (with the log) unless the command succeeds.
void run_ok(const TempDir& dir, const std::string& command);
// Whether a program is on PATH.
bool have_program(const std::string& name);

std::string read_text(const std::string& path);
std::vector<std::uint8_t> read_bytes(const std::string& path);
void write_bytes(const std::string& path, tls::crypto::Bytes data);

// Whether OpenSSL's libcrypto accepts signature over message under scheme, with
// the public key from a PEM file holding a PUBLIC KEY or a CERTIFICATE (an
// RSA-PSS key checks a PSS signature as OpenSSL allows it: the key type is
// cordon's business, not this oracle's).
bool openssl_verifies(const std::string& pem_path, tls::crypto::SignatureScheme scheme, tls::crypto::Bytes message,
                      tls::crypto::Bytes signature);

// Signs a fixed message with key under scheme and asks OpenSSL to verify it.
bool signs_for_openssl(const tls::crypto::SigningKey& key, tls::crypto::SignatureScheme scheme,
                       const std::string& pem_path);

// A DER TLV with a definite, minimal length (for hand-built test inputs).
std::vector<std::uint8_t> der_tlv(std::uint8_t tag, const std::vector<std::uint8_t>& contents);

}  // namespace keytest
