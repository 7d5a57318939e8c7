// Which C_*Init calls a RemoteDevice may defer into the operation's next step, so a repeated
// init + single-part call costs one round trip instead of two (docs/design/network-protocol.md,
// "Deferred initialisation"). An init is deferred only when the very same init (operation,
// mechanism with its parameters, key) succeeded last on that session and nothing that could
// change its outcome has gone through this device since: then it can fail only because another
// application changed the partition meanwhile — the race in which an init answered at once
// would have been followed by a failing step too.
// Thread-safe (one mutex); holds no key material.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "hsm/device.h"
#include "strongroom/v1/device.pb.h"

namespace sr::net {

namespace pb = ::strongroom::v1;

// One init as it travels: operation kind, the serialized pb::Mechanism, the key.
struct OperationInitCall {
    pb::OperationKind kind = pb::OPERATION_KIND_UNSPECIFIED;
    std::string mechanism;
    uint64_t key = 0;

    bool operator==(const OperationInitCall&) const = default;
};

class DeferredInits final {
public:
    // True when `init` may be deferred on `s` (and it now is): it equals the last init that
    // succeeded there, that operation has since ended with a successful single-part or final
    // step (so none of its kind is active on the server), no init is already deferred on `s`,
    // and nothing was invalidated since.
    bool defer(hsm::SessionId s, const OperationInitCall& init);
    // An init that was sent at once got its answer: success makes it the one a repeat may
    // defer; failure forgets the kind's last success.
    void answered(hsm::SessionId s, const OperationInitCall& init, bool ok);
    // A single-part or final step of `kind` succeeded on `s`: its operation has ended.
    void finished(hsm::SessionId s, pb::OperationKind kind);
    // The deferred init of `kind` on `s`, taken out to travel with that operation's step.
    std::optional<OperationInitCall> take(hsm::SessionId s, pb::OperationKind kind);
    // Every deferred init on `s` but one of `except`, taken out to be sent alone before another
    // call on `s`, in the order they were deferred.
    std::vector<OperationInitCall> take_all(
        hsm::SessionId s, pb::OperationKind except = pb::OPERATION_KIND_UNSPECIFIED);
    // A deferred init sent alone failed: its error is the answer of that operation's next step
    // (the application saw its C_*Init succeed).
    void hold_error(hsm::SessionId s, pb::OperationKind kind, Status st);
    std::optional<Status> take_error(hsm::SessionId s, pb::OperationKind kind);
    // A step with a deferred init failed: the kind's last success no longer vouches for it.
    void forget(hsm::SessionId s, pb::OperationKind kind);

    // Something that may change an init's outcome went through this device (login state,
    // objects, attributes, policies, partitions, a server restart): nothing is deferred until
    // an init succeeds again.
    void invalidate();
    // The session is closed: its state goes.
    void drop(hsm::SessionId s);
    // Forgets every session with nothing deferred or held (after calls that close sessions
    // wholesale: close-all, detach, a server restart), so the state does not grow with
    // sessions closed behind the client's back. Costs at most one round trip per init later.
    void prune();

    bool any_deferred(hsm::SessionId s) const;
    std::vector<hsm::SessionId> sessions_with_deferred() const;

    // Held across every exchange about `s`'s operations, so a step never overtakes its own
    // deferred init while another thread is sending that init alone.
    std::shared_ptr<std::mutex> gate(hsm::SessionId s);

private:
    static constexpr size_t kKinds = 8;  // pb::OperationKind values
    struct Slot {
        std::optional<OperationInitCall> last_ok;
        uint64_t generation = 0;  // of last_ok
        bool ended = false;       // the operation last_ok started has ended
        bool deferred = false;
        uint64_t order = 0;  // when deferred, for take_all's order
        std::optional<Status> held;
    };
    using Slots = std::array<Slot, kKinds>;

    static std::optional<size_t> index(pb::OperationKind kind);

    mutable Mutex m_mu;
    std::map<hsm::SessionId, Slots> m_sessions SR_GUARDED_BY(m_mu);
    std::map<hsm::SessionId, std::shared_ptr<std::mutex>> m_gates SR_GUARDED_BY(m_mu);
    uint64_t m_generation SR_GUARDED_BY(m_mu) = 1;
    uint64_t m_order SR_GUARDED_BY(m_mu) = 0;
};

}  // namespace sr::net
