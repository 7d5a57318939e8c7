// srsh's application and admin session on the appliance's HSM.
#include "appliance/srsh_state.h"

namespace sr::appliance::srsh {

Result<std::unique_ptr<State>> State::open(hsm::Device& device, ApplianceAdmin& appliance) {
    SR_ASSIGN_OR_RETURN(hsm::AppId app, device.attach());
    return std::unique_ptr<State>(new State(device, appliance, app));
}

State::~State() {
    (void)m_device.detach(m_app);
}

Result<hsm::SessionId> State::admin_session() {
    if (m_session) {
        auto info = m_device.session_info(*m_session);
        if (info.is_ok()) return *m_session;
        if (info.status().code() != Err::SessionHandleInvalid &&
            info.status().code() != Err::SessionClosed)
            return info.status();
        m_session.reset();
    }
    SR_ASSIGN_OR_RETURN(hsm::SessionId s,
                        m_device.open_session(m_app, hsm::kAdminPartition, /*read_write=*/true));
    m_session = s;
    return s;
}

Result<bool> State::hsm_so_logged_in() {
    if (!m_session) return false;
    auto info = m_device.session_info(*m_session);
    if (!info) {
        if (info.status().code() == Err::SessionHandleInvalid ||
            info.status().code() == Err::SessionClosed)
            return false;
        return info.status();
    }
    return info->logged_in == hsm::Role::HsmSo;
}

std::string State::prompt_label() {
    auto info = m_device.info();
    if (!info || !info->hsm_initialized || info->hsm_label.empty()) return "srsh";
    return info->hsm_label;
}

}  // namespace sr::appliance::srsh
