// Shared set-up for connection tests: configurations over the test PKI in
// tests/data/certs, a deterministic RNG and clock, and a loop that moves bytes
// between a client and a server in memory.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tls/connection.hpp"

namespace test {

std::string read_text_file(const std::string& path);
// tests/data/certs/<name>
std::string cert_path(const std::string& name);

// A fixed time inside the test PKI's validity (2026-06-01).
inline constexpr std::int64_t test_now = 1780272000;

tls::ClientSettings client_settings();  // trusts ca.pem, test clock
tls::ServerSettings server_settings(const std::string& leaf = "leaf-p256");  // leaf-<kind>.pem/.key

std::shared_ptr<const tls::ClientConfig> client_config(tls::ClientSettings s = client_settings());
std::shared_ptr<const tls::ServerConfig> server_config(tls::ServerSettings s = server_settings());

// Moves every pending byte from one side to the other until neither has
// anything to send. chunk limits the bytes handed over per feed() call.
void pump(tls::Connection& client, tls::Connection& server, std::size_t chunk = SIZE_MAX);

// Sends all of `from`'s output into `to`, `chunk` bytes per feed. Plaintext
// that shows up at `to` is read as it arrives and kept for take_received().
void transfer(tls::Connection& from, tls::Connection& to, std::size_t chunk = SIZE_MAX);

// Everything a connection received through transfer()/pump() so far (then forgotten).
std::string take_received(const tls::Connection& connection);

}  // namespace test
