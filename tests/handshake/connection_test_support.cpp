#include "handshake/connection_test_support.hpp"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

namespace test {

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string cert_path(const std::string& name) { return std::string(CORDON_SOURCE_DIR) + "/tests/data/certs/" + name; }

tls::ClientSettings client_settings() {
    tls::ClientSettings s;
    auto added = s.roots.add_pem(read_text_file(cert_path("ca.pem")));
    if (!added) throw std::runtime_error("cannot load ca.pem");
    s.clock = [] { return test_now; };
    return s;
}

tls::ServerSettings server_settings(const std::string& leaf) {
    tls::ServerSettings s;
    auto key = tls::CertifiedKey::from_files(cert_path(leaf + ".pem"), cert_path(leaf + ".key"));
    if (!key) throw std::runtime_error(std::string("cannot load ") + leaf + ": " + key.error().message);
    s.certificate = *key;
    s.clock = [] { return test_now; };
    return s;
}

std::shared_ptr<const tls::ClientConfig> client_config(tls::ClientSettings s) {
    auto c = tls::ClientConfig::build(std::move(s));
    if (!c) throw std::runtime_error(std::string("client config: ") + c.error().message);
    return *c;
}

std::shared_ptr<const tls::ServerConfig> server_config(tls::ServerSettings s) {
    auto c = tls::ServerConfig::build(std::move(s));
    if (!c) throw std::runtime_error(std::string("server config: ") + c.error().message);
    return *c;
}

namespace {
std::map<const tls::Connection*, std::string>& inboxes() {
    static std::map<const tls::Connection*, std::string> boxes;
    return boxes;
}
}  // namespace

std::string take_received(const tls::Connection& connection) {
    auto& boxes = inboxes();
    auto it = boxes.find(&connection);
    if (it == boxes.end()) return {};
    std::string out = std::move(it->second);
    boxes.erase(it);
    return out;
}

void transfer(tls::Connection& from, tls::Connection& to, std::size_t chunk) {
    std::string& received = inboxes()[&to];
    for (;;) {
        auto out = from.pending_output();
        if (out.empty()) break;
        std::vector<std::uint8_t> bytes(out.begin(), out.end());
        from.consume_output(bytes.size());
        std::size_t offset = 0;
        while (offset < bytes.size()) {
            const std::size_t n = std::min(chunk, bytes.size() - offset);
            std::size_t fed = 0;
            while (fed < n) {
                const std::size_t took = to.feed(tls::crypto::Bytes(bytes.data() + offset + fed, n - fed));
                fed += took;
                auto readable = to.readable();
                received.append(reinterpret_cast<const char*>(readable.data()), readable.size());
                if (!readable.empty()) to.consume_readable(readable.size());
                if (took == 0 && readable.empty()) break;  // ended (failed or closed)
            }
            if (fed < n) return;
            offset += n;
        }
    }
}

void pump(tls::Connection& client, tls::Connection& server, std::size_t chunk) {
    for (int round = 0; round < 64; ++round) {
        if (!client.has_output() && !server.has_output()) return;
        transfer(client, server, chunk);
        transfer(server, client, chunk);
    }
}

}  // namespace test
