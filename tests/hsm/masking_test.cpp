// Masked objects (docs/design/masking.md): a blob made on one device opens on another device of
// the same domain and the key works there; every other blob (foreign domain or auth type,
// tampered, truncated, other version, already held) is refused with its pinned code and leaves
// the target as it was; no blob carries key bytes.
#include "hsm/masking.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crypto/primitives.h"
#include "hsm/clone_engine.h"
#include "hsm/policy.h"
#include "masking_fixture.h"

namespace sr::hsm::testing {
namespace {

namespace mech = crypto::mech;
using crypto::NoParams;
using MaskingTest = DeviceFixture;

bool contains_hex(ByteView hay, ByteView key) {
    const std::string text(hay.begin(), hay.end());
    const std::string hex = to_hex(key);
    std::string upper = hex;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text.find(hex) != std::string::npos || text.find(upper) != std::string::npos;
}

TEST_F(MaskingTest, RoundTripIntoAnotherDeviceOfTheDomainAndTheKeysWorkThere) {
    Side src = make_side("6.22.0", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    auto aes = create_aes(src, kAesValue);
    SR_ASSERT_OK(aes);
    AttributeSet ec_pub = public_template("ec");
    ec_pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    auto ec = src.dev->generate_key_pair(src.co, {mech::kEcKeyPairGen, NoParams{}},
                                         std::move(ec_pub), private_template("ec"));
    SR_ASSERT_OK(ec);

    auto aes_blob = src.dev->extract_masked(src.co, *aes);
    SR_ASSERT_OK(aes_blob);
    auto ec_blob = src.dev->extract_masked(src.co, ec->private_key);
    SR_ASSERT_OK(ec_blob);
    // Captured blobs carry no key bytes, raw or hex.
    EXPECT_FALSE(contains(*aes_blob, kAesValue));
    EXPECT_FALSE(contains_hex(*aes_blob, kAesValue));
    // The blob is self-describing: it names the object's OUID in clear.
    auto decoded = masking::decode(*aes_blob);
    SR_ASSERT_OK(decoded);
    EXPECT_EQ(decoded->header.ouid, ouid(src, *aes));
    EXPECT_EQ(decoded->header.object_class, cls::kSecretKey);

    auto aes_there = dst.dev->insert_masked(dst.co, *aes_blob);
    SR_ASSERT_OK(aes_there);
    auto ec_there = dst.dev->insert_masked(dst.co, *ec_blob);
    SR_ASSERT_OK(ec_there);
    EXPECT_EQ(object_count(dst), 2u);
    EXPECT_EQ(ouid(dst, *aes_there), ouid(src, *aes));

    // AES: encrypted on the source, decrypted on the target.
    const crypto::Mechanism cbc{mech::kAesCbcPad, crypto::IvParams{Bytes(16, 1)}};
    SR_ASSERT_OK(src.dev->encrypt_init(src.co, cbc, *aes));
    auto ct = src.dev->encrypt(src.co, as_bytes("masked and carried"));
    SR_ASSERT_OK(ct);
    SR_ASSERT_OK(dst.dev->decrypt_init(dst.co, cbc, *aes_there));
    auto pt = dst.dev->decrypt(dst.co, *ct);
    SR_ASSERT_OK(pt);
    EXPECT_EQ(to_string(pt->span()), "masked and carried");
    // EC: signed on the target, verified with the source's public key.
    const Bytes msg = to_bytes("signed on the target");
    SR_ASSERT_OK(dst.dev->sign_init(dst.co, {mech::kEcdsaSha256, NoParams{}}, *ec_there));
    auto sig = dst.dev->sign(dst.co, msg);
    SR_ASSERT_OK(sig);
    SR_ASSERT_OK(src.dev->verify_init(src.co, {mech::kEcdsaSha256, NoParams{}}, ec->public_key));
    EXPECT_TRUE(src.dev->verify(src.co, msg, *sig).is_ok());

    // And the fingerprints agree.
    auto fa =
        src.dev->object_fingerprints(src.co, std::vector<ObjectHandle>{*aes, ec->private_key});
    auto fb =
        dst.dev->object_fingerprints(dst.co, std::vector<ObjectHandle>{*aes_there, *ec_there});
    SR_ASSERT_OK(fa);
    SR_ASSERT_OK(fb);
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ((*fa)[i].attributes_digest, (*fb)[i].attributes_digest);
        EXPECT_EQ((*fa)[i].value_mac, (*fb)[i].value_mac);
    }
}

TEST_F(MaskingTest, EveryObjectTypeRoundTripsWithItsFingerprint) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    for (ObjectHandle h : o.all()) {
        auto blob = src.dev->extract_masked(src.co, h);
        SR_ASSERT_OK(blob);
        auto there = dst.dev->insert_masked(dst.co, *blob);
        SR_ASSERT_OK(there);
        auto fa = src.dev->object_fingerprints(src.co, std::vector<ObjectHandle>{h});
        auto fb = dst.dev->object_fingerprints(dst.co, std::vector<ObjectHandle>{*there});
        SR_ASSERT_OK(fa);
        SR_ASSERT_OK(fb);
        EXPECT_EQ((*fa)[0].attributes_digest, (*fb)[0].attributes_digest) << (*fa)[0].label;
        EXPECT_EQ((*fa)[0].value_mac, (*fb)[0].value_mac) << (*fa)[0].label;
    }
    EXPECT_EQ(object_count(dst), o.all().size());
}

TEST_F(MaskingTest, BlobFromAnotherDomainIsCertificateInvalidAndWritesNothing) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-beta");
    auto aes = create_aes(src, kAesValue);
    SR_ASSERT_OK(aes);
    auto blob = src.dev->extract_masked(src.co, *aes);
    SR_ASSERT_OK(blob);
    auto r = dst.dev->insert_masked(dst.co, *blob);
    EXPECT_EQ(r.code(), Err::CertificateInvalid);
    EXPECT_NE(r.status().message().find("cloning domain"), std::string::npos);
    // A relay that rewrites the fingerprint gets past the courtesy check but not the AEAD.
    auto forged = masking::decode(*blob);
    SR_ASSERT_OK(forged);
    forged->header.domain_fingerprint = dst.dev->partition_info(dst.partition)->domain_fingerprint;
    EXPECT_EQ(dst.dev->insert_masked(dst.co, masking::encode(*forged)).code(),
              Err::EncryptedDataInvalid);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(MaskingTest, BlobFromAnotherAuthTypeIsCertificateInvalid) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha", AuthType::Ped);
    ASSERT_TRUE(dst.dev);
    auto aes = create_aes(src, kAesValue);
    SR_ASSERT_OK(aes);
    auto blob = src.dev->extract_masked(src.co, *aes);
    SR_ASSERT_OK(blob);
    auto r = dst.dev->insert_masked(dst.co, *blob);
    EXPECT_EQ(r.code(), Err::CertificateInvalid);
    EXPECT_NE(r.status().message().find("auth"), std::string::npos);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(MaskingTest, EveryAlteredByteTruncationAndOtherVersionIsRefusedAndWritesNothing) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    auto aes = create_aes(src, kAesValue);
    SR_ASSERT_OK(aes);
    auto blob = src.dev->extract_masked(src.co, *aes);
    SR_ASSERT_OK(blob);

