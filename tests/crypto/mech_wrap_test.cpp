// Wrap/unwrap, ECDH derivation, key generation rules and the truthfulness of MechanismInfo.
#include <gtest/gtest.h>

#include <algorithm>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;

TEST(AesKeyWrap, WrapsAndUnwrapsEveryKekSize) {
    for (size_t n : {16, 24, 32}) {
        Key kek = secret_key(KeyType::Aes, n);
        Key target = secret_key(KeyType::Aes, 32);
        auto w = reg().wrap(mk(mech::kAesKeyWrap), kek, target.value().span());
        ASSERT_TRUE(w.is_ok()) << w.status().to_string();
        EXPECT_EQ(w->size(), 40U);
        auto u = reg().unwrap(mk(mech::kAesKeyWrap), kek, *w);
        ASSERT_TRUE(u.is_ok()) << u.status().to_string();
        EXPECT_TRUE(equal_ct(u->span(), target.value().span()));
    }
}

TEST(AesKeyWrap, TamperedOrMisSizedWrappedKeysAreRejected) {
    Key kek = secret_key(KeyType::Aes, 16);
    auto w = reg().wrap(mk(mech::kAesKeyWrap), kek, message(16));
    ASSERT_TRUE(w.is_ok());
    Bytes bad = *w;
    bad[5] ^= 1;
    EXPECT_EQ(reg().unwrap(mk(mech::kAesKeyWrap), kek, bad).code(), Err::WrappedKeyInvalid);
    EXPECT_EQ(reg().unwrap(mk(mech::kAesKeyWrap), kek, Bytes(23)).code(), Err::WrappedKeyLenRange);
    EXPECT_EQ(reg().wrap(mk(mech::kAesKeyWrap), kek, message(20)).code(), Err::KeySizeRange);
    Key other = secret_key(KeyType::Aes, 16);
    EXPECT_EQ(reg().unwrap(mk(mech::kAesKeyWrap), other, *w).code(), Err::WrappedKeyInvalid);
}

TEST(AesKeyWrap, PaddedVariantWrapsAnyLength) {
    Key kek = secret_key(KeyType::Aes, 32);
    for (size_t len : {1, 7, 8, 20, 121}) {
        auto w = reg().wrap(mk(mech::kAesKeyWrapPad), kek, message(len));
        ASSERT_TRUE(w.is_ok()) << w.status().to_string();
        EXPECT_EQ(w->size(), (len + 7) / 8 * 8 + 8);
        auto u = reg().unwrap(mk(mech::kAesKeyWrapPad), kek, *w);
        ASSERT_TRUE(u.is_ok());
        EXPECT_TRUE(equal_ct(u->span(), message(len)));
    }
}

TEST(AesKeyWrap, EncryptDecryptFormMatchesWrap) {
    Key kek = secret_key(KeyType::Aes, 16);
    auto w = reg().wrap(mk(mech::kAesKeyWrap), kek, message(24));
    auto e = encrypt_with(mk(mech::kAesKeyWrap), kek, message(24), 5);
    ASSERT_TRUE(e.is_ok()) << e.status().to_string();
    EXPECT_EQ(*e, *w);
    auto d = decrypt_with(mk(mech::kAesKeyWrap), kek, *e);
    ASSERT_TRUE(d.is_ok());
    EXPECT_EQ(*d, message(24));
    EXPECT_EQ(encrypt_with(mk(mech::kAesKeyWrap), kek, message(12)).code(), Err::DataLenRange);
    Bytes bad = *e;
    bad[0] ^= 1;
    EXPECT_EQ(decrypt_with(mk(mech::kAesKeyWrap), kek, bad).code(), Err::EncryptedDataInvalid);
}

TEST(AesKeyWrap, AlternativeIvIsHonouredAndChecked) {
    Key kek = secret_key(KeyType::Aes, 16);
    WrapPadIv iv{hex("0102030405060708")};
    auto w = reg().wrap(mk(mech::kAesKeyWrap, iv), kek, message(16));
    ASSERT_TRUE(w.is_ok()) << w.status().to_string();
    EXPECT_EQ(reg().unwrap(mk(mech::kAesKeyWrap), kek, *w).code(), Err::WrappedKeyInvalid);
    EXPECT_TRUE(reg().unwrap(mk(mech::kAesKeyWrap, iv), kek, *w).is_ok());
    EXPECT_EQ(reg().wrap(mk(mech::kAesKeyWrapPad, iv), kek, message(16)).code(),
              Err::MechanismParamInvalid);
}

