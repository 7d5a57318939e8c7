#include "client/client.h"

namespace sr::client {

Result<std::unique_ptr<Client>> Client::open(const std::filesystem::path& home) {
    return open(home, net::connect_remote);
}

Result<std::unique_ptr<Client>> Client::open(const std::filesystem::path& home,
                                             RemoteConnector connect) {
    std::unique_ptr<Client> c(new Client(home, std::move(connect)));
    SR_ASSIGN_OR_RETURN(c->m_devices, open_local_devices(c->m_env, home));
    SR_TRY(c->refresh());
    return c;
}

Client::~Client() {
    std::vector<std::shared_ptr<ClientSession>> sessions;
    m_sessions.for_each([&](uint64_t, const auto& s) { sessions.push_back(s); });
    for (auto& s : sessions) {
        (void)m_sessions.erase(s->handle());
        (void)s->dev().close_session(s->id());
    }
    MutexLock lock(m_mu);
    m_slots.clear();
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
    MutexLock refreshing(m_refresh_mu);
    m_servers = reach_servers(m_env, m_home, m_connect, m_servers);
    SR_ASSIGN_OR_RETURN(auto slots, number_slots(m_servers, m_devices));
    std::vector<ServerReport> reports;
    for (const auto& s : m_servers) reports.push_back({s.address, s.status, s.partitions.size()});
    MutexLock lock(m_mu);
    m_slots = std::move(slots);
    m_reports = std::move(reports);
    return {};
}

std::vector<ServerReport> Client::servers() const {
    MutexLock lock(m_mu);
    return m_reports;
}

Result<std::shared_ptr<ClientSession>> Client::open_session(uint64_t slot_id, bool read_write) {
    SR_ASSIGN_OR_RETURN(auto s, slot(slot_id));
    SR_ASSIGN_OR_RETURN(hsm::SessionId id,
                        s->dev().open_session(s->device->app, s->partition, read_write));
    uint64_t handle = 0;
    {
        MutexLock lock(m_mu);
        handle = m_next_handle++;
    }
    auto session = std::make_shared<ClientSession>(handle, std::move(s), id, read_write);
    (void)m_sessions.insert(handle, session);  // handles are never reused
    return session;
}

Result<std::shared_ptr<ClientSession>> Client::session(uint64_t handle) const {
    auto s = m_sessions.find(handle);
    if (!s) return error(Err::SessionHandleInvalid);
    return s;
}

Status Client::close_session(uint64_t handle) {
    std::shared_ptr<ClientSession> s = m_sessions.erase(handle);
    if (!s) return error(Err::SessionHandleInvalid);
    Status st = s->dev().close_session(s->id());
    // The engine may already have closed it (partition re-initialized): the handle is gone
    // either way.
    if (st.code() == Err::SessionHandleInvalid) return {};
    return st;
}

namespace {

bool same_token(const Slot& a, const Slot& b) {
    return a.device == b.device && a.partition == b.partition;
}

}  // namespace

Status Client::close_all_sessions(uint64_t slot_id) {
    SR_ASSIGN_OR_RETURN(auto target, slot(slot_id));
    std::vector<uint64_t> handles;
    m_sessions.for_each([&](uint64_t h, const auto& s) {
        if (same_token(s->slot(), *target)) handles.push_back(h);
    });
    for (uint64_t h : handles) {
        Status st = close_session(h);
        if (!st && st.code() != Err::SessionHandleInvalid) return st;
    }
    return {};
}

Client::SessionCounts Client::session_counts(uint64_t slot_id) const {
    SessionCounts out;
    std::shared_ptr<const Slot> target;
    {
        MutexLock lock(m_mu);
        if (slot_id >= m_slots.size()) return out;
        target = m_slots[slot_id];
    }
    m_sessions.for_each([&](uint64_t, const auto& s) {
        if (!same_token(s->slot(), *target)) return;
        ++out.all;
        if (s->read_write()) ++out.read_write;
    });
    return out;
}

}  // namespace sr::client