    for (size_t i = 0; i < blob->size(); ++i) {
        Bytes bad = *blob;
        bad[i] ^= 0x01;
        auto r = dst.dev->insert_masked(dst.co, bad);
        ASSERT_FALSE(r.is_ok()) << "byte " << i;
        EXPECT_TRUE(r.code() == Err::DataInvalid || r.code() == Err::CertificateInvalid ||
                    r.code() == Err::EncryptedDataInvalid || r.code() == Err::OperationNotAllowed)
            << "byte " << i << ": " << r.status().to_string();
    }
    // A flipped bit in the salt or the ciphertext is an authentication failure.
    Bytes salt_flip = *blob;
    const size_t sealed_at = masking::encode_header(masking::decode(*blob)->header).size();
    salt_flip[sealed_at - 1] ^= 0x80;
    EXPECT_EQ(dst.dev->insert_masked(dst.co, salt_flip).code(), Err::EncryptedDataInvalid);
    Bytes body_flip = *blob;
    body_flip[blob->size() - 20] ^= 0x80;
    EXPECT_EQ(dst.dev->insert_masked(dst.co, body_flip).code(), Err::EncryptedDataInvalid);

    for (size_t n = 0; n < blob->size(); ++n) {
        auto r = dst.dev->insert_masked(dst.co, ByteView(blob->data(), n));
        ASSERT_EQ(r.code(), Err::DataInvalid) << "prefix of " << n << " bytes";
    }
    Bytes trailing = *blob;
    trailing.push_back(0);
    EXPECT_EQ(dst.dev->insert_masked(dst.co, trailing).code(), Err::DataInvalid);

