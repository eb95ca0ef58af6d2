// Session-ticket sealing (src/handshake/ticketer.*) and the client's session
// cache (tls/session.hpp): what opens, for how long, and what is refused.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "handshake/client_session.hpp"
#include "handshake/ticketer.hpp"
#include "support/hex.hpp"
#include "tls/crypto/provider.hpp"

using tls::crypto::Bytes;
using tls::handshake::Ticketer;

namespace {

constexpr std::int64_t t0 = 1780272000;
constexpr std::uint32_t period = 3600;

Bytes text(const std::string& s) { return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); }

std::string opened_text(Ticketer& t, Bytes ticket, std::int64_t now) {
    auto state = t.open(ticket, now);
    if (!state) return "<none>";
    auto b = state->bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

}  // namespace

TEST_CASE("a ticket opens to its state, with the layout name || nonce || sealed || tag", "[ticketer]") {
    test::TestRng rng(1);
    Ticketer t(tls::crypto::default_provider(), rng, period);
    REQUIRE(t.available());
    auto ticket = t.seal(text("session state"), t0);
    REQUIRE(ticket);
    CHECK(ticket->size() == Ticketer::overhead + 13);
    CHECK(opened_text(t, *ticket, t0) == "session state");
    // Two tickets for the same state differ (fresh nonce) and both open.
    auto again = t.seal(text("session state"), t0);
    REQUIRE(again);
    CHECK(*again != *ticket);
    CHECK(opened_text(t, *again, t0 + 10) == "session state");
}

TEST_CASE("tampered, truncated and foreign tickets do not open", "[ticketer]") {
    test::TestRng rng(2);
    Ticketer t(tls::crypto::default_provider(), rng, period);
    auto ticket = t.seal(text("state"), t0);
    REQUIRE(ticket);
    for (std::size_t i = 0; i < ticket->size(); ++i) {
        auto bad = *ticket;
        bad[i] ^= 0x80;
        INFO("byte " << i);
        CHECK_FALSE(t.open(bad, t0).has_value());
    }
    CHECK_FALSE(t.open(Bytes(*ticket).first(ticket->size() - 1), t0).has_value());
    CHECK_FALSE(t.open(Bytes(*ticket).first(Ticketer::overhead - 1), t0).has_value());
    CHECK_FALSE(t.open({}, t0).has_value());
    test::TestRng other_rng(3);
    Ticketer other(tls::crypto::default_provider(), other_rng, period);
    CHECK_FALSE(other.open(*ticket, t0).has_value());
}

TEST_CASE("keys rotate each period and open for one period more", "[ticketer]") {
    test::TestRng rng(4);
    Ticketer t(tls::crypto::default_provider(), rng, period);
    auto first = t.seal(text("one"), t0);
    REQUIRE(first);
    // Within the first period: the same key.
    auto same_key = t.seal(text("two"), t0 + period - 1);
    REQUIRE(same_key);
    CHECK(std::equal(first->begin(), first->begin() + Ticketer::key_name_size, same_key->begin()));
    // Next period: a new key seals; the old one still opens.
    auto rotated = t.seal(text("three"), t0 + period);
    REQUIRE(rotated);
    CHECK_FALSE(std::equal(first->begin(), first->begin() + Ticketer::key_name_size, rotated->begin()));
    CHECK(opened_text(t, *first, t0 + period + 1) == "one");
    CHECK(opened_text(t, *rotated, t0 + period + 1) == "three");
    // Two periods on, the first key is gone.
    auto later = t.seal(text("four"), t0 + 2 * period);
    REQUIRE(later);
    CHECK(opened_text(t, *first, t0 + 2 * period) == "<none>");
    CHECK(opened_text(t, *rotated, t0 + 2 * period) == "three");
}

TEST_CASE("a long pause retires every key at once", "[ticketer]") {
    test::TestRng rng(5);
    Ticketer t(tls::crypto::default_provider(), rng, period);
    auto ticket = t.seal(text("x"), t0);
    REQUIRE(ticket);
    CHECK(opened_text(t, *ticket, t0 + 5 * period) == "<none>");
}

TEST_CASE("both providers seal tickets", "[ticketer]") {
    for (const tls::crypto::CryptoProvider* p : {&tls::crypto::sodium_provider(), &tls::crypto::mbedtls_provider()}) {
        test::TestRng rng(6);
        Ticketer t(*p, rng, period);
        INFO(p->name);
        REQUIRE(t.available());
        auto ticket = t.seal(text("state"), t0);
        REQUIRE(ticket);
        CHECK(opened_text(t, *ticket, t0) == "state");
    }
}

TEST_CASE("the client session cache is bounded, newest first, and keyed by name", "[session-cache]") {
    tls::ClientSessionCache cache(3);
    auto session = [](std::uint8_t tag) {
        auto s = std::make_shared<tls::ClientSession>();
        s->ticket = {tag};
        return std::shared_ptr<const tls::ClientSession>(s);
    };
    cache.store("a", session(1));
    cache.store("b", session(2));
    cache.store("c", session(3));
    cache.store("a", session(4));  // replaces a, and makes it newest
    CHECK(cache.size() == 3);
    CHECK(cache.find("a")->ticket == std::vector<std::uint8_t>{4});
    cache.store("d", session(5));  // evicts the oldest: b
    CHECK(cache.size() == 3);
    CHECK(cache.find("b") == nullptr);
    CHECK(cache.find("c") != nullptr);
    cache.remove("c");
    CHECK(cache.find("c") == nullptr);
    CHECK(cache.size() == 2);
    cache.store("e", nullptr);  // ignored
    CHECK(cache.size() == 2);
}

TEST_CASE("the client session cache takes concurrent use", "[session-cache]") {
    tls::ClientSessionCache cache(16);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&cache, t] {
            for (int i = 0; i < 500; ++i) {
                const std::string name = "host" + std::to_string((t * 7 + i) % 40);
                cache.store(name, std::make_shared<tls::ClientSession>());
                (void)cache.find(name);
                if (i % 5 == 0) cache.remove(name);
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(cache.size() <= 16);
}

TEST_CASE("a stored session expires by its lifetime, or after a day without one", "[session-cache]") {
    tls::ClientSession s;
    s.received_at = t0;
    s.lifetime = 100;
    CHECK_FALSE(s.expired(t0 + 99));
    CHECK(s.expired(t0 + 100));
    CHECK(s.expired(t0 - 1));  // a clock that went back cannot vouch for the age
    s.lifetime = 0;
    CHECK_FALSE(s.expired(t0 + 24 * 3600 - 1));
    CHECK(s.expired(t0 + 24 * 3600));
}
