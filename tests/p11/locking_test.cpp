// Black-box: application mutex callbacks (v2.40 §5.4). Callbacks without CKF_OS_LOCKING_OK must
// be used by the module for its thread safety; with the flag the module may lock its own way;
// only some of the four callbacks is CKR_ARGUMENTS_BAD; a callback's failure is the call's code.
#include <atomic>
#include <mutex>
#include <thread>

#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using AppLocking = P11Test;
using AppLockingThreads = P11Test;

CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;
CK_BYTE kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};

// What the counting callbacks saw. Callbacks are plain function pointers, so the record is
// process-wide; each test resets it (tests of one process run one after another).
struct Counts {
    std::atomic<int> created{0};
    std::atomic<int> destroyed{0};
    std::atomic<long> locks{0};
    std::atomic<long> unlocks{0};
    std::atomic<int> holders{0};      // threads inside a held application mutex right now
    std::atomic<int> max_holders{0};  // more than one means the callbacks were not honoured
    std::atomic<CK_RV> create_rv{CKR_OK};
    std::atomic<CK_RV> lock_rv{CKR_OK};
    std::atomic<CK_RV> destroy_rv{CKR_OK};
    std::atomic<void*> last_created{nullptr};
    void reset() {
        created = destroyed = 0;
        locks = unlocks = 0;
        holders = max_holders = 0;
        create_rv = lock_rv = destroy_rv = CKR_OK;
        last_created = nullptr;
    }
};
Counts g_counts;

CK_RV count_create(CK_VOID_PTR_PTR out) {
    if (g_counts.create_rv != CKR_OK) return g_counts.create_rv;
    *out = new std::mutex;
    g_counts.last_created = *out;
    ++g_counts.created;
    return CKR_OK;
}
CK_RV count_destroy(CK_VOID_PTR m) {
    if (g_counts.destroy_rv != CKR_OK) return g_counts.destroy_rv;
    delete static_cast<std::mutex*>(m);
    ++g_counts.destroyed;
    return CKR_OK;
}
CK_RV count_lock(CK_VOID_PTR m) {
    if (g_counts.lock_rv != CKR_OK) return g_counts.lock_rv;
    static_cast<std::mutex*>(m)->lock();
    ++g_counts.locks;
    const int now = ++g_counts.holders;
    int seen = g_counts.max_holders;
    while (now > seen && !g_counts.max_holders.compare_exchange_weak(seen, now)) {
    }
    return CKR_OK;
}
CK_RV count_unlock(CK_VOID_PTR m) {
    --g_counts.holders;
    ++g_counts.unlocks;
    static_cast<std::mutex*>(m)->unlock();
    return CKR_OK;
}

CK_C_INITIALIZE_ARGS counting_args(CK_FLAGS flags = 0) {
    CK_C_INITIALIZE_ARGS args{};
    args.CreateMutex = count_create;
    args.DestroyMutex = count_destroy;
    args.LockMutex = count_lock;
    args.UnlockMutex = count_unlock;
    args.flags = flags;
    return args;
}

// Finalizes the fixture's C_Initialize(NULL) and initializes again with `args`.
CK_RV reinit_with(CK_FUNCTION_LIST_PTR fl, CK_C_INITIALIZE_ARGS args) {
    EXPECT_EQ(fl->C_Finalize(nullptr), CKR_OK);
    g_counts.reset();
    return fl->C_Initialize(&args);
}

TEST_F(AppLocking, CallbacksWithoutOsLockingAreCreatedLockedAndUnlockedInBalance) {
    ASSERT_EQ(reinit_with(m_fl, counting_args()), CKR_OK);
    EXPECT_GE(g_counts.created, 1);
    CK_INFO info{};
    if (!testing_softhsm()) {
        // One mutex, taken once per call.
        EXPECT_EQ(g_counts.created, 1);
        EXPECT_EQ(g_counts.locks, 0);
        for (int i = 0; i < 3; ++i) ASSERT_EQ(m_fl->C_GetInfo(&info), CKR_OK);
        EXPECT_EQ(g_counts.locks, 3);
        EXPECT_EQ(g_counts.unlocks, 3);
    }
    CK_SESSION_HANDLE s = user_session();
    EXPECT_EQ(m_fl->C_CloseSession(s), CKR_OK);
    EXPECT_GE(g_counts.locks, 1);
    EXPECT_EQ(g_counts.locks, g_counts.unlocks);
    EXPECT_EQ(g_counts.holders, 0);
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    EXPECT_EQ(g_counts.destroyed, g_counts.created);
    EXPECT_EQ(g_counts.locks, g_counts.unlocks);
    // No callback runs once the library is finalized.
    const long locks = g_counts.locks;
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    EXPECT_EQ(g_counts.locks, locks);
    ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK);  // for TearDown
}

TEST_F(AppLocking, CallbacksWithOsLockingOkUseOsLocking) {
    SKIP_ON_SOFTHSM("a module may use either; Strongroom uses its own locks");
    ASSERT_EQ(reinit_with(m_fl, counting_args(CKF_OS_LOCKING_OK)), CKR_OK);
    CK_SESSION_HANDLE s = user_session();
    EXPECT_EQ(m_fl->C_CloseSession(s), CKR_OK);
    EXPECT_EQ(g_counts.created, 0);
    EXPECT_EQ(g_counts.locks, 0);
}

