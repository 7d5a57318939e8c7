// What srsh holds for its lifetime (BEHAVIOUR.md "Shell grammar"): the appliance's HSM (an
// hsm::Device: strongroomd's admin socket, or a LocalDevice in tests), the Appliance
// administration, one application attached to the device, and one read-write session on the
// admin partition that carries the `hsm login`. Detaches on destruction. Not thread-safe: one
// shell drives it.
#pragma once

#include <memory>
#include <optional>

#include "appliance/srsh_appliance.h"
#include "hsm/device.h"

namespace sr::appliance::srsh {

class State final {
  public:
    // Attaches one application to `device`. Both references must outlive the State.
    static Result<std::unique_ptr<State>> open(hsm::Device& device, ApplianceAdmin& appliance);
    ~State();
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    hsm::Device& device() { return m_device; }
    ApplianceAdmin& appliance() { return m_appliance; }
    hsm::AppId app() const { return m_app; }

    // The admin-partition session, opened on first use and reopened when the device dropped it
    // (HSM zeroized, daemon restarted).
    Result<hsm::SessionId> admin_session();
    // Whether this shell's HSM SO is logged in.
    Result<bool> hsm_so_logged_in();
    // The HSM label for the prompt; "srsh" until the HSM is initialized or when unreachable.
    std::string prompt_label();

  private:
    State(hsm::Device& device, ApplianceAdmin& appliance, hsm::AppId app)
        : m_device(device), m_appliance(appliance), m_app(app) {}

    hsm::Device& m_device;
    ApplianceAdmin& m_appliance;
    const hsm::AppId m_app;
    std::optional<hsm::SessionId> m_session;
};

}  // namespace sr::appliance::srsh
