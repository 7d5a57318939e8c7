// Black-box tests of the Luna-compatible vendor functions of libstrongroom.so: the module is
// dlopened and every CA_* / SR_* function is reached through dlsym, as a Luna application does.
// Devices come from the factory in the test's own STRONGROOM_HOME (same factory, so they trust
// each other).
#include <algorithm>
#include <array>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "crypto/x509.h"
#include "p11_fixture.h"
#include "pkcs11/luna.h"

namespace sr::p11test {
namespace {

constexpr CK_BBOOL kYes = CK_TRUE;
constexpr CK_BBOOL kNo = CK_FALSE;
constexpr const char* kTargetLabel = "p2";
constexpr const char* kOldLabel = "old";
constexpr const char* kForeignLabel = "p3";

// The objects of one source partition: one of every type the issue lists.
struct SourceObjects {
    std::map<std::string, CK_OBJECT_HANDLE> by_name;
    std::vector<CK_OBJECT_HANDLE> all() const {
        std::vector<CK_OBJECT_HANDLE> out;
        for (const auto& [name, h] : by_name) out.push_back(h);
        return out;
    }
    CK_OBJECT_HANDLE operator[](const std::string& n) const { return by_name.at(n); }
};

class CaTest : public P11Test {
  protected:
    void SetUp() override {
        if (testing_softhsm()) GTEST_SKIP() << "Luna vendor functions are Strongroom's";
        P11Test::SetUp();
    }

    template <class F>
    F sym(const char* name) {
        void* p = dlsym(m_lib, name);
        EXPECT_NE(p, nullptr) << name << " is not exported";
        return reinterpret_cast<F>(p);
    }

    // Another device in the same home (same factory), its partition initialized with a PO and a
    // CO under the given domain; the module re-reads the home.
    void add_device(uint64_t serial, const std::string& firmware, const std::string& label,
                    const std::string& domain = "domain-alpha") {
        hsm::NewDeviceSpec spec = ready_spec(serial);
        spec.firmware = *hsm::FirmwareVersion::parse(firmware);
        spec.partitions = {label};
        spec.domain = domain;
        ASSERT_NO_FATAL_FAILURE(make_strongroom_device(spec));
        ASSERT_NO_FATAL_FAILURE(reinitialize());
    }

    CK_SESSION_HANDLE login(const std::string& label, CK_USER_TYPE who, const char* secret) {
        CK_SESSION_HANDLE h = 0;
        EXPECT_EQ(m_fl->C_OpenSession(slot_labelled(label), CKF_SERIAL_SESSION | CKF_RW_SESSION,
                                      nullptr, nullptr, &h),
                  CKR_OK);
        EXPECT_EQ(m_fl->C_Login(h, who, pin(secret), pin_len(secret)), CKR_OK);
        return h;
    }
    CK_SESSION_HANDLE co(const std::string& label) { return login(label, CKU_USER, kCoPin); }

    void make_objects(CK_SESSION_HANDLE s, SourceObjects& o);

    // Every object the session sees.
    std::vector<CK_OBJECT_HANDLE> objects(CK_SESSION_HANDLE s) {
        EXPECT_EQ(m_fl->C_FindObjectsInit(s, nullptr, 0), CKR_OK);
        std::vector<CK_OBJECT_HANDLE> out(512);
        CK_ULONG n = 0;
        EXPECT_EQ(m_fl->C_FindObjects(s, out.data(), out.size(), &n), CKR_OK);
        EXPECT_EQ(m_fl->C_FindObjectsFinal(s), CKR_OK);
        out.resize(n);
        return out;
    }

    std::array<CK_BYTE, SR_OUID_LEN> ouid(const std::string& label, CK_OBJECT_HANDLE h) {
        std::array<CK_BYTE, SR_OUID_LEN> out{};
        EXPECT_EQ(sym<CK_CA_GetTokenObjectUID>("CA_GetTokenObjectUID")(slot_labelled(label), 0, h,
                                                                       out.data()),
                  CKR_OK);
        return out;
    }

