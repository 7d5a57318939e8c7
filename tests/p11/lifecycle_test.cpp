// Black-box: fork() behaviour (v2.40 §6.7.1), nested templates, and parallel sessions.
#include <sys/wait.h>

#include <atomic>
#include <thread>

#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using Fork = P11Test;
using Threads = P11Test;
using Nested = P11Test;

// In the child: the parent's module is not initialized there; C_Initialize opens the devices
// afresh and the child can log in. Exit code 0 means every step answered as documented.
int child_after_fork(CK_FUNCTION_LIST_PTR fl, CK_SLOT_ID slot) {
    CK_INFO info{};
    if (fl->C_GetInfo(&info) != CKR_CRYPTOKI_NOT_INITIALIZED) return 1;
    if (fl->C_Initialize(nullptr) != CKR_OK) return 2;
    CK_SESSION_HANDLE h = 0;
    if (fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h) != CKR_OK)
        return 3;
    if (fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)) != CKR_OK) return 4;
    if (fl->C_Finalize(nullptr) != CKR_OK) return 5;
    return 0;
}

TEST_F(Fork, ChildMustInitializeAgainAndParentIsUnaffected) {
    SKIP_ON_SOFTHSM("Strongroom's documented fork behaviour");
    CK_SESSION_HANDLE parent = user_session();
    const CK_SLOT_ID slot = token_slot();
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ::_exit(child_after_fork(m_fl, slot));
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    CK_SESSION_INFO info{};
    ASSERT_EQ(m_fl->C_GetSessionInfo(parent, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RW_USER_FUNCTIONS);
}

TEST_F(Threads, SessionsSignInParallel) {
    // Threads need the library told so (v2.40 §5.4: C_Initialize(NULL) promises one thread);
    // SoftHSM2 crashes without it.
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    ASSERT_EQ(m_fl->C_Initialize(&args), CKR_OK);
    CK_SESSION_HANDLE login = user_session();
    (void)login;
    CK_MECHANISM gen = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ATTRIBUTE pub[] = {{CKA_EC_PARAMS, p256, sizeof p256}, {CKA_TOKEN, &no, 1},
                          {CKA_VERIFY, &yes, 1}};
    CK_ATTRIBUTE priv[] = {{CKA_SIGN, &yes, 1}, {CKA_TOKEN, &no, 1}};
    CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
    ASSERT_EQ(m_fl->C_GenerateKeyPair(login, &gen, pub, 3, priv, 2, &hpub, &hpriv), CKR_OK);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            CK_SESSION_HANDLE s = 0;
            if (m_fl->C_OpenSession(token_slot(), CKF_SERIAL_SESSION, nullptr, nullptr, &s) !=
                CKR_OK) {
                ++failures;
                return;
            }
            CK_MECHANISM m = {CKM_ECDSA, nullptr, 0};
            CK_BYTE digest[32] = {1};
            for (int i = 0; i < 20; ++i) {
                CK_BYTE sig[64];
                CK_ULONG len = sizeof sig;
                if (m_fl->C_SignInit(s, &m, hpriv) != CKR_OK ||
                    m_fl->C_Sign(s, digest, sizeof digest, sig, &len) != CKR_OK ||
                    m_fl->C_VerifyInit(s, &m, hpub) != CKR_OK ||
                    m_fl->C_Verify(s, digest, sizeof digest, sig, len) != CKR_OK)
                    ++failures;
            }
            (void)m_fl->C_CloseSession(s);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST_F(Nested, WrapTemplateComesBackAsGiven) {
    SKIP_ON_SOFTHSM("nested templates");
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
    CK_KEY_TYPE kt = CKK_AES;
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_BYTE key[16] = {5};
    CK_ATTRIBUTE inner[] = {{CKA_EXTRACTABLE, &no, 1}, {CKA_SENSITIVE, &yes, 1}};
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls},  {CKA_KEY_TYPE, &kt, sizeof kt},
                        {CKA_TOKEN, &no, 1},            {CKA_UNWRAP, &yes, 1},
                        {CKA_VALUE, key, sizeof key},   {CKA_UNWRAP_TEMPLATE, inner, sizeof inner}};
    CK_OBJECT_HANDLE h = 0;
    ASSERT_EQ(m_fl->C_CreateObject(s, t, 6, &h), CKR_OK);
    // Size query, then the types and lengths, then the values.
    CK_ATTRIBUTE q = {CKA_UNWRAP_TEMPLATE, nullptr, 0};
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, h, &q, 1), CKR_OK);
    ASSERT_EQ(q.ulValueLen, sizeof inner);
    CK_ATTRIBUTE back[2] = {};
    q.pValue = back;
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, h, &q, 1), CKR_OK);
    EXPECT_EQ(back[0].type, static_cast<CK_ATTRIBUTE_TYPE>(CKA_SENSITIVE));
    EXPECT_EQ(back[0].ulValueLen, 1u);
    CK_BBOOL v0 = 9, v1 = 9;
    back[0].pValue = &v0;
    back[1].pValue = &v1;
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, h, &q, 1), CKR_OK);
    EXPECT_EQ(v0, CK_TRUE);   // CKA_SENSITIVE (0x103) sorts before
    EXPECT_EQ(v1, CK_FALSE);  // CKA_EXTRACTABLE (0x162)
    // A nested array whose length is not a whole number of attributes.
    CK_ATTRIBUTE bad[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_KEY_TYPE, &kt, sizeof kt},
                          {CKA_VALUE, key, sizeof key},
                          {CKA_UNWRAP_TEMPLATE, inner, sizeof inner - 1}};
    EXPECT_EQ(m_fl->C_CreateObject(s, bad, 4, &h), CKR_ATTRIBUTE_VALUE_INVALID);
}

}  // namespace
}  // namespace sr::p11test
