#include "net/deferred_inits.h"

#include <algorithm>
#include <utility>

namespace sr::net {

std::optional<size_t> DeferredInits::index(pb::OperationKind kind) {
    const auto i = static_cast<size_t>(kind);
    if (kind == pb::OPERATION_KIND_UNSPECIFIED || i >= kKinds) return std::nullopt;
    return i;
}

bool DeferredInits::defer(hsm::SessionId s, const OperationInitCall& init) {
    const std::optional<size_t> i = index(init.kind);
    if (!i) return false;
    MutexLock lock(m_mu);
    auto it = m_sessions.find(s);
    if (it == m_sessions.end()) return false;
    Slots& slots = it->second;
    // Another init waiting on this session would have to go first: not deferred then.
    for (const Slot& other : slots)
        if (other.deferred) return false;
    Slot& slot = slots[*i];
    if (!slot.last_ok || *slot.last_ok != init || slot.generation != m_generation ||
        !slot.ended)
        return false;
    slot.deferred = true;
    slot.ended = false;
    slot.order = ++m_order;
    slot.held.reset();
    return true;
}

void DeferredInits::answered(hsm::SessionId s, const OperationInitCall& init, bool ok) {
    const std::optional<size_t> i = index(init.kind);
    if (!i) return;
    MutexLock lock(m_mu);
    Slot& slot = m_sessions[s][*i];
    slot.held.reset();
    slot.ended = false;
    if (ok) {
        slot.last_ok = init;
        slot.generation = m_generation;
    } else {
        slot.last_ok.reset();
    }
}

void DeferredInits::finished(hsm::SessionId s, pb::OperationKind kind) {
    const std::optional<size_t> i = index(kind);
    if (!i) return;
    MutexLock lock(m_mu);
    auto it = m_sessions.find(s);
    if (it != m_sessions.end() && !it->second[*i].deferred) it->second[*i].ended = true;
}

std::optional<OperationInitCall> DeferredInits::take(hsm::SessionId s, pb::OperationKind kind) {
    const std::optional<size_t> i = index(kind);
    if (!i) return std::nullopt;
    MutexLock lock(m_mu);
    auto it = m_sessions.find(s);
    if (it == m_sessions.end()) return std::nullopt;
    Slot& slot = it->second[*i];
    if (!slot.deferred) return std::nullopt;
    slot.deferred = false;
    return slot.last_ok;
}

std::vector<OperationInitCall> DeferredInits::take_all(hsm::SessionId s,
                                                       pb::OperationKind except) {
    std::vector<std::pair<uint64_t, OperationInitCall>> found;
    {
        MutexLock lock(m_mu);
        auto it = m_sessions.find(s);
        if (it == m_sessions.end()) return {};
        for (Slot& slot : it->second) {
            if (!slot.deferred || !slot.last_ok || slot.last_ok->kind == except) continue;
            slot.deferred = false;
            found.emplace_back(slot.order, *slot.last_ok);
        }
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<OperationInitCall> out;
    out.reserve(found.size());
    for (auto& f : found) out.push_back(std::move(f.second));
    return out;
}

void DeferredInits::hold_error(hsm::SessionId s, pb::OperationKind kind, Status st) {
    const std::optional<size_t> i = index(kind);
    if (!i) return;
    MutexLock lock(m_mu);
    Slot& slot = m_sessions[s][*i];
    slot.held = std::move(st);
    slot.last_ok.reset();
}

std::optional<Status> DeferredInits::take_error(hsm::SessionId s, pb::OperationKind kind) {
    const std::optional<size_t> i = index(kind);
    if (!i) return std::nullopt;
    MutexLock lock(m_mu);
    auto it = m_sessions.find(s);
    if (it == m_sessions.end()) return std::nullopt;
    std::optional<Status> out = std::move(it->second[*i].held);
    it->second[*i].held.reset();
    return out;
}

void DeferredInits::forget(hsm::SessionId s, pb::OperationKind kind) {
    const std::optional<size_t> i = index(kind);
    if (!i) return;
    MutexLock lock(m_mu);
    auto it = m_sessions.find(s);
    if (it != m_sessions.end()) it->second[*i].last_ok.reset();
}

void DeferredInits::invalidate() {
    MutexLock lock(m_mu);
    ++m_generation;
}

void DeferredInits::drop(hsm::SessionId s) {
    MutexLock lock(m_mu);
    m_sessions.erase(s);
    m_gates.erase(s);
}

void DeferredInits::prune() {
    MutexLock lock(m_mu);
    for (auto it = m_sessions.begin(); it != m_sessions.end();) {
        const bool keep = std::any_of(it->second.begin(), it->second.end(), [](const Slot& slot) {
            return slot.deferred || slot.held.has_value();
        });
        if (keep) {
            ++it;
            continue;
        }
        it = m_sessions.erase(it);
    }
    // A gate without state (its session only ever had steps without inits) goes too.
    for (auto it = m_gates.begin(); it != m_gates.end();) {
        if (m_sessions.count(it->first) == 0)
            it = m_gates.erase(it);
        else
            ++it;
    }
}

std::vector<hsm::SessionId> DeferredInits::sessions_with_deferred() const {
    MutexLock lock(m_mu);
    std::vector<hsm::SessionId> out;
    for (const auto& [s, slots] : m_sessions) {
        for (const Slot& slot : slots) {
            if (slot.deferred) {
                out.push_back(s);
                break;
            }
        }
    }
    return out;
}

std::shared_ptr<std::mutex> DeferredInits::gate(hsm::SessionId s) {
    MutexLock lock(m_mu);
    std::shared_ptr<std::mutex>& g = m_gates[s];
    if (!g) g = std::make_shared<std::mutex>();
    return g;
}

bool DeferredInits::any_deferred(hsm::SessionId s) const {
    MutexLock lock(m_mu);
    auto it = m_sessions.find(s);
    if (it == m_sessions.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [](const Slot& slot) { return slot.deferred; });
}

}  // namespace sr::net
