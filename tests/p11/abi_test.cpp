// The ABI helpers and the mechanism-parameter parser on hostile input.
#include <gtest/gtest.h>

#include "pkcs11/abi.h"
#include "pkcs11/mech_params.h"

namespace sr::p11 {
namespace {

TEST(OutBytes, LengthQueryTooSmallAndCopy) {
    const Bytes v = {1, 2, 3};
    CK_ULONG len = 0;
    EXPECT_TRUE(out_bytes(v, nullptr, &len).is_ok());
    EXPECT_EQ(len, 3u);
    CK_BYTE buf[3] = {};
    len = 2;
    EXPECT_EQ(out_bytes(v, buf, &len).code(), Err::BufferTooSmall);
    EXPECT_EQ(len, 3u);
    EXPECT_EQ(buf[0], 0);  // nothing written
    len = 3;
    EXPECT_TRUE(out_bytes(v, buf, &len).is_ok());
    EXPECT_EQ(buf[2], 3);
    EXPECT_EQ(out_bytes(v, buf, nullptr).code(), Err::ArgumentsBad);
}

TEST(InBytes, NullWithLengthAndHugeLengthAreRefused) {
    EXPECT_EQ(in_bytes(nullptr, 4).code(), Err::ArgumentsBad);
    EXPECT_TRUE(in_bytes(nullptr, 0).is_ok());
    CK_BYTE b = 0;
    EXPECT_EQ(in_bytes(&b, kMaxInputBytes + 1).code(), Err::ArgumentsBad);
}

TEST(InTemplate, DuplicatesNullsAndOversizeAreRefused) {
    CK_ULONG cls = CKO_DATA;
    CK_ATTRIBUTE dup[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_CLASS, &cls, sizeof cls}};
    EXPECT_EQ(in_template(dup, 2).code(), Err::TemplateInconsistent);
    EXPECT_EQ(in_template(nullptr, 1).code(), Err::ArgumentsBad);
    EXPECT_TRUE(in_template(nullptr, 0).is_ok());
    CK_ATTRIBUTE null_value[] = {{CKA_LABEL, nullptr, 4}};
    EXPECT_EQ(in_template(null_value, 1).code(), Err::ArgumentsBad);
    EXPECT_EQ(in_template(dup, kMaxTemplateCount + 1).code(), Err::ArgumentsBad);
}

TEST(InTemplate, SecretKeyValueLandsInTheSecretMap) {
    CK_ULONG cls = CKO_SECRET_KEY;
    CK_BYTE key[16] = {};
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_VALUE, key, sizeof key}};
    auto attrs = in_template(t, 2);
    ASSERT_TRUE(attrs.is_ok());
    EXPECT_TRUE(attrs->is_secret(CKA_VALUE));
}

TEST(OutAttributes, SensitiveWinsOverInvalidAndTooSmallAndOthersAreFilled) {
    hsm::AttributeSet values;
    values.set_string(CKA_LABEL, "hello");
    values.set_bool(CKA_TOKEN, true);
    std::map<hsm::AttrType, hsm::Readable> unavailable = {{CKA_VALUE, hsm::Readable::Sensitive},
                                                           {CKA_MODULUS, hsm::Readable::Invalid}};
    char small[2];
    CK_BBOOL tok = 0;
    CK_ATTRIBUTE t[] = {{CKA_LABEL, small, sizeof small},
                        {CKA_VALUE, nullptr, 0},
                        {CKA_MODULUS, nullptr, 0},
                        {CKA_TOKEN, &tok, 1}};
    EXPECT_EQ(out_attributes(values, unavailable, t, 4).code(), Err::AttributeSensitive);
    EXPECT_EQ(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    EXPECT_EQ(t[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    EXPECT_EQ(t[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    EXPECT_EQ(t[3].ulValueLen, 1u);
    EXPECT_EQ(tok, CK_TRUE);
    EXPECT_EQ(out_attributes(values, unavailable, t + 2, 1).code(), Err::AttributeTypeInvalid);
    t[0].ulValueLen = sizeof small;
    EXPECT_EQ(out_attributes(values, unavailable, t, 1).code(), Err::BufferTooSmall);
}

TEST(MechanismParams, SizesAndContentsAreChecked) {
    CK_BYTE iv[16] = {};
    CK_MECHANISM cbc = {CKM_AES_CBC_PAD, iv, 16};
    auto m = parse_mechanism(&cbc);
    ASSERT_TRUE(m.is_ok());
    EXPECT_TRUE(std::holds_alternative<crypto::IvParams>(m->params));
    cbc.ulParameterLen = 15;
    EXPECT_EQ(parse_mechanism(&cbc).code(), Err::MechanismParamInvalid);
    EXPECT_EQ(parse_mechanism(nullptr).code(), Err::ArgumentsBad);

    CK_GCM_PARAMS gcm{};
    gcm.pIv = iv;
    gcm.ulIvLen = 12;
    gcm.ulTagBits = 129;
    CK_MECHANISM g = {CKM_AES_GCM, &gcm, sizeof gcm};
    EXPECT_EQ(parse_mechanism(&g).code(), Err::MechanismParamInvalid);
    gcm.ulTagBits = 128;
    gcm.pIv = nullptr;
    EXPECT_NE(parse_mechanism(&g).code(), Err::Ok);

    CK_RSA_PKCS_OAEP_PARAMS oaep = {CKM_SHA256, CKG_MGF1_SHA256, 7, nullptr, 0};
    CK_MECHANISM o = {CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep};
    EXPECT_EQ(parse_mechanism(&o).code(), Err::MechanismParamInvalid);
    oaep.source = CKZ_DATA_SPECIFIED;
    EXPECT_TRUE(parse_mechanism(&o).is_ok());

    CK_MECHANISM digest_with_param = {CKM_SHA256, iv, 4};
    EXPECT_EQ(parse_mechanism(&digest_with_param).code(), Err::MechanismParamInvalid);
    CK_ECDH1_DERIVE_PARAMS ecdh{};
    ecdh.kdf = CKD_NULL;
    CK_MECHANISM e = {CKM_ECDH1_DERIVE, &ecdh, sizeof ecdh};
    EXPECT_EQ(parse_mechanism(&e).code(), Err::MechanismParamInvalid);  // no peer key
}

}  // namespace
}  // namespace sr::p11