TEST_F(AppLocking, SomeButNotAllCallbacksAreArgumentsBad) {
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    for (int missing = 0; missing < 4; ++missing) {
        CK_C_INITIALIZE_ARGS args = counting_args();
        if (missing == 0) args.CreateMutex = nullptr;
        if (missing == 1) args.DestroyMutex = nullptr;
        if (missing == 2) args.LockMutex = nullptr;
        if (missing == 3) args.UnlockMutex = nullptr;
        g_counts.reset();
        EXPECT_EQ(m_fl->C_Initialize(&args), CKR_ARGUMENTS_BAD) << "callback " << missing;
        EXPECT_EQ(g_counts.created, 0);
        args.flags = CKF_OS_LOCKING_OK;
        EXPECT_EQ(m_fl->C_Initialize(&args), CKR_ARGUMENTS_BAD) << "callback " << missing;
    }
    CK_INFO info{};
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK);
}

TEST_F(AppLocking, FailingCreateMutexFailsInitializeWithItsCode) {
    SKIP_ON_SOFTHSM("SoftHSM2 may create its mutexes later");
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    g_counts.reset();
    g_counts.create_rv = CKR_HOST_MEMORY;
    CK_C_INITIALIZE_ARGS args = counting_args();
    EXPECT_EQ(m_fl->C_Initialize(&args), CKR_HOST_MEMORY);
    CK_INFO info{};
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    g_counts.create_rv = CKR_GENERAL_ERROR;
    EXPECT_EQ(m_fl->C_Initialize(&args), CKR_GENERAL_ERROR);
    g_counts.reset();
    ASSERT_EQ(m_fl->C_Initialize(&args), CKR_OK);
}

TEST_F(AppLocking, FailingLockAndDestroyCallbacksAreTheCallsCodes) {
    SKIP_ON_SOFTHSM("Strongroom's mutex use");
    ASSERT_EQ(reinit_with(m_fl, counting_args()), CKR_OK);
    CK_INFO info{};
    g_counts.lock_rv = CKR_MUTEX_BAD;
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_MUTEX_BAD);
    g_counts.lock_rv = CKR_OK;
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_OK);
    g_counts.destroy_rv = CKR_GENERAL_ERROR;
    EXPECT_EQ(m_fl->C_Finalize(nullptr), CKR_GENERAL_ERROR);
    // The library is finalized all the same.
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    EXPECT_EQ(g_counts.locks, g_counts.unlocks);
    EXPECT_EQ(g_counts.destroyed, 0);
    delete static_cast<std::mutex*>(g_counts.last_created.load());
    g_counts.reset();
    ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK);
}

// Several threads, each with its own session, sign and verify at once with the module locking
// through the application's callbacks: every signature verifies and the locks balance.
TEST_F(AppLockingThreads, ConcurrentSigningOnAppMutexesIsCorrectAndBalanced) {
    ASSERT_EQ(reinit_with(m_fl, counting_args()), CKR_OK);
    CK_SESSION_HANDLE setup = user_session();
    CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_ATTRIBUTE pub_t[] = {{CKA_EC_PARAMS, kP256, sizeof kP256},
                            {CKA_VERIFY, &kTrue, 1},
                            {CKA_TOKEN, &kFalse, 1}};
    CK_ATTRIBUTE priv_t[] = {{CKA_SIGN, &kTrue, 1}, {CKA_TOKEN, &kFalse, 1}};
    CK_OBJECT_HANDLE pub = 0, priv = 0;
    ASSERT_EQ(m_fl->C_GenerateKeyPair(setup, &gen, pub_t, 3, priv_t, 2, &pub, &priv), CKR_OK);

    constexpr int kThreads = 4;
    constexpr int kSignatures = 15;
    const CK_SLOT_ID slot = token_slot();
    std::atomic<int> good{0};
    std::atomic<int> bad{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            CK_SESSION_HANDLE s = 0;
            if (m_fl->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s) != CKR_OK) {
                ++bad;
                return;
            }
            CK_MECHANISM m = {CKM_ECDSA, nullptr, 0};
            for (int i = 0; i < kSignatures; ++i) {
                std::vector<CK_BYTE> hash(32, static_cast<CK_BYTE>(t * kSignatures + i));
                CK_BYTE sig[64];
                CK_ULONG len = sizeof sig;
                bool ok = m_fl->C_SignInit(s, &m, priv) == CKR_OK &&
                          m_fl->C_Sign(s, hash.data(), hash.size(), sig, &len) == CKR_OK &&
                          m_fl->C_VerifyInit(s, &m, pub) == CKR_OK &&
                          m_fl->C_Verify(s, hash.data(), hash.size(), sig, len) == CKR_OK;
                // A signature over other data must not verify.
                hash[0] ^= 1;
                ok = ok && m_fl->C_VerifyInit(s, &m, pub) == CKR_OK &&
                     m_fl->C_Verify(s, hash.data(), hash.size(), sig, len) ==
                         CKR_SIGNATURE_INVALID;
                ++(ok ? good : bad);
            }
            if (m_fl->C_CloseSession(s) != CKR_OK) ++bad;
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(bad, 0);
    EXPECT_EQ(good, kThreads * kSignatures);
    EXPECT_EQ(g_counts.locks, g_counts.unlocks);
    if (!testing_softhsm()) {  // one mutex, at least one lock per call made above
        EXPECT_EQ(g_counts.max_holders, 1);
        EXPECT_GE(g_counts.locks, kThreads * (kSignatures * 6 + 2));
    }
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    EXPECT_EQ(g_counts.destroyed, g_counts.created);
    ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK);
}

}  // namespace
}  // namespace sr::p11test