    // The three-step form, with a length query on each output.
    CK_RV clone_three_step(CK_SESSION_HANDLE target, CK_SESSION_HANDLE source, CK_OBJECT_HANDLE h,
                           CK_OBJECT_HANDLE* out);
};

#define CA(name) sym<CK_##name>(#name)

void CaTest::make_objects(CK_SESSION_HANDLE s, SourceObjects& o) {
    CK_BYTE e[] = {1, 0, 1};
    CK_ULONG bits = 2048;
    CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_BYTE ed25519[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
    CK_ATTRIBUTE priv[] = {{CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                           {CKA_PRIVATE, const_cast<CK_BBOOL*>(&kYes), 1},
                           {CKA_SENSITIVE, const_cast<CK_BBOOL*>(&kYes), 1},
                           {CKA_SIGN, const_cast<CK_BBOOL*>(&kYes), 1}};
    auto pair = [&](const std::string& name, CK_MECHANISM_TYPE mech,
                    std::vector<CK_ATTRIBUTE> pub) {
        pub.push_back({CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1});
        pub.push_back({CKA_VERIFY, const_cast<CK_BBOOL*>(&kYes), 1});
        CK_MECHANISM m = {mech, nullptr, 0};
        CK_OBJECT_HANDLE hpub = 0, hpriv = 0;
        ASSERT_EQ(m_fl->C_GenerateKeyPair(s, &m, pub.data(), pub.size(), priv, 4, &hpub, &hpriv),
                  CKR_OK)
            << name;
        o.by_name[name + "-pub"] = hpub;
        o.by_name[name + "-priv"] = hpriv;
    };
    pair("rsa", CKM_RSA_PKCS_KEY_PAIR_GEN,
         {{CKA_MODULUS_BITS, &bits, sizeof bits}, {CKA_PUBLIC_EXPONENT, e, sizeof e}});
    pair("ec", CKM_EC_KEY_PAIR_GEN, {{CKA_EC_PARAMS, p256, sizeof p256}});
    pair("ed", CKM_EC_EDWARDS_KEY_PAIR_GEN, {{CKA_EC_PARAMS, ed25519, sizeof ed25519}});
    // A DSA domain made by the crypto layer (1024 bits: quick), the pair by the device.
    crypto::KeyGenParams gp;
    gp.bits = 1024;
    auto domain_source = crypto::MechanismRegistry::standard().generate_key_pair(
        {crypto::mech::kDsaKeyPairGen, crypto::NoParams{}}, gp);
    ASSERT_TRUE(domain_source.is_ok()) << domain_source.status().to_string();
    auto dom = crypto::dsa_public_parts(domain_source->public_key);
    ASSERT_TRUE(dom.is_ok());
    pair("dsa", CKM_DSA_KEY_PAIR_GEN,
         {{CKA_PRIME, dom->prime.data(), dom->prime.size()},
          {CKA_SUBPRIME, dom->subprime.data(), dom->subprime.size()},
          {CKA_BASE, dom->base.data(), dom->base.size()}});

    auto secret = [&](const std::string& name, CK_MECHANISM_TYPE mech, CK_ULONG len,
                      CK_ATTRIBUTE_TYPE use1, CK_ATTRIBUTE_TYPE use2) {
        CK_MECHANISM m = {mech, nullptr, 0};
        std::vector<CK_ATTRIBUTE> t = {{CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                                       {CKA_PRIVATE, const_cast<CK_BBOOL*>(&kYes), 1},
                                       {CKA_SENSITIVE, const_cast<CK_BBOOL*>(&kYes), 1},
                                       {use1, const_cast<CK_BBOOL*>(&kYes), 1},
                                       {use2, const_cast<CK_BBOOL*>(&kYes), 1}};
        if (len != 0) t.push_back({CKA_VALUE_LEN, &len, sizeof len});
        CK_OBJECT_HANDLE h = 0;
        ASSERT_EQ(m_fl->C_GenerateKey(s, &m, t.data(), t.size(), &h), CKR_OK) << name;
        o.by_name[name] = h;
    };
    secret("aes", CKM_AES_KEY_GEN, 32, CKA_ENCRYPT, CKA_DECRYPT);
    secret("des3", CKM_DES3_KEY_GEN, 0, CKA_ENCRYPT, CKA_DECRYPT);
    secret("hmac", CKM_GENERIC_SECRET_KEY_GEN, 32, CKA_SIGN, CKA_VERIFY);
    secret("generic", CKM_GENERIC_SECRET_KEY_GEN, 48, CKA_DERIVE, CKA_EXTRACTABLE);

    std::ifstream pem_file(m_home / "devices" / "123456" / "identity.pem");
    std::string pem((std::istreambuf_iterator<char>(pem_file)), std::istreambuf_iterator<char>());
    auto cert = crypto::Certificate::from_pem(pem);
    ASSERT_TRUE(cert.is_ok()) << cert.status().to_string();
    const Bytes der = cert->der();
    const std::string subject = cert->subject_cn();
    CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
    CK_CERTIFICATE_TYPE x509 = CKC_X_509;
    CK_ATTRIBUTE c[] = {{CKA_CLASS, &cert_class, sizeof cert_class},
                        {CKA_CERTIFICATE_TYPE, &x509, sizeof x509},
                        {CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                        {CKA_SUBJECT, const_cast<char*>(subject.data()), subject.size()},
                        {CKA_VALUE, const_cast<uint8_t*>(der.data()), der.size()}};
    ASSERT_EQ(m_fl->C_CreateObject(s, c, 5, &o.by_name["cert"]), CKR_OK);

    CK_OBJECT_CLASS data_class = CKO_DATA;
    char app[] = "ca test";
    char value[] = "data object value";
    CK_ATTRIBUTE d[] = {{CKA_CLASS, &data_class, sizeof data_class},
                        {CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                        {CKA_PRIVATE, const_cast<CK_BBOOL*>(&kNo), 1},
                        {CKA_APPLICATION, app, sizeof app - 1},
                        {CKA_VALUE, value, sizeof value - 1}};
    ASSERT_EQ(m_fl->C_CreateObject(s, d, 5, &o.by_name["data"]), CKR_OK);
}

CK_RV CaTest::clone_three_step(CK_SESSION_HANDLE target, CK_SESSION_HANDLE source,
                               CK_OBJECT_HANDLE h, CK_OBJECT_HANDLE* out) {
    CK_ULONG n1 = 0;
    CK_RV rv = CA(CA_CloneAsTargetInit)(target, nullptr, 0, nullptr, 0, CK_FALSE, nullptr, &n1);
    if (rv != CKR_OK) return rv;
    std::vector<CK_BYTE> part1(n1);
    CK_ULONG small = n1 - 1;
    EXPECT_EQ(
        CA(CA_CloneAsTargetInit)(target, nullptr, 0, nullptr, 0, CK_FALSE, part1.data(), &small),
        CKR_BUFFER_TOO_SMALL);
    EXPECT_EQ(small, n1);
    rv = CA(CA_CloneAsTargetInit)(target, nullptr, 0, nullptr, 0, CK_FALSE, part1.data(), &n1);
    if (rv != CKR_OK) return rv;
    CK_ULONG n2 = 0;
    rv = CA(CA_CloneAsSource)(source, 0, h, part1.data(), n1, CK_FALSE, nullptr, &n2);
    if (rv != CKR_OK) return rv;
    std::vector<CK_BYTE> part2(n2);
    rv = CA(CA_CloneAsSource)(source, 0, h, part1.data(), n1, CK_FALSE, part2.data(), &n2);
    if (rv != CKR_OK) return rv;
    return CA(CA_CloneAsTarget)(target, part1.data(), n1, part2.data(), n2, 0, h, CK_FALSE, out);
}

// Signs on `signer` with `priv`, verifies on `verifier` with `pub`.
void expect_signature_verifies(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE signer,
                               CK_OBJECT_HANDLE priv, CK_SESSION_HANDLE verifier,
                               CK_OBJECT_HANDLE pub, CK_MECHANISM_TYPE mech) {
    CK_MECHANISM m = {mech, nullptr, 0};
    CK_BYTE msg[] = "signed on the target";
    CK_BYTE sig[1024];
    CK_ULONG len = sizeof sig;
    ASSERT_EQ(fl->C_SignInit(signer, &m, priv), CKR_OK) << mech;
    ASSERT_EQ(fl->C_Sign(signer, msg, sizeof msg, sig, &len), CKR_OK) << mech;
    ASSERT_EQ(fl->C_VerifyInit(verifier, &m, pub), CKR_OK) << mech;
    EXPECT_EQ(fl->C_Verify(verifier, msg, sizeof msg, sig, len), CKR_OK) << mech;
}

void expect_decrypts_there(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE here, CK_OBJECT_HANDLE key,
                           CK_SESSION_HANDLE there, CK_OBJECT_HANDLE clone) {
    CK_BYTE iv[16] = {7};
    CK_MECHANISM m = {CKM_AES_CBC_PAD, iv, sizeof iv};
    CK_BYTE plain[] = "encrypted on the source";
    CK_BYTE ct[64], back[64];
    CK_ULONG ct_len = sizeof ct, back_len = sizeof back;
    ASSERT_EQ(fl->C_EncryptInit(here, &m, key), CKR_OK);
    ASSERT_EQ(fl->C_Encrypt(here, plain, sizeof plain, ct, &ct_len), CKR_OK);
    ASSERT_EQ(fl->C_DecryptInit(there, &m, clone), CKR_OK);
    ASSERT_EQ(fl->C_Decrypt(there, ct, ct_len, back, &back_len), CKR_OK);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(back), back_len),
              std::string(reinterpret_cast<char*>(plain), sizeof plain));
}

// A token AES-256 key (private, sensitive) and a token P-256 pair.
CK_OBJECT_HANDLE aes_key(CK_FUNCTION_LIST_PTR fl, CK_SESSION_HANDLE s) {
    CK_MECHANISM m = {CKM_AES_KEY_GEN, nullptr, 0};
    CK_ULONG len = 32;
    CK_ATTRIBUTE t[] = {{CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                        {CKA_PRIVATE, const_cast<CK_BBOOL*>(&kYes), 1},
                        {CKA_ENCRYPT, const_cast<CK_BBOOL*>(&kYes), 1},
                        {CKA_DECRYPT, const_cast<CK_BBOOL*>(&kYes), 1},
                        {CKA_VALUE_LEN, &len, sizeof len}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_GenerateKey(s, &m, t, 5, &h), CKR_OK);
    return h;
}

std::pair<CK_OBJECT_HANDLE, CK_OBJECT_HANDLE> ec_pair(CK_FUNCTION_LIST_PTR fl,
                                                      CK_SESSION_HANDLE s) {
    CK_MECHANISM m = {CKM_EC_KEY_PAIR_GEN, nullptr, 0};
    CK_BYTE p256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
    CK_ATTRIBUTE pub[] = {{CKA_EC_PARAMS, p256, sizeof p256},
                          {CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                          {CKA_VERIFY, const_cast<CK_BBOOL*>(&kYes), 1}};
    CK_ATTRIBUTE priv[] = {{CKA_TOKEN, const_cast<CK_BBOOL*>(&kYes), 1},
                           {CKA_SIGN, const_cast<CK_BBOOL*>(&kYes), 1}};
    CK_OBJECT_HANDLE hpub = CK_INVALID_HANDLE, hpriv = CK_INVALID_HANDLE;
    EXPECT_EQ(fl->C_GenerateKeyPair(s, &m, pub, 3, priv, 2, &hpub, &hpriv), CKR_OK);
    return {hpub, hpriv};
}

using CaClone = CaTest;
using CaObjects = CaTest;
using CaPolicy = CaTest;
using CaRoles = CaTest;
using CaHa = CaTest;
using CaMasking = CaTest;

TEST_F(CaClone, CloneObjectCopiesEveryObjectTypeFrom622To7AndTheClonesWork) {
    ASSERT_NO_FATAL_FAILURE(add_device(111111, "6.22.0", kOldLabel));
    CK_SESSION_HANDLE src = co(kOldLabel);
    CK_SESSION_HANDLE dst = co(kTokenLabel);
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    ASSERT_EQ(objects(dst).size(), 0u);

    std::map<std::string, CK_OBJECT_HANDLE> clone;
    for (const auto& [name, h] : o.by_name) {
        CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
        ASSERT_EQ(CA(CA_CloneObject)(dst, src, 0, h, &c), CKR_OK) << name;
        EXPECT_NE(c, CK_INVALID_HANDLE);
        EXPECT_EQ(ouid(kOldLabel, h), ouid(kTokenLabel, c)) << name << " keeps its OUID";
        clone[name] = c;
    }
    EXPECT_EQ(objects(dst).size(), o.by_name.size());

    expect_signature_verifies(m_fl, dst, clone["rsa-priv"], src, o["rsa-pub"], CKM_SHA256_RSA_PKCS);
    expect_signature_verifies(m_fl, dst, clone["ec-priv"], src, o["ec-pub"], CKM_ECDSA_SHA256);
    expect_signature_verifies(m_fl, dst, clone["ed-priv"], src, o["ed-pub"], CKM_EDDSA);
    expect_signature_verifies(m_fl, dst, clone["dsa-priv"], src, o["dsa-pub"], CKM_DSA_SHA256);
    expect_decrypts_there(m_fl, src, o["aes"], dst, clone["aes"]);

    // A second clone of the same objects: every one is skipped, nothing is duplicated.
    for (const auto& [name, h] : o.by_name) {
        CK_OBJECT_HANDLE c = 1234;
        EXPECT_EQ(CA(CA_CloneObject)(dst, src, 0, h, &c), CKR_OBJECT_ALREADY_EXISTS) << name;
        EXPECT_EQ(c, CK_INVALID_HANDLE);
    }
    EXPECT_EQ(objects(dst).size(), o.by_name.size());
}

TEST_F(CaClone, ThreeStepFormWithLengthQueriesCopiesEveryObjectType) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kTargetLabel);
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    std::map<std::string, CK_OBJECT_HANDLE> clone;
    for (const auto& [name, h] : o.by_name) {
        CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
        ASSERT_EQ(clone_three_step(dst, src, h, &c), CKR_OK) << name;
        clone[name] = c;
        // The target finds the clone by the source's OUID, with the same class.
        auto id = ouid(kTokenLabel, h);
        CK_ULONG found = 0, cls = 0, src_cls = 0;
        ASSERT_EQ(CA(CA_GetTokenObjectHandle)(slot_labelled(kTargetLabel), id.data(), &found, &cls),
                  CKR_OK);
        EXPECT_EQ(found, c) << name;
        CK_ATTRIBUTE q = {CKA_CLASS, &src_cls, sizeof src_cls};
        ASSERT_EQ(m_fl->C_GetAttributeValue(src, h, &q, 1), CKR_OK);
        EXPECT_EQ(cls, src_cls) << name;
    }
    EXPECT_EQ(objects(dst).size(), o.by_name.size());
    expect_decrypts_there(m_fl, src, o["aes"], dst, clone["aes"]);
    expect_signature_verifies(m_fl, dst, clone["ec-priv"], src, o["ec-pub"], CKM_ECDSA_SHA256);
}

TEST_F(CaClone, BadArgumentsAndGarbledMessagesAreRefusedAndWriteNothing) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kTargetLabel);
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, src);
    CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
    CK_ULONG n = 0;
    CK_BYTE junk[] = {1, 2, 3};
    EXPECT_EQ(CA(CA_CloneObject)(dst, 0xdead, 0, aes, &c), CKR_SESSION_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_CloneObject)(0xdead, src, 0, aes, &c), CKR_SESSION_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_CloneObject)(dst, src, 0, aes, nullptr), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_CloneObject)(dst, src, 0, 0x7777, &c), CKR_OBJECT_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_CloneAsTargetInit)(dst, nullptr, 5, nullptr, 0, CK_FALSE, nullptr, &n),
              CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_CloneAsTargetInit)(dst, nullptr, 0, nullptr, 0, CK_FALSE, nullptr, nullptr),
              CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_CloneAsSource)(src, 0, aes, nullptr, 0, CK_FALSE, nullptr, &n),
              CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_CloneAsSource)(src, 0, aes, junk, sizeof junk, CK_FALSE, nullptr, &n),
              CKR_DATA_INVALID);
    EXPECT_EQ(CA(CA_CloneAsTarget)(dst, nullptr, 0, junk, sizeof junk, 0, 0, CK_FALSE, &c),
              CKR_DATA_INVALID);
    EXPECT_EQ(CA(CA_CloneAsTarget)(dst, nullptr, 0, nullptr, 0, 0, 0, CK_FALSE, &c),
              CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_CloneAsTarget)(dst, nullptr, 0, junk, sizeof junk, 0, 0, CK_FALSE, nullptr),
              CKR_ARGUMENTS_BAD);
    // A read-only target session cannot receive objects, even with the officer logged in.
    CK_SESSION_HANDLE ro = 0;
    ASSERT_EQ(
        m_fl->C_OpenSession(slot_labelled(kTargetLabel), CKF_SERIAL_SESSION, nullptr, nullptr, &ro),
        CKR_OK);
    EXPECT_EQ(CA(CA_CloneObject)(ro, src, 0, aes, &c), CKR_SESSION_READ_ONLY);
    EXPECT_TRUE(objects(dst).empty());
}

