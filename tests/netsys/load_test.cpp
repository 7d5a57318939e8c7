// Bounded load against one real strongroomd: 50 concurrent sessions (10 RemoteDevice
// connections x 5 sessions, one thread each) sign with ECDSA P-256 and generate (then destroy)
// AES session keys for a fixed time, three rounds. No operation fails, and the daemon's resident
// set after the third round has not grown past a generous bound over the second: the larger of
// +20% and +16 MiB. The first round is a warm-up: it grows the server's thread pool and malloc
// arenas (measured: +9 to +17 MiB over the idle daemon), which is not a leak. RSS is not a
// timing: it only catches state that accumulates per operation or per session (leaked
// sessions, operations, session objects, channel state). Round length: SR_NETSYS_LOAD_SECONDS
// (default 1).
// The RSS bound is asserted by default, except in sanitizer builds (their allocators keep freed
// memory in quarantine, so RSS says nothing about leaks there); SR_NETSYS_LOAD_CHECK_RSS=0 turns
// it off. History: the daemon once grew 8-24 MiB between the second and third rounds, failing
// the bound about one run in three; that was glibc's per-thread malloc arenas, not a leak, and
// strongroomd now limits them to two (strongroomd_main.cpp): growth under 1 MiB since (five
// RelWithDebInfo runs on 2026-11-29: +152 to +628 KiB over a ~45 MiB baseline). The growth is
// always printed.
#include <atomic>
#include <mutex>

#include "crypto/key.h"
#include "netsys_fixture.h"

namespace sr::netsys {
namespace {

namespace mech = crypto::mech;
namespace attr = hsm::attr;

constexpr int kConnections = 10;
constexpr int kSessionsPerConnection = 5;

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

struct Tally {
    std::atomic<uint64_t> ok{0};
    std::atomic<uint64_t> failed{0};
    std::mutex mu;
    std::string first_failure;

    void fail(const Status& st, const char* what) {
        ++failed;
        std::lock_guard lock(mu);
        if (first_failure.empty()) first_failure = std::string(what) + ": " + st.to_string();
    }
};

// One session's loop until `deadline`: ECDSA sign, AES session key generate + destroy.
void session_loop(hsm::Device& dev, hsm::SessionId s, hsm::ObjectHandle key,
                  std::chrono::steady_clock::time_point deadline, Tally& tally) {
    const Bytes msg = to_bytes("load test message");
    hsm::AttributeSet aes;
    aes.set_bool(attr::kToken, false);
    aes.set_bool(attr::kSensitive, true);
    aes.set_bool(attr::kEncrypt, true);
    aes.set_ulong(attr::kValueLen, 32);
    while (std::chrono::steady_clock::now() < deadline) {
        if (Status st = dev.sign_init(s, {mech::kEcdsaSha256, crypto::NoParams{}}, key); !st) {
            tally.fail(st, "sign_init");
            continue;
        }
        if (auto sig = dev.sign(s, msg); !sig) {
            tally.fail(sig.status(), "sign");
            continue;
        }
        auto made = dev.generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}}, aes);
        if (!made) {
            tally.fail(made.status(), "generate_key");
            continue;
        }
        if (Status st = dev.destroy_object(s, *made); !st) {
            tally.fail(st, "destroy_object");
            continue;
        }
        tally.ok += 2;
    }
}

class LoadTest : public NetsysTest {
protected:
    // A token P-256 signing key on the partition, made once.
    hsm::ObjectHandle make_signing_key(const Appliance& a) {
        auto dev = connect(a);
        EXPECT_TRUE(dev.is_ok());
        if (!dev.is_ok()) return 0;
        auto co = open_co(**dev);
        EXPECT_TRUE(co.is_ok()) << co.status().to_string();
        if (!co.is_ok()) return 0;
        hsm::AttributeSet pub, priv;
        pub.set_bool(attr::kToken, true);
        pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
        priv.set_bool(attr::kToken, true);
        priv.set_bool(attr::kPrivate, true);
        priv.set_bool(attr::kSensitive, true);
        priv.set_bool(attr::kSign, true);
        auto pair = (*dev)->generate_key_pair(
            co->session, {mech::kEcKeyPairGen, crypto::NoParams{}}, pub, priv);
        EXPECT_TRUE(pair.is_ok()) << pair.status().to_string();
        return pair.is_ok() ? pair->private_key : 0;
    }

