// Black-box: library lifecycle, slots and tokens, sessions, login/logout and PIN management.
#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using Lifecycle = P11Test;
using Slots = P11Test;
using Sessions = P11Test;
using Login = P11Test;
using Pins = P11Test;

TEST_F(Lifecycle, DoubleInitializeIsRefusedAndFinalizeEndsTheLibrary) {
    EXPECT_EQ(m_fl->C_Initialize(nullptr), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    CK_INFO info{};
    EXPECT_EQ(m_fl->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
    CK_ULONG n = 0;
    EXPECT_EQ(m_fl->C_GetSlotList(CK_FALSE, nullptr, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
    EXPECT_EQ(m_fl->C_Finalize(nullptr), CKR_CRYPTOKI_NOT_INITIALIZED);
    ASSERT_EQ(m_fl->C_Initialize(nullptr), CKR_OK);
}

TEST_F(Lifecycle, FinalizeWithReservedPointerIsArgumentsBad) {
    int dummy = 0;
    EXPECT_EQ(m_fl->C_Finalize(&dummy), CKR_ARGUMENTS_BAD);
}

TEST_F(Lifecycle, InitializeArgsRules) {
    ASSERT_EQ(m_fl->C_Finalize(nullptr), CKR_OK);
    CK_C_INITIALIZE_ARGS args{};
    int reserved = 0;
    args.pReserved = &reserved;
    EXPECT_EQ(m_fl->C_Initialize(&args), CKR_ARGUMENTS_BAD);
    args = {};
    args.CreateMutex = [](CK_VOID_PTR_PTR) -> CK_RV { return CKR_OK; };  // only some callbacks
    EXPECT_EQ(m_fl->C_Initialize(&args), CKR_ARGUMENTS_BAD);
    args = {};
    args.flags = CKF_OS_LOCKING_OK;
    EXPECT_EQ(m_fl->C_Initialize(&args), CKR_OK);
}

TEST_F(Lifecycle, GetInfoReportsVersion240) {
    CK_INFO info{};
    ASSERT_EQ(m_fl->C_GetInfo(&info), CKR_OK);
    EXPECT_EQ(info.cryptokiVersion.major, 2);
    EXPECT_GE(info.cryptokiVersion.minor, 40);
    EXPECT_EQ(m_fl->C_GetInfo(nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(Lifecycle, FunctionListNullIsArgumentsBad) {
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(m_lib, "C_GetFunctionList"));
    EXPECT_EQ(get(nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(Lifecycle, OnlyPkcs11SymbolsAreExported) {
    SKIP_ON_SOFTHSM("Strongroom's export list");
    EXPECT_NE(dlsym(m_lib, "C_Sign"), nullptr);
    EXPECT_EQ(dlsym(m_lib, "_ZN2sr3p118to_ck_rvENS_3ErrE"), nullptr);
}

TEST_F(Slots, AdminSlotThenPartitionsInIdOrder) {
    SKIP_ON_SOFTHSM("Strongroom slot numbering");
    auto list = slots();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0], 0u);
    EXPECT_EQ(list[1], 1u);
    CK_TOKEN_INFO ti{};
    ASSERT_EQ(m_fl->C_GetTokenInfo(0, &ti), CKR_OK);
    EXPECT_EQ(trim(ti.label, 32), "hsm");
    EXPECT_EQ(trim(ti.serialNumber, 16), "123456");
    ASSERT_EQ(m_fl->C_GetTokenInfo(1, &ti), CKR_OK);
    EXPECT_EQ(trim(ti.label, 32), "p1");
    CK_SLOT_INFO si{};
    ASSERT_EQ(m_fl->C_GetSlotInfo(0, &si), CKR_OK);
    EXPECT_EQ(trim(si.slotDescription, 64), "Luna HSM Admin Partition (PW)");
    ASSERT_EQ(m_fl->C_GetSlotInfo(1, &si), CKR_OK);
    EXPECT_NE(si.flags & CKF_TOKEN_PRESENT, 0u);
    EXPECT_EQ(si.firmwareVersion.major, 7);
    EXPECT_EQ(si.firmwareVersion.minor, 8);
}

TEST_F(Slots, DevicesAreNumberedBySerial) {
    SKIP_ON_SOFTHSM("Strongroom slot numbering");
    auto spec = ready_spec(100);  // a lower serial than the first device
    spec.hsm_label = "first";
    spec.partitions = {"a", "b"};
    make_strongroom_device(spec);
    reinitialize();
    auto list = slots();
    ASSERT_EQ(list.size(), 5u);
    const char* expected[] = {"first", "a", "b", "hsm", "p1"};
    for (size_t i = 0; i < list.size(); ++i) {
        CK_TOKEN_INFO ti{};
        ASSERT_EQ(m_fl->C_GetTokenInfo(list[i], &ti), CKR_OK);
        EXPECT_EQ(trim(ti.label, 32), expected[i]) << "slot " << i;
    }
}

TEST_F(Slots, SlotListBufferRules) {
    CK_ULONG n = 0;
    ASSERT_EQ(m_fl->C_GetSlotList(CK_TRUE, nullptr, &n), CKR_OK);
    ASSERT_GE(n, 1u);
    std::vector<CK_SLOT_ID> list(n);
    CK_ULONG small = 0;
    EXPECT_EQ(m_fl->C_GetSlotList(CK_TRUE, list.data(), &small), CKR_BUFFER_TOO_SMALL);
    EXPECT_EQ(small, n);
    EXPECT_EQ(m_fl->C_GetSlotList(CK_TRUE, nullptr, nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(Slots, UnknownSlotIsSlotIdInvalid) {
    CK_SLOT_INFO si{};
    CK_TOKEN_INFO ti{};
    EXPECT_EQ(m_fl->C_GetSlotInfo(999999, &si), CKR_SLOT_ID_INVALID);
    EXPECT_EQ(m_fl->C_GetTokenInfo(999999, &ti), CKR_SLOT_ID_INVALID);
    EXPECT_EQ(m_fl->C_GetTokenInfo(token_slot(), nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(Slots, TokenInfoIsTruthful) {
    CK_TOKEN_INFO ti{};
    ASSERT_EQ(m_fl->C_GetTokenInfo(token_slot(), &ti), CKR_OK);
    EXPECT_NE(ti.flags & CKF_TOKEN_INITIALIZED, 0u);
    EXPECT_NE(ti.flags & CKF_USER_PIN_INITIALIZED, 0u);
    EXPECT_NE(ti.flags & CKF_LOGIN_REQUIRED, 0u);
    EXPECT_NE(ti.flags & CKF_RNG, 0u);
    EXPECT_EQ(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);
    if (!testing_softhsm()) {
        EXPECT_EQ(trim(ti.model, 16), "Luna K7 7.8.4");
        EXPECT_EQ(ti.ulMinPinLen, 8u);
        EXPECT_EQ(ti.ulMaxPinLen, 255u);
        EXPECT_EQ(ti.firmwareVersion.major, 7);
    }
}

TEST_F(Slots, PedDeviceHasProtectedAuthenticationPath) {
    SKIP_ON_SOFTHSM("Strongroom PED devices");
    auto spec = ready_spec(200);
    spec.auth = hsm::AuthType::Ped;
    spec.hsm_label = "ped";
    spec.partitions = {"pedpart"};
    make_strongroom_device(spec);
    reinitialize();
    CK_TOKEN_INFO ti{};
    ASSERT_EQ(m_fl->C_GetTokenInfo(slot_labelled("pedpart"), &ti), CKR_OK);
    EXPECT_NE(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);
    ASSERT_EQ(m_fl->C_GetTokenInfo(token_slot(), &ti), CKR_OK);
    EXPECT_EQ(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH, 0u);
}

TEST_F(Sessions, OpenRequiresSerialFlagAndValidSlot) {
    CK_SESSION_HANDLE h = 0;
    EXPECT_EQ(m_fl->C_OpenSession(token_slot(), 0, nullptr, nullptr, &h),
              CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    EXPECT_EQ(m_fl->C_OpenSession(999999, CKF_SERIAL_SESSION, nullptr, nullptr, &h),
              CKR_SLOT_ID_INVALID);
    EXPECT_EQ(m_fl->C_OpenSession(token_slot(), CKF_SERIAL_SESSION, nullptr, nullptr, nullptr),
              CKR_ARGUMENTS_BAD);
}

TEST_F(Sessions, InfoShowsStateAndCloseInvalidates) {
    CK_SESSION_HANDLE ro = open(false);
    CK_SESSION_HANDLE rw = open(true);
    CK_SESSION_INFO info{};
    ASSERT_EQ(m_fl->C_GetSessionInfo(ro, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RO_PUBLIC_SESSION);
    EXPECT_EQ(info.slotID, token_slot());
    ASSERT_EQ(m_fl->C_GetSessionInfo(rw, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RW_PUBLIC_SESSION);
    EXPECT_NE(info.flags & CKF_RW_SESSION, 0u);
    ASSERT_EQ(m_fl->C_Login(rw, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
    ASSERT_EQ(m_fl->C_GetSessionInfo(ro, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RO_USER_FUNCTIONS);  // login applies to all the app's sessions
    ASSERT_EQ(m_fl->C_GetSessionInfo(rw, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RW_USER_FUNCTIONS);
    ASSERT_EQ(m_fl->C_CloseSession(ro), CKR_OK);
    EXPECT_EQ(m_fl->C_GetSessionInfo(ro, &info), CKR_SESSION_HANDLE_INVALID);
    EXPECT_EQ(m_fl->C_CloseSession(ro), CKR_SESSION_HANDLE_INVALID);
    EXPECT_EQ(m_fl->C_GetSessionInfo(rw, nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(Sessions, CloseAllSessionsLogsOut) {
    CK_SESSION_HANDLE a = user_session();
    ASSERT_EQ(m_fl->C_CloseAllSessions(token_slot()), CKR_OK);
    CK_SESSION_INFO info{};
    EXPECT_EQ(m_fl->C_GetSessionInfo(a, &info), CKR_SESSION_HANDLE_INVALID);
    CK_SESSION_HANDLE b = open();
    ASSERT_EQ(m_fl->C_GetSessionInfo(b, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RW_PUBLIC_SESSION);
}

TEST_F(Sessions, TokenInfoCountsSessions) {
    SKIP_ON_SOFTHSM("SoftHSM reports CK_UNAVAILABLE_INFORMATION");
    open(false);
    open(true);
    CK_TOKEN_INFO ti{};
    ASSERT_EQ(m_fl->C_GetTokenInfo(token_slot(), &ti), CKR_OK);
    EXPECT_EQ(ti.ulSessionCount, 2u);
    EXPECT_EQ(ti.ulRwSessionCount, 1u);
}

TEST_F(Login, UserLoginErrorsFollowTheSpec) {
    CK_SESSION_HANDLE h = open();
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin("wrong-password"), 14), CKR_PIN_INCORRECT);
    // v2.40 §5.6; SoftHSM2 answers CKR_OK here.
    if (!testing_softhsm()) {
        EXPECT_EQ(m_fl->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
    }
    ASSERT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)),
              CKR_USER_ALREADY_LOGGED_IN);
    EXPECT_EQ(m_fl->C_Login(h, CKU_SO, pin(kPoPin), pin_len(kPoPin)),
              CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
    EXPECT_EQ(m_fl->C_Logout(h), CKR_OK);
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, nullptr, 5), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(m_fl->C_Login(999999, CKU_USER, pin(kCoPin), pin_len(kCoPin)),
              CKR_SESSION_HANDLE_INVALID);
}

TEST_F(Login, SoLoginNeedsNoReadOnlySessions) {
    CK_SESSION_HANDLE ro = open(false);
    CK_SESSION_HANDLE rw = open(true);
    EXPECT_EQ(m_fl->C_Login(rw, CKU_SO, pin(kPoPin), pin_len(kPoPin)),
              CKR_SESSION_READ_ONLY_EXISTS);
    ASSERT_EQ(m_fl->C_CloseSession(ro), CKR_OK);
    ASSERT_EQ(m_fl->C_Login(rw, CKU_SO, pin(kPoPin), pin_len(kPoPin)), CKR_OK);
    CK_SESSION_INFO info{};
    ASSERT_EQ(m_fl->C_GetSessionInfo(rw, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RW_SO_FUNCTIONS);
    CK_SESSION_HANDLE h = 0;
    EXPECT_EQ(m_fl->C_OpenSession(token_slot(), CKF_SERIAL_SESSION, nullptr, nullptr, &h),
              CKR_SESSION_READ_WRITE_SO_EXISTS);
}

TEST_F(Login, UnknownUserTypeIsInvalid) {
    CK_SESSION_HANDLE h = open();
    EXPECT_EQ(m_fl->C_Login(h, 77, pin(kCoPin), pin_len(kCoPin)), CKR_USER_TYPE_INVALID);
}

TEST_F(Login, CryptoUserIsTheLunaLimitedUser) {
    SKIP_ON_SOFTHSM("Luna user type");
    CK_SESSION_HANDLE h = open();
    EXPECT_EQ(m_fl->C_Login(h, kCryptoUser, pin(kCuPin), pin_len(kCuPin)),
              CKR_USER_PIN_NOT_INITIALIZED);
}

TEST_F(Login, HsmSoLogsInOnTheAdminSlot) {
    SKIP_ON_SOFTHSM("Strongroom admin slot");
    CK_SESSION_HANDLE h = 0;
    ASSERT_EQ(m_fl->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h),
              CKR_OK);
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_USER_TYPE_INVALID);
    EXPECT_EQ(m_fl->C_Login(h, CKU_SO, pin(kPoPin), pin_len(kPoPin)), CKR_PIN_INCORRECT);
    EXPECT_EQ(m_fl->C_Login(h, CKU_SO, pin(kSoPin), pin_len(kSoPin)), CKR_OK);
}

TEST_F(Pins, SetPinChangesTheUserPin) {
    CK_SESSION_HANDLE h = user_session();
    const char* fresh = "new-co-password";
    EXPECT_EQ(m_fl->C_SetPIN(h, pin("bad-old-pin"), 11, pin(fresh), pin_len(fresh)),
              CKR_PIN_INCORRECT);
    ASSERT_EQ(m_fl->C_SetPIN(h, pin(kCoPin), pin_len(kCoPin), pin(fresh), pin_len(fresh)), CKR_OK);
    ASSERT_EQ(m_fl->C_Logout(h), CKR_OK);
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_PIN_INCORRECT);
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin(fresh), pin_len(fresh)), CKR_OK);
}

TEST_F(Pins, SetPinInReadOnlySessionIsRefused) {
    CK_SESSION_HANDLE h = open(false);
    ASSERT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
    const char* fresh = "new-co-password";
    EXPECT_EQ(m_fl->C_SetPIN(h, pin(kCoPin), pin_len(kCoPin), pin(fresh), pin_len(fresh)),
              CKR_SESSION_READ_ONLY);
}

TEST_F(Pins, InitTokenThenInitPinOnAFreshPartition) {
    SKIP_ON_SOFTHSM("Strongroom partition init");
    auto spec = ready_spec(300);
    spec.hsm_label = "second";
    spec.partitions = {"fresh"};
    spec.domain.clear();
    spec.po_password.clear();
    spec.co_password.clear();
    make_strongroom_device(spec);
    reinitialize();
    const CK_SLOT_ID slot = slot_labelled("fresh");
    CK_TOKEN_INFO ti{};
    ASSERT_EQ(m_fl->C_GetTokenInfo(slot, &ti), CKR_OK);
    EXPECT_EQ(ti.flags & CKF_TOKEN_INITIALIZED, 0u);

    CK_UTF8CHAR label[32];
    std::memset(label, ' ', sizeof label);
    std::memcpy(label, "renamed", 7);
    EXPECT_EQ(m_fl->C_InitToken(slot, pin(kPoPin), pin_len(kPoPin), nullptr), CKR_ARGUMENTS_BAD);
    ASSERT_EQ(m_fl->C_InitToken(slot, pin(kPoPin), pin_len(kPoPin), label), CKR_OK);
    ASSERT_EQ(m_fl->C_GetTokenInfo(slot, &ti), CKR_OK);
    EXPECT_EQ(trim(ti.label, 32), "renamed");
    EXPECT_NE(ti.flags & CKF_TOKEN_INITIALIZED, 0u);
    EXPECT_EQ(ti.flags & CKF_USER_PIN_INITIALIZED, 0u);

    CK_SESSION_HANDLE h = 0;
    ASSERT_EQ(m_fl->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &h),
              CKR_OK);
    EXPECT_EQ(m_fl->C_InitToken(slot, pin(kPoPin), pin_len(kPoPin), label), CKR_SESSION_EXISTS);
    EXPECT_EQ(m_fl->C_InitPIN(h, pin(kCoPin), pin_len(kCoPin)), CKR_USER_NOT_LOGGED_IN);
    ASSERT_EQ(m_fl->C_Login(h, CKU_SO, pin(kPoPin), pin_len(kPoPin)), CKR_OK);
    ASSERT_EQ(m_fl->C_InitPIN(h, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
    ASSERT_EQ(m_fl->C_Logout(h), CKR_OK);
    ASSERT_EQ(m_fl->C_GetTokenInfo(slot, &ti), CKR_OK);
    EXPECT_NE(ti.flags & CKF_USER_PIN_INITIALIZED, 0u);
    EXPECT_EQ(m_fl->C_Login(h, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
}

}  // namespace
}  // namespace sr::p11test