TEST_F(CaClone, ReplayedPart2IsRefusedAndTheTargetKeepsOneCopy) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kTargetLabel);
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, src);
    std::vector<CK_BYTE> part1(CK_CLONING_PART1_OVERHEAD), part2(4096);
    CK_ULONG n1 = part1.size(), n2 = part2.size();
    ASSERT_EQ(CA(CA_CloneAsTargetInit)(dst, nullptr, 0, nullptr, 0, CK_FALSE, part1.data(), &n1),
              CKR_OK);
    ASSERT_EQ(CA(CA_CloneAsSource)(src, 0, aes, part1.data(), n1, CK_FALSE, part2.data(), &n2),
              CKR_OK);
    CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
    ASSERT_EQ(CA(CA_CloneAsTarget)(dst, part1.data(), n1, part2.data(), n2, 0, aes, CK_FALSE, &c),
              CKR_OK);
    EXPECT_EQ(CA(CA_CloneAsTarget)(dst, part1.data(), n1, part2.data(), n2, 0, aes, CK_FALSE, &c),
              CKR_DATA_INVALID);
    EXPECT_EQ(objects(dst).size(), 1u);
}

// Regression guard for the length-query cache: a pending part 2 made for one hello is never
// handed out for another hello.
TEST_F(CaClone, PendingPart2IsNotReusedForAnotherHello) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    ASSERT_NO_FATAL_FAILURE(add_device(777777, "7.8.4", "p4"));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE first = co(kTargetLabel);
    CK_SESSION_HANDLE second = co("p4");
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, src);
    auto hello = [&](CK_SESSION_HANDLE t) {
        std::vector<CK_BYTE> h(CK_CLONING_PART1_OVERHEAD);
        CK_ULONG n = h.size();
        EXPECT_EQ(CA(CA_CloneAsTargetInit)(t, nullptr, 0, nullptr, 0, CK_FALSE, h.data(), &n),
                  CKR_OK);
        h.resize(n);
        return h;
    };
    std::vector<CK_BYTE> h1 = hello(first), h2 = hello(second);
    CK_ULONG n = 0;
    ASSERT_EQ(CA(CA_CloneAsSource)(src, 0, aes, h1.data(), h1.size(), CK_FALSE, nullptr, &n),
              CKR_OK);  // part 2 for the first hello is now pending
    std::vector<CK_BYTE> part2(4096);
    n = part2.size();
    ASSERT_EQ(CA(CA_CloneAsSource)(src, 0, aes, h2.data(), h2.size(), CK_FALSE, part2.data(), &n),
              CKR_OK);
    CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
    EXPECT_EQ(
        CA(CA_CloneAsTarget)(second, h2.data(), h2.size(), part2.data(), n, 0, aes, CK_FALSE, &c),
        CKR_OK);
    EXPECT_EQ(objects(second).size(), 1u);
}

