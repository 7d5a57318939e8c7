// Cryptographic operations through the Device interface: RSA / EC / AES round trips, multi-part
// operations, wrap / unwrap with the partition policies, ECDH derive, and many threads at once.
#include <atomic>
#include <thread>

#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "engine_test_util.h"

namespace sr::hsm::test {
namespace {

using crypto::Mechanism;
using crypto::NoParams;
namespace mech = crypto::mech;

AttributeSet rsa_public_template(uint64_t bits = 2048) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kVerify, true);
    t.set_bool(attr::kEncrypt, true);
    t.set_ulong(attr::kModulusBits, bits);
    return t;
}
AttributeSet private_template(std::string_view label) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kSign, true);
    t.set_bool(attr::kDecrypt, true);
    t.set_bool(attr::kDerive, true);
    t.set_bool(attr::kExtractable, true);
    t.set_string(attr::kLabel, label);
    return t;
}
AttributeSet ec_public_template() {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kVerify, true);
    t.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    return t;
}
AttributeSet aes_gen_template(bool token = true) {
    AttributeSet t;
    t.set_bool(attr::kToken, token);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, true);
    t.set_bool(attr::kEncrypt, true);
    t.set_bool(attr::kDecrypt, true);
    t.set_bool(attr::kWrap, true);
    t.set_bool(attr::kUnwrap, true);
    t.set_ulong(attr::kValueLen, 32);
    return t;
}

using DeviceCrypto = EngineFixture;

TEST_F(DeviceCrypto, RsaSignVerifyAndEncryptDecryptRoundTrip) {
    make(ready_spec());
    SessionId s = co_session();
    auto kp = dev().generate_key_pair(s, {mech::kRsaPkcsKeyPairGen, NoParams{}},
                                      rsa_public_template(), private_template("rsa"));
    SR_ASSERT_OK(kp);
    Bytes msg = to_bytes("the message");
    SR_ASSERT_OK(dev().sign_init(s, {mech::kSha256RsaPkcs, NoParams{}}, kp->private_key));
    auto sig = dev().sign(s, msg);
    SR_ASSERT_OK(sig);
    SR_ASSERT_OK(dev().verify_init(s, {mech::kSha256RsaPkcs, NoParams{}}, kp->public_key));
    SR_ASSERT_OK(dev().verify(s, msg, *sig));
    (*sig)[0] ^= 1;
    SR_ASSERT_OK(dev().verify_init(s, {mech::kSha256RsaPkcs, NoParams{}}, kp->public_key));
    SR_EXPECT_ERR(dev().verify(s, msg, *sig), Err::SignatureInvalid);
    // A public key cannot sign.
    SR_EXPECT_ERR(dev().sign_init(s, {mech::kSha256RsaPkcs, NoParams{}}, kp->public_key),
                  Err::KeyFunctionNotPermitted);

    crypto::OaepParams oaep{crypto::Hash::Sha256, crypto::Hash::Sha256, {}};
    SR_ASSERT_OK(dev().encrypt_init(s, {mech::kRsaPkcsOaep, oaep}, kp->public_key));
    auto ct = dev().encrypt(s, msg);
    SR_ASSERT_OK(ct);
    SR_ASSERT_OK(dev().decrypt_init(s, {mech::kRsaPkcsOaep, oaep}, kp->private_key));
    auto pt = dev().decrypt(s, *ct);
    SR_ASSERT_OK(pt);
    EXPECT_EQ(to_string(pt->span()), "the message");
}

