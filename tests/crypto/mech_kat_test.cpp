// Known-answer tests from third-party vectors (NIST, RFCs, Wycheproof) stored under
// tests/data/kat/ — see SOURCES.md there. Every vector runs through the registry, single-part
// and (where the mechanism allows) multi-part.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;
using nlohmann::json;

json load(const std::string& name) {
    const char* root = std::getenv("SR_TEST_DATA");
    std::string path = std::string(root ? root : "tests/data") + "/kat/" + name;
    std::ifstream in(path);
    EXPECT_TRUE(in.good()) << "missing " << path;
    if (!in.good()) return json::object({{"tests", json::array()}});
    return json::parse(in);
}

Bytes hx(const json& j, const char* field) { return hex(j.at(field).get<std::string>()); }

MechanismId id_named(const std::string& name) {
    for (const auto& info : reg().all())
        if (info.name == name) return info.id;
    ADD_FAILURE() << "unknown mechanism " << name;
    return 0;
}

size_t count_tests(const json& doc) { return doc.at("tests").size(); }

TEST(Kat, NistShaDigests) {
    json doc = load("nist_sha.json");
    ASSERT_GT(count_tests(doc), 0U);
    for (const auto& t : doc["tests"]) {
        Bytes msg = t.contains("msgAscii") ? to_bytes(t["msgAscii"].get<std::string>()) : hx(t, "msg");
        MechanismId id = id_named(t["mechanism"]);
        auto one = digest_with(id, msg);
        auto parts = digest_with(id, msg, 3);
        ASSERT_TRUE(one.is_ok());
        EXPECT_EQ(to_hex(*one), t["md"].get<std::string>()) << t["mechanism"];
        EXPECT_EQ(*parts, *one);
    }
}

MechParams aes_params(MechanismId id, const Bytes& iv) {
    if (id == mech::kAesCtr) return CtrParams{iv, 128};
    if (id == mech::kAesCbc || id == mech::kAesCbcPad || id == mech::kDes3Cbc) return IvParams{iv};
    return NoParams{};
}

void block_cipher_kats(const json& doc, KeyType type) {
    ASSERT_GT(count_tests(doc), 0U);
    for (const auto& t : doc["tests"]) {
        MechanismId id = id_named(t["mechanism"]);
        Key k = Key::secret(type, SecretBytes(hx(t, "key")));
        Mechanism m = mk(id, aes_params(id, t.contains("iv") ? hx(t, "iv") : Bytes{}));
        Bytes pt = hx(t, "pt");
        for (size_t chunk : {0, 5}) {
            auto ct = encrypt_with(m, k, pt, chunk);
            ASSERT_TRUE(ct.is_ok()) << ct.status().to_string();
            EXPECT_EQ(to_hex(*ct), t["ct"].get<std::string>()) << t["mechanism"] << " chunk " << chunk;
            auto back = decrypt_with(m, k, *ct, chunk);
            ASSERT_TRUE(back.is_ok());
            EXPECT_EQ(*back, pt);
        }
    }
}

TEST(Kat, NistAesEcbCbcCtr) { block_cipher_kats(load("nist_aes.json"), KeyType::Aes); }

TEST(Kat, NistTdesEcb) { block_cipher_kats(load("nist_tdes.json"), KeyType::Des3); }

TEST(Kat, NistAesCmac) {
    json doc = load("nist_cmac.json");
    ASSERT_GT(count_tests(doc), 0U);
    for (const auto& t : doc["tests"]) {
        Key k = Key::secret(KeyType::Aes, SecretBytes(hx(t, "key")));
        auto mac = sign_with(mk(mech::kAesCmac), k, hx(t, "msg"));
        ASSERT_TRUE(mac.is_ok());
        EXPECT_EQ(to_hex(*mac), t["mac"].get<std::string>());
        EXPECT_TRUE(verify_with(mk(mech::kAesCmac), k, hx(t, "msg"), hx(t, "mac"), 4).is_ok());
    }
}

TEST(Kat, Rfc4231Hmac) {
    json doc = load("rfc4231_hmac.json");
    ASSERT_GT(count_tests(doc), 0U);
    for (const auto& t : doc["tests"]) {
        Key k = Key::secret(KeyType::GenericSecret, SecretBytes(hx(t, "key")));
        Mechanism m = mk(id_named(t["mechanism"]));
        auto mac = sign_with(m, k, hx(t, "msg"), 3);
        ASSERT_TRUE(mac.is_ok());
        EXPECT_EQ(to_hex(*mac), t["mac"].get<std::string>()) << t["mechanism"];
        EXPECT_TRUE(verify_with(m, k, hx(t, "msg"), hx(t, "mac")).is_ok());
    }
}

TEST(Kat, Rfc3394And5649KeyWrap) {
    json doc = load("rfc3394_5649_keywrap.json");
    ASSERT_GT(count_tests(doc), 0U);
    for (const auto& t : doc["tests"]) {
        Key kek = Key::secret(KeyType::Aes, SecretBytes(hx(t, "kek")));
        Mechanism m = mk(id_named(t["mechanism"]));
        auto w = reg().wrap(m, kek, hx(t, "key"));
        ASSERT_TRUE(w.is_ok()) << w.status().to_string();
        EXPECT_EQ(to_hex(*w), t["wrapped"].get<std::string>());
        auto u = reg().unwrap(m, kek, hx(t, "wrapped"));
        ASSERT_TRUE(u.is_ok());
        EXPECT_EQ(to_hex(u->span()), t["key"].get<std::string>());
    }
}