TEST_F(CaClone, ForeignDomainIsCertificateInvalidAndWritesNothing) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kForeignLabel, "domain-beta"));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kForeignLabel);
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, src);
    CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
    EXPECT_EQ(CA(CA_CloneObject)(dst, src, 0, aes, &c), CKR_CERTIFICATE_INVALID);
    EXPECT_TRUE(objects(dst).empty());
}

TEST_F(CaClone, PrivateKeyCloningPolicyOffRefusesPrivateKeysOnly) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    CK_ULONG container = 0;
    ASSERT_EQ(CA(SR_GetContainerNumber)(token_slot(), &container), CKR_OK);
    CK_SESSION_HANDLE po = login(kTokenLabel, CKU_SO, kPoPin);
    ASSERT_EQ(CA(CA_SetContainerPolicy)(po, container, 0, 0), CKR_OK);
    ASSERT_EQ(m_fl->C_CloseSession(po), CKR_OK);
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kTargetLabel);
    auto [pub, priv] = ec_pair(m_fl, src);
    CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
    EXPECT_EQ(CA(CA_CloneObject)(dst, src, 0, priv, &c), CKR_OPERATION_NOT_ALLOWED);
    EXPECT_EQ(CA(CA_CloneObject)(dst, src, 0, pub, &c), CKR_OK);
    EXPECT_EQ(objects(dst).size(), 1u);
}