TEST(BlockModeWrap, CbcPadWrapsKeysOfAnySizeAndDetectsBadPadding) {
    Bytes iv = message(16);
    Key kek = secret_key(KeyType::Aes, 32);
    Mechanism m = mk(mech::kAesCbcPad, IvParams{iv});
    auto w = reg().wrap(m, kek, message(21));
    ASSERT_TRUE(w.is_ok()) << w.status().to_string();
    EXPECT_EQ(w->size(), 32U);
    auto u = reg().unwrap(m, kek, *w);
    ASSERT_TRUE(u.is_ok());
    EXPECT_TRUE(equal_ct(u->span(), message(21)));
    EXPECT_EQ(reg().unwrap(m, kek, Bytes(w->begin(), w->end() - 1)).code(), Err::WrappedKeyLenRange);
    // A last block whose plaintext ends in 0x00 is never valid padding.
    Bytes block(16, 0x41);
    block[15] = 0;
    auto raw = reg().wrap(mk(mech::kAesCbc, IvParams{iv}), kek, block);
    ASSERT_TRUE(raw.is_ok());
    EXPECT_EQ(reg().unwrap(m, kek, *raw).code(), Err::WrappedKeyInvalid);
}

TEST(BlockModeWrap, UnpaddedModesNeedWholeBlocks) {
    Key kek = secret_key(KeyType::Des3, 24);
    EXPECT_EQ(reg().wrap(mk(mech::kDes3Ecb), kek, message(20)).code(), Err::KeySizeRange);
    auto w = reg().wrap(mk(mech::kDes3Cbc, IvParams{message(8)}), kek, message(24));
    ASSERT_TRUE(w.is_ok());
    auto u = reg().unwrap(mk(mech::kDes3Cbc, IvParams{message(8)}), kek, *w);
    ASSERT_TRUE(u.is_ok());
    EXPECT_TRUE(equal_ct(u->span(), message(24)));
    EXPECT_EQ(reg().wrap(mk(mech::kAesCtr, CtrParams{Bytes(16), 128}), secret_key(KeyType::Aes, 16),
                         message(16))
                  .code(),
              Err::MechanismInvalid);
}

TEST(KeyWrapErrors, WrongWrappingKeyTypeIsWrappingKeyTypeInconsistent) {
    Key des = secret_key(KeyType::Des3, 24);
    EXPECT_EQ(reg().wrap(mk(mech::kAesKeyWrap), des, message(16)).code(),
              Err::WrappingKeyTypeInconsistent);
    EXPECT_EQ(reg().unwrap(mk(mech::kAesKeyWrap), des, message(24)).code(),
              Err::UnwrappingKeyTypeInconsistent);
}

TEST(RsaWrap, PkcsAndOaepWrapSecretKeys) {
    KeyPair kp = rsa_pair(2048);
    Key target = secret_key(KeyType::Aes, 32);
    OaepParams oaep{Hash::Sha256, Hash::Sha256, {}};
    for (const Mechanism& m : {mk(mech::kRsaPkcs), mk(mech::kRsaPkcsOaep, oaep)}) {
        auto w = reg().wrap(m, kp.public_key, target.value().span());
        ASSERT_TRUE(w.is_ok()) << w.status().to_string();
        auto u = reg().unwrap(m, kp.private_key, *w);
        ASSERT_TRUE(u.is_ok()) << u.status().to_string();
        EXPECT_TRUE(equal_ct(u->span(), target.value().span()));
        Bytes bad = *w;
        bad[10] ^= 1;
        EXPECT_EQ(reg().unwrap(m, kp.private_key, bad).code(), Err::WrappedKeyInvalid);
    }
}

TEST(RsaWrap, RsaAesKeyWrapCarriesAPkcs8PrivateKey) {
    KeyPair kek = rsa_pair(2048);
    KeyPair target = ec_pair("P-384");
    auto p8 = to_pkcs8(target.private_key);
    ASSERT_TRUE(p8.is_ok());
    RsaAesWrapParams p{256, OaepParams{Hash::Sha1, Hash::Sha1, {}}};
    auto w = reg().wrap(mk(mech::kRsaAesKeyWrap, p), kek.public_key, p8->span());
    ASSERT_TRUE(w.is_ok()) << w.status().to_string();
    EXPECT_GT(w->size(), 256U + p8->size());
    auto u = reg().unwrap(mk(mech::kRsaAesKeyWrap, p), kek.private_key, *w);
    ASSERT_TRUE(u.is_ok()) << u.status().to_string();
    auto key = from_pkcs8(u->span());
    ASSERT_TRUE(key.is_ok());
    EXPECT_EQ(*to_spki(*key), *to_spki(target.public_key));
    Bytes bad = *w;
    bad.back() ^= 1;
    EXPECT_EQ(reg().unwrap(mk(mech::kRsaAesKeyWrap, p), kek.private_key, bad).code(),
              Err::WrappedKeyInvalid);
    RsaAesWrapParams wrong{100, p.oaep};
    EXPECT_EQ(reg().wrap(mk(mech::kRsaAesKeyWrap, wrong), kek.public_key, p8->span()).code(),
              Err::MechanismParamInvalid);
}

