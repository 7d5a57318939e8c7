// What a network observer sees: a relay between RemoteDevices and two real strongroomd
// processes records every byte while the client generates keys, signs, encrypts and clones
// between the appliances' partitions (relaying the sealed messages). After the daemons stop,
// every secret value in both engines (and the partitions' cloning-domain keys) is read
// in-process, and no 16-byte window of any of them occurs in the capture; the capture is a
// TLS 1.3 handshake followed only by encrypted records.
#include <algorithm>
#include <string_view>
#include <unordered_set>

#include "client/clone.h"
#include "client/fill.h"
#include "crypto/key.h"
#include "netsys_fixture.h"
#include "tcp_relay.h"

namespace sr::netsys {
namespace {

namespace mech = crypto::mech;
using hsm::AttributeSet;
namespace attr = hsm::attr;

constexpr size_t kWindow = 16;

// Generates an AES-256 key and a P-256 pair, uses both, and fills in a mix of other kinds.
void make_and_use_keys(hsm::Device& dev, hsm::SessionId s) {
    AttributeSet aes;
    aes.set_bool(attr::kToken, true);
    aes.set_bool(attr::kPrivate, true);
    aes.set_bool(attr::kSensitive, true);
    aes.set_bool(attr::kEncrypt, true);
    aes.set_bool(attr::kDecrypt, true);
    aes.set_ulong(attr::kValueLen, 32);
    aes.set_string(attr::kLabel, "aes");
    auto key = dev.generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}}, aes);
    ASSERT_TRUE(key.is_ok()) << key.status().to_string();
    const crypto::Mechanism gcm{mech::kAesGcm, crypto::GcmParams{Bytes(12, 3), {}, 128}};
    ASSERT_TRUE(dev.encrypt_init(s, gcm, *key).is_ok());
    auto ct = dev.encrypt(s, as_bytes("plaintext crossing the network"));
    ASSERT_TRUE(ct.is_ok()) << ct.status().to_string();

    AttributeSet pub, priv;
    pub.set_bool(attr::kToken, true);
    pub.set_bool(attr::kVerify, true);
    auto params = crypto::curve_params_der("P-256");
    ASSERT_TRUE(params.is_ok());
    pub.set_bytes(attr::kEcParams, *params);
    priv.set_bool(attr::kToken, true);
    priv.set_bool(attr::kPrivate, true);
    priv.set_bool(attr::kSensitive, true);
    priv.set_bool(attr::kSign, true);
    auto pair = dev.generate_key_pair(s, {mech::kEcKeyPairGen, crypto::NoParams{}}, pub, priv);
    ASSERT_TRUE(pair.is_ok()) << pair.status().to_string();
    const Bytes msg = to_bytes("signed over the network");
    ASSERT_TRUE(dev.sign_init(s, {mech::kEcdsaSha256, crypto::NoParams{}}, pair->private_key)
                    .is_ok());
    auto sig = dev.sign(s, msg);
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    ASSERT_TRUE(dev.verify_init(s, {mech::kEcdsaSha256, crypto::NoParams{}}, pair->public_key)
                    .is_ok());
    EXPECT_TRUE(dev.verify(s, msg, *sig).is_ok());

    client::FillSpec fill;
    fill.count = 5;
    fill.mix = {client::FillKind::Des3, client::FillKind::Hmac256, client::FillKind::EcP384,
                client::FillKind::Ed25519, client::FillKind::Rsa2048};
    auto filled = client::fill_partition(dev, s, fill);
    ASSERT_TRUE(filled.is_ok()) << filled.status().to_string();
}

// Every secret attribute value of every token object in the device's partition, and the
// partition's cloning-domain key, read through the engine-internal export hook.
std::vector<SecretBytes> secrets_of(Env& env, const fs::path& folder) {
    std::vector<SecretBytes> out;
    auto dev = hsm::LocalDevice::open(env, folder);
    EXPECT_TRUE(dev.is_ok()) << dev.status().to_string();
    if (!dev.is_ok()) return out;
    auto co = open_co(**dev);
    EXPECT_TRUE(co.is_ok()) << co.status().to_string();
    if (!co.is_ok()) return out;
    auto handles = client::list_token_objects(**dev, co->session);
    EXPECT_TRUE(handles.is_ok());
    if (!handles.is_ok()) return out;
    for (hsm::ObjectHandle h : *handles) {
        auto all = (*dev)->export_object(co->session, h);
        EXPECT_TRUE(all.is_ok()) << all.status().to_string();
        if (!all.is_ok()) continue;
        for (hsm::AttrType t : all->types())
            if (all->is_secret(t)) out.emplace_back(*all->get(t));
    }
    auto domain = (*dev)->domain_key(co->partition);
    EXPECT_TRUE(domain.is_ok()) << domain.status().to_string();
    if (domain.is_ok()) out.push_back(std::move(*domain));
    return out;
}

// TLS records of one direction: (content type, payload size), stopping at a truncated tail.
std::vector<std::pair<uint8_t, size_t>> records(const std::vector<uint8_t>& stream) {
    std::vector<std::pair<uint8_t, size_t>> out;
    size_t at = 0;
    while (at + 5 <= stream.size()) {
        const size_t len = (size_t{stream[at + 3]} << 8) | stream[at + 4];
        out.emplace_back(stream[at], len);
        at += 5 + len;
    }
    return out;
}

