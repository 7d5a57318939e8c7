// SIGKILL of the target strongroomd in the middle of a network clone: the restarted target
// holds only whole objects (each one's fingerprint equals the source object's with the same
// OUID, no OUID twice), and running the clone again completes with every OUID exactly once.
#include <future>
#include <map>
#include <set>

#include "../client/clone_fixture.h"
#include "client/clone.h"
#include "netsys_fixture.h"

namespace sr::netsys {
namespace {

struct Print {
    Bytes attributes_digest, value_mac;
};

// OUID -> fingerprint of every token object the session sees; counts duplicates in `dups`.
std::map<Bytes, Print> prints_of(hsm::Device& dev, hsm::SessionId s, size_t* objects,
                                 size_t* dups) {
    std::map<Bytes, Print> out;
    auto handles = client::list_token_objects(dev, s);
    EXPECT_TRUE(handles.is_ok()) << handles.status().to_string();
    if (!handles.is_ok()) return out;
    *objects = handles->size();
    *dups = 0;
    constexpr size_t kChunk = 500;
    for (size_t at = 0; at < handles->size(); at += kChunk) {
        const size_t n = std::min(kChunk, handles->size() - at);
        auto fps = dev.object_fingerprints(s, std::span(*handles).subspan(at, n));
        EXPECT_TRUE(fps.is_ok()) << fps.status().to_string();
        if (!fps.is_ok()) return out;
        for (auto& f : *fps) {
            if (out.count(f.ouid) != 0) ++*dups;
            out[f.ouid] = {std::move(f.attributes_digest), std::move(f.value_mac)};
        }
    }
    return out;
}

// Every target object is the source object of the same OUID, whole.
void expect_whole(const std::map<Bytes, Print>& source, const std::map<Bytes, Print>& target) {
    size_t bad = 0;
    for (const auto& [ouid, print] : target) {
        auto it = source.find(ouid);
        if (it == source.end() || it->second.attributes_digest != print.attributes_digest ||
            it->second.value_mac != print.value_mac)
            ++bad;
    }
    EXPECT_EQ(bad, 0u) << "target objects that are not whole copies of a source object";
}

class KillTest : public NetsysTest {};

TEST_F(KillTest, TargetKilledMidCloneKeepsWholeObjectsAndTheRerunCompletes) {
    const size_t total =
        static_cast<size_t>(env_or("SR_NETSYS_KILL_OBJECTS", kSanitized ? 1000 : 3000));
    const size_t batch = total / 20;
    Appliance& src = make("src", 700201);
    Appliance& dst = make("dst", 700202);
    ASSERT_FALSE(HasFailure());
    {
        // Cheap self-describing objects through the engine's batched import, before the daemon
        // owns the device.
        auto dev = hsm::LocalDevice::open(m_env, src.folder);
        ASSERT_TRUE(dev.is_ok());
        auto co = open_co(**dev);
        ASSERT_TRUE(co.is_ok()) << co.status().to_string();
        client::test::Side s;
        s.dev = std::move(*dev);
        s.co = co->session;
        ASSERT_TRUE(client::test::make_cheap_objects(s, 0, total).is_ok());
    }
    ASSERT_NO_FATAL_FAILURE(start(src));
    ASSERT_NO_FATAL_FAILURE(start(dst));
    auto source = connect(src);
    ASSERT_TRUE(source.is_ok());
    auto src_co = open_co(**source);
    ASSERT_TRUE(src_co.is_ok()) << src_co.status().to_string();
    auto handles = client::list_token_objects(**source, src_co->session);
    ASSERT_TRUE(handles.is_ok());
    ASSERT_EQ(handles->size(), total);
    size_t n = 0, dups = 0;
    const auto source_prints = prints_of(**source, src_co->session, &n, &dups);
    ASSERT_EQ(source_prints.size(), total);

    size_t reported = 0;
    {
        auto target = connect(dst);
        ASSERT_TRUE(target.is_ok());
        auto dst_co = open_co(**target);
        ASSERT_TRUE(dst_co.is_ok()) << dst_co.status().to_string();
        client::CloneOptions options;
        options.batch_size = batch;
        // Once 30% has landed, a watcher kills the target a few milliseconds later, while the
        // next batch is in flight (sealing on the source, or opening and writing on the target).
        std::promise<void> go;
        std::thread watcher([&, started = go.get_future()]() mutable {
            started.wait();
            std::this_thread::sleep_for(std::chrono::milliseconds(::getpid() % 20));
            kill9(dst);
        });
        bool signalled = false;
        auto killed = client::clone_objects(
            **source, src_co->session, **target, dst_co->session, *handles, options,
            [&](const client::CloneProgress& p) {
                if (signalled) return;
                reported = p.done;
                if (p.done * 100 >= p.total * 30) {
                    signalled = true;
                    go.set_value();
                }
            });
        if (!signalled) go.set_value();
        watcher.join();
        ASSERT_FALSE(killed.is_ok()) << "the clone finished before the kill";
        EXPECT_EQ(dst.pid, 0);
    }
    ASSERT_GE(reported * 100, total * 30);
    const int old_port = dst.port;
    ASSERT_NO_FATAL_FAILURE(start(dst));
    EXPECT_NE(dst.port, 0);
    (void)old_port;  // the port may or may not be reused: the client follows the port file

    auto target = connect(dst);
    ASSERT_TRUE(target.is_ok());
    auto dst_co = open_co(**target);
    ASSERT_TRUE(dst_co.is_ok()) << dst_co.status().to_string();
    size_t landed = 0;
    auto after_kill = prints_of(**target, dst_co->session, &landed, &dups);
    EXPECT_EQ(dups, 0u);
    EXPECT_GE(landed, reported);  // every reported batch had committed
    EXPECT_LT(landed, total);
    expect_whole(source_prints, after_kill);

    client::CloneOptions options;
    options.batch_size = batch;
    auto rerun = client::clone_objects(**source, src_co->session, **target, dst_co->session,
                                       *handles, options);
    ASSERT_TRUE(rerun.is_ok()) << rerun.status().to_string();
    EXPECT_EQ(rerun->skipped.size(), landed);
    EXPECT_EQ(rerun->cloned.size() + rerun->skipped.size(), total);
    EXPECT_TRUE(rerun->refused.empty());
    size_t finally = 0;
    auto done = prints_of(**target, dst_co->session, &finally, &dups);
    EXPECT_EQ(finally, total);
    EXPECT_EQ(dups, 0u);
    EXPECT_EQ(done.size(), total);
    expect_whole(source_prints, done);
}

}  // namespace
}  // namespace sr::netsys