TEST(Ecdh, BothSidesDeriveTheSameSecretFromRawOrDerPoints) {
    for (const char* curve : {"P-256", "P-384", "P-521", "secp256k1"}) {
        SCOPED_TRACE(curve);
        KeyPair a = ec_pair(curve);
        KeyPair b = ec_pair(curve);
        Bytes a_der = ec_public_parts(a.public_key)->point;
        Bytes b_der = ec_public_parts(b.public_key)->point;
        size_t header = b_der[1] == 0x81 ? 3 : 2;
        Bytes b_raw(b_der.begin() + static_cast<long>(header), b_der.end());
        auto s1 = reg().derive(mk(mech::kEcdh1Derive, EcdhParams{b_raw}), a.private_key);
        auto s2 = reg().derive(mk(mech::kEcdh1Derive, EcdhParams{a_der}), b.private_key);
        ASSERT_TRUE(s1.is_ok()) << s1.status().to_string();
        ASSERT_TRUE(s2.is_ok()) << s2.status().to_string();
        EXPECT_TRUE(equal_ct(s1->span(), s2->span()));
        EXPECT_EQ(s1->size(), (a.public_key.bits() + 7) / 8);
    }
}

TEST(Ecdh, BadPeerOrParamsAreMechanismParamInvalid) {
    KeyPair a = ec_pair("P-256");
    KeyPair other = ec_pair("P-384");
    Bytes other_point = ec_public_parts(other.public_key)->point;
    EXPECT_EQ(reg().derive(mk(mech::kEcdh1Derive, EcdhParams{other_point}), a.private_key).code(),
              Err::MechanismParamInvalid);
    Bytes off_curve(65, 0x01);
    off_curve[0] = 0x04;
    EXPECT_EQ(reg().derive(mk(mech::kEcdh1Derive, EcdhParams{off_curve}), a.private_key).code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().derive(mk(mech::kEcdh1Derive), a.private_key).code(),
              Err::MechanismParamInvalid);
    Bytes own = ec_public_parts(a.public_key)->point;
    EXPECT_EQ(reg().derive(mk(mech::kEcdh1Derive, EcdhParams{own, 5, {}}), a.private_key).code(),
              Err::MechanismParamInvalid);  // CKD_SHA256_KDF is not offered
    EXPECT_EQ(reg().derive(mk(mech::kEcdh1Derive, EcdhParams{own, 1, Bytes{1}}), a.private_key)
                  .code(),
              Err::MechanismParamInvalid);
    EXPECT_EQ(reg().derive(mk(mech::kEcdh1Derive, EcdhParams{other_point}), a.public_key).code(),
              Err::KeyTypeInconsistent);
}

TEST(KeyGen, SecretKeyLengthsAreEnforced) {
    KeyGenParams p;
    p.value_len = 20;
    EXPECT_EQ(reg().generate_key(mk(mech::kAesKeyGen), KeyType::Aes, p).code(), Err::KeySizeRange);
    p.value_len = 0;
    EXPECT_EQ(reg().generate_key(mk(mech::kAesKeyGen), KeyType::Aes, p).code(),
              Err::TemplateIncomplete);
    p.value_len = 16;
    EXPECT_EQ(reg().generate_key(mk(mech::kAesKeyGen), KeyType::Des3, p).code(),
              Err::TemplateInconsistent);
    p.value_len = 513;
    EXPECT_EQ(reg().generate_key(mk(mech::kGenericSecretKeyGen), KeyType::GenericSecret, p).code(),
              Err::KeySizeRange);
    EXPECT_EQ(secret_key(KeyType::GenericSecret, 1).value().size(), 1U);
    EXPECT_EQ(secret_key(KeyType::GenericSecret, 512).value().size(), 512U);
    Key a = secret_key(KeyType::Aes, 32);
    Key b = secret_key(KeyType::Aes, 32);
    EXPECT_FALSE(equal_ct(a.value().span(), b.value().span()));
}

