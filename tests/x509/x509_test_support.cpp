#include "x509/x509_test_support.hpp"

#include <stdlib.h>  // mkdtemp

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "codec/der.hpp"

namespace x509test {

ByteVec read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    return ByteVec(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, std::string_view contents) {
    std::ofstream out(path, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
}

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/cordon-x509-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string run(const std::string& command) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
    std::string output;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
    const int status = pclose(pipe);
    if (status != 0) throw std::runtime_error("command failed (status " + std::to_string(status) + "): " + command + "\n" + output);
    return output;
}

std::string Pki::openssl(const std::string& args) const {
    const std::string err = dir_.file("openssl.err");
    try {
        return run("cd '" + dir_.path() + "' && openssl " + args + " 2>'" + err + "'");
    } catch (const std::runtime_error& e) {
        std::string message = e.what();
        try {
            const ByteVec log = read_file(err);
            message.append(log.begin(), log.end());
        } catch (const std::runtime_error&) {
        }
        throw std::runtime_error(message);
    }
}

namespace {

// The algorithm and options for `genpkey -algorithm` and `req -newkey`.
std::string key_algorithm(KeyType type) {
    switch (type) {
        case KeyType::rsa1024: return "RSA -pkeyopt rsa_keygen_bits:1024";
        case KeyType::rsa2048: return "RSA -pkeyopt rsa_keygen_bits:2048";
        case KeyType::p256: return "EC -pkeyopt ec_paramgen_curve:P-256";
        case KeyType::p384: return "EC -pkeyopt ec_paramgen_curve:P-384";
        case KeyType::ed25519: return "ED25519";
        case KeyType::rsa_pss2048: return "RSA-PSS -pkeyopt rsa_keygen_bits:2048";
        case KeyType::rsa_pss2048_sha384:
            return "RSA-PSS -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_pss_keygen_md:sha384 "
                   "-pkeyopt rsa_pss_keygen_mgf1_md:sha384 -pkeyopt rsa_pss_keygen_saltlen:48";
    }
    return "";
}

}  // namespace

void Pki::key(const std::string& name, KeyType type) {
    openssl("genpkey -algorithm " + key_algorithm(type) + " -out '" + name + ".key'");
}

ByteVec Pki::issue(const std::string& name, const CertSpec& spec) {
    std::string config = "[req]\ndistinguished_name = dn\nstring_mask = utf8only\n[dn]\n[ext]\n";
    for (const auto& line : spec.extensions) config += line + "\n";
    write_file(dir_.file(name + ".cnf"), config);
    const std::string key = spec.new_key ? name : spec.key;
    std::string args = "req -x509 -config '" + name + ".cnf' -extensions ext -subj '" + spec.subject + "' -days " +
                       std::to_string(spec.days) + " -set_serial " + spec.serial;
    if (spec.new_key) {
        args += " -newkey " + key_algorithm(*spec.new_key) + " -nodes -keyout '" + key + ".key'";
    } else {
        args += " -new -key '" + key + ".key'";
    }
    if (!spec.issuer.empty()) {
        const auto it = key_of_.find(spec.issuer);
        if (it == key_of_.end()) throw std::runtime_error("unknown issuer " + spec.issuer);
        args += " -CA '" + spec.issuer + ".der' -CAkey '" + it->second + ".key'";
    }
    if (!spec.digest.empty()) args += " -" + spec.digest;
    if (!spec.extra_args.empty()) args += " " + spec.extra_args;
    // DER only: `openssl x509` to convert costs as much again (PEM is made on demand).
    openssl(args + " -outform DER -out '" + name + ".der'");
    std::filesystem::remove(dir_.file(name + ".pem"));
    key_of_[name] = key;
    return der(name);
}

std::string Pki::pem(const std::string& name) const {
    if (!std::filesystem::exists(dir_.file(name + ".pem")))
        openssl("x509 -inform DER -in '" + name + ".der' -out '" + name + ".pem'");
    const ByteVec bytes = read_file(dir_.file(name + ".pem"));
    return std::string(bytes.begin(), bytes.end());
}

tls::x509::CertificatePtr Pki::cert(const std::string& name) const { return parse_cert(der(name)); }

ByteVec Pki::public_key_der(const std::string& key) const {
    openssl("pkey -in '" + key + ".key' -pubout -outform DER -out '" + key + ".pub.der'");
    return read_file(dir_.file(key + ".pub.der"));
}

void Pki::rewrite_key_algorithm(const std::string& key, const std::string& out, Bytes algorithm_der) const {
    openssl("pkey -in '" + key + ".key' -outform DER -out '" + out + ".p8.der'");
    Tlv info = Tlv::parse(read_file(dir_.file(out + ".p8.der")));
    info.children.at(1) = Tlv::parse(algorithm_der);
    const ByteVec der = info.encode();
    write_file(dir_.file(out + ".p8.der"), std::string_view(reinterpret_cast<const char*>(der.data()), der.size()));
    openssl("pkey -inform DER -in '" + out + ".p8.der' -out '" + out + ".key'");
}

tls::x509::CertificatePtr parse_cert(Bytes der) {
    auto c = tls::x509::Certificate::parse(der);
    if (!c) throw std::runtime_error(std::string("cordon refused a test certificate: ") + c.error().message);
    return std::make_shared<const tls::x509::Certificate>(std::move(*c));
}

tls::x509::Time parse_iso_time(std::string_view text) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%d-%d-%d %d:%d:%dZ", &y, &mo, &d, &h, &mi, &s) != 6)
        throw std::runtime_error("bad ISO 8601 time: " + copy);
    return tls::codec::der::seconds_since_epoch(y, mo, d, h, mi, s);
}