TEST(Kat, Rfc8032Ed25519) {
    json doc = load("rfc8032_ed25519.json");
    ASSERT_GT(count_tests(doc), 0U);
    Bytes params = *curve_params_der("Ed25519");
    for (const auto& t : doc["tests"]) {
        auto priv = ec_private_from(KeyType::EcEdwards, EcPrivateParts{params, SecretBytes(hx(t, "secret")), {}});
        ASSERT_TRUE(priv.is_ok());
        // The public key derived from the seed must be the published one.
        auto parts = ec_private_parts(*priv);
        EXPECT_EQ(parts->point, hex("0420" + t["public"].get<std::string>()));
        auto pub = ec_public_from(KeyType::EcEdwards, EcPublicParts{params, hx(t, "public")});
        ASSERT_TRUE(pub.is_ok());
        auto sig = sign_with(mk(mech::kEddsa), *priv, hx(t, "msg"));
        ASSERT_TRUE(sig.is_ok());
        EXPECT_EQ(to_hex(*sig), t["sig"].get<std::string>());
        EXPECT_TRUE(verify_with(mk(mech::kEddsa), *pub, hx(t, "msg"), hx(t, "sig")).is_ok());
    }
}

TEST(Kat, WycheproofAesGcm) {
    json doc = load("wycheproof_aes_gcm.json");
    ASSERT_GT(count_tests(doc), 0U);
    for (const auto& t : doc["tests"]) {
        SCOPED_TRACE(t["tcId"].get<int>());
        Key k = Key::secret(KeyType::Aes, SecretBytes(hx(t, "key")));
        Mechanism m = mk(mech::kAesGcm, GcmParams{hx(t, "iv"), hx(t, "aad"), 128});
        Bytes expect = hx(t, "ct");
        Bytes tag = hx(t, "tag");
        expect.insert(expect.end(), tag.begin(), tag.end());
        auto ct = encrypt_with(m, k, hx(t, "msg"), 7);
        ASSERT_TRUE(ct.is_ok());
        EXPECT_EQ(*ct, expect);
        auto pt = decrypt_with(m, k, expect);
        ASSERT_TRUE(pt.is_ok());
        EXPECT_EQ(*pt, hx(t, "msg"));
        expect.back() ^= 0x01;
        EXPECT_EQ(decrypt_with(m, k, expect).code(), Err::EncryptedDataInvalid);
    }
}

// "valid" must verify; "invalid" must fail (SignatureInvalid or SignatureLenRange).
void expect_verdict(const json& t, const Status& s) {
    SCOPED_TRACE(t["tcId"].get<int>());
    if (t["result"] == "valid") {
        EXPECT_TRUE(s.is_ok()) << s.to_string();
    } else if (t["result"] == "invalid") {
        EXPECT_TRUE(s.code() == Err::SignatureInvalid || s.code() == Err::SignatureLenRange)
            << s.to_string();
    }
}

TEST(Kat, WycheproofEcdsaP256Sha256P1363) {
    json doc = load("wycheproof_ecdsa_p256_sha256_p1363.json");
    ASSERT_GT(count_tests(doc), 0U);
    auto pub = ec_public_from(KeyType::Ec, EcPublicParts{*curve_params_der("P-256"),
                                                         hx(doc, "publicKeyUncompressed")});
    ASSERT_TRUE(pub.is_ok());
    for (const auto& t : doc["tests"])
        expect_verdict(t, verify_with(mk(mech::kEcdsaSha256), *pub, hx(t, "msg"), hx(t, "sig")));
}

Key rsa_pub_from_doc(const json& doc) {
    auto k = rsa_public_from(RsaPublicParts{hx(doc, "modulus"), hx(doc, "publicExponent")});
    EXPECT_TRUE(k.is_ok());
    return std::move(k).value();
}

TEST(Kat, WycheproofRsaPkcs1Sha256) {
    json doc = load("wycheproof_rsa_pkcs1_2048_sha256.json");
    ASSERT_GT(count_tests(doc), 0U);
    Key pub = rsa_pub_from_doc(doc);
    for (const auto& t : doc["tests"])
        expect_verdict(t, verify_with(mk(mech::kSha256RsaPkcs), pub, hx(t, "msg"), hx(t, "sig")));
}

TEST(Kat, WycheproofRsaPssSha256) {
    json doc = load("wycheproof_rsa_pss_2048_sha256_mgf1_32.json");
    ASSERT_GT(count_tests(doc), 0U);
    Key pub = rsa_pub_from_doc(doc);
    Mechanism m = mk(mech::kSha256RsaPkcsPss, PssParams{Hash::Sha256, Hash::Sha256, 32});
    for (const auto& t : doc["tests"]) expect_verdict(t, verify_with(m, pub, hx(t, "msg"), hx(t, "sig")));
}

TEST(Kat, WycheproofEcdhP256) {
    json doc = load("wycheproof_ecdh_p256_ecpoint.json");
    ASSERT_GT(count_tests(doc), 0U);
    Bytes params = *curve_params_der("P-256");
    for (const auto& t : doc["tests"]) {
        SCOPED_TRACE(t["tcId"].get<int>());
        auto priv = ec_private_from(KeyType::Ec, EcPrivateParts{params, SecretBytes(hx(t, "private")), {}});
        ASSERT_TRUE(priv.is_ok()) << priv.status().to_string();
        auto secret = reg().derive(mk(mech::kEcdh1Derive, EcdhParams{hx(t, "public")}), *priv);
        if (t["result"] == "valid") {
            ASSERT_TRUE(secret.is_ok()) << secret.status().to_string();
            EXPECT_EQ(to_hex(secret->span()), t["shared"].get<std::string>());
        } else if (secret.is_ok()) {  // "acceptable": if accepted, the answer must be right
            EXPECT_EQ(to_hex(secret->span()), t["shared"].get<std::string>());
        }
    }
}

}  // namespace
}  // namespace sr::crypto