TEST(KeyGen, RsaModulusRangeAndExponent) {
    KeyGenParams p;
    p.bits = 512;
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kRsaPkcsKeyPairGen), p).code(), Err::KeySizeRange);
    p.bits = 8192;
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kRsaPkcsKeyPairGen), p).code(), Err::KeySizeRange);
    p.bits = 1024;
    p.public_exponent = {0x03};
    auto kp = reg().generate_key_pair(mk(mech::kRsaPkcsKeyPairGen), p);
    ASSERT_TRUE(kp.is_ok()) << kp.status().to_string();
    EXPECT_EQ(rsa_public_parts(kp->public_key)->public_exponent, Bytes{0x03});
    p.public_exponent = {0x04};
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kRsaPkcsKeyPairGen), p).code(),
              Err::AttributeValueInvalid);
}

TEST(KeyGen, CurveMustSuitTheGenerator) {
    KeyGenParams p;
    p.ec_params = *curve_params_der("Ed25519");
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kEcKeyPairGen), p).code(), Err::TemplateInconsistent);
    p.ec_params = *curve_params_der("P-256");
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kEcEdwardsKeyPairGen), p).code(),
              Err::TemplateInconsistent);
    p.ec_params = hex("06092b2403030208010107");
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kEcKeyPairGen), p).code(), Err::CurveNotSupported);
    EXPECT_EQ(reg().generate_key_pair(mk(mech::kEcKeyPairGen), {}).code(), Err::TemplateIncomplete);
}

TEST(KeyGen, GeneratedPairsHaveMatchingHalves) {
    KeyPair kp = rsa_pair(1024);
    EXPECT_EQ(kp.public_key.part(), KeyPart::Public);
    EXPECT_EQ(kp.private_key.part(), KeyPart::Private);
    EXPECT_EQ(*to_spki(kp.public_key), *to_spki(kp.private_key));
}

TEST(Registry, TableIsSortedAndFindable) {
    auto all = reg().all();
    ASSERT_EQ(all.size(), 57U);  // every id declared in mechanism.h
    for (size_t i = 1; i < all.size(); ++i) EXPECT_LT(all[i - 1].id, all[i].id);
    for (const auto& info : all) EXPECT_EQ(reg().find(info.id), &info);
    EXPECT_EQ(reg().find(0xFFFF), nullptr);
}

TEST(Registry, FunctionsWithoutTheirFlagAreMechanismInvalid) {
    // For every mechanism, each function not in its flags must be refused up front.
    KeyPair rsa = rsa_pair(1024);
    for (const auto& info : reg().all()) {
        SCOPED_TRACE(info.name);
        Mechanism m = mk(info.id);
        auto refused = [&](uint32_t flag, Err got) {
            if ((info.flags & flag) == 0) {
                EXPECT_EQ(got, Err::MechanismInvalid) << flag;
            }
        };
        refused(op::kDigest, reg().digest(m).code());
        refused(op::kGenerateKeyPair, reg().generate_key_pair(m, {}).code());
        refused(op::kGenerate, reg().generate_key(m, KeyType::Aes, {}).code());
        refused(op::kDerive, reg().derive(m, rsa.private_key).code());
        refused(op::kSign, reg().sign(m, rsa.private_key).code());
        refused(op::kEncrypt, reg().encrypt(m, rsa.public_key).code());
    }
}

TEST(Registry, SizeRangesAreInDocumentedUnits) {
    EXPECT_EQ(reg().find(mech::kSha256RsaPkcs)->min_key_size, 1024U);
    EXPECT_EQ(reg().find(mech::kSha256RsaPkcs)->max_key_size, 4096U);
    EXPECT_EQ(reg().find(mech::kEcdsaSha256)->min_key_size, 256U);
    EXPECT_EQ(reg().find(mech::kEcdsaSha256)->max_key_size, 521U);
    EXPECT_EQ(reg().find(mech::kAesGcm)->min_key_size, 16U);
    EXPECT_EQ(reg().find(mech::kAesGcm)->max_key_size, 32U);
    EXPECT_EQ(reg().find(mech::kDes3Cbc)->min_key_size, 24U);
    EXPECT_EQ(reg().find(mech::kSha256Hmac)->max_key_size, 512U);
    EXPECT_TRUE(reg().find(mech::kRsaX509)->single_part_only);
    EXPECT_TRUE(reg().find(mech::kEcdsa)->single_part_only);
    EXPECT_FALSE(reg().find(mech::kEcdsaSha256)->single_part_only);
}

}  // namespace
}  // namespace sr::crypto