TEST_F(CaObjects, OuidLookupsSeeWhatTheApplicationsLoginAllows) {
    CK_SESSION_HANDLE s = co(kTokenLabel);
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, s);
    const CK_SLOT_ID slot = token_slot();
    auto id = ouid(kTokenLabel, aes);
    EXPECT_NE(id, (std::array<CK_BYTE, SR_OUID_LEN>{}));
    CK_ULONG h = 0, cls = 0;
    ASSERT_EQ(CA(CA_GetTokenObjectHandle)(slot, id.data(), &h, &cls), CKR_OK);
    EXPECT_EQ(h, aes);
    EXPECT_EQ(cls, static_cast<CK_ULONG>(CKO_SECRET_KEY));
    // The module's own short-lived session did not end the application's login.
    CK_SESSION_INFO info{};
    ASSERT_EQ(m_fl->C_GetSessionInfo(s, &info), CKR_OK);
    EXPECT_EQ(info.state, CKS_RW_USER_FUNCTIONS);

    CK_BYTE buf[SR_OUID_LEN];
    EXPECT_EQ(CA(CA_GetTokenObjectUID)(slot, 0, 0x7777, buf), CKR_OBJECT_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_GetTokenObjectUID)(slot, 0, aes, nullptr), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_GetTokenObjectUID)(999, 0, aes, buf), CKR_SLOT_ID_INVALID);
    CK_BYTE unknown[SR_OUID_LEN] = {9, 9, 9};
    EXPECT_EQ(CA(CA_GetTokenObjectHandle)(slot, unknown, &h, &cls), CKR_OBJECT_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_GetTokenObjectHandle)(slot, nullptr, &h, &cls), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_GetTokenObjectHandle)(slot, id.data(), nullptr, &cls), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_GetTokenObjectHandle)(slot - 1, id.data(), &h, &cls),
              CKR_OBJECT_HANDLE_INVALID)  // the admin slot holds no objects
        << "admin slot";

    // Logged out, the private key is invisible to the vendor lookups too.
    ASSERT_EQ(m_fl->C_Logout(s), CKR_OK);
    EXPECT_EQ(CA(CA_GetTokenObjectHandle)(slot, id.data(), &h, &cls), CKR_OBJECT_HANDLE_INVALID);
    EXPECT_NE(CA(CA_GetTokenObjectUID)(slot, 0, aes, buf), CKR_OK);
}