    // One round: fresh connections and sessions, load for `seconds`, everything closed after.
    void run_round(const Appliance& a, hsm::ObjectHandle key, long seconds, Tally& tally) {
        std::vector<std::unique_ptr<hsm::Device>> devices;
        std::vector<std::pair<hsm::Device*, hsm::SessionId>> sessions;
        std::vector<std::pair<hsm::Device*, hsm::AppId>> apps;
        for (int c = 0; c < kConnections; ++c) {
            auto dev = connect(a);
            ASSERT_TRUE(dev.is_ok());
            auto co = open_co(**dev);  // the login covers the app's other sessions
            ASSERT_TRUE(co.is_ok()) << co.status().to_string();
            sessions.emplace_back(dev->get(), co->session);
            for (int s = 1; s < kSessionsPerConnection; ++s) {
                auto more = (*dev)->open_session(co->app, co->partition, true);
                ASSERT_TRUE(more.is_ok()) << more.status().to_string();
                sessions.emplace_back(dev->get(), *more);
            }
            apps.emplace_back(dev->get(), co->app);
            devices.push_back(std::move(*dev));
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        std::vector<std::thread> threads;
        for (auto [dev, s] : sessions)
            threads.emplace_back([&, dev, s] { session_loop(*dev, s, key, deadline, tally); });
        for (auto& t : threads) t.join();
        for (auto [dev, s] : sessions) EXPECT_TRUE(dev->close_session(s).is_ok());
        for (auto [dev, app] : apps) EXPECT_TRUE(dev->detach(app).is_ok());
    }
};

TEST_F(LoadTest, FiftySessionsSignAndGenerateWithoutFailure) {
    const long seconds = env_or("SR_NETSYS_LOAD_SECONDS", 1);
    Appliance& a = make("load", 700301);
    ASSERT_FALSE(HasFailure());
    ASSERT_NO_FATAL_FAILURE(start(a));
    const hsm::ObjectHandle key = make_signing_key(a);
    ASSERT_NE(key, 0u);

    Tally warm_up, first, second;
    ASSERT_NO_FATAL_FAILURE(run_round(a, key, seconds, warm_up));
    ASSERT_NO_FATAL_FAILURE(run_round(a, key, seconds, first));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long rss_first = rss_kib(a.pid);
    ASSERT_NO_FATAL_FAILURE(run_round(a, key, seconds, second));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long rss_second = rss_kib(a.pid);

    EXPECT_EQ(warm_up.failed.load(), 0u) << warm_up.first_failure;
    EXPECT_EQ(first.failed.load() + second.failed.load(), 0u)
        << first.first_failure << second.first_failure;
    EXPECT_GT(first.ok.load(), 0u);
    EXPECT_GT(second.ok.load(), 0u);
    ASSERT_GT(rss_first, 0);
    const long bound = rss_first + std::max(rss_first / 5, 16L * 1024);
    if (env_or("SR_NETSYS_LOAD_CHECK_RSS", kSanitized ? 0 : 1) != 0) {
        EXPECT_LE(rss_second, bound) << "strongroomd VmRSS " << rss_first << " KiB after round 2 ("
                                     << first.ok.load() << " ops), " << rss_second
                                     << " KiB after round 3 (" << second.ok.load() << " ops)";
    }
    std::printf(
        "load: %d sessions, %ld s per round; ops %llu + %llu; VmRSS %ld KiB -> %ld KiB (%+ld)\n",
        kConnections * kSessionsPerConnection, seconds,
        static_cast<unsigned long long>(first.ok.load()),
        static_cast<unsigned long long>(second.ok.load()), rss_first, rss_second,
        rss_second - rss_first);
    EXPECT_EQ(stop(a), 0);
}

}  // namespace
}  // namespace sr::netsys
