#include "client/client.h"

namespace sr::client {

Result<std::unique_ptr<Client>> Client::open(const std::filesystem::path& home) {
    std::unique_ptr<Client> c(new Client(home));
    SR_ASSIGN_OR_RETURN(c->m_devices, open_local_devices(c->m_env, home));
    SR_ASSIGN_OR_RETURN(auto slots, number_slots(c->m_devices));
    MutexLock lock(c->m_mu);
    c->m_slots = std::move(slots);
    return c;
}

Client::~Client() {
    std::map<uint64_t, std::shared_ptr<ClientSession>> sessions;
    {
        MutexLock lock(m_mu);
        sessions.swap(m_sessions);
        m_slots.clear();
    }
    for (auto& [h, s] : sessions) (void)s->dev().close_session(s->id());
}

std::vector<std::shared_ptr<const Slot>> Client::slots() const {
    MutexLock lock(m_mu);
    return m_slots;
}

Result<std::shared_ptr<const Slot>> Client::slot(uint64_t id) const {
    MutexLock lock(m_mu);
    if (id >= m_slots.size()) return error(Err::SlotIdInvalid, "no slot " + std::to_string(id));
    return m_slots[id];
}

Status Client::refresh() {
    SR_ASSIGN_OR_RETURN(auto slots, number_slots(m_devices));
    MutexLock lock(m_mu);
    m_slots = std::move(slots);
    return {};
}

Result<std::shared_ptr<ClientSession>> Client::open_session(uint64_t slot_id, bool read_write) {
    SR_ASSIGN_OR_RETURN(auto s, slot(slot_id));
    SR_ASSIGN_OR_RETURN(hsm::SessionId id,
                        s->dev().open_session(s->device->app, s->partition, read_write));
    MutexLock lock(m_mu);
    const uint64_t handle = m_next_handle++;
    auto session = std::make_shared<ClientSession>(handle, std::move(s), id, read_write);
    m_sessions.emplace(handle, session);
    return session;
}

Result<std::shared_ptr<ClientSession>> Client::session(uint64_t handle) const {
    MutexLock lock(m_mu);
    auto it = m_sessions.find(handle);
    if (it == m_sessions.end()) return error(Err::SessionHandleInvalid);
    return it->second;
}

Status Client::close_session(uint64_t handle) {
    std::shared_ptr<ClientSession> s;
    {
        MutexLock lock(m_mu);
        auto it = m_sessions.find(handle);
        if (it == m_sessions.end()) return error(Err::SessionHandleInvalid);
        s = std::move(it->second);
        m_sessions.erase(it);
    }
    Status st = s->dev().close_session(s->id());
    // The engine may already have closed it (partition re-initialized): the handle is gone
    // either way.
    if (st.code() == Err::SessionHandleInvalid) return {};
    return st;
}

Status Client::close_all_sessions(uint64_t slot_id) {
    SR_ASSIGN_OR_RETURN(auto target, slot(slot_id));
    std::vector<uint64_t> handles;
    {
        MutexLock lock(m_mu);
        for (const auto& [h, s] : m_sessions)
            if (s->slot().device == target->device && s->slot().partition == target->partition)
                handles.push_back(h);
    }
    for (uint64_t h : handles) {
        Status st = close_session(h);
        if (!st && st.code() != Err::SessionHandleInvalid) return st;
    }
    return {};
}

Client::SessionCounts Client::session_counts(uint64_t slot_id) const {
    SessionCounts out;
    MutexLock lock(m_mu);
    if (slot_id >= m_slots.size()) return out;
    const auto& target = m_slots[slot_id];
    for (const auto& [h, s] : m_sessions) {
        if (s->slot().device != target->device || s->slot().partition != target->partition)
            continue;
        ++out.all;
        if (s->read_write()) ++out.read_write;
    }
    return out;
}

}  // namespace sr::client