TEST_F(CaObjects, FingerprintsOfACloneMatchTheSourceAndDifferForAnotherKey) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kTargetLabel);
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, src);
    const CK_OBJECT_HANDLE other = aes_key(m_fl, src);
    CK_OBJECT_HANDLE c = CK_INVALID_HANDLE;
    ASSERT_EQ(CA(CA_CloneObject)(dst, src, 0, aes, &c), CKR_OK);
    auto fp = CA(SR_GetObjectFingerprint);
    CK_ULONG dl = 0, ml = 0;
    const CK_RV rv = fp(src, aes, nullptr, &dl, nullptr, &ml);
    if (rv == CKR_FUNCTION_NOT_SUPPORTED) GTEST_SKIP() << "the engine has no fingerprints yet";
    ASSERT_EQ(rv, CKR_OK);
    EXPECT_EQ(dl, 32u);
    EXPECT_EQ(ml, 32u);
    auto get = [&](CK_SESSION_HANDLE s, CK_OBJECT_HANDLE h) {
        std::vector<CK_BYTE> d(32), m(32);
        CK_ULONG a = d.size(), b = m.size();
        EXPECT_EQ(fp(s, h, d.data(), &a, m.data(), &b), CKR_OK);
        d.resize(a);
        m.resize(b);
        return std::make_pair(d, m);
    };
    CK_BYTE d[32], m[32];
    CK_ULONG small = 31, enough = 32;
    EXPECT_EQ(fp(src, aes, d, &small, m, &enough), CKR_BUFFER_TOO_SMALL);
    EXPECT_EQ(small, 32u);
    EXPECT_EQ(get(src, aes), get(dst, c));
    EXPECT_NE(get(src, aes).second, get(src, other).second);
    EXPECT_EQ(fp(src, aes, d, nullptr, m, &enough), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(fp(src, 0x7777, d, &enough, m, &enough), CKR_OBJECT_HANDLE_INVALID);
}

