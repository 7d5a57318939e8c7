// Operation steps through net::RemoteDevice: repeated inits travel with their step (one batch
// entry per operation), and every sequence of calls answers exactly as the engine does when
// called directly — the same scripts run against the served LocalDevice and through the wire
// must give the same codes and outputs (docs/design/network-protocol.md, "Deferred
// initialisation").
#include <future>
#include <string>
#include <vector>

#include "crypto/mechanism.h"
#include "net/remote_device.h"
#include "service_fixture.h"

namespace sr::net::test {
namespace {

namespace mech = crypto::mech;
using namespace sr::hsm;  // NOLINT: test brevity

const crypto::Mechanism kEcdsa{mech::kEcdsaSha256, crypto::NoParams{}};
const crypto::Mechanism kSha256{mech::kSha256, crypto::NoParams{}};
const crypto::Mechanism kCbc{mech::kAesCbcPad, crypto::IvParams{Bytes(16, 0x11)}};

// What a script works with on one device: two logged-in sessions of one app, an EC pair and an
// AES key of its own.
struct Bench {
    Device* dev = nullptr;
    SessionId a = 0, b = 0;
    ObjectHandle priv = 0, pub = 0, aes = 0;
};

// One line per call: the error name, or "Ok" (plus the output for digests and decryptions,
// which must be the same on both paths).
using Trace = std::vector<std::string>;

std::string code(const Status& st) { return std::string(err_name(st.code())); }
template <class T>
std::string code(const Result<T>& r) {
    return code(r.status());
}

class RemoteOperationsTest : public ServiceFixture {
protected:
    void SetUp() override {
        ServiceFixture::SetUp();
        if (HasFatalFailure()) return;
        ServerEndpoint ep;
        ep.address = "127.0.0.1:" + std::to_string(m_port);
        ep.server_cert_pem = m_server_id.cert_pem;
        ep.client_cert_pem = m_a.cert_pem;
        ep.client_key_pem = SecretBytes(as_bytes(m_a.key_pem));
        auto remote = connect_remote(ep);
        ASSERT_TRUE(remote.is_ok()) << remote.status().to_string();
        m_remote = std::move(*remote);
    }
    void TearDown() override {
        m_remote.reset();
        ServiceFixture::TearDown();
    }

    Bench bench(Device& dev) {
        Bench b;
        b.dev = &dev;
        auto app = dev.attach();
        EXPECT_TRUE(app.is_ok());
        auto sa = dev.open_session(*app, m_p1, true);
        auto sb = dev.open_session(*app, m_p1, true);
        EXPECT_TRUE(sa.is_ok() && sb.is_ok());
        b.a = *sa;
        b.b = *sb;
        EXPECT_TRUE(dev.login(b.a, Role::CryptoOfficer, kCoPw).is_ok());
        AttributeSet pub;
        pub.set_bool(attr::kToken, true);
        pub.set_bool(attr::kVerify, true);
        pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
        AttributeSet prv;
        prv.set_bool(attr::kToken, true);
        prv.set_bool(attr::kPrivate, true);
        prv.set_bool(attr::kSensitive, true);
        prv.set_bool(attr::kSign, true);
        auto pair = dev.generate_key_pair(b.a, {mech::kEcKeyPairGen, crypto::NoParams{}}, pub, prv);
        EXPECT_TRUE(pair.is_ok()) << pair.status().to_string();
        if (pair) {
            b.priv = pair->private_key;
            b.pub = pair->public_key;
        }
        AttributeSet aes;
        aes.set_bool(attr::kToken, true);
        aes.set_bool(attr::kEncrypt, true);
        aes.set_bool(attr::kDecrypt, true);
        aes.set_ulong(attr::kValueLen, 32);
        auto key = dev.generate_key(b.a, {mech::kAesKeyGen, crypto::NoParams{}}, aes);
        EXPECT_TRUE(key.is_ok()) << key.status().to_string();
        if (key) b.aes = *key;
        return b;
    }

    // The script on the served device itself and through the wire: the same trace.
    void expect_same(const char* what, const std::function<Trace(Bench&)>& script) {
        Bench local = bench(*m_device);
        Bench remote = bench(*m_remote);
        const Trace want = script(local);
        const Trace got = script(remote);
        EXPECT_EQ(got, want) << what;
    }

    // Sign once so the next identical init may be deferred.
    static void warm(Bench& b, Trace& t) {
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        t.push_back(code(b.dev->sign(b.a, to_bytes("warm-up"))));
    }