    Bytes v2 = *blob;
    v2[4] = 2;
    auto r = dst.dev->insert_masked(dst.co, v2);
    EXPECT_EQ(r.code(), Err::DataInvalid);
    EXPECT_NE(r.status().message().find("version 2"), std::string::npos);
    EXPECT_EQ(object_count(dst), 0u);
    // The untouched blob still inserts: the refusals above consumed nothing.
    EXPECT_TRUE(dst.dev->insert_masked(dst.co, *blob).is_ok());
}

TEST_F(MaskingTest, AnObjectAlreadyHeldIsObjectAlreadyExistsAndNotDuplicated) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("7.8.4", 222222, "domain-alpha");
    auto aes = create_aes(src, kAesValue);
    SR_ASSERT_OK(aes);
    auto blob = src.dev->extract_masked(src.co, *aes);
    SR_ASSERT_OK(blob);
    SR_ASSERT_OK(dst.dev->insert_masked(dst.co, *blob));
    EXPECT_EQ(dst.dev->insert_masked(dst.co, *blob).code(), Err::ObjectAlreadyExists);
    EXPECT_EQ(object_count(dst), 1u);
    // Back into the partition it came from: already there.
    EXPECT_EQ(src.dev->insert_masked(src.co, *blob).code(), Err::ObjectAlreadyExists);
    EXPECT_EQ(object_count(src), 1u);
}

TEST_F(MaskingTest, SourceRulesOfCloningApplyToExtraction) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    SourceObjects o;
    ASSERT_NO_FATAL_FAILURE(make_objects(src, o));
    AttributeSet session_key = secret_template("session", false);
    session_key.set_bool(attr::kToken, false);
    session_key.set_ulong(attr::kClass, cls::kSecretKey);
    session_key.set_ulong(attr::kKeyType, ckk::kAes);
    session_key.set_bytes(attr::kValue, kAesValue);
    auto session_h = src.dev->create_object(src.co, session_key);
    SR_ASSERT_OK(session_h);
    EXPECT_EQ(src.dev->extract_masked(src.co, *session_h).code(), Err::OperationNotAllowed);

    ASSERT_NO_FATAL_FAILURE(set_partition_policy(src, policy::kSecretKeyCloning, 0));
    auto secret = src.dev->extract_masked(src.co, o.aes);
    EXPECT_EQ(secret.code(), Err::OperationNotAllowed);
    EXPECT_NE(secret.status().message().find("policy 4"), std::string::npos);
    EXPECT_TRUE(src.dev->extract_masked(src.co, o.ec.private_key).is_ok());

    ASSERT_NO_FATAL_FAILURE(set_partition_policy(src, policy::kPrivateKeyCloning, 0));
    auto priv = src.dev->extract_masked(src.co, o.ec.private_key);
    EXPECT_EQ(priv.code(), Err::OperationNotAllowed);
    EXPECT_NE(priv.status().message().find("policy 0"), std::string::npos);
    // Public keys, certificates and data objects always mask.
    for (ObjectHandle h : {o.ec.public_key, o.cert, o.data})
        EXPECT_TRUE(src.dev->extract_masked(src.co, h).is_ok()) << h;

    ASSERT_NO_FATAL_FAILURE(set_hsm_policy(src, hsm_policy::kCloning, 0));
    auto any = src.dev->extract_masked(src.co, o.data);
    EXPECT_EQ(any.code(), Err::OperationNotAllowed);
    EXPECT_NE(any.status().message().find("policy 7"), std::string::npos);
}

