// Uses only cordon's installed public headers: SHA-256("abc") through the
// default provider must give the FIPS 180-2 test vector.
#include <tls/crypto.hpp>

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
    return 0;
}