namespace sr::crypto {
namespace {

using namespace testing;

// Parameters that make each mechanism usable, for the positive half of the truth test.
MechParams usable_params(MechanismId id, const KeyPair& ec_peer) {
    switch (id) {
        case mech::kRsaPkcsPss: return PssParams{Hash::Sha256, Hash::Sha256, 32};
        case mech::kSha1RsaPkcsPss: return PssParams{Hash::Sha1, Hash::Sha1, 20};
        case mech::kSha224RsaPkcsPss: return PssParams{Hash::Sha224, Hash::Sha224, 28};
        case mech::kSha256RsaPkcsPss: return PssParams{Hash::Sha256, Hash::Sha256, 32};
        case mech::kSha384RsaPkcsPss: return PssParams{Hash::Sha384, Hash::Sha384, 48};
        case mech::kSha512RsaPkcsPss: return PssParams{Hash::Sha512, Hash::Sha512, 20};
        case mech::kRsaPkcsOaep: return OaepParams{Hash::Sha1, Hash::Sha1, {}};
        case mech::kRsaAesKeyWrap: return RsaAesWrapParams{128, {Hash::Sha1, Hash::Sha1, {}}};
        case mech::kAesCbc: case mech::kAesCbcPad: return IvParams{Bytes(16)};
        case mech::kDes3Cbc: case mech::kDes3CbcPad: return IvParams{Bytes(8)};
        case mech::kAesCtr: return CtrParams{Bytes(16), 128};
        case mech::kAesGcm: return GcmParams{Bytes(12), {}, 128};
        case mech::kEcdh1Derive: return EcdhParams{ec_public_parts(ec_peer.public_key)->point};
        default: return NoParams{};
    }
}

TEST(Registry, EveryAdvertisedFunctionWorksWithASuitableKey) {
    KeyPair rsa = rsa_pair(1024);
    KeyPair ec = ec_pair("P-256");
    KeyPair peer = ec_pair("P-256");
    KeyPair ed = ec_pair("Ed25519");
    KeyGenParams dp;
    dp.bits = 1024;
    KeyPair dsa = *reg().generate_key_pair(mk(mech::kDsaKeyPairGen), dp);
    Key aes = secret_key(KeyType::Aes, 16);
    Key des = secret_key(KeyType::Des3, 24);
    Key generic = secret_key(KeyType::GenericSecret, 32);
    auto pair_for = [&](KeyType t) -> const KeyPair* {
        return t == KeyType::Rsa ? &rsa : t == KeyType::Ec ? &ec : t == KeyType::EcEdwards ? &ed
                                                               : &dsa;
    };
    size_t exercised = 0;
    for (const auto& info : reg().all()) {
        SCOPED_TRACE(info.name);
        Mechanism m = mk(info.id, usable_params(info.id, peer));
        if (info.flags & op::kDigest) {
            EXPECT_TRUE(reg().digest(m).is_ok());
        }
        if (info.key_types.empty()) continue;
        KeyType t = info.key_types.front();
        if (info.flags & (op::kGenerate | op::kGenerateKeyPair)) continue;  // KeyGen tests
        ++exercised;
        const Key* pub = nullptr;
        const Key* priv = nullptr;
        if (is_symmetric(t)) {
            pub = priv = t == KeyType::Aes ? &aes : t == KeyType::Des3 ? &des : &generic;
        } else {
            pub = &pair_for(t)->public_key;
            priv = &pair_for(t)->private_key;
        }
        size_t size = is_symmetric(t) ? priv->value().size() : priv->bits();
        EXPECT_GE(size, info.min_key_size);
        EXPECT_LE(size, info.max_key_size);
        auto ok = [&](auto r) { EXPECT_TRUE(r.is_ok()) << r.status().to_string(); };
        if (info.flags & op::kEncrypt) ok(reg().encrypt(m, *pub));
        if (info.flags & op::kDecrypt) ok(reg().decrypt(m, *priv));
        if (info.flags & op::kSign) ok(reg().sign(m, *priv));
        if (info.flags & op::kVerify) ok(reg().verify(m, *pub));
        if (info.flags & op::kDerive) ok(reg().derive(m, *priv));
        if (info.flags & op::kWrap) {
            auto w = reg().wrap(m, *pub, message(16));
            ok(w);
            if (w && (info.flags & op::kUnwrap)) ok(reg().unwrap(m, *priv, *w));
        }
    }
    EXPECT_EQ(exercised, 45U);  // 57 mechanisms less 5 digests and 7 generators
}

}  // namespace
}  // namespace sr::crypto