ByteVec encode_length(std::size_t n) {
    if (n < 0x80) return {static_cast<std::uint8_t>(n)};
    ByteVec digits;
    for (; n != 0; n >>= 8) digits.insert(digits.begin(), static_cast<std::uint8_t>(n));
    digits.insert(digits.begin(), static_cast<std::uint8_t>(0x80 | digits.size()));
    return digits;
}

ByteVec encode_tlv(std::uint8_t tag, Bytes contents) {
    ByteVec out{tag};
    const ByteVec length = encode_length(contents.size());
    out.insert(out.end(), length.begin(), length.end());
    out.insert(out.end(), contents.begin(), contents.end());
    return out;
}

ByteVec Tlv::contents() const {
    if (!constructed()) return value;
    ByteVec out;
    for (const auto& child : children) {
        const ByteVec e = child.encode();
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

ByteVec Tlv::encode() const { return encode_tlv(tag, contents()); }

Tlv Tlv::primitive(std::uint8_t tag, ByteVec value) {
    Tlv t;
    t.tag = tag;
    t.value = std::move(value);
    return t;
}

namespace {

Tlv parse_element(tls::codec::Reader& r) {
    auto e = tls::codec::der::read_element(r);
    if (!e) throw std::runtime_error(std::string("Tlv::parse: ") + e.error().message);
    Tlv t;
    t.tag = e->tag;
    if (t.constructed()) {
        tls::codec::Reader inner(e->contents);
        while (!inner.empty()) t.children.push_back(parse_element(inner));
    } else {
        t.value.assign(e->contents.begin(), e->contents.end());
    }
    return t;
}

}  // namespace

Tlv Tlv::parse(Bytes der) {
    tls::codec::Reader r(der);
    Tlv t = parse_element(r);
    if (!r.empty()) throw std::runtime_error("Tlv::parse: trailing bytes");
    return t;
}

Tlv make_extension(Bytes oid, bool critical, Bytes value) {
    Tlv ext;
    ext.tag = 0x30;
    ext.children.push_back(Tlv::primitive(0x06, ByteVec(oid.begin(), oid.end())));
    if (critical) ext.children.push_back(Tlv::primitive(0x01, {0xff}));
    ext.children.push_back(Tlv::primitive(0x04, ByteVec(value.begin(), value.end())));
    return ext;
}

}  // namespace x509test
