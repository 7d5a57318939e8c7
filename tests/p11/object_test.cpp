// Black-box: objects and attributes — create/find/get/set/copy/destroy, the C_GetAttributeValue
// rules (sensitive values, invalid types, length queries, too-small buffers) and bad templates.
#include "p11_fixture.h"

namespace sr::p11test {
namespace {

using Objects = P11Test;

CK_OBJECT_CLASS kData = CKO_DATA;
CK_OBJECT_CLASS kSecret = CKO_SECRET_KEY;
CK_KEY_TYPE kAes = CKK_AES;
CK_BBOOL kTrue = CK_TRUE;
CK_BBOOL kFalse = CK_FALSE;

CK_OBJECT_HANDLE make_data(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, const char* label,
                           bool token = false) {
    CK_BBOOL tok = token ? CK_TRUE : CK_FALSE;
    CK_BYTE value[] = {1, 2, 3, 4, 5};
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &kData, sizeof kData},
        {CKA_TOKEN, &tok, sizeof tok},
        {CKA_LABEL, const_cast<char*>(label), std::char_traits<char>::length(label)},
        {CKA_VALUE, value, sizeof value},
    };
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_CreateObject(s, t, 4, &h), CKR_OK);
    return h;
}

CK_OBJECT_HANDLE make_aes(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s, CK_BBOOL sensitive) {
    CK_BYTE key[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                       0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
    CK_ATTRIBUTE t[] = {
        {CKA_CLASS, &kSecret, sizeof kSecret},  {CKA_KEY_TYPE, &kAes, sizeof kAes},
        {CKA_TOKEN, &kFalse, sizeof kFalse},    {CKA_SENSITIVE, &sensitive, sizeof sensitive},
        {CKA_EXTRACTABLE, &kTrue, sizeof kTrue}, {CKA_ENCRYPT, &kTrue, sizeof kTrue},
        {CKA_VALUE, key, sizeof key},
    };
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_CreateObject(s, t, 7, &h), CKR_OK);
    return h;
}

TEST_F(Objects, CreateFindAndRead) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE h = make_data(m_fl, s, "alpha", true);
    make_data(m_fl, s, "beta");
    CK_ATTRIBUTE q[] = {{CKA_LABEL, const_cast<char*>("alpha"), 5}};
    ASSERT_EQ(m_fl->C_FindObjectsInit(s, q, 1), CKR_OK);
    EXPECT_EQ(m_fl->C_FindObjectsInit(s, q, 1), CKR_OPERATION_ACTIVE);
    CK_OBJECT_HANDLE found[4];
    CK_ULONG n = 0;
    ASSERT_EQ(m_fl->C_FindObjects(s, found, 4, &n), CKR_OK);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(found[0], h);
    ASSERT_EQ(m_fl->C_FindObjects(s, found, 4, &n), CKR_OK);
    EXPECT_EQ(n, 0u);
    ASSERT_EQ(m_fl->C_FindObjectsFinal(s), CKR_OK);
    EXPECT_EQ(m_fl->C_FindObjects(s, found, 4, &n), CKR_OPERATION_NOT_INITIALIZED);

    // Length query, then a read.
    CK_ATTRIBUTE a = {CKA_VALUE, nullptr, 0};
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, h, &a, 1), CKR_OK);
    EXPECT_EQ(a.ulValueLen, 5u);
    CK_BYTE buf[5] = {};
    a.pValue = buf;
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, h, &a, 1), CKR_OK);
    EXPECT_EQ(buf[4], 5);
}

TEST_F(Objects, TooSmallBufferAndInvalidTypeAreReportedPerAttribute) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE h = make_data(m_fl, s, "alpha");
    char small[2];
    CK_BBOOL token = CK_TRUE;
    CK_ATTRIBUTE t[] = {{CKA_LABEL, small, sizeof small}, {CKA_TOKEN, &token, sizeof token}};
    EXPECT_EQ(m_fl->C_GetAttributeValue(s, h, t, 2), CKR_BUFFER_TOO_SMALL);
    EXPECT_EQ(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    EXPECT_EQ(t[1].ulValueLen, sizeof(CK_BBOOL));
    EXPECT_EQ(token, CK_FALSE);  // the attributes that fit are still filled

    CK_ULONG bits = 0;
    CK_ATTRIBUTE bad[] = {{CKA_MODULUS_BITS, &bits, sizeof bits}, {CKA_TOKEN, &token, 1}};
    EXPECT_EQ(m_fl->C_GetAttributeValue(s, h, bad, 2), CKR_ATTRIBUTE_TYPE_INVALID);
    EXPECT_EQ(bad[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    EXPECT_EQ(bad[1].ulValueLen, 1u);
}

TEST_F(Objects, SensitiveValueIsUnavailable) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = make_aes(m_fl, s, CK_TRUE);
    CK_BYTE value[32];
    CK_ULONG len = 0;
    CK_ATTRIBUTE t[] = {{CKA_VALUE, value, sizeof value}, {CKA_VALUE_LEN, &len, sizeof len}};
    EXPECT_EQ(m_fl->C_GetAttributeValue(s, k, t, 2), CKR_ATTRIBUTE_SENSITIVE);
    EXPECT_EQ(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    EXPECT_EQ(len, 16u);
    // Extractable and not sensitive: readable.
    CK_OBJECT_HANDLE open_key = make_aes(m_fl, s, CK_FALSE);
    CK_ATTRIBUTE v = {CKA_VALUE, value, sizeof value};
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, open_key, &v, 1), CKR_OK);
    EXPECT_EQ(v.ulValueLen, 16u);
    EXPECT_EQ(value[0], 0x2b);
}

