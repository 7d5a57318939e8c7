#include "pkcs11/module.h"

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

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

Status check_init_args(const void* init_args) {
    if (init_args == nullptr) return {};
    SR_ASSIGN_OR_RETURN(ByteView raw, in_bytes(init_args, sizeof(CK_C_INITIALIZE_ARGS)));
    CK_C_INITIALIZE_ARGS args;
    std::memcpy(&args, raw.data(), sizeof args);
    if (args.pReserved != nullptr) return error(Err::ArgumentsBad, "pReserved must be null");
    const int given = (args.CreateMutex != nullptr) + (args.DestroyMutex != nullptr) +
                      (args.LockMutex != nullptr) + (args.UnlockMutex != nullptr);
    if (given != 0 && given != 4)
        return error(Err::ArgumentsBad, "mutex callbacks must be given all together or not at all");
    // The engine locks with OS primitives; it cannot run on application callbacks alone
    // (v2.40 §5.4 case 3 allows refusing with CKR_CANT_LOCK).
    if (given == 4 && (args.flags & CKF_OS_LOCKING_OK) == 0)
        return error(Err::CantLock, "Strongroom needs OS locking (CKF_OS_LOCKING_OK)");
    return {};
}

}  // namespace

Status Module::initialize(const void* init_args) {
    SR_TRY(check_init_args(init_args));
    if (Module* m = g_module.load(); m != nullptr && m->m_pid == current_pid())
        return error(Err::CryptokiAlreadyInitialized);
    if (const char* level = std::getenv("STRONGROOM_LOG"); level != nullptr) log::set_level(level);
    SR_ASSIGN_OR_RETURN(auto client, client::Client::open(client::client_home()));
    auto fresh = std::make_unique<Module>(std::move(client), current_pid());
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
    return {};
}

Result<Module*> Module::get() {
    Module* m = g_module.load();
    if (m == nullptr || m->m_pid != current_pid()) return error(Err::CryptokiNotInitialized);
    return m;
}

}  // namespace sr::p11
