// The module's one piece of global state (STYLE.md item 10): created by C_Initialize,
// destroyed by C_Finalize, reached by every other entry point through Module::get(). A child
// process after fork() sees the module as not initialized until it calls C_Initialize itself
// (v2.40 §6.7.1); the parent's state is left untouched in the child (its locks may be held).
#pragma once

#include <sys/types.h>

#include <memory>

#include "client/client.h"
#include "common/result.h"
#include "pkcs11/ck.h"

namespace sr::p11 {

class Module final {
public:
    // Errors: CryptokiAlreadyInitialized, ArgumentsBad (malformed CK_C_INITIALIZE_ARGS),
    // CantLock (application mutex callbacks without CKF_OS_LOCKING_OK), device errors.
    static Status initialize(const void* init_args);
    // Errors: CryptokiNotInitialized, ArgumentsBad (reserved not null).
    static Status finalize(const void* reserved);
    // CryptokiNotInitialized before C_Initialize, after C_Finalize, and in a forked child.
    static Result<Module*> get();

    client::Client& client() noexcept { return *m_client; }

    Module(std::unique_ptr<client::Client> c, pid_t pid) : m_client(std::move(c)), m_pid(pid) {}

private:
    std::unique_ptr<client::Client> m_client;
    const pid_t m_pid;
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
