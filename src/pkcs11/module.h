// The module's one piece of global state (STYLE.md item 10): created by C_Initialize,
// destroyed by C_Finalize, reached by every other entry point through Module::get(). A child
// process after fork() sees the module as not initialized until it calls C_Initialize itself
// (v2.40 §6.7.1); the parent's state is left untouched in the child (its locks may be held).
// Locking (v2.40 §5.4): the module always locks with OS primitives; when C_Initialize gets mutex
// callbacks without CKF_OS_LOCKING_OK it also creates one application mutex (AppMutex), which the
// guard holds around the body of every call, so the application's primitives serialise them.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>

#include "client/client.h"
#include "common/result.h"
#include "pkcs11/ck.h"

namespace sr::p11 {

// One mutex made by the application's CreateMutex callback. Thread-safe as far as the
// application's callbacks are. DestroyMutex runs once: at the end of C_Finalize (destroy()), or
// when the last owner lets go of a mutex that was never destroyed (a failed C_Initialize).
class AppMutex final {
public:
    // Errors: the CreateMutex callback's code (HostMemory, GeneralError, ...).
    static Result<std::shared_ptr<AppMutex>> create(const CK_C_INITIALIZE_ARGS& args);
    ~AppMutex();
    AppMutex(const AppMutex&) = delete;
    AppMutex& operator=(const AppMutex&) = delete;

    // Errors: the callback's code (MutexBad, MutexNotLocked, HostMemory, GeneralError).
    Status lock();
    Status unlock();
    // C_Finalize marks the mutex; the call that holds it destroys it as it lets go.
    void retire() noexcept { m_retired.store(true, std::memory_order_release); }
    bool retired() const noexcept { return m_retired.load(std::memory_order_acquire); }
    // DestroyMutex, at most once; later calls are ok.
    Status destroy();

    AppMutex(const CK_C_INITIALIZE_ARGS& args, void* handle)
        : m_destroy(args.DestroyMutex), m_lock(args.LockMutex), m_unlock(args.UnlockMutex),
          m_handle(handle) {}

private:
    const CK_DESTROYMUTEX m_destroy;
    const CK_LOCKMUTEX m_lock;
    const CK_UNLOCKMUTEX m_unlock;
    void* const m_handle;
    std::atomic<bool> m_retired{false};
    std::atomic<bool> m_destroyed{false};
};

class Module final {
public:
    // Errors: CryptokiAlreadyInitialized, ArgumentsBad (malformed CK_C_INITIALIZE_ARGS, some but
    // not all mutex callbacks), the CreateMutex callback's code, device errors.
    static Status initialize(const void* init_args);
    // Errors: CryptokiNotInitialized, ArgumentsBad (reserved not null).
    static Status finalize(const void* reserved);
    // CryptokiNotInitialized before C_Initialize, after C_Finalize, and in a forked child.
    static Result<Module*> get();
    // The module of this process, or null (get() without the error).
    static Module* current() noexcept;

    client::Client& client() noexcept { return *m_client; }
    // Null unless the application asked for its own mutexes (and not for OS locking).
    const std::shared_ptr<AppMutex>& app_mutex() const noexcept { return m_app_mutex; }

    Module(std::unique_ptr<client::Client> c, pid_t pid, std::shared_ptr<AppMutex> app_mutex)
        : m_client(std::move(c)), m_pid(pid), m_app_mutex(std::move(app_mutex)) {}

private:
    std::unique_ptr<client::Client> m_client;
    const pid_t m_pid;
    const std::shared_ptr<AppMutex> m_app_mutex;
};

// Runs `body` with the session's lock held (PKCS#11 sessions are serial; different sessions
// run in parallel).
template <class F>
Status with_session(CK_SESSION_HANDLE h, F&& body) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto s, m->client().session(h));
    MutexLock lock(s->mu);
    return body(*s);
}

}  // namespace sr::p11
