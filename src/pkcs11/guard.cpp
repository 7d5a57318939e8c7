#include "pkcs11/guard.h"

#include "common/log.h"
#include "pkcs11/module.h"

namespace sr::p11 {

void log_call(std::string_view function, const Status& status, CK_RV rv) noexcept {
    try {
        if (status.is_ok())
            log::debug("{} -> CKR_OK", function);
        else
            log::debug("{} -> 0x{:x} ({})", function, rv, status.to_string());
    } catch (...) {
        // Logging must never change the outcome of a call.
    }
}

CallLock::CallLock() {
    Module* m = Module::current();
    if (m == nullptr || !m->app_mutex()) return;
    std::shared_ptr<AppMutex> mu = m->app_mutex();
    m_status = mu->lock();
    if (m_status.is_ok()) m_held = std::move(mu);
}

CallLock::~CallLock() {
    if (m_held) (void)m_held->unlock();
}

Status CallLock::release() {
    if (!m_held) return {};
    std::shared_ptr<AppMutex> mu = std::move(m_held);
    SR_TRY(mu->unlock());
    if (mu->retired()) return mu->destroy();
    return {};
}

}  // namespace sr::p11