TEST_F(DeviceCrypto, EcdsaMultiPartSignatureVerifies) {
    make(ready_spec());
    SessionId s = co_session();
    auto kp = dev().generate_key_pair(s, {mech::kEcKeyPairGen, NoParams{}}, ec_public_template(),
                                      private_template("ec"));
    SR_ASSERT_OK(kp);
    SR_ASSERT_OK(dev().sign_init(s, {mech::kEcdsaSha256, NoParams{}}, kp->private_key));
    SR_EXPECT_ERR(dev().sign_init(s, {mech::kEcdsaSha256, NoParams{}}, kp->private_key),
                  Err::OperationActive);
    SR_ASSERT_OK(dev().sign_update(s, as_bytes("part one, ")));
    SR_ASSERT_OK(dev().sign_update(s, as_bytes("part two")));
    auto sig = dev().sign_final(s);
    SR_ASSERT_OK(sig);
    SR_EXPECT_ERR(dev().sign_final(s), Err::OperationNotInitialized);
    SR_ASSERT_OK(dev().verify_init(s, {mech::kEcdsaSha256, NoParams{}}, kp->public_key));
    SR_ASSERT_OK(dev().verify(s, as_bytes("part one, part two"), *sig));
}

// Regression: the device ignored the DSA domain in the public template, so generation failed.
TEST_F(DeviceCrypto, DsaKeyPairFromTheTemplateDomainSignsAndVerifies) {
    make(ready_spec());
    SessionId s = co_session();
    crypto::KeyGenParams gp;
    gp.bits = 2048;
    auto domain_source = crypto::MechanismRegistry::standard().generate_key_pair(
        {mech::kDsaKeyPairGen, NoParams{}}, gp);
    SR_ASSERT_OK(domain_source);
    auto domain = crypto::dsa_public_parts(domain_source->public_key);
    SR_ASSERT_OK(domain);
    AttributeSet pub;
    pub.set_bool(attr::kToken, true);
    pub.set_bool(attr::kVerify, true);
    pub.set_bytes(attr::kPrime, domain->prime);
    pub.set_bytes(attr::kSubprime, domain->subprime);
    pub.set_bytes(attr::kBase, domain->base);
    AttributeSet priv;
    priv.set_bool(attr::kToken, true);
    priv.set_bool(attr::kPrivate, true);
    priv.set_bool(attr::kSensitive, true);
    priv.set_bool(attr::kSign, true);
    auto kp = dev().generate_key_pair(s, {mech::kDsaKeyPairGen, NoParams{}}, pub, priv);
    SR_ASSERT_OK(kp);
    auto read = dev().get_attributes(s, kp->public_key, std::vector<AttrType>{attr::kPrime});
    SR_ASSERT_OK(read);
    EXPECT_EQ(Bytes(read->values.get(attr::kPrime)->begin(), read->values.get(attr::kPrime)->end()),
              domain->prime);
    Bytes msg = to_bytes("legacy DSA message");
    SR_ASSERT_OK(dev().sign_init(s, {mech::kDsaSha256, NoParams{}}, kp->private_key));
    auto sig = dev().sign(s, msg);
    SR_ASSERT_OK(sig);
    SR_ASSERT_OK(dev().verify_init(s, {mech::kDsaSha256, NoParams{}}, kp->public_key));
    SR_ASSERT_OK(dev().verify(s, msg, *sig));
}

TEST_F(DeviceCrypto, AesGcmAndCbcRoundTrip) {
    make(ready_spec());
    SessionId s = co_session();
    auto key = dev().generate_key(s, {mech::kAesKeyGen, NoParams{}}, aes_gen_template());
    SR_ASSERT_OK(key);
    auto readout = dev().get_attributes(s, *key, std::vector<AttrType>{attr::kValue, attr::kLocal});
    EXPECT_EQ(readout->unavailable.at(attr::kValue), Readable::Sensitive);
    EXPECT_EQ(readout->values.get_bool(attr::kLocal), true);

    crypto::GcmParams gcm{Bytes(12, 7), to_bytes("aad"), 128};
    SR_ASSERT_OK(dev().encrypt_init(s, {mech::kAesGcm, gcm}, *key));
    auto ct = dev().encrypt(s, as_bytes("secret text"));
    SR_ASSERT_OK(ct);
    SR_ASSERT_OK(dev().decrypt_init(s, {mech::kAesGcm, gcm}, *key));
    auto pt = dev().decrypt(s, *ct);
    SR_ASSERT_OK(pt);
    EXPECT_EQ(to_string(pt->span()), "secret text");

    crypto::IvParams iv{Bytes(16, 1)};
    SR_ASSERT_OK(dev().encrypt_init(s, {mech::kAesCbcPad, iv}, *key));
    auto c1 = dev().encrypt_update(s, as_bytes("0123456789abcdef0123"));
    auto c2 = dev().encrypt_final(s);
    SR_ASSERT_OK(c1);
    SR_ASSERT_OK(c2);
    Bytes all = *c1;
    all.insert(all.end(), c2->begin(), c2->end());
    SR_ASSERT_OK(dev().decrypt_init(s, {mech::kAesCbcPad, iv}, *key));
    auto p2 = dev().decrypt(s, all);
    SR_ASSERT_OK(p2);
    EXPECT_EQ(to_string(p2->span()), "0123456789abcdef0123");
}

