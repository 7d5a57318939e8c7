// The cloning protocol's three steps on LocalDevice partitions (docs/design/clone-protocol.md):
// the target's hello, the source sealing objects for that hello, the target importing them. One
// exchange under clone, backup, restore and HA sync; the client relays bytes it cannot read.
// CloneEngine is thread-safe: the pending hellos sit under one lock; devices are thread-safe.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/env.h"
#include "common/mutex.h"
#include "crypto/x509.h"
#include "hsm/clone_protocol.h"
#include "hsm/local_device.h"

namespace sr::hsm {

namespace clone {
// The key schedule (clone-protocol.md "Key schedule") and the object payload encoding, shared
// by both sides; public so tests can play a misbehaving peer.
Result<SecretBytes> derive_session_key(EVP_PKEY* own_ephemeral, EVP_PKEY* peer_ephemeral,
                                       const SecretBytes& domain_key, ByteView hello_bytes,
                                       const Hello& hello, const SealedMessage& message);
SecretBytes encode_object_payload(const AttributeSet& attrs);
Result<AttributeSet> decode_object_payload(const SecretBytes& payload);
}  // namespace clone

class CloneEngine final {
public:
    // Loads the device's identity key and manufacturer root (its trust anchor) from its folder.
    static Result<std::unique_ptr<CloneEngine>> open(Env& env, LocalDevice& device);
    ~CloneEngine();
    CloneEngine(const CloneEngine&) = delete;
    CloneEngine& operator=(const CloneEngine&) = delete;

    // Step 1 (target partition, Crypto Officer logged in): a signed hello. The ephemeral key and
    // nonce stay here, for one clone_target on the same session.
    Result<Bytes> clone_hello(SessionId target_session);
    // Step 2 (source partition, Crypto Officer logged in). CertificateInvalid when the target is
    // foreign, its signature fails, or domain / auth type differ (nothing is sealed then);
    // OperationNotAllowed for HSM policy 7 off or a firmware direction the source refuses.
    Result<CloneSourceResult> clone_source(SessionId source_session, ByteView hello,
                                           std::span<const ObjectHandle> objects);
    // Step 3 (the hello's session, read-write). The hello is consumed whatever the outcome.
    // Nothing is written unless every object authenticates; then the batch is imported through
    // LocalDevice::import_objects (one transaction; each object whole or absent).
    Result<CloneTargetResult> clone_target(SessionId target_session, ByteView sealed);

    // Bound on outstanding hellos; the oldest is dropped beyond it.
    static constexpr size_t kMaxPending = 64;

private:
    struct Pending;
    struct Context;
    CloneEngine(Env& env, LocalDevice& device, crypto::PkeyPtr identity_key,
                crypto::Certificate identity_cert, crypto::Certificate root);

    Result<Context> context(SessionId s);
    Status check_peer(const Context& self, const clone::Endpoint& peer, ByteView signed_bytes,
                      ByteView signature);
    Result<std::unique_ptr<Pending>> take_pending(const clone::SessionTag& tag, SessionId s);
    // The peer's device certificate, parsed and verified against m_root (CertificateInvalid if
    // not). Successes are remembered, parsed, for the chain's validity window.
    Result<crypto::Certificate> trusted_peer_certificate(ByteView der);

    Env& m_env;
    LocalDevice& m_device;
    const crypto::PkeyPtr m_identity_key;
    const crypto::Certificate m_identity_cert;
    const crypto::Certificate m_root;

    Mutex m_mu;
    std::map<clone::SessionTag, std::unique_ptr<Pending>> m_pending SR_GUARDED_BY(m_mu);
    uint64_t m_pending_counter SR_GUARDED_BY(m_mu) = 0;
    // Peer certificates (by SHA-256 of the DER) that chained to m_root, and when that holds.
    struct TrustedPeer {
        crypto::Certificate cert;
        crypto::TimePoint from, until;
    };
    static constexpr size_t kMaxTrustedPeers = 256;
    std::map<Bytes, TrustedPeer> m_trusted_peers SR_GUARDED_BY(m_mu);
};

}  // namespace sr::hsm
