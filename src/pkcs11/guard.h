// The one guard around every C_* entry point (STYLE.md item 4): runs the body, maps its Status
// through to_ck_rv, logs the call at debug level, and turns every escaping exception into a
// return code (bad_alloc -> CKR_HOST_MEMORY, anything else -> CKR_GENERAL_ERROR). Nothing under
// the guard ends the process. When the application chose its own mutexes at C_Initialize
// (v2.40 §5.4), the guard holds that mutex around the body, so its primitives serialise calls.
#pragma once

#include <memory>
#include <new>
#include <string_view>

#include "common/result.h"
#include "pkcs11/ck.h"
#include "pkcs11/rv.h"

namespace sr::p11 {

class AppMutex;  // pkcs11/module.h

void log_call(std::string_view function, const Status& status, CK_RV rv) noexcept;

// Holds the module's application mutex, if it has one, for one call; does nothing otherwise
// (OS locking, or the module not initialized in this process). Not thread-safe: one per call.
class CallLock final {
public:
    CallLock();
    // Backstop for a body that threw: unlocks, ignoring the outcome.
    ~CallLock();
    CallLock(const CallLock&) = delete;
    CallLock& operator=(const CallLock&) = delete;

    // Why the mutex could not be taken (the LockMutex callback's code); ok when taken or none.
    const Status& status() const noexcept { return m_status; }
    // Lets go of the mutex, and destroys it after C_Finalize. Errors: the UnlockMutex or
    // DestroyMutex callback's code.
    Status release();

private:
    std::shared_ptr<AppMutex> m_held;
    Status m_status;
};

template <class F>
CK_RV guard(std::string_view function, F&& body) noexcept {
    try {
        CallLock lock;
        Status st = lock.status().is_ok() ? body() : lock.status();
        if (Status released = lock.release(); st.is_ok() && !released.is_ok())
            st = std::move(released);
        const CK_RV rv = to_ck_rv(st.code());
        log_call(function, st, rv);
        return rv;
    } catch (const std::bad_alloc&) {
        return CKR_HOST_MEMORY;
    } catch (...) {
        return CKR_GENERAL_ERROR;
    }
}

}  // namespace sr::p11
