#include "pkcs11/module.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string>

#include "client/home.h"
#include "common/log.h"
#include "pkcs11/abi.h"

namespace sr::p11 {
namespace {

std::atomic<Module*> g_module{nullptr};

// The process id, asked of the kernel once: every C_* call compares it with the initializing
// process's (a forked child must C_Initialize again), and glibc no longer caches getpid(). A
// forked child refreshes it in the atfork handler before it can run anything else; glibc drops
// the handler when this library is unloaded.
std::atomic<pid_t> g_pid{0};

void refresh_pid() noexcept { g_pid.store(::getpid(), std::memory_order_relaxed); }

pid_t current_pid() noexcept {
    if (pid_t p = g_pid.load(std::memory_order_relaxed); p != 0) return p;
    static const bool registered = [] {
        ::pthread_atfork(nullptr, nullptr, refresh_pid);
        return true;
    }();
    (void)registered;
    refresh_pid();
    return g_pid.load(std::memory_order_relaxed);
}

// What C_Initialize was asked for (v2.40 §5.4): OS locking (or none, for a single-threaded
// application) unless the application gave its callbacks without CKF_OS_LOCKING_OK.
struct InitArgs {
    bool app_locking = false;
    CK_C_INITIALIZE_ARGS args{};
};

Result<InitArgs> parse_init_args(const void* init_args) {
    InitArgs out;
    if (init_args == nullptr) return out;
    SR_ASSIGN_OR_RETURN(ByteView raw, in_bytes(init_args, sizeof(CK_C_INITIALIZE_ARGS)));
    std::memcpy(&out.args, raw.data(), sizeof out.args);
    const CK_C_INITIALIZE_ARGS& a = out.args;
    if (a.pReserved != nullptr) return error(Err::ArgumentsBad, "pReserved must be null");
    const int given = (a.CreateMutex != nullptr) + (a.DestroyMutex != nullptr) +
                      (a.LockMutex != nullptr) + (a.UnlockMutex != nullptr);
    if (given != 0 && given != 4)
        return error(Err::ArgumentsBad, "mutex callbacks must be given all together or not at all");
    // With CKF_OS_LOCKING_OK the module may choose: it prefers its own locks (case 4).
    out.app_locking = given == 4 && (a.flags & CKF_OS_LOCKING_OK) == 0;
    return out;
}

// The codes a mutex callback may return (v2.40 §5.4 CK_CREATEMUTEX ... CK_UNLOCKMUTEX) as the
// errors that map back to them; anything else the application returns is a general error.
Status callback_status(CK_RV rv, const char* callback) {
    struct Known {
        CK_RV rv;
        Err err;
    };
    static constexpr Known kKnown[] = {
        {CKR_HOST_MEMORY, Err::HostMemory},
        {CKR_GENERAL_ERROR, Err::GeneralError},
        {CKR_MUTEX_BAD, Err::MutexBad},
        {CKR_MUTEX_NOT_LOCKED, Err::MutexNotLocked},
    };
    if (rv == CKR_OK) return {};
    Err err = Err::GeneralError;
    for (const Known& k : kKnown)
        if (k.rv == rv) err = k.err;
    return error(err, std::string("the application's ") + callback + " failed");
}

}  // namespace

Result<std::shared_ptr<AppMutex>> AppMutex::create(const CK_C_INITIALIZE_ARGS& args) {
    void* handle = nullptr;
    SR_TRY(callback_status(args.CreateMutex(&handle), "CreateMutex"));
    return std::make_shared<AppMutex>(args, handle);
}

// Reached with the mutex undestroyed only when C_Initialize failed after creating it; that call
// already returns its own code, so a DestroyMutex failure has nowhere to go.
AppMutex::~AppMutex() { (void)destroy(); }

Status AppMutex::lock() { return callback_status(m_lock(m_handle), "LockMutex"); }

Status AppMutex::unlock() { return callback_status(m_unlock(m_handle), "UnlockMutex"); }

Status AppMutex::destroy() {
    if (m_destroyed.exchange(true, std::memory_order_acq_rel)) return {};
    return callback_status(m_destroy(m_handle), "DestroyMutex");
}

Status Module::initialize(const void* init_args) {
    SR_ASSIGN_OR_RETURN(InitArgs args, parse_init_args(init_args));
    if (current() != nullptr) return error(Err::CryptokiAlreadyInitialized);
    if (const char* level = std::getenv("STRONGROOM_LOG"); level != nullptr) log::set_level(level);
    std::shared_ptr<AppMutex> app_mutex;
    if (args.app_locking) {
        SR_ASSIGN_OR_RETURN(app_mutex, AppMutex::create(args.args));
    }
    SR_ASSIGN_OR_RETURN(auto client, client::Client::open(client::client_home()));
    auto fresh = std::make_unique<Module>(std::move(client), current_pid(), std::move(app_mutex));
    Module* expected = g_module.load();
    if (expected != nullptr && expected->m_pid == current_pid())
        return error(Err::CryptokiAlreadyInitialized);
    // In a forked child the parent's module is abandoned, never destroyed: its locks may be
    // held by threads that do not exist here.
    if (!g_module.compare_exchange_strong(expected, fresh.get()))
        return error(Err::CryptokiAlreadyInitialized);
    fresh.release();
    return {};
}

Status Module::finalize(const void* reserved) {
    if (reserved != nullptr) return error(Err::ArgumentsBad, "pReserved must be null");
    SR_ASSIGN_OR_RETURN(Module * m, get());
    Module* expected = m;
    if (!g_module.compare_exchange_strong(expected, nullptr))
        return error(Err::CryptokiNotInitialized);
    std::unique_ptr<Module> owned(m);
    // This call holds the application's mutex (the guard took it); it destroys the mutex when
    // it lets go (CallLock::release).
    if (m->m_app_mutex) m->m_app_mutex->retire();
    return {};
}

Module* Module::current() noexcept {
    Module* m = g_module.load(std::memory_order_acquire);
    return m != nullptr && m->m_pid == current_pid() ? m : nullptr;
}

Result<Module*> Module::get() {
    Module* m = current();
    if (m == nullptr) return error(Err::CryptokiNotInitialized);
    return m;
}

}  // namespace sr::p11