    std::unique_ptr<Device> m_remote;
};

TEST_F(RemoteOperationsTest, ARepeatedInitTravelsWithItsStepAsOneBatchEntry) {
    Bench b = bench(*m_remote);
    Trace t;
    warm(b, t);
    ASSERT_EQ(t, (Trace{"Ok", "Ok"}));
    const uint64_t before = m_directory.lookups();
    const Bytes data = to_bytes("one entry per signature");
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(m_remote->sign_init(b.a, kEcdsa, b.priv).is_ok());
        auto sig = m_remote->sign(b.a, data);
        ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    }
    // The server identifies the caller once per entry: 20 signatures, 20 entries.
    EXPECT_EQ(m_directory.lookups() - before, 20u);
    ASSERT_TRUE(m_remote->sign_init(b.a, kEcdsa, b.priv).is_ok());
    auto sig = m_remote->sign(b.a, data);
    ASSERT_TRUE(sig.is_ok());
    ASSERT_TRUE(m_remote->verify_init(b.a, kEcdsa, b.pub).is_ok());
    EXPECT_TRUE(m_remote->verify(b.a, data, *sig).is_ok());
}

TEST_F(RemoteOperationsTest, InitErrorsAnswerAtTheInitAsTheEngineDoes) {
    expect_same("cold inits", [](Bench& b) {
        Trace t;
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, 999999)));   // no such key
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.pub)));    // cannot sign
        t.push_back(code(b.dev->sign_init(b.b, kEcdsa, b.priv)));   // fine: same app is in
        t.push_back(code(b.dev->sign(b.b, to_bytes("x"))));
        return t;
    });
}

TEST_F(RemoteOperationsTest, ASecondInitWhileOneIsActiveAndAStepWithoutInitAnswerAsTheEngine) {
    expect_same("init twice", [](Bench& b) {
        Trace t;
        warm(b, t);
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));  // deferred remotely
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));  // OperationActive
        t.push_back(code(b.dev->sign(b.a, to_bytes("x"))));
        t.push_back(code(b.dev->sign(b.a, to_bytes("x"))));  // OperationNotInitialized
        return t;
    });
}

TEST_F(RemoteOperationsTest, CallsBetweenADeferredInitAndItsStepKeepTheApplicationsOrder) {
    expect_same("destroy through this device", [](Bench& b) {
        Trace t;
        warm(b, t);
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        t.push_back(code(b.dev->destroy_object(b.b, b.priv)));
        t.push_back(code(b.dev->sign(b.a, to_bytes("x"))));
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));  // gone now
        return t;
    });
    expect_same("logout on the other session", [](Bench& b) {
        Trace t;
        warm(b, t);
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        t.push_back(code(b.dev->logout(b.b)));
        t.push_back(code(b.dev->sign(b.a, to_bytes("x"))));
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        return t;
    });
    expect_same("another call on the session", [](Bench& b) {
        Trace t;
        warm(b, t);
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        const AttrType label[] = {attr::kLabel};
        t.push_back(code(b.dev->get_attributes(b.a, b.pub, label)));
        t.push_back(code(b.dev->active_operations(b.a)));
        t.push_back(code(b.dev->sign(b.a, to_bytes("x"))));
        return t;
    });
    expect_same("close the session", [](Bench& b) {
        Trace t;
        warm(b, t);
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        t.push_back(code(b.dev->close_session(b.a)));
        t.push_back(code(b.dev->sign(b.a, to_bytes("x"))));
        return t;
    });
}

