// Uses only cordon's installed public headers: SHA-256("abc") through the
// default provider must give the FIPS 180-2 test vector, and a TLS client
// connection built from a validated configuration must produce a ClientHello.
#include <tls/tls.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>

int main() {
    const tls::crypto::CryptoProvider& provider = tls::crypto::default_provider();
    const tls::crypto::HashDescriptor* sha256 = provider.find(tls::crypto::HashAlgorithm::sha256);
    if (sha256 == nullptr) {
        std::fprintf(stderr, "consumer: provider %s has no SHA-256\n", provider.name);
        return 1;
    }
    const std::uint8_t abc[] = {'a', 'b', 'c'};
    tls::crypto::Hash hash(*sha256);
    hash.update(abc);
    std::uint8_t digest[32];
    hash.finish(digest);

    const std::uint8_t expected[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                       0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                       0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    if (std::memcmp(digest, expected, sizeof expected) != 0) {
        std::fprintf(stderr, "consumer: SHA-256(\"abc\") from %s (%s) is wrong\n", provider.name, sha256->backend);
        return 1;
    }
    std::printf("consumer: SHA-256(\"abc\") ok via provider %s, backend %s\n", provider.name, sha256->backend);

    auto config = tls::ClientConfig::build(tls::ClientSettings{});
    if (!config) {
        std::fprintf(stderr, "consumer: ClientConfig::build failed: %s\n", config.error().message);
        return 1;
    }
    auto connection = tls::Connection::client(*config, "example.com");
    if (!connection) {
        std::fprintf(stderr, "consumer: Connection::client failed: %s\n", connection.error().message);
        return 1;
    }
    auto hello = connection->pending_output();
    // A handshake record (22) carrying a ClientHello (1).
    if (hello.size() < 6 || hello[0] != 22 || hello[5] != 1) {
        std::fprintf(stderr, "consumer: the client did not produce a ClientHello\n");
        return 1;
    }
    std::printf("consumer: ClientHello of %zu bytes, state %s\n", hello.size(), tls::to_string(connection->state()));
    return 0;
}
