// srcm's shell state: current slot and the per-slot sessions that hold its logins.
#include "cm/state.h"

#include <algorithm>

namespace sr::cm {

State::State(std::unique_ptr<client::Client> client) : m_client(std::move(client)) {
    // LunaCM starts on the first slot.
    auto slots = m_client->slots();
    if (!slots.empty()) m_current = slots.front()->id;
}

Result<std::shared_ptr<const client::Slot>> State::slot(std::optional<uint64_t> slot) {
    if (!slot) slot = m_current;
    if (!slot)
        return error(Err::SlotIdInvalid, "no slot is selected: use 'slot set -slot <n>'");
    auto s = m_client->slot(*slot);
    if (!s) return error(Err::SlotIdInvalid, "slot " + std::to_string(*slot) + " does not exist");
    return s;
}

Result<std::shared_ptr<client::ClientSession>> State::session(uint64_t slot) {
    if (auto it = m_sessions.find(slot); it != m_sessions.end()) return it->second;
    SR_TRY(this->slot(slot).status());
    SR_ASSIGN_OR_RETURN(auto s, m_client->open_session(slot, /*read_write=*/true));
    m_sessions.emplace(slot, s);
    return s;
}

Result<std::optional<hsm::Role>> State::login_of(uint64_t slot) {
    auto it = m_sessions.find(slot);
    if (it == m_sessions.end()) return std::optional<hsm::Role>();
    SR_ASSIGN_OR_RETURN(hsm::SessionInfo info, it->second->dev().session_info(it->second->id()));
    return info.logged_in;
}

void State::drop_session(uint64_t slot) {
    auto it = m_sessions.find(slot);
    if (it == m_sessions.end()) return;
    (void)m_client->close_session(it->second->handle());
    m_sessions.erase(it);
}

Status State::refresh() {
    for (auto& [slot, s] : m_sessions) (void)m_client->close_session(s->handle());
    m_sessions.clear();
    return m_client->refresh();
}

Status State::renumber() {
    SR_TRY(m_client->refresh());
    const auto slots = m_client->slots();
    std::map<uint64_t, std::shared_ptr<client::ClientSession>> kept;
    for (auto& entry : m_sessions) {
        std::shared_ptr<client::ClientSession>& session = entry.second;
        const client::Slot& was = session->slot();
        auto now = std::find_if(slots.begin(), slots.end(), [&](const auto& s) {
            return s->device == was.device && s->partition == was.partition;
        });
        if (now != slots.end())
            kept.emplace((*now)->id, std::move(session));
        else
            (void)m_client->close_session(session->handle());
    }
    m_sessions = std::move(kept);
    return {};
}

}  // namespace sr::cm