TEST_F(MaskingTest, NewerToOlderFirmwareIsRefusedByTheTarget) {
    Side src = make_side("7.8.4", 111111, "domain-alpha");
    Side dst = make_side("6.22.0", 222222, "domain-alpha");
    auto aes = create_aes(src, kAesValue);
    SR_ASSERT_OK(aes);
    auto blob = src.dev->extract_masked(src.co, *aes);
    SR_ASSERT_OK(blob);
    EXPECT_EQ(dst.dev->insert_masked(dst.co, *blob).code(), Err::OperationNotAllowed);
    EXPECT_EQ(object_count(dst), 0u);
}

TEST_F(MaskingTest, ExtractAndInsertNeedAPartitionUser) {
    Side s = make_side("7.8.4", 111111, "domain-alpha");
    auto aes = create_aes(s, kAesValue);
    SR_ASSERT_OK(aes);
    auto blob = s.dev->extract_masked(s.co, *aes);
    SR_ASSERT_OK(blob);
    AppId a = *s.dev->attach();
    SessionId anon = *s.dev->open_session(a, s.partition, true);
    EXPECT_EQ(s.dev->extract_masked(anon, *aes).code(), Err::UserNotLoggedIn);
    EXPECT_EQ(s.dev->insert_masked(anon, *blob).code(), Err::UserNotLoggedIn);
}

// ---- The codec alone.

masking::Blob sample_blob() {
    masking::Blob b;
    b.header.firmware = {7, 8, 4};
    b.header.form_factor = FormFactor::Backup;
    b.header.auth = AuthType::Ped;
    b.header.domain_fingerprint = Bytes(16, 0xD0);
    b.header.ouid = Bytes(12, 0x0A);
    b.header.object_class = cls::kPrivateKey;
    b.header.salt.fill(0x5A);
    b.sealed = Bytes(40, 0xC5);
    return b;
}

TEST(MaskedBlobCodec, RoundTripsAndRefusesEachMalformedField) {
    const Bytes good = masking::encode(sample_blob());
    auto back = masking::decode(good);
    SR_ASSERT_OK(back);
    EXPECT_EQ(masking::encode(*back), good);
    EXPECT_EQ(back->header.form_factor, FormFactor::Backup);
    EXPECT_EQ(back->header.auth, AuthType::Ped);

    auto refused_with = [](const masking::Blob& b, std::string_view needle) {
        auto r = masking::decode(masking::encode(b));
        EXPECT_EQ(r.code(), Err::DataInvalid) << needle;
        EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
    };
    masking::Blob b = sample_blob();
    b.header.object_class = 5;
    refused_with(b, "object class 5");
    b = sample_blob();
    b.header.ouid.clear();
    refused_with(b, "OUID");
    b = sample_blob();
    b.header.domain_fingerprint = Bytes(65, 1);
    refused_with(b, "domain fingerprint");
    b = sample_blob();
    b.sealed = Bytes(27, 1);
    refused_with(b, "sealed object");

    Bytes bad_magic = good;
    bad_magic[0] = 'X';
    EXPECT_NE(masking::decode(bad_magic).status().message().find("magic"), std::string::npos);
    Bytes bad_ff = good;
    bad_ff[5 + 12] = 9;
    EXPECT_NE(masking::decode(bad_ff).status().message().find("form factor"), std::string::npos);
    Bytes bad_auth = good;
    bad_auth[5 + 13] = 2;
    EXPECT_NE(masking::decode(bad_auth).status().message().find("auth type"), std::string::npos);
    // A sealed-object length that claims more than is there allocates nothing and is refused.
    Bytes lying = masking::encode_header(sample_blob().header);
    put_u32(lying, 0xFFFFFFFF);
    EXPECT_EQ(masking::decode(lying).code(), Err::DataInvalid);
}

