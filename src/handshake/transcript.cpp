#include "handshake/transcript.hpp"

namespace tls::handshake {

crypto::Secret Transcript::current() const noexcept {
    crypto::Secret out;
    hash_.peek(out.resize(hash_.output_size()));
    return out;
}

void Transcript::replace_with_message_hash() noexcept {
    const crypto::Secret first = current();
    hash_ = crypto::Hash(hash_.descriptor());
    const std::uint8_t header[4] = {254, 0, 0, static_cast<std::uint8_t>(first.size())};
    hash_.update(header);
    hash_.update(first.bytes());
}

}  // namespace tls::handshake