TEST_F(CaMasking, MaskedObjectLandsOnceInAnotherPartitionOfTheDomain) {
    ASSERT_NO_FATAL_FAILURE(add_device(654321, "7.8.4", kTargetLabel));
    CK_SESSION_HANDLE src = co(kTokenLabel);
    CK_SESSION_HANDLE dst = co(kTargetLabel);
    const CK_OBJECT_HANDLE aes = aes_key(m_fl, src);
    auto extract = CA(CA_ExtractMaskedObject);
    auto insert = CA(CA_InsertMaskedObject);
    CK_ULONG n = 0;
    const CK_RV rv = extract(src, aes, nullptr, &n);
    if (rv == CKR_FUNCTION_NOT_SUPPORTED) GTEST_SKIP() << "the engine has no masking yet";
    ASSERT_EQ(rv, CKR_OK);
    std::vector<CK_BYTE> blob(n);
    CK_ULONG small = n - 1;
    EXPECT_EQ(extract(src, aes, blob.data(), &small), CKR_BUFFER_TOO_SMALL);
    ASSERT_EQ(extract(src, aes, blob.data(), &n), CKR_OK);
    EXPECT_EQ(extract(src, aes, blob.data(), nullptr), CKR_ARGUMENTS_BAD);

    std::vector<CK_BYTE> tampered = blob;
    tampered[tampered.size() / 2] ^= 1;
    CK_ULONG h = CK_INVALID_HANDLE;
    EXPECT_NE(insert(dst, &h, tampered.data(), tampered.size()), CKR_OK);
    EXPECT_TRUE(objects(dst).empty());
    EXPECT_EQ(insert(dst, nullptr, blob.data(), n), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(insert(dst, &h, nullptr, 0), CKR_ARGUMENTS_BAD);

    ASSERT_EQ(insert(dst, &h, blob.data(), n), CKR_OK);
    EXPECT_EQ(ouid(kTargetLabel, h), ouid(kTokenLabel, aes));
    expect_decrypts_there(m_fl, src, aes, dst, h);
    EXPECT_EQ(insert(dst, &h, blob.data(), n), CKR_OBJECT_ALREADY_EXISTS);
    EXPECT_EQ(objects(dst).size(), 1u);
}

TEST_F(CaPolicy, ContainerPoliciesRoundTripThroughThePartitionSo) {
    const CK_SLOT_ID slot = token_slot();
    CK_ULONG c = 0;
    ASSERT_EQ(CA(SR_GetContainerNumber)(slot, &c), CKR_OK);
    EXPECT_NE(c, 0u);
    CK_SESSION_HANDLE po = login(kTokenLabel, CKU_SO, kPoPin);
    CK_ULONG v = 99;
    ASSERT_EQ(CA(CA_SetContainerPolicy)(po, c, 4, 0), CKR_OK);
    ASSERT_EQ(CA(CA_GetContainerPolicySetting)(slot, c, 4, &v), CKR_OK);
    EXPECT_EQ(v, 0u);
    CK_ULONG ids[] = {4, 20}, values[] = {1, 5};
    ASSERT_EQ(CA(CA_SetContainerPolicies)(po, c, 2, ids, values), CKR_OK);

    auto get_set = CA(CA_GetContainerPolicySet);
    CK_ULONG ni = 0, nv = 0;
    ASSERT_EQ(get_set(slot, c, nullptr, &ni, nullptr, &nv), CKR_OK);
    ASSERT_GE(ni, 2u);
    EXPECT_EQ(ni, nv);
    std::vector<CK_ULONG> got_ids(ni), got_values(nv);
    CK_ULONG small = ni - 1;
    EXPECT_EQ(get_set(slot, c, got_ids.data(), &small, got_values.data(), &nv),
              CKR_BUFFER_TOO_SMALL);
    EXPECT_EQ(small, ni);
    ASSERT_EQ(get_set(slot, c, got_ids.data(), &ni, got_values.data(), &nv), CKR_OK);
    std::map<CK_ULONG, CK_ULONG> set;
    for (CK_ULONG i = 0; i < ni; ++i) set[got_ids[i]] = got_values[i];
    EXPECT_EQ(set.at(4), 1u);
    EXPECT_EQ(set.at(20), 5u);
    EXPECT_EQ(set.at(0), 1u);

    EXPECT_EQ(CA(CA_SetContainerPolicy)(po, c + 1, 4, 0), CKR_CONTAINER_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_GetContainerPolicySetting)(slot, c + 1, 4, &v), CKR_CONTAINER_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_GetContainerPolicySetting)(slot, c, 9999, &v), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_GetContainerPolicySetting)(slot, c, 4, nullptr), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_SetContainerPolicy)(po, c, 9999, 1), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_SetContainerPolicy)(po, c, 1, 1), CKR_CONFIG_FAILS_DEPENDENCIES);
    EXPECT_EQ(CA(CA_SetContainerPolicies)(po, c, 0, ids, values), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(CA(CA_SetContainerPolicies)(po, c, 2, nullptr, values), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(get_set(slot, c, got_ids.data(), nullptr, got_values.data(), &nv), CKR_ARGUMENTS_BAD);

    // The Crypto Officer may not change partition policies.
    ASSERT_EQ(m_fl->C_CloseSession(po), CKR_OK);
    CK_SESSION_HANDLE officer = co(kTokenLabel);
    EXPECT_NE(CA(CA_SetContainerPolicy)(officer, c, 4, 0), CKR_OK);
    ASSERT_EQ(CA(CA_GetContainerPolicySetting)(slot, c, 4, &v), CKR_OK);
    EXPECT_EQ(v, 1u);
}

TEST_F(CaPolicy, HsmPoliciesAreChangedByTheHsmSoAndDestructiveOnesNeedTheirOwnCall) {
    const CK_SLOT_ID admin = slot_labelled("hsm");
    CK_ULONG v = 99, ni = 0, nv = 0;
    ASSERT_EQ(CA(CA_GetHSMPolicySetting)(admin, 7, &v), CKR_OK);
    EXPECT_EQ(v, 1u);
    ASSERT_EQ(CA(CA_GetHSMPolicySet)(admin, nullptr, &ni, nullptr, &nv), CKR_OK);
    EXPECT_GT(ni, 0u);
    CK_SESSION_HANDLE so = 0;
    ASSERT_EQ(
        m_fl->C_OpenSession(admin, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &so),
        CKR_OK);
    ASSERT_EQ(m_fl->C_Login(so, CKU_SO, pin(kSoPin), pin_len(kSoPin)), CKR_OK);
    EXPECT_EQ(CA(CA_SetHSMPolicy)(so, 15, 1), CKR_OPERATION_NOT_ALLOWED);
    ASSERT_EQ(CA(CA_GetHSMPolicySetting)(admin, 15, &v), CKR_OK);
    EXPECT_EQ(v, 0u);
    ASSERT_EQ(CA(CA_SetHSMPolicy)(so, 7, 0), CKR_OK);
    ASSERT_EQ(CA(CA_GetHSMPolicySetting)(admin, 7, &v), CKR_OK);
    EXPECT_EQ(v, 0u);
    CK_ULONG ids[] = {7}, values[] = {1};
    ASSERT_EQ(CA(CA_SetHSMPolicies)(so, 1, ids, values), CKR_OK);
    ASSERT_EQ(CA(CA_GetHSMPolicySetting)(admin, 7, &v), CKR_OK);
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(CA(CA_GetHSMPolicySetting)(admin, 7, nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(CaPolicy, EveryPolicyIsWithinItsCapability) {
    const CK_SLOT_ID slot = token_slot();
    const CK_SLOT_ID admin = slot_labelled("hsm");
    CK_ULONG c = 0;
    ASSERT_EQ(CA(SR_GetContainerNumber)(slot, &c), CKR_OK);
    auto read = [](auto get, CK_ULONG& n, std::vector<CK_ULONG>& ids, std::vector<CK_ULONG>& vals) {
        CK_ULONG m = 0;
        ASSERT_EQ(get(nullptr, &n, nullptr, &m), CKR_OK);
        ids.resize(n);
        vals.resize(m);
        ASSERT_EQ(get(ids.data(), &n, vals.data(), &m), CKR_OK);
    };
    struct Level {
        std::function<CK_RV(CK_ULONG_PTR, CK_ULONG_PTR, CK_ULONG_PTR, CK_ULONG_PTR)> caps, pols;
    };
    const Level levels[] = {
        {[&](auto a, auto b, auto d, auto e) {
             return CA(CA_GetContainerCapabilitySet)(slot, c, a, b, d, e);
         },
         [&](auto a, auto b, auto d, auto e) {
             return CA(CA_GetContainerPolicySet)(slot, c, a, b, d, e);
         }},
        {[&](auto a, auto b, auto d, auto e) {
             return CA(CA_GetHSMCapabilitySet)(admin, a, b, d, e);
         },
         [&](auto a, auto b, auto d, auto e) { return CA(CA_GetHSMPolicySet)(admin, a, b, d, e); }},
    };
    for (const Level& level : levels) {
        CK_ULONG nc = 0, np = 0;
        std::vector<CK_ULONG> cap_ids, cap_values, pol_ids, pol_values;
        ASSERT_NO_FATAL_FAILURE(read(level.caps, nc, cap_ids, cap_values));
        ASSERT_NO_FATAL_FAILURE(read(level.pols, np, pol_ids, pol_values));
        std::map<CK_ULONG, CK_ULONG> caps;
        for (CK_ULONG i = 0; i < nc; ++i) caps[cap_ids[i]] = cap_values[i];
        ASSERT_GT(np, 0u);
        for (CK_ULONG i = 0; i < np; ++i) {
            ASSERT_TRUE(caps.count(pol_ids[i])) << "policy " << pol_ids[i] << " has no capability";
            EXPECT_LE(pol_values[i], caps[pol_ids[i]]) << "policy " << pol_ids[i];
        }
    }
    CK_ULONG v = 0;
    ASSERT_EQ(CA(CA_GetContainerCapabilitySetting)(slot, c, 0, &v), CKR_OK);
    EXPECT_EQ(v, 1u);
    ASSERT_EQ(CA(CA_GetHSMCapabilitySetting)(admin, 7, &v), CKR_OK);
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(CA(CA_GetContainerCapabilitySetting)(slot, c + 1, 0, &v),
              CKR_CONTAINER_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_GetHSMCapabilitySetting)(admin, 7, nullptr), CKR_ARGUMENTS_BAD);
}

TEST_F(CaRoles, RoleStateCountsFailedLoginsAndInitRolePinMakesTheCryptoUser) {
    const CK_SLOT_ID slot = token_slot();
    auto state = CA(CA_RoleStateGet);
    CA_ROLE_STATE st{};
    ASSERT_EQ(state(slot, CKU_USER, &st), CKR_OK);
    EXPECT_EQ(st.flags & CA_ROLE_STATE_INITIALIZED, CA_ROLE_STATE_INITIALIZED);
    EXPECT_EQ(st.loginAttemptsLeft, 10);
    EXPECT_EQ(st.primaryAuthMech, CKA_ROLE_AUTH_PASSWORD);
    CK_SESSION_HANDLE s = open();
    const char* wrong = "wrong-password-1";
    EXPECT_EQ(m_fl->C_Login(s, CKU_USER, pin(wrong), pin_len(wrong)), CKR_PIN_INCORRECT);
    EXPECT_EQ(m_fl->C_Login(s, CKU_USER, pin(wrong), pin_len(wrong)), CKR_PIN_INCORRECT);
    ASSERT_EQ(state(slot, CKU_USER, &st), CKR_OK);
    EXPECT_EQ(st.loginAttemptsLeft, 8);
    EXPECT_EQ(st.flags & CA_ROLE_STATE_LOCKED_OUT, 0);
    ASSERT_EQ(state(slot, CKU_CRYPTO_USER, &st), CKR_OK);
    EXPECT_EQ(st.flags, 0);

    ASSERT_EQ(m_fl->C_Login(s, CKU_USER, pin(kCoPin), pin_len(kCoPin)), CKR_OK);
    ASSERT_EQ(state(slot, CKU_USER, &st), CKR_OK);
    EXPECT_EQ(st.loginAttemptsLeft, 10);
    ASSERT_EQ(CA(CA_InitRolePIN)(s, CKU_CRYPTO_USER, pin(kCuPin), pin_len(kCuPin)), CKR_OK);
    ASSERT_EQ(state(slot, CKU_CRYPTO_USER, &st), CKR_OK);
    EXPECT_EQ(st.flags & CA_ROLE_STATE_INITIALIZED, CA_ROLE_STATE_INITIALIZED);
    ASSERT_EQ(m_fl->C_Logout(s), CKR_OK);
    EXPECT_EQ(m_fl->C_Login(s, CKU_CRYPTO_USER, pin(kCuPin), pin_len(kCuPin)), CKR_OK);

    EXPECT_EQ(state(slot, 0x12345, &st), CKR_USER_TYPE_INVALID);
    EXPECT_EQ(state(slot, CKU_USER, nullptr), CKR_ARGUMENTS_BAD);
    EXPECT_EQ(state(999, CKU_USER, &st), CKR_SLOT_ID_INVALID);
    EXPECT_EQ(CA(CA_InitRolePIN)(0xdead, CKU_CRYPTO_USER, pin(kCuPin), pin_len(kCuPin)),
              CKR_SESSION_HANDLE_INVALID);
    EXPECT_EQ(CA(CA_InitRolePIN)(s, CKU_CRYPTO_USER, nullptr, 8), CKR_ARGUMENTS_BAD);
}

TEST_F(CaHa, APlainSlotBelongsToNoHaGroup) {
    CK_HA_STATUS st;
    std::memset(&st, 0xAB, sizeof st);
    ASSERT_EQ(CA(CA_GetHAState)(token_slot(), &st), CKR_OK);
    EXPECT_EQ(st.listSize, 0u);
    EXPECT_EQ(trim(st.groupSerial, sizeof st.groupSerial), "");
    EXPECT_EQ(CA(CA_GetHAState)(999, &st), CKR_SLOT_ID_INVALID);
    EXPECT_EQ(CA(CA_GetHAState)(token_slot(), nullptr), CKR_ARGUMENTS_BAD);
}

}  // namespace
}  // namespace sr::p11test
