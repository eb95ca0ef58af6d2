// The small pieces under cordon-sni-proxy's event loop: an owned file
// descriptor, a byte queue that reads from and writes to non-blocking sockets,
// and a poll(2) set rebuilt every round. poll() rather than epoll: the interest
// of every socket is recomputed from the connection's state each round (that is
// how backpressure works: a socket whose peer cannot take more is simply not
// asked for POLLIN), which is one line per socket with poll and a syscall per
// change with epoll. For thousands of connections, epoll would be the upgrade.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace proxy {

// A file descriptor closed when it goes out of scope.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) reset(other.release());
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

// What a non-blocking recv or send did.
struct Io {
    enum Status { ok, again, eof, error } status = again;
    std::size_t bytes = 0;
    int err = 0;  // errno, for error
};

inline Io recv_some(int fd, std::span<std::uint8_t> into) {
    for (;;) {
        ssize_t n = ::recv(fd, into.data(), into.size(), 0);
        if (n > 0) return {Io::ok, static_cast<std::size_t>(n)};
        if (n == 0) return {Io::eof};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {Io::again};
        return {Io::error, 0, errno};
    }
}

// MSG_NOSIGNAL: a peer that went away is an EPIPE to handle, not a signal.
inline Io send_some(int fd, std::span<const std::uint8_t> from) {
    for (;;) {
        ssize_t n = ::send(fd, from.data(), from.size(), MSG_NOSIGNAL);
        if (n >= 0) return {Io::ok, static_cast<std::size_t>(n)};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {Io::again};
        return {Io::error, 0, errno};
    }
}

// Bytes waiting to be sent: appended at the back, sent from the front. The
// storage is given back whenever the queue empties, so an idle connection holds
// no buffers.
class ByteQueue {
public:
    std::size_t size() const noexcept { return data_.size() - head_; }
    bool empty() const noexcept { return head_ == data_.size(); }
    std::span<const std::uint8_t> view() const noexcept { return {data_.data() + head_, size()}; }

    void append(std::span<const std::uint8_t> bytes) {
        if (bytes.empty()) return;
        std::size_t old = data_.size();
        // resize + memcpy rather than insert(): GCC 12 at -O3 warns falsely
        // (-Warray-bounds, -Wrestrict) about insert into a small vector.
        data_.resize(old + bytes.size());
        std::memcpy(data_.data() + old, bytes.data(), bytes.size());
    }

    void consume(std::size_t n) noexcept {
        head_ += n;
        if (head_ >= data_.size()) clear();
    }

    void clear() noexcept {
        std::vector<std::uint8_t>().swap(data_);
        head_ = 0;
    }

    // Receives up to max bytes from fd onto the back.
    Io read_from(int fd, std::size_t max) {
        compact();
        std::size_t old = data_.size();
        data_.resize(old + max);
        Io io = recv_some(fd, std::span<std::uint8_t>(data_.data() + old, max));
        data_.resize(old + io.bytes);
        if (empty()) clear();
        return io;
    }

    // Sends from the front until the socket would block; ok when all went.
    Io write_to(int fd) {
        std::size_t total = 0;
        while (!empty()) {
            Io io = send_some(fd, view());
            if (io.status != Io::ok) {
                io.bytes = total;
                return io;
            }
            total += io.bytes;
            consume(io.bytes);
        }
        return {Io::ok, total};
    }

private:
    // Drops the sent prefix once it is most of the buffer, so a queue that is
    // drained as fast as it fills does not grow.
    void compact() {
        if (head_ == 0 || head_ < data_.size() / 2) return;
        std::size_t rest = size();
        std::memmove(data_.data(), data_.data() + head_, rest);
        data_.resize(rest);
        head_ = 0;
    }

    std::vector<std::uint8_t> data_;
    std::size_t head_ = 0;
};

// The sockets to wait on this round. add() returns the slot to ask revents()
// about afterwards; a socket with no interest gets no slot (-1) at all, because
// poll() reports POLLHUP and POLLERR even for events == 0, which would wake the
// loop over and over for a socket it has chosen not to read yet.
class PollSet {
public:
    void clear() noexcept { fds_.clear(); }
    int add(int fd, short events) {
        if (fd < 0 || events == 0) return -1;
        fds_.push_back(pollfd{fd, events, 0});
        return static_cast<int>(fds_.size() - 1);
    }
    // poll(); timeout_ms -1 waits for ever. Returns poll()'s result.
    int wait(int timeout_ms) { return ::poll(fds_.data(), static_cast<nfds_t>(fds_.size()), timeout_ms); }
    short revents(int slot) const noexcept {
        return slot < 0 ? short{0} : fds_[static_cast<std::size_t>(slot)].revents;
    }

private:
    std::vector<pollfd> fds_;
};

// revents that mean a recv() would not block: data, EOF, or an error to collect.
constexpr short readable_events = POLLIN | POLLHUP | POLLERR;
constexpr short writable_events = POLLOUT | POLLHUP | POLLERR;

}  // namespace proxy
