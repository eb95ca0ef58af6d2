// Error values and tls::Result<T>: how every fallible call in cordon reports failure.
//
// cordon never throws on anything a peer sends. Every fallible function returns a
// Result<T>, which holds either a T or an Error with a stable code and a static,
// human-readable message. C++20 has no std::expected, so this is a small one.
#pragma once

#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace tls {

// Stable error codes. Values are part of the ABI: append, never renumber.
// Grouped by who is to blame (after rustls): malformed input, a misbehaving peer,
// an incompatible peer, a local misuse, or an internal/backend failure.
enum class ErrorCode : std::uint16_t {
    // Malformed input (the bytes do not parse).
    decode_error = 1,          // truncated, trailing bytes, bad length, non-canonical DER
    // A peer broke a protocol rule.
    unexpected_message = 2,    // wrong record/message type for the state, all-zero inner plaintext
    record_overflow = 3,       // a record longer than the protocol allows
    protocol_version = 4,      // a record or hello carries a version we do not speak
    illegal_parameter = 5,     // a field holds a value the protocol forbids here
    unsupported_extension = 6, // an extension the peer could not have been offered
    missing_extension = 7,     // a mandatory extension is absent
    handshake_failure = 8,     // no common parameters (suite, group, signature scheme)
    no_application_protocol = 9,  // ALPN offered on both sides with no protocol in common
    certificate_required = 12,    // a certificate was required and the peer sent none
    unrecognized_name = 13,       // no certificate for the server name the client asked for
    // The peer ended the connection.
    alert_received = 10,       // the peer sent a fatal alert
    peer_closed = 11,          // the peer sent close_notify
    // Cryptographic verification failures.
    bad_record_mac = 20,       // AEAD open failed (tag mismatch)
    bad_signature = 21,        // signature did not verify
    invalid_public_key = 22,   // peer key not on the curve, low order, wrong size, ...
    weak_key = 23,             // key below policy (e.g. RSA < 2048 bits)
    zero_shared_secret = 24,   // X25519 produced all zeros (RFC 8446 7.4.2)
    // Certificate validation failures.
    certificate_expired = 30,      // outside its validity period (expired or not yet valid)
    unknown_issuer = 31,           // no path to a trust anchor
    certificate_name_mismatch = 32,  // not valid for the name the peer was reached by
    bad_certificate = 33,          // violates the profile (constraints, key usage, ...)
    unsupported_certificate = 34,  // unknown critical extension, unsupported key or algorithm
    // Local misuse and unsupported requests.
    invalid_argument = 40,     // caller passed sizes or values the API does not accept
    unsupported = 41,          // algorithm or parameter not offered by this provider
    buffer_too_small = 42,     // output buffer cannot hold the result
    // Environment and backend failures.
    rng_failure = 60,          // the randomness source failed
    sequence_exhausted = 63,   // a record sequence number would wrap (RFC 8446 5.3)
    crypto_backend = 61,       // a backend returned an unexpected error
    internal_error = 62,       // a bug in cordon: an invariant did not hold
    // Password-protected files (PKCS#8, PKCS#12).
    bad_password = 70,         // the password does not open the file: wrong password or corrupted data
};

// The name of a code ("bad_record_mac"), for logs and test output.
const char* to_string(ErrorCode code) noexcept;

// An error: a stable code plus a static message saying what went wrong.
// The message is a string literal (no allocation on the error path).
struct Error {
    ErrorCode code;
    const char* message;
};

// A value or an error. [[nodiscard]] so an unchecked failure is a compiler warning.
template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT: implicit by design
        : ok_(true) {
        ::new (&storage_.value) T(std::move(value));
    }
    Result(Error error) noexcept : ok_(false) {  // NOLINT: implicit by design
        ::new (&storage_.error) Error(error);
    }
    Result(const Result& other) : ok_(other.ok_) {
        if (ok_) ::new (&storage_.value) T(other.storage_.value);
        else ::new (&storage_.error) Error(other.storage_.error);
    }
    Result(Result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : ok_(other.ok_) {
        if (ok_) ::new (&storage_.value) T(std::move(other.storage_.value));
        else ::new (&storage_.error) Error(other.storage_.error);
    }
    Result& operator=(Result other) noexcept(std::is_nothrow_move_constructible_v<T>) {
        this->~Result();
        ::new (this) Result(std::move(other));
        return *this;
    }
    ~Result() {
        if (ok_) storage_.value.~T();
    }

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }

    // Precondition: ok(). Checked by the callers, never by peer input.
    T& value() & noexcept { return storage_.value; }
    const T& value() const& noexcept { return storage_.value; }
    T&& value() && noexcept { return std::move(storage_.value); }
    T* operator->() noexcept { return &storage_.value; }
    const T* operator->() const noexcept { return &storage_.value; }
    T& operator*() & noexcept { return storage_.value; }
    const T& operator*() const& noexcept { return storage_.value; }
    T&& operator*() && noexcept { return std::move(storage_.value); }

    // Precondition: !ok().
    const Error& error() const noexcept { return storage_.error; }

private:
    union Storage {
        Storage() {}
        ~Storage() {}
        T value;
        Error error;
    } storage_;
    bool ok_;
};

// Result<void>: success or an error.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() noexcept : ok_(true), error_{ErrorCode::internal_error, ""} {}
    Result(Error error) noexcept : ok_(false), error_(error) {}  // NOLINT: implicit by design

    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error& error() const noexcept { return error_; }

private:
    bool ok_;
    Error error_;
};

inline Result<void> success() noexcept { return {}; }

}  // namespace tls

// Propagates an error from an expression returning Result<...>.
#define TLS_TRY(expr)                                    \
    do {                                                 \
        auto&& tls_try_result_ = (expr);                 \
        if (!tls_try_result_.ok()) return tls_try_result_.error(); \
    } while (0)

// Declares `var` from an expression returning Result<T>, or propagates its error.
#define TLS_TRY_ASSIGN(var, expr)                   \
    auto var##_result = (expr);                     \
    if (!var##_result) return var##_result.error(); \
    auto var = std::move(*var##_result)

// Assigns the value of expr to an existing lvalue, or returns its error.
#define TLS_TRY_SET(target, expr)                             \
    do {                                                      \
        auto tls_try_set_result_ = (expr);                    \
        if (!tls_try_set_result_) return tls_try_set_result_.error(); \
        target = std::move(*tls_try_set_result_);             \
    } while (0)