// A TLS 1.3 handshake (ClientHello / ServerHello selecting 0x0304) in the clear, after which
// each side sends nothing but encrypted records (content type 23; TLS 1.3 encrypts the rest of
// the handshake and every alert inside them). Compatibility ChangeCipherSpec records and a
// HelloRetryRequest round are allowed before the first encrypted record.
void expect_tls13_only(const TcpRelay::Connection& c) {
    ASSERT_GE(c.to_server.size(), 6u);
    ASSERT_GE(c.to_client.size(), 6u);
    EXPECT_EQ(c.to_server[0], 0x16);  // handshake record
    EXPECT_EQ(c.to_server[5], 0x01);  // ClientHello
    EXPECT_EQ(c.to_client[0], 0x16);
    EXPECT_EQ(c.to_client[5], 0x02);  // ServerHello
    const auto server = records(c.to_client);
    ASSERT_FALSE(server.empty());
    const uint8_t selected[] = {0x00, 0x2b, 0x00, 0x02, 0x03, 0x04};  // supported_versions
    const auto hello_end = c.to_client.begin() + 5 + static_cast<long>(server[0].second);
    EXPECT_NE(std::search(c.to_client.begin(), hello_end, std::begin(selected), std::end(selected)),
              hello_end)
        << "the ServerHello does not select TLS 1.3";
    for (const auto* dir : {&c.to_server, &c.to_client}) {
        bool encrypted = false;
        size_t encrypted_records = 0;
        for (const auto& [type, size] : records(*dir)) {
            encrypted = encrypted || type == 0x17;
            if (encrypted) {
                EXPECT_EQ(type, 0x17) << "a record in the clear after encryption began";
                ++encrypted_records;
            } else {
                EXPECT_TRUE(type == 0x16 || type == 0x14) << "content type " << int{type};
            }
        }
        EXPECT_GT(encrypted_records, 0u);
    }
}

class TrafficTest : public NetsysTest {};

TEST_F(TrafficTest, CapturedTrafficIsTls13AndHoldsNoKeyBytes) {
    Appliance& a = make("a", 700101);
    Appliance& b = make("b", 700102);
    ASSERT_FALSE(HasFailure());
    ASSERT_NO_FATAL_FAILURE(start(a));
    ASSERT_NO_FATAL_FAILURE(start(b));
    TcpRelay relay_a(a.port), relay_b(b.port);
    ASSERT_GT(relay_a.port(), 0);
    ASSERT_GT(relay_b.port(), 0);
    uint64_t relayed = 0;
    {
        auto dev_a = connect(a, relay_a.port());
        auto dev_b = connect(b, relay_b.port());
        ASSERT_TRUE(dev_a.is_ok() && dev_b.is_ok());
        auto co_a = open_co(**dev_a);
        ASSERT_TRUE(co_a.is_ok()) << co_a.status().to_string();
        auto co_b = open_co(**dev_b);
        ASSERT_TRUE(co_b.is_ok()) << co_b.status().to_string();
        ASSERT_NO_FATAL_FAILURE(make_and_use_keys(**dev_a, co_a->session));
        auto handles = client::list_token_objects(**dev_a, co_a->session);
        ASSERT_TRUE(handles.is_ok());
        auto report = client::clone_objects(**dev_a, co_a->session, **dev_b, co_b->session,
                                            *handles);
        ASSERT_TRUE(report.is_ok()) << report.status().to_string();
        EXPECT_EQ(report->cloned.size(), handles->size());
        EXPECT_TRUE(report->refused.empty());
        relayed = report->bytes_relayed;
    }
    relay_a.stop();
    relay_b.stop();
    EXPECT_EQ(stop(a), 0);
    EXPECT_EQ(stop(b), 0);

    std::vector<SecretBytes> secrets = secrets_of(m_env, a.folder);
    const size_t on_a = secrets.size();
    for (auto& s : secrets_of(m_env, b.folder)) secrets.push_back(std::move(s));
    // 7 secret keys on each side (AES, EC P-256, 3DES, HMAC, P-384, Ed25519, RSA: the RSA
    // private key has several secret parts) plus the domain key.
    EXPECT_GE(on_a, 8u);
    EXPECT_GE(secrets.size() - on_a, 8u);

    std::unordered_set<std::string_view> windows;
    size_t captured = 0;
    for (const auto* relay : {&relay_a, &relay_b}) {
        ASSERT_FALSE(relay->connections().empty());
        for (const auto& c : relay->connections()) {
            expect_tls13_only(c);
            for (const auto* dir : {&c.to_server, &c.to_client}) {
                captured += dir->size();
                const std::string_view all(reinterpret_cast<const char*>(dir->data()),
                                           dir->size());
                for (size_t i = 0; i + kWindow <= all.size(); ++i)
                    windows.insert(all.substr(i, kWindow));
            }
        }
    }
    // The sealed clone messages crossed the relays twice (out of one, into the other).
    EXPECT_GE(captured, 2 * relayed);

    size_t checked = 0;
    for (const auto& secret : secrets) {
        const std::string_view v(reinterpret_cast<const char*>(secret.span().data()),
                                 secret.span().size());
        ASSERT_GE(v.size(), kWindow) << "a secret shorter than the window";
        for (size_t i = 0; i + kWindow <= v.size(); ++i, ++checked)
            ASSERT_EQ(windows.count(v.substr(i, kWindow)), 0u)
                << "16 bytes of a secret value appear in the capture";
    }
    EXPECT_GT(checked, 0u);
}

}  // namespace
}  // namespace sr::netsys