TEST_F(Objects, SensitiveCannotBeTurnedOff) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE k = make_aes(m_fl, s, CK_TRUE);
    CK_ATTRIBUTE off = {CKA_SENSITIVE, &kFalse, sizeof kFalse};
    EXPECT_EQ(m_fl->C_SetAttributeValue(s, k, &off, 1), CKR_ATTRIBUTE_READ_ONLY);
}

TEST_F(Objects, SetCopyAndDestroy) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE h = make_data(m_fl, s, "alpha");
    CK_ATTRIBUTE relabel = {CKA_LABEL, const_cast<char*>("gamma"), 5};
    ASSERT_EQ(m_fl->C_SetAttributeValue(s, h, &relabel, 1), CKR_OK);
    CK_OBJECT_HANDLE copy = CK_INVALID_HANDLE;
    CK_ATTRIBUTE change = {CKA_LABEL, const_cast<char*>("delta"), 5};
    ASSERT_EQ(m_fl->C_CopyObject(s, h, &change, 1, &copy), CKR_OK);
    EXPECT_NE(copy, h);
    char label[16] = {};
    CK_ATTRIBUTE read = {CKA_LABEL, label, sizeof label};
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, h, &read, 1), CKR_OK);
    EXPECT_EQ(std::string(label, read.ulValueLen), "gamma");
    read.ulValueLen = sizeof label;
    ASSERT_EQ(m_fl->C_GetAttributeValue(s, copy, &read, 1), CKR_OK);
    EXPECT_EQ(std::string(label, read.ulValueLen), "delta");
    ASSERT_EQ(m_fl->C_DestroyObject(s, h), CKR_OK);
    EXPECT_EQ(m_fl->C_DestroyObject(s, h), CKR_OBJECT_HANDLE_INVALID);
    read.ulValueLen = sizeof label;
    EXPECT_EQ(m_fl->C_GetAttributeValue(s, h, &read, 1), CKR_OBJECT_HANDLE_INVALID);
}

TEST_F(Objects, ReadOnlySessionCannotCreateTokenObjects) {
    CK_SESSION_HANDLE ro = open(false);
    ASSERT_EQ(m_fl->C_Login(ro, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &kData, sizeof kData}, {CKA_TOKEN, &kTrue, sizeof kTrue}};
    CK_OBJECT_HANDLE h = 0;
    EXPECT_EQ(m_fl->C_CreateObject(ro, t, 2, &h), CKR_SESSION_READ_ONLY);
}

TEST_F(Objects, BadTemplatesAreRefusedWithoutCrashing) {
    CK_SESSION_HANDLE s = user_session();
    CK_OBJECT_HANDLE h = 0;
    EXPECT_EQ(m_fl->C_CreateObject(s, nullptr, 2, &h), CKR_ARGUMENTS_BAD);
    // SoftHSM2 dereferences a null value with a length (a segfault), so Strongroom only.
    if (!testing_softhsm()) {
        CK_ATTRIBUTE null_value[] = {{CKA_CLASS, nullptr, sizeof(CK_OBJECT_CLASS)}};
        EXPECT_EQ(m_fl->C_CreateObject(s, null_value, 1, &h), CKR_ARGUMENTS_BAD);
    }
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &kData, sizeof kData}};
    EXPECT_EQ(m_fl->C_CreateObject(s, t, 1, nullptr), CKR_ARGUMENTS_BAD);
    CK_BYTE short_class = 0;
    CK_ATTRIBUTE wrong_len[] = {{CKA_CLASS, &short_class, 1}};
    EXPECT_REFUSED(m_fl->C_CreateObject(s, wrong_len, 1, &h), CKR_ATTRIBUTE_VALUE_INVALID);
    CK_ATTRIBUTE no_class[] = {{CKA_TOKEN, &kFalse, sizeof kFalse}};
    EXPECT_EQ(m_fl->C_CreateObject(s, no_class, 1, &h), CKR_TEMPLATE_INCOMPLETE);
    EXPECT_EQ(m_fl->C_GetAttributeValue(s, 0x7fffffff, t, 1), CKR_OBJECT_HANDLE_INVALID);
    EXPECT_EQ(m_fl->C_FindObjectsInit(s, nullptr, 1), CKR_ARGUMENTS_BAD);
}

TEST_F(Objects, DuplicateAttributeIsTemplateInconsistent) {
    SKIP_ON_SOFTHSM("SoftHSM takes the last value");
    CK_SESSION_HANDLE s = user_session();
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &kData, sizeof kData}, {CKA_CLASS, &kData, sizeof kData}};
    CK_OBJECT_HANDLE h = 0;
    EXPECT_EQ(m_fl->C_CreateObject(s, t, 2, &h), CKR_TEMPLATE_INCONSISTENT);
}

TEST_F(Objects, PrivateObjectsNeedLogin) {
    CK_SESSION_HANDLE s = open();
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &kData, sizeof kData}, {CKA_PRIVATE, &kTrue, sizeof kTrue}};
    CK_OBJECT_HANDLE h = 0;
    EXPECT_EQ(m_fl->C_CreateObject(s, t, 2, &h), CKR_USER_NOT_LOGGED_IN);
}

}  // namespace
}  // namespace sr::p11test
