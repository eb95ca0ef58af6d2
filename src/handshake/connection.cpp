// tls::Connection: the public face of ConnectionCore.
#include "tls/connection.hpp"

#include "handshake/client_handshake.hpp"
#include "handshake/connection_core.hpp"
#include "handshake/server_handshake.hpp"
#include "x509/name_matching.hpp"

namespace tls {

Result<Connection> Connection::client(std::shared_ptr<const ClientConfig> config, std::string_view server_name) {
    if (!config) return Error{ErrorCode::invalid_argument, "no configuration"};
    std::string name(server_name);
    if (!x509::parse_ip_address(name) && !x509::is_valid_reference_dns_name(name))
        return Error{ErrorCode::invalid_argument, "the server name is neither a DNS name nor an IP address"};
    if (!name.empty() && name.back() == '.') name.pop_back();
    const ClientConfig& c = *config;
    auto engine = handshake::make_client_engine(c, std::move(name));
    auto core = std::make_unique<handshake::ConnectionCore>(false, std::move(config), c.settings(), std::move(engine));
    core->start();
    return Connection(std::move(core));
}

Result<Connection> Connection::server(std::shared_ptr<const ServerConfig> config) {
    if (!config) return Error{ErrorCode::invalid_argument, "no configuration"};
    const ServerConfig& c = *config;
    auto engine = handshake::make_server_engine(c);
    auto core = std::make_unique<handshake::ConnectionCore>(true, std::move(config), c.settings(), std::move(engine));
    core->start();
    return Connection(std::move(core));
}

Connection::Connection(std::unique_ptr<handshake::ConnectionCore> core) noexcept : core_(std::move(core)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

std::size_t Connection::feed(crypto::Bytes data) { return core_->feed(data); }
crypto::MutableBytes Connection::input_space() { return core_->input_space(); }
void Connection::commit_input(std::size_t n) { core_->commit_input(n); }
crypto::Bytes Connection::pending_output() const noexcept { return core_->pending_output(); }
void Connection::consume_output(std::size_t n) noexcept { core_->consume_output(n); }
Result<void> Connection::write(crypto::Bytes plaintext) { return core_->write(plaintext); }
crypto::Bytes Connection::readable() const noexcept { return core_->readable(); }
void Connection::consume_readable(std::size_t n) { core_->consume_readable(n); }

std::size_t Connection::read(crypto::MutableBytes out) {
    std::size_t total = 0;
    while (total < out.size()) {
        auto available = core_->readable();
        if (available.empty()) break;
        const std::size_t n = std::min(available.size(), out.size() - total);
        std::copy_n(available.data(), n, out.data() + total);
        total += n;
        core_->consume_readable(n);
    }
    return total;
}

void Connection::close() { core_->close(); }
Connection::State Connection::state() const noexcept { return core_->state(); }
bool Connection::is_server() const noexcept { return core_->is_server(); }
bool Connection::handshake_complete() const noexcept { return core_->handshake_complete(); }

bool Connection::wants_input() const noexcept {
    const State s = core_->state();
    return (s == State::handshaking || s == State::established) && core_->readable().empty();
}

const ConnectionError* Connection::error() const noexcept { return core_->error(); }
std::optional<ProtocolVersion> Connection::version() const noexcept { return core_->negotiated().version; }
std::optional<CipherSuite> Connection::cipher_suite() const noexcept { return core_->negotiated().suite; }
std::optional<crypto::NamedGroup> Connection::group() const noexcept { return core_->negotiated().group; }
std::optional<crypto::SignatureScheme> Connection::signature_scheme() const noexcept {
    return core_->negotiated().signature_scheme;
}
std::string_view Connection::alpn_protocol() const noexcept { return core_->negotiated().alpn; }
std::string_view Connection::server_name() const noexcept { return core_->negotiated().server_name; }
const std::vector<Certificate>& Connection::peer_certificates() const noexcept { return core_->negotiated().peer_chain; }
Result<void> Connection::update_keys(bool request_peer_update) { return core_->update_keys(request_peer_update); }
Result<std::size_t> Connection::write_early_data(crypto::Bytes plaintext) { return core_->write_early_data(plaintext); }
Connection::EarlyData Connection::early_data_status() const noexcept { return core_->negotiated().early_data; }
bool Connection::readable_is_early() const noexcept { return core_->readable_is_early(); }
bool Connection::hello_retry_request() const noexcept { return core_->negotiated().hello_retry_request; }
bool Connection::resumed() const noexcept { return core_->negotiated().resumed; }

const char* to_string(Connection::State state) noexcept {
    switch (state) {
        case Connection::State::handshaking: return "handshaking";
        case Connection::State::established: return "established";
        case Connection::State::closed: return "closed";
        case Connection::State::failed: return "failed";
    }
    return "unknown";
}

}  // namespace tls
