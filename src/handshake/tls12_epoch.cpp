#include "handshake/tls12_epoch.hpp"

#include "handshake/tls12_messages.hpp"

namespace tls::handshake {

Result<Tls12MasterSecret> tls12_master_from_pre_master(const crypto::HashDescriptor& hash, crypto::Bytes pre_master,
                                                       bool extended, const Transcript& transcript,
                                                       crypto::Bytes client_random, crypto::Bytes server_random) {
    if (!extended) return Tls12MasterSecret::classic(hash, pre_master, client_random, server_random);
    const auto session_hash = transcript.current();
    return Tls12MasterSecret::extended(hash, pre_master, session_hash.bytes());
}

Result<Tls12PendingCiphers> tls12_pending_ciphers(const Tls12MasterSecret& master, const crypto::AeadDescriptor& aead,
                                                  crypto::Bytes client_random, crypto::Bytes server_random,
                                                  Tls12Sender self) {
    TLS_TRY_ASSIGN(block, master.key_block(aead, client_random, server_random));
    TLS_TRY_ASSIGN(client, record::RecordCipher::tls12(aead, block.client_write_key.bytes(), block.client_write_iv.bytes()));
    TLS_TRY_ASSIGN(server, record::RecordCipher::tls12(aead, block.server_write_key.bytes(), block.server_write_iv.bytes()));
    Tls12PendingCiphers pending;
    const bool client_side = self == Tls12Sender::client;
    pending.read.emplace(std::move(client_side ? server : client));
    pending.write.emplace(std::move(client_side ? client : server));
    return pending;
}

Result<void> send_tls12_change_cipher_spec_and_finished(ConnectionCore& core, std::vector<std::uint8_t> flight,
                                                        Tls12PendingCiphers& pending, const Tls12MasterSecret& master,
                                                        Tls12Sender self, Transcript& transcript) {
    if (!flight.empty()) TLS_TRY(core.send_handshake(flight));
    TLS_TRY(core.send_change_cipher_spec());
    core.set_write_cipher(std::move(*pending.write));
    pending.write.reset();
    const auto hash = transcript.current();
    TLS_TRY_ASSIGN(verify_data, master.verify_data(self, hash.bytes()));
    TLS_TRY_ASSIGN(finished, write_tls12_finished(verify_data.bytes()));
    transcript.add(finished);
    return core.send_handshake(finished);
}

Result<void> install_tls12_read_cipher(ConnectionCore& core, Tls12PendingCiphers& pending) {
    TLS_TRY(core.set_read_cipher(std::move(*pending.read)));
    pending.read.reset();
    return success();
}

}  // namespace tls::handshake