TEST_F(DeviceCrypto, DigestAndRandom) {
    make(ready_spec());
    SessionId s = co_session();
    SR_ASSERT_OK(dev().digest_init(s, {mech::kSha256, NoParams{}}));
    auto d = dev().digest(s, as_bytes("abc"));
    SR_ASSERT_OK(d);
    EXPECT_EQ(to_hex(*d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    auto r = dev().generate_random(s, 33);
    SR_ASSERT_OK(r);
    EXPECT_EQ(r->size(), 33u);
}

TEST_F(DeviceCrypto, SecretKeyWrapsAndUnwrapsPrivateKeyOnlyInKeyExportMode) {
    make(ready_spec());
    PartitionId p = partition_named("p1");
    SessionId s = co_session();
    auto kek = dev().generate_key(s, {mech::kAesKeyGen, NoParams{}}, aes_gen_template());
    auto data_key = dev().generate_key(s, {mech::kAesKeyGen, NoParams{}}, aes_gen_template());
    SR_ASSERT_OK(kek);
    SR_ASSERT_OK(data_key);
    auto wrapped = dev().wrap_key(s, {mech::kAesKeyWrapPad, crypto::WrapPadIv{}}, *kek, *data_key);
    SR_ASSERT_OK(wrapped);
    AttributeSet ut;
    ut.set_ulong(attr::kClass, cls::kSecretKey);
    ut.set_ulong(attr::kKeyType, ckk::kAes);
    ut.set_bool(attr::kToken, true);
    ut.set_bool(attr::kEncrypt, true);
    ut.set_bool(attr::kDecrypt, true);
    auto unwrapped = dev().unwrap_key(s, {mech::kAesKeyWrapPad, crypto::WrapPadIv{}}, *kek,
                                      *wrapped, ut);
    SR_ASSERT_OK(unwrapped);
    // The unwrapped copy decrypts what the original encrypted.
    crypto::IvParams iv{Bytes(16, 2)};
    SR_ASSERT_OK(dev().encrypt_init(s, {mech::kAesCbcPad, iv}, *data_key));
    auto ct = dev().encrypt(s, as_bytes("wrapped round trip"));
    SR_ASSERT_OK(dev().decrypt_init(s, {mech::kAesCbcPad, iv}, *unwrapped));
    EXPECT_EQ(to_string(dev().decrypt(s, *ct)->span()), "wrapped round trip");

    auto kp = dev().generate_key_pair(s, {mech::kEcKeyPairGen, NoParams{}}, ec_public_template(),
                                      private_template("ec"));
    SR_ASSERT_OK(kp);
    SR_EXPECT_ERR(dev().wrap_key(s, {mech::kAesKeyWrapPad, crypto::WrapPadIv{}}, *kek,
                                 kp->private_key),
                  Err::KeyNotWrappable);
    // Key-export mode (0 off, 1 on) erases the partition; new keys then wrap.
    AppId a = app();
    SessionId po = session(a, p);
    SR_ASSERT_OK(dev().login(po, Role::PartitionSo, kPoPw));
    SR_ASSERT_OK(dev().set_partition_policies(a, p, std::vector<PolicyValue>{{0, 0}, {1, 1}}));
    kek = dev().generate_key(s, {mech::kAesKeyGen, NoParams{}}, aes_gen_template());
    kp = dev().generate_key_pair(s, {mech::kEcKeyPairGen, NoParams{}}, ec_public_template(),
                                 private_template("ec"));
    SR_ASSERT_OK(dev().wrap_key(s, {mech::kAesKeyWrapPad, crypto::WrapPadIv{}}, *kek,
                                kp->private_key));
}

TEST_F(DeviceCrypto, EcdhDerivesTheSameSecretOnBothSides) {
    make(ready_spec());
    SessionId s = co_session();
    auto a = dev().generate_key_pair(s, {mech::kEcKeyPairGen, NoParams{}}, ec_public_template(),
                                     private_template("a"));
    auto b = dev().generate_key_pair(s, {mech::kEcKeyPairGen, NoParams{}}, ec_public_template(),
                                     private_template("b"));
    SR_ASSERT_OK(a);
    SR_ASSERT_OK(b);
    auto point = [&](ObjectHandle pub) {
        auto r = dev().get_attributes(s, pub, std::vector<AttrType>{attr::kEcPoint});
        auto v = *r->values.get(attr::kEcPoint);
        return Bytes(v.begin(), v.end());
    };
    AttributeSet t;
    t.set_ulong(attr::kClass, cls::kSecretKey);
    t.set_ulong(attr::kKeyType, ckk::kGenericSecret);
    t.set_ulong(attr::kValueLen, 32);
    t.set_bool(attr::kSensitive, false);
    t.set_bool(attr::kExtractable, true);
    t.set_bool(attr::kPrivate, true);
    auto ka = dev().derive_key(s, {mech::kEcdh1Derive, crypto::EcdhParams{point(b->public_key)}},
                               a->private_key, t);
    auto kb = dev().derive_key(s, {mech::kEcdh1Derive, crypto::EcdhParams{point(a->public_key)}},
                               b->private_key, t);
    SR_ASSERT_OK(ka);
    SR_ASSERT_OK(kb);
    auto va = dev().get_attributes(s, *ka, std::vector<AttrType>{attr::kValue});
    auto vb = dev().get_attributes(s, *kb, std::vector<AttrType>{attr::kValue});
    SR_ASSERT_OK(va);
    ASSERT_TRUE(va->values.get(attr::kValue).has_value());
    EXPECT_EQ(to_hex(*va->values.get(attr::kValue)), to_hex(*vb->values.get(attr::kValue)));
}

// 8 threads, each with its own app and session, sign with shared keys and generate their own
// keys on one partition. Run under TSan to check the locking.
TEST_F(DeviceCrypto, EightThreadsSignAndGenerateConcurrently) {
    make(ready_spec());
    SessionId setup = co_session();
    auto ec = dev().generate_key_pair(setup, {mech::kEcKeyPairGen, NoParams{}},
                                      ec_public_template(), private_template("shared-ec"));
    SR_ASSERT_OK(ec);
    const PartitionId p = partition_named("p1");
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            auto a = dev().attach();
            auto s = dev().open_session(*a, p, true);
            if (!s || !dev().login(*s, Role::CryptoOfficer, kCoPw).is_ok()) {
                ++failures;
                return;
            }
            for (int i = 0; i < 10; ++i) {
                Bytes msg = to_bytes("thread " + std::to_string(t) + " msg " + std::to_string(i));
                if (!dev().sign_init(*s, {mech::kEcdsaSha256, NoParams{}}, ec->private_key).is_ok()) {
                    ++failures;
                    continue;
                }
                auto sig = dev().sign(*s, msg);
                if (!sig || !dev().verify_init(*s, {mech::kEcdsaSha256, NoParams{}},
                                               ec->public_key).is_ok() ||
                    !dev().verify(*s, msg, *sig).is_ok())
                    ++failures;
                if (i % 3 == 0) {
                    auto k = dev().generate_key(*s, {mech::kAesKeyGen, NoParams{}},
                                                aes_gen_template(i % 2 == 0));
                    if (!k) ++failures;
                    else if (!dev().destroy_object(*s, *k).is_ok()) ++failures;
                }
            }
            (void)dev().detach(*a);
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace sr::hsm::test
