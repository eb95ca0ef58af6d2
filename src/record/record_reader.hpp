// The receiving half of the record layer: deframes bytes from the wire into
// records (any chunking, several records per chunk), checks the header rules,
// and unprotects in place. The caller gets views of the plaintext, valid until
// it next calls input_space(), feed() or next().
//
// It buffers at most one maximum-size record: input_space() never offers room
// beyond that, and feed() consumes only what fits (call next() and feed the rest).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "record/record_cipher.hpp"
#include "record/record_types.hpp"
#include "tls/alert.hpp"

namespace tls::record {

class RecordReader {
public:
    enum class Status : std::uint8_t {
        need_more,  // no complete record buffered: provide more input
        record,     // `type` and `payload` hold a record's plaintext
        alert,      // `alert` holds an alert the peer sent (payload empty)
        closed,     // reading has ended (close_notify or a fatal alert was received)
    };
    struct Event {
        Status status = Status::need_more;
        ContentType type = ContentType::invalid;
        crypto::MutableBytes payload{};
        Alert alert{AlertLevel::warning, AlertDescription::close_notify};
    };

    RecordReader() noexcept = default;
    RecordReader(RecordReader&&) noexcept = default;
    RecordReader& operator=(RecordReader&&) noexcept = default;

    // Zero-copy input: write up to space.size() bytes there, then commit_input(n).
    // Allocates the buffer on first use (std::bad_alloc aside, never fails).
    crypto::MutableBytes input_space();
    void commit_input(std::size_t n) noexcept;
    // Copying input: takes as much of data as fits; returns how much it took.
    std::size_t feed(crypto::Bytes data);

    // Processes the next buffered record. Errors are final: the connection must
    // send alert_for(error) and stop.
    Result<Event> next() noexcept;

    // --- Called by the handshake layer -------------------------------------
    // Which protocol's rules apply (set once the version is negotiated).
    void set_protocol(Protocol protocol) noexcept { protocol_ = protocol; }
    // Requires every further record header to carry exactly this version
    // (once the version is known); before that any 0x03xx is accepted.
    void require_record_version(std::uint16_t version) noexcept { required_version_ = version; }
    // Installs the protection for the records that follow. Use
    // install_read_cipher() (handshake_joiner.hpp) so the message boundary is checked.
    void set_cipher(RecordCipher cipher) noexcept;
    const RecordCipher* cipher() const noexcept { return cipher_ ? &*cipher_ : nullptr; }
    // For tests and benchmarks that rewind the sequence number.
    RecordCipher* mutable_cipher_for_testing() noexcept { return cipher_ ? &*cipher_ : nullptr; }
    // TLS 1.3 middlebox compatibility (RFC 8446 D.4, 5): while open, one
    // change_cipher_spec record holding 0x01 is dropped; any other is unexpected_message.
    void allow_compatibility_ccs(bool allow) noexcept { ccs_window_open_ = allow; }

    // A server that rejected 0-RTT skips the client's early data (RFC 8446 4.2.10):
    enum class EarlyDataSkip : std::uint8_t {
        none,
        trial_decrypt,         // drop records that fail to open with the current key
        skip_application_data  // after HelloRetryRequest: drop every application_data record
    };
    // Skipping ends by itself: at the first record that opens (trial_decrypt) or
    // that is not application_data (skip_application_data). More than max_bytes
    // skipped is unexpected_message.
    void skip_early_data(EarlyDataSkip mode, std::uint32_t max_bytes) noexcept;

    bool closed() const noexcept { return closed_; }
    std::size_t buffered() const noexcept { return end_ - start_; }
    // Frees the receive buffer if it holds nothing (small idle connections).
    void release_buffer_if_empty() noexcept;

private:
    void compact() noexcept;
    Result<Event> deliver(ContentType type, crypto::MutableBytes payload) noexcept;

    std::unique_ptr<std::uint8_t[]> buffer_;
    std::size_t start_ = 0;  // first unprocessed byte
    std::size_t end_ = 0;    // one past the last received byte
    std::optional<RecordCipher> cipher_;
    Protocol protocol_ = Protocol::tls13;
    std::uint16_t required_version_ = 0;  // 0: any 0x03xx
    bool ccs_window_open_ = false;
    bool ccs_seen_ = false;
    bool closed_ = false;
    bool opened_any_ = false;  // a protected record from the peer has opened (TLS 1.3 plaintext alerts)
    EarlyDataSkip skip_mode_ = EarlyDataSkip::none;
    std::uint32_t skip_budget_ = 0;
    std::uint8_t warning_alerts_ = 0;  // consecutive warning alerts (bounded)
};

}  // namespace tls::record
