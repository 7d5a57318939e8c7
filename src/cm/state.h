// What srcm remembers between commands: the client core (slots), the current slot, and one
// read-write session per slot it has used, so each slot keeps its own login (BEHAVIOUR.md
// "Shell grammar"). Not thread-safe: one shell drives it.
#pragma once

#include <map>
#include <memory>
#include <optional>

#include "client/client.h"
#include "hsm/device.h"

namespace sr::cm {

class State final {
public:
    explicit State(std::unique_ptr<client::Client> client);

    client::Client& client() { return *m_client; }

    std::optional<uint64_t> current_slot() const { return m_current; }
    void set_current_slot(uint64_t slot) { m_current = slot; }
    // The current slot (or `slot` when given). SlotIdInvalid when none is set or it is gone.
    Result<std::shared_ptr<const client::Slot>> slot(std::optional<uint64_t> slot = std::nullopt);
    // The shell's session on a slot, opened read-write on first use.
    Result<std::shared_ptr<client::ClientSession>> session(uint64_t slot);
    // Who is logged in on the slot's partition for this shell (from the engine), if anyone.
    Result<std::optional<hsm::Role>> login_of(uint64_t slot);
    // Closes the shell's session on the slot (its login goes with it).
    void drop_session(uint64_t slot);
    // Renumbers slots after partitions were created or deleted; every session is closed.
    Status refresh();
    // As refresh(), but the shell's sessions (and so their logins) follow their tokens to
    // their new slot numbers; only sessions on partitions that no longer exist are closed.
    Status renumber();

private:
    std::unique_ptr<client::Client> m_client;
    std::optional<uint64_t> m_current;
    std::map<uint64_t, std::shared_ptr<client::ClientSession>> m_sessions;
};

}  // namespace sr::cm
