// Client-core clone orchestration (docs/design/clone-protocol.md): relays hello and sealed
// messages between any two hsm::Device sessions in batches, with progress, and reports what was
// cloned, skipped and refused on either side. Stateless functions; thread-safe as the devices
// are, but the two sessions must not be used by anyone else during a call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "hsm/device.h"

namespace sr::client {

struct CloneOptions {
    // Objects per exchange (one hello, one sealed message, one target transaction each).
    size_t batch_size = 256;
};

// After each batch: objects handled so far (cloned, skipped or refused) out of `total`.
struct CloneProgress {
    size_t done = 0;
    size_t total = 0;
};
using CloneProgressFn = std::function<void(const CloneProgress&)>;

enum class CloneSide : uint8_t { Source, Target };

// An object that did not land, and which side refused it. `refusal.handle` is the source
// handle for source-side refusals and 0 for target-side ones.
struct RefusedObject {
    CloneSide side = CloneSide::Source;
    hsm::CloneRefusal refusal;
};

struct CloneReport {
    std::vector<hsm::ClonedObject> cloned;   // handle = the new handle on the target
    std::vector<hsm::ClonedObject> skipped;  // the target already held the OUID
    std::vector<RefusedObject> refused;
    uint64_t bytes_relayed = 0;              // hello + sealed message bytes carried
    size_t batches = 0;
};

// Clones `objects` of the source session's partition into the target session's partition.
// A batch-level failure (trust, domain, auth type, policy 7, firmware direction, a session
// error) stops the clone and is returned; batches before it have landed, and running the
// clone again skips them (OUIDs are kept). Both sessions need the partition's Crypto Officer.
Result<CloneReport> clone_objects(hsm::Device& source, hsm::SessionId source_session,
                                  hsm::Device& target, hsm::SessionId target_session,
                                  std::span<const hsm::ObjectHandle> objects,
                                  const CloneOptions& options = {},
                                  const CloneProgressFn& progress = {});

// Every token object the session can see (for "clone all"), in store order. Uses the
// session's search (find_init with an empty template), so no search may be active on it.
Result<std::vector<hsm::ObjectHandle>> list_token_objects(hsm::Device& device,
                                                          hsm::SessionId session);

}  // namespace sr::client