TEST_F(RemoteOperationsTest, MultiPartVerifyDigestAndAesAnswerAsTheEngine) {
    expect_same("multi-part sign", [](Bench& b) {
        Trace t;
        warm(b, t);
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        t.push_back(code(b.dev->sign_update(b.a, to_bytes("part one "))));
        t.push_back(code(b.dev->sign_update(b.a, to_bytes("part two"))));
        t.push_back(code(b.dev->sign_final(b.a)));
        t.push_back(code(b.dev->sign_final(b.a)));
        return t;
    });
    expect_same("verify", [](Bench& b) {
        Trace t;
        const Bytes data = to_bytes("verify me");
        t.push_back(code(b.dev->sign_init(b.a, kEcdsa, b.priv)));
        auto sig = b.dev->sign(b.a, data);
        t.push_back(code(sig));
        if (!sig) return t;
        Bytes bad = *sig;
        bad[bad.size() / 2] ^= 0x01;
        for (const Bytes* s : {&*sig, &bad, &*sig, &*sig}) {
            t.push_back(code(b.dev->verify_init(b.a, kEcdsa, b.pub)));
            t.push_back(code(b.dev->verify(b.a, data, *s)));
        }
        return t;
    });
    expect_same("digest", [](Bench& b) {
        Trace t;
        for (int i = 0; i < 3; ++i) {
            t.push_back(code(b.dev->digest_init(b.a, kSha256)));
            auto d = b.dev->digest(b.a, to_bytes("abc"));
            t.push_back(d ? to_hex(*d) : code(d));
        }
        t.push_back(code(b.dev->digest_init(b.a, kSha256)));
        t.push_back(code(b.dev->digest_update(b.a, to_bytes("a"))));
        t.push_back(code(b.dev->digest_update(b.a, to_bytes("bc"))));
        auto d = b.dev->digest_final(b.a);
        t.push_back(d ? to_hex(*d) : code(d));
        return t;
    });
    expect_same("aes round trips", [](Bench& b) {
        Trace t;
        const Bytes data = to_bytes("plaintext that round-trips through the HSM");
        for (int i = 0; i < 3; ++i) {
            t.push_back(code(b.dev->encrypt_init(b.a, kCbc, b.aes)));
            auto ct = b.dev->encrypt(b.a, data);
            t.push_back(code(ct));
            if (!ct) return t;
            t.push_back(code(b.dev->decrypt_init(b.a, kCbc, b.aes)));
            auto pt = b.dev->decrypt(b.a, *ct);
            t.push_back(pt ? to_string(pt->span()) : code(pt));
        }
        return t;
    });
}

// The one difference deferral makes, and only in a race the application cannot order: a key
// another application destroys between a deferred init and its step fails the step (an init
// answered at once would have kept the key for the operation). The next init is sent at once.
TEST_F(RemoteOperationsTest, AKeyAnotherApplicationDestroysAfterADeferredInitFailsTheStep) {
    Bench b = bench(*m_remote);
    Trace t;
    warm(b, t);
    ASSERT_EQ(t, (Trace{"Ok", "Ok"}));
    ASSERT_TRUE(m_remote->sign_init(b.a, kEcdsa, b.priv).is_ok());  // deferred

    auto other = m_device->attach();
    ASSERT_TRUE(other.is_ok());
    auto s = m_device->open_session(*other, m_p1, true);
    ASSERT_TRUE(s.is_ok());
    ASSERT_TRUE(m_device->login(*s, Role::CryptoOfficer, kCoPw).is_ok());
    ASSERT_TRUE(m_device->destroy_object(*s, b.priv).is_ok());

    EXPECT_EQ(m_remote->sign(b.a, to_bytes("x")).code(), Err::KeyHandleInvalid);
    EXPECT_EQ(m_remote->sign_init(b.a, kEcdsa, b.priv).code(), Err::KeyHandleInvalid);
}

TEST_F(RemoteOperationsTest, AClientDeletedFromTheRegistryLosesItsOpenStreamAtTheNextStep) {
    Bench b = bench(*m_remote);
    Trace t;
    warm(b, t);
    ASSERT_EQ(t, (Trace{"Ok", "Ok"}));
    m_directory.remove("a");
    ASSERT_TRUE(m_remote->sign_init(b.a, kEcdsa, b.priv).is_ok());  // deferred
    EXPECT_EQ(m_remote->sign(b.a, to_bytes("x")).code(), Err::UserNotAuthorized);
}

TEST_F(RemoteOperationsTest, DrainingEndsIdleStreamsSoShutdownDoesNotWaitForThem) {
    Bench b = bench(*m_remote);
    Trace t;
    warm(b, t);  // leaves an open stream in the client's pool
    ASSERT_EQ(t, (Trace{"Ok", "Ok"}));
    drain_device_service(*m_tls_service);
    // New streams are refused; the pooled one was ended.
    EXPECT_EQ(m_remote->digest_init(b.a, kSha256).code(), Err::DeviceError);
    // Without the drain this Shutdown would wait its full minute for the idle stream.
    auto done = std::async(std::launch::async, [&] {
        m_tls_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(60));
    });
    EXPECT_EQ(done.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    done.wait();
}

}  // namespace
}  // namespace sr::net::test
