// Conversions between engine values and protocol messages (src/net/convert.cpp): every type
// round-trips, secrets come back as secrets, and hostile input is refused with a precise code.
#include "net/convert.h"

#include <gtest/gtest.h>

namespace sr::net {
namespace {

using crypto::Hash;

crypto::Mechanism round_trip(const crypto::Mechanism& m) {
    pb::Mechanism wire;
    to_proto(m, &wire);
    pb::Mechanism parsed;
    EXPECT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
    auto back = from_proto(parsed);
    EXPECT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(back->id, m.id);
    EXPECT_EQ(back->params.index(), m.params.index());
    return std::move(back).value();
}

TEST(NetConvert, AttributeSetKeepsPlainAndSecretHalves) {
    hsm::AttributeSet in;
    in.set_ulong(hsm::attr::kClass, hsm::cls::kSecretKey);
    in.set_string(hsm::attr::kLabel, "k1");
    in.set_bool(hsm::attr::kToken, true);
    in.set_secret(hsm::attr::kValue, SecretBytes(to_bytes("0123456789abcdef")));
    pb::AttributeSet wire;
    to_proto(in, &wire);
    int secret_on_wire = 0;
    for (const auto& a : wire.attributes()) secret_on_wire += a.secret() ? 1 : 0;
    EXPECT_EQ(secret_on_wire, 1);

    auto back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(back->types(), in.types());
    EXPECT_TRUE(back->is_secret(hsm::attr::kValue));
    EXPECT_FALSE(back->is_secret(hsm::attr::kLabel));
    EXPECT_EQ(to_string(*back->get(hsm::attr::kValue)), "0123456789abcdef");
    EXPECT_EQ(back->get_ulong(hsm::attr::kClass), hsm::cls::kSecretKey);
    EXPECT_EQ(back->get_bool(hsm::attr::kToken), true);
}

TEST(NetConvert, AttributeNamedTwiceIsRefused) {
    pb::AttributeSet wire;
    for (int i = 0; i < 2; ++i) {
        auto* a = wire.add_attributes();
        a->set_type(hsm::attr::kLabel);
        a->set_value("x");
        a->set_secret(i == 1);
    }
    EXPECT_EQ(from_proto(wire).code(), Err::ArgumentsBad);
}

TEST(NetConvert, EveryMechanismParameterKindRoundTrips) {
    EXPECT_TRUE(
        std::holds_alternative<crypto::NoParams>(round_trip({crypto::mech::kSha256, {}}).params));

    auto iv = std::get<crypto::IvParams>(
        round_trip({crypto::mech::kAesCbc, crypto::IvParams{Bytes(16, 7)}}).params);
    EXPECT_EQ(iv.iv, Bytes(16, 7));

    auto ctr = std::get<crypto::CtrParams>(
        round_trip({crypto::mech::kAesCtr, crypto::CtrParams{Bytes(16, 1), 32}}).params);
    EXPECT_EQ(ctr.counter_block, Bytes(16, 1));
    EXPECT_EQ(ctr.counter_bits, 32u);

    auto gcm = std::get<crypto::GcmParams>(
        round_trip({crypto::mech::kAesGcm, crypto::GcmParams{Bytes(12, 2), Bytes{1, 2, 3}, 128}})
            .params);
    EXPECT_EQ(gcm.iv, Bytes(12, 2));
    EXPECT_EQ(gcm.aad, (Bytes{1, 2, 3}));
    EXPECT_EQ(gcm.tag_bits, 128u);

    auto pss = std::get<crypto::PssParams>(
        round_trip({crypto::mech::kRsaPkcsPss, crypto::PssParams{Hash::Sha384, Hash::Sha1, 48}})
            .params);
    EXPECT_EQ(pss.hash, Hash::Sha384);
    EXPECT_EQ(pss.mgf_hash, Hash::Sha1);
    EXPECT_EQ(pss.salt_len, 48u);

    auto oaep = std::get<crypto::OaepParams>(
        round_trip(
            {crypto::mech::kRsaPkcsOaep, crypto::OaepParams{Hash::Sha512, Hash::Sha224, Bytes{9}}})
            .params);
    EXPECT_EQ(oaep.hash, Hash::Sha512);
    EXPECT_EQ(oaep.mgf_hash, Hash::Sha224);
    EXPECT_EQ(oaep.label, Bytes{9});

    auto ecdh = std::get<crypto::EcdhParams>(
        round_trip({crypto::mech::kEcdh1Derive, crypto::EcdhParams{Bytes(65, 4), 1, Bytes{5}}})
            .params);
    EXPECT_EQ(ecdh.peer_public, Bytes(65, 4));
    EXPECT_EQ(ecdh.kdf, 1u);
    EXPECT_EQ(ecdh.shared_data, Bytes{5});

    auto rsa_aes = std::get<crypto::RsaAesWrapParams>(
        round_trip({crypto::mech::kRsaAesKeyWrap,
                    crypto::RsaAesWrapParams{256, {Hash::Sha256, Hash::Sha256, {}}}})
            .params);
    EXPECT_EQ(rsa_aes.aes_key_bits, 256u);
    EXPECT_EQ(rsa_aes.oaep.hash, Hash::Sha256);

    auto wrap = std::get<crypto::WrapPadIv>(
        round_trip({crypto::mech::kAesKeyWrapPad, crypto::WrapPadIv{Bytes{0xA6, 0x59}}}).params);
    EXPECT_EQ(wrap.iv, (Bytes{0xA6, 0x59}));
}

TEST(NetConvert, MechanismWithoutParamsIsNoParams) {
    pb::Mechanism wire;
    wire.set_id(crypto::mech::kSha256);
    auto back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_TRUE(std::holds_alternative<crypto::NoParams>(back->params));
}

TEST(NetConvert, UnknownHashNameIsMechanismParamInvalid) {
    pb::Mechanism wire;
    wire.set_id(crypto::mech::kRsaPkcsPss);
    wire.mutable_pss()->set_hash("md5");
    wire.mutable_pss()->set_mgf_hash("sha256");
    EXPECT_EQ(from_proto(wire).code(), Err::MechanismParamInvalid);
    wire.mutable_pss()->set_hash("SHA256");  // names are exact
    EXPECT_EQ(from_proto(wire).code(), Err::MechanismParamInvalid);
}

TEST(NetConvert, RsaAesWrapWithoutOaepIsMechanismParamInvalid) {
    pb::Mechanism wire;
    wire.set_id(crypto::mech::kRsaAesKeyWrap);
    wire.mutable_rsa_aes_wrap()->set_aes_key_bits(256);
    EXPECT_EQ(from_proto(wire).code(), Err::MechanismParamInvalid);
}

TEST(NetConvert, DeviceInfoRoundTrips) {
    hsm::DeviceInfo in;
    in.serial = 123456;
    in.model = "LunaSA 7.3.0";
    in.form_factor = hsm::FormFactor::Network;
    in.firmware = {7, 3, 0};
    in.auth = hsm::AuthType::Ped;
    in.hsm_label = "hsm1";
    in.hsm_initialized = true;
    in.hsm_domain_fingerprint = Bytes(32, 0xAB);
    in.partition_count = 3;
    in.identity_certificate_der = Bytes{0x30, 0x00};
    pb::DeviceInfo wire;
    to_proto(in, &wire);
    EXPECT_EQ(wire.form_factor(), "network");
    EXPECT_EQ(wire.auth(), "ped");
    auto back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(back->serial, in.serial);
    EXPECT_EQ(back->model, in.model);
    EXPECT_EQ(back->form_factor, in.form_factor);
    EXPECT_EQ(back->firmware, in.firmware);
    EXPECT_EQ(back->auth, in.auth);
    EXPECT_EQ(back->hsm_label, in.hsm_label);
    EXPECT_TRUE(back->hsm_initialized);
    EXPECT_EQ(back->hsm_domain_fingerprint, in.hsm_domain_fingerprint);
    EXPECT_EQ(back->partition_count, 3u);
    EXPECT_EQ(back->identity_certificate_der, in.identity_certificate_der);
}

TEST(NetConvert, DeviceInfoWithUnknownNamesIsRefused) {
    hsm::DeviceInfo in;
    pb::DeviceInfo wire;
    to_proto(in, &wire);
    pb::DeviceInfo bad = wire;
    bad.set_form_factor("toaster");
    EXPECT_EQ(from_proto(bad).code(), Err::ArgumentsBad);
    bad = wire;
    bad.set_auth("fingerprint");
    EXPECT_FALSE(from_proto(bad).is_ok());
    bad = wire;
    bad.set_firmware("seven");
    EXPECT_EQ(from_proto(bad).code(), Err::ArgumentsBad);
}

TEST(NetConvert, PartitionInfoRoundTrips) {
    hsm::PartitionInfo in{5, "p1", "label", 777, true, Bytes{1, 2}, true, 42};
    pb::PartitionInfo wire;
    to_proto(in, &wire);
    hsm::PartitionInfo back = from_proto(wire);
    EXPECT_EQ(back.id, 5u);
    EXPECT_EQ(back.name, "p1");
    EXPECT_EQ(back.label, "label");
    EXPECT_EQ(back.serial, 777u);
    EXPECT_TRUE(back.initialized);
    EXPECT_EQ(back.domain_fingerprint, (Bytes{1, 2}));
    EXPECT_TRUE(back.so_can_reset_pin);
    EXPECT_EQ(back.object_count, 42u);
}

TEST(NetConvert, EveryRoleRoundTripsByName) {
    for (hsm::Role r :
         {hsm::Role::HsmSo, hsm::Role::HsmAuditor, hsm::Role::PartitionSo, hsm::Role::CryptoOfficer,
          hsm::Role::CryptoUser, hsm::Role::LimitedCryptoOfficer, hsm::Role::Auditor}) {
        auto back = role_from_wire(role_to_wire(r));
        ASSERT_TRUE(back.is_ok()) << role_to_wire(r);
        EXPECT_EQ(*back, r);
        EXPECT_EQ(role_from_wire(hsm::role_display_name(r)).value(), r);
    }
    EXPECT_EQ(role_to_wire(hsm::Role::CryptoOfficer), "co");
    EXPECT_EQ(role_to_wire(hsm::Role::HsmAuditor), "HSM Auditor");
    EXPECT_EQ(role_from_wire("root").code(), Err::ArgumentsBad);
    EXPECT_EQ(role_from_wire("").code(), Err::ArgumentsBad);
}

TEST(NetConvert, RoleStateRoundTrips) {
    hsm::RoleState in{hsm::Role::CryptoUser, true, 2, true, true, true};
    pb::RoleState wire;
    to_proto(in, &wire);
    auto back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(back->role, hsm::Role::CryptoUser);
    EXPECT_TRUE(back->initialized);
    EXPECT_EQ(back->failed_logins, 2u);
    EXPECT_TRUE(back->locked_out);
    EXPECT_TRUE(back->must_change_password);
    EXPECT_TRUE(back->activated);
    wire.set_role("nobody");
    EXPECT_EQ(from_proto(wire).code(), Err::ArgumentsBad);
}

TEST(NetConvert, SessionInfoRoundTripsWithAndWithoutLogin) {
    hsm::SessionInfo in{7, 2, true, hsm::Role::CryptoOfficer};
    pb::SessionInfo wire;
    to_proto(in, &wire);
    auto back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_EQ(back->app, 7u);
    EXPECT_EQ(back->partition, 2u);
    EXPECT_TRUE(back->read_write);
    EXPECT_EQ(back->logged_in, hsm::Role::CryptoOfficer);

    in.logged_in.reset();
    to_proto(in, &wire);
    back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_FALSE(back->logged_in.has_value());
}

TEST(NetConvert, AttributeReadoutRoundTripsWithReasons) {
    hsm::AttributeReadout in;
    in.values.set_string(hsm::attr::kLabel, "x");
    in.values.set_secret(hsm::attr::kValue, SecretBytes(Bytes{1, 2, 3}));
    in.unavailable[hsm::attr::kPrivateExponent] = hsm::Readable::Sensitive;
    in.unavailable[0x9999] = hsm::Readable::Invalid;
    pb::AttributeReadout wire;
    to_proto(in, &wire);
    auto back = from_proto(wire);
    ASSERT_TRUE(back.is_ok());
    EXPECT_TRUE(back->values.is_secret(hsm::attr::kValue));
    EXPECT_EQ(to_string(*back->values.get(hsm::attr::kLabel)), "x");
    EXPECT_EQ(back->unavailable, in.unavailable);

    wire.mutable_unavailable(0)->set_why(pb::UnavailableAttribute::WHY_UNSPECIFIED);
    EXPECT_EQ(from_proto(wire).code(), Err::ArgumentsBad);
}

TEST(NetConvert, CloneResultsRoundTripWithRefusalCodes) {
    hsm::CloneSourceResult src;
    src.sealed = Bytes{1, 2, 3};
    src.sent = {4, 5};
    src.refused.push_back({9, "k", Bytes{7}, Err::KeyUnextractable, "not cloneable"});
    pb::CloneSourceResult wire_src;
    to_proto(src, &wire_src);
    auto back_src = from_proto(wire_src);
    ASSERT_TRUE(back_src.is_ok());
    EXPECT_EQ(back_src->sealed, src.sealed);
    EXPECT_EQ(back_src->sent, src.sent);
    ASSERT_EQ(back_src->refused.size(), 1u);
    EXPECT_EQ(back_src->refused[0].handle, 9u);
    EXPECT_EQ(back_src->refused[0].label, "k");
    EXPECT_EQ(back_src->refused[0].ouid, Bytes{7});
    EXPECT_EQ(back_src->refused[0].code, Err::KeyUnextractable);
    EXPECT_EQ(back_src->refused[0].reason, "not cloneable");

    hsm::CloneTargetResult tgt;
    tgt.imported.push_back({Bytes{1}, "a", 11});
    tgt.skipped.push_back({Bytes{2}, "b", 0});
    tgt.refused.push_back({0, "c", Bytes{3}, Err::MaxObjectCountExceeded, "full"});
    pb::CloneTargetResult wire_tgt;
    to_proto(tgt, &wire_tgt);
    wire_tgt.add_refused()->set_code("FutureCode");
    auto back_tgt = from_proto(wire_tgt);
    ASSERT_TRUE(back_tgt.is_ok());
    ASSERT_EQ(back_tgt->imported.size(), 1u);
    EXPECT_EQ(back_tgt->imported[0].ouid, Bytes{1});
    EXPECT_EQ(back_tgt->imported[0].label, "a");
    EXPECT_EQ(back_tgt->imported[0].handle, 11u);
    ASSERT_EQ(back_tgt->skipped.size(), 1u);
    EXPECT_EQ(back_tgt->skipped[0].label, "b");
    ASSERT_EQ(back_tgt->refused.size(), 2u);
    EXPECT_EQ(back_tgt->refused[0].code, Err::MaxObjectCountExceeded);
    EXPECT_EQ(back_tgt->refused[1].code, Err::GeneralError);  // unknown name kept as a refusal
}

TEST(NetConvert, FingerprintRoundTrips) {
    hsm::ObjectFingerprint in{3, Bytes{1}, hsm::cls::kPrivateKey, "l", Bytes(32, 5), Bytes(32, 6)};
    pb::ObjectFingerprint wire;
    to_proto(in, &wire);
    hsm::ObjectFingerprint back = from_proto(wire);
    EXPECT_EQ(back.handle, 3u);
    EXPECT_EQ(back.ouid, Bytes{1});
    EXPECT_EQ(back.object_class, hsm::cls::kPrivateKey);
    EXPECT_EQ(back.label, "l");
    EXPECT_EQ(back.attributes_digest, Bytes(32, 5));
    EXPECT_EQ(back.value_mac, Bytes(32, 6));
}

}  // namespace
}  // namespace sr::net