TEST(MaskedBlobCodec, SealBindsTheHeaderAndTheDomainKey) {
    const SecretBytes domain(Bytes(32, 0x11));
    SecretBytes payload(to_bytes("payload"));
    auto sealed = masking::seal(domain, sample_blob().header, payload);
    SR_ASSERT_OK(sealed);
    auto opened = masking::open(domain, *sealed);
    SR_ASSERT_OK(opened);
    EXPECT_EQ(to_string(opened->span()), "payload");
    EXPECT_EQ(masking::open(SecretBytes(Bytes(32, 0x12)), *sealed).code(),
              Err::EncryptedDataInvalid);
    masking::Blob other_ouid = std::move(*sealed);
    other_ouid.header.ouid[0] ^= 1;
    EXPECT_EQ(masking::open(domain, other_ouid).code(), Err::EncryptedDataInvalid);
    SecretBytes huge(masking::kMaxSealedBytes);
    EXPECT_EQ(masking::seal(domain, sample_blob().header, huge).code(), Err::DataLenRange);
}

// The fuzz seed corpus (fuzz/corpus/fuzz_masked_blob/valid) is a blob sealed under the all-zero
// domain key the fuzz target opens with, so the fuzzer reaches the payload decoder too.
// SR_WRITE_MASKED_SEED=<file> rewrites it after a format change.
TEST(MaskedBlobCodec, CheckedInSeedBlobDecodesAndOpensUnderTheFuzzKey) {
    const SecretBytes fuzz_domain(Bytes(32, 0));
    if (const char* out = std::getenv("SR_WRITE_MASKED_SEED")) {
        AttributeSet attrs;
        attrs.set_ulong(attr::kClass, cls::kSecretKey);
        attrs.set_ulong(attr::kKeyType, ckk::kAes);
        attrs.set_bytes(attr::kOuid, Bytes(12, 0x0A));
        attrs.set_string(attr::kLabel, "seed");
        attrs.set_secret(attr::kValue, SecretBytes(Bytes(32, 0x42)));
        masking::Header h = sample_blob().header;
        h.object_class = cls::kSecretKey;
        auto sealed = masking::seal(fuzz_domain, std::move(h), clone::encode_object_payload(attrs));
        SR_ASSERT_OK(sealed);
        const Bytes bytes = masking::encode(*sealed);
        std::ofstream(out, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
    }
    const char* data_dir = std::getenv("SR_TEST_DATA");
    ASSERT_NE(data_dir, nullptr);
    std::ifstream in(std::string(data_dir) + "/../../fuzz/corpus/fuzz_masked_blob/valid",
                     std::ios::binary);
    ASSERT_TRUE(in.good());
    const Bytes seed{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto blob = masking::decode(seed);
    SR_ASSERT_OK(blob);
    auto payload = masking::open(fuzz_domain, *blob);
    SR_ASSERT_OK(payload);
    auto attrs = clone::decode_object_payload(*payload);
    SR_ASSERT_OK(attrs);
    EXPECT_EQ(attrs->get_ulong(attr::kClass), cls::kSecretKey);
}

}  // namespace
}  // namespace sr::hsm::testing
