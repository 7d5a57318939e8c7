// Client-core clone orchestration between two LocalDevices of one factory: batching and
// progress, skipping on a second run, refusals in the report, listing "all", and a clone of
// 10,000 objects killed with SIGKILL in a child process that leaves every object whole or
// absent and completes without duplicates when run again.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "client/clone.h"
#include "clone_fixture.h"
#include "hsm/policy.h"

#ifndef SR_CLONE_CHILD
#error "SR_CLONE_CHILD (path of the clone_child helper) must be defined"
#endif
#ifndef SR_CLONE_KILL_OBJECTS
#define SR_CLONE_KILL_OBJECTS 10000
#endif

namespace sr::client {
namespace {

namespace fs = std::filesystem;
using test::Side;

#define SR_ASSERT_OK(expr)                                                        \
    do {                                                                          \
        auto&& sr_assert_r_ = (expr);                                             \
        ASSERT_TRUE(sr_assert_r_.is_ok()) << sr_assert_r_.status().to_string();   \
    } while (0)

class CloneObjectsTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_root = fs::temp_directory_path() / ("sr-client-clone-" + std::to_string(::getpid()) +
                                              "-" + info->name());
        fs::remove_all(m_root);
        fs::create_directories(m_root);
    }
    void TearDown() override { fs::remove_all(m_root); }

    Side side(uint64_t serial) {
        auto s = test::make_side(m_env, m_root, serial);
        EXPECT_TRUE(s.is_ok()) << s.status().to_string();
        return s ? std::move(*s) : Side{};
    }

    void set_partition_policy(Side& s, uint32_t id, uint64_t value) {
        hsm::AppId a = *s.dev->attach();
        hsm::SessionId po = *s.dev->open_session(a, s.partition, true);
        ASSERT_TRUE(s.dev->login(po, hsm::Role::PartitionSo, test::kPoPw).is_ok());
        auto r = s.dev->set_partition_policies(a, s.partition,
                                               std::vector<hsm::PolicyValue>{{id, value}});
        ASSERT_TRUE(r.is_ok()) << r.status().to_string();
        ASSERT_TRUE(s.dev->detach(a).is_ok());
    }

    PosixEnv m_env;
    fs::path m_root;
};

uint64_t object_count(Side& s) { return s.dev->partition_info(s.partition)->object_count; }

TEST_F(CloneObjectsTest, FullCloneReportsProgressAfterEveryBatchUpToTheTotal) {
    Side src = side(111111);
    Side dst = side(222222);
    SR_ASSERT_OK(test::make_cheap_objects(src, 0, 300));
    auto all = list_token_objects(*src.dev, src.co);
    SR_ASSERT_OK(all);
    ASSERT_EQ(all->size(), 300u);

    std::vector<CloneProgress> seen;
    CloneOptions options;
    options.batch_size = 64;
    auto report = clone_objects(*src.dev, src.co, *dst.dev, dst.co, *all, options,
                                [&](const CloneProgress& p) { seen.push_back(p); });
    SR_ASSERT_OK(report);
    EXPECT_EQ(report->cloned.size(), 300u);
    EXPECT_TRUE(report->skipped.empty());
    EXPECT_TRUE(report->refused.empty());
    EXPECT_EQ(report->batches, 5u);
    EXPECT_GT(report->bytes_relayed, 300u * 32u);
    EXPECT_EQ(object_count(dst), 300u);
    ASSERT_EQ(seen.size(), 5u);
    for (size_t k = 0; k < seen.size(); ++k) {
        EXPECT_EQ(seen[k].total, 300u);
        if (k > 0) {
            EXPECT_GT(seen[k].done, seen[k - 1].done);
        }
    }
    EXPECT_EQ(seen.back().done, 300u);
    for (const hsm::ClonedObject& c : report->cloned) {
        EXPECT_NE(c.handle, 0u);
        EXPECT_EQ(c.ouid.size(), 12u);
    }
}

TEST_F(CloneObjectsTest, SecondRunSkipsEveryObjectAndWritesNothing) {
    Side src = side(111111);
    Side dst = side(222222);
    SR_ASSERT_OK(test::make_cheap_objects(src, 0, 100));
    auto all = list_token_objects(*src.dev, src.co);
    SR_ASSERT_OK(all);
    CloneOptions options;
    options.batch_size = 30;
    SR_ASSERT_OK(clone_objects(*src.dev, src.co, *dst.dev, dst.co, *all, options));
    auto again = clone_objects(*src.dev, src.co, *dst.dev, dst.co, *all, options);
    SR_ASSERT_OK(again);
    EXPECT_TRUE(again->cloned.empty());
    EXPECT_EQ(again->skipped.size(), 100u);
    EXPECT_TRUE(again->refused.empty());
    EXPECT_EQ(object_count(dst), 100u);
}

TEST_F(CloneObjectsTest, SourceRefusalsAreReportedWithLabelOuidAndReasonAndTheRestClones) {
    Side src = side(111111);
    Side dst = side(222222);
    SR_ASSERT_OK(test::make_cheap_objects(src, 0, 20));  // 10 AES keys, 10 data objects
    ASSERT_NO_FATAL_FAILURE(set_partition_policy(src, hsm::policy::kSecretKeyCloning, 0));
    auto all = list_token_objects(*src.dev, src.co);
    SR_ASSERT_OK(all);
    CloneOptions options;
    options.batch_size = 7;
    auto report = clone_objects(*src.dev, src.co, *dst.dev, dst.co, *all, options);
    SR_ASSERT_OK(report);
    EXPECT_EQ(report->cloned.size(), 10u);
    ASSERT_EQ(report->refused.size(), 10u);
    std::set<std::string> labels;
    for (const RefusedObject& r : report->refused) {
        EXPECT_EQ(r.side, CloneSide::Source);
        EXPECT_EQ(r.refusal.code, Err::OperationNotAllowed);
        EXPECT_NE(r.refusal.reason.find("policy 4"), std::string::npos) << r.refusal.reason;
        EXPECT_EQ(r.refusal.ouid.size(), 12u);
        EXPECT_NE(std::find(all->begin(), all->end(), r.refusal.handle), all->end());
        labels.insert(r.refusal.label);
    }
    for (size_t i = 0; i < 20; i += 2) EXPECT_EQ(labels.count(test::object_label(i)), 1u) << i;
    EXPECT_EQ(object_count(dst), 10u);
}

TEST_F(CloneObjectsTest, BatchLevelFailureIsReturnedAndWritesNothing) {
    Side src = side(111111);
    auto foreign = test::make_side(m_env, m_root, 333333, "domain-beta");
    SR_ASSERT_OK(foreign);
    SR_ASSERT_OK(test::make_cheap_objects(src, 0, 10));
    auto all = list_token_objects(*src.dev, src.co);
    SR_ASSERT_OK(all);
    auto r = clone_objects(*src.dev, src.co, *foreign->dev, foreign->co, *all);
    EXPECT_EQ(r.code(), Err::CertificateInvalid);
    EXPECT_EQ(object_count(*foreign), 0u);
    CloneOptions zero;
    zero.batch_size = 0;
    EXPECT_EQ(clone_objects(*src.dev, src.co, *src.dev, src.co, *all, zero).code(),
              Err::ArgumentsBad);
}

TEST_F(CloneObjectsTest, ListingAllReturnsTokenObjectsOnly) {
    Side src = side(111111);
    SR_ASSERT_OK(test::make_cheap_objects(src, 0, 5));
    hsm::AttributeSet session_obj;
    session_obj.set_ulong(hsm::attr::kClass, hsm::cls::kData);
    session_obj.set_bool(hsm::attr::kToken, false);
    session_obj.set_bytes(hsm::attr::kValue, Bytes(4, 1));
    auto h = src.dev->create_object(src.co, session_obj);
    SR_ASSERT_OK(h);
    auto all = list_token_objects(*src.dev, src.co);
    SR_ASSERT_OK(all);
    EXPECT_EQ(all->size(), 5u);
    EXPECT_EQ(std::find(all->begin(), all->end(), *h), all->end());
    // The search is finished, so the session can search again.
    SR_ASSERT_OK(list_token_objects(*src.dev, src.co));
}

// ---- Kill and resume

struct ChildRun {
    int wait_status = 0;
    size_t last_done = 0;  // the last progress line read
    std::string output;
};

// Runs clone_child; with `kill_percent`, SIGKILLs it as soon as a progress line reaches that
// share of the total.
ChildRun run_child(const Side& src, const Side& dst, size_t batch, int kill_percent) {
    ChildRun run;
    int fds[2];
    if (::pipe(fds) != 0) return run;
    const std::string sp = std::to_string(src.partition), dp = std::to_string(dst.partition),
                      b = std::to_string(batch), sf = src.folder.string(), df = dst.folder.string();
    pid_t child = ::fork();
    if (child == 0) {
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        ::execl(SR_CLONE_CHILD, SR_CLONE_CHILD, sf.c_str(), sp.c_str(), df.c_str(), dp.c_str(),
                b.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    std::string pending;
    bool killed = false;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
        pending.append(buf, static_cast<size_t>(n));
        run.output.append(buf, static_cast<size_t>(n));
        for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
            std::istringstream line(pending.substr(0, nl));
            size_t done = 0, total = 0;
            if (!(line >> done >> total)) continue;  // the final "ok ..." line
            run.last_done = done;
            if (kill_percent > 0 && !killed && done * 100 >= total * static_cast<size_t>(kill_percent)) {
                ::kill(child, SIGKILL);
                killed = true;
            }
        }
    }
    ::close(fds[0]);
    ::waitpid(child, &run.wait_status, 0);
    return run;
}

// Every target object is one of the source's, whole: its label names it, its class and value
// are the ones derived from that name, its OUID is the source object's; no OUID twice.
// Returns how many there are.
size_t check_target_whole(Side& dst, const std::map<std::string, Bytes>& source_ouids) {
    auto all = list_token_objects(*dst.dev, dst.co);
    EXPECT_TRUE(all.is_ok()) << all.status().to_string();
    if (!all) return 0;
    std::set<Bytes> ouids;
    const std::vector<hsm::AttrType> types = {hsm::attr::kLabel, hsm::attr::kOuid,
                                              hsm::attr::kClass, hsm::attr::kValue};
    for (hsm::ObjectHandle h : *all) {
        auto r = dst.dev->get_attributes(dst.co, h, types);
        EXPECT_TRUE(r.is_ok()) << "handle " << h << ": " << r.status().to_string();
        if (!r) continue;
        EXPECT_TRUE(r->unavailable.empty()) << "handle " << h;
        auto label = r->values.get(hsm::attr::kLabel);
        auto ouid = r->values.get(hsm::attr::kOuid);
        auto value = r->values.get(hsm::attr::kValue);
        if (!label || !ouid || !value) {
            ADD_FAILURE() << "handle " << h << " is missing attributes";
            continue;
        }
        const std::string name = to_string(*label);
        const size_t i = std::stoull(name.substr(name.find('-') + 1));
        EXPECT_EQ(Bytes(value->begin(), value->end()), test::object_value(i)) << name;
        EXPECT_EQ(r->values.get_ulong(hsm::attr::kClass),
                  test::object_is_key(i) ? hsm::cls::kSecretKey : hsm::cls::kData) << name;
        auto want = source_ouids.find(name);
        EXPECT_TRUE(want != source_ouids.end() && want->second == Bytes(ouid->begin(), ouid->end()))
            << name << " does not carry its source OUID";
        EXPECT_TRUE(ouids.insert(Bytes(ouid->begin(), ouid->end())).second)
            << name << ": OUID held twice";
    }
    return all->size();
}

TEST_F(CloneObjectsTest, KilledCloneLeavesObjectsWholeOrAbsentAndARerunCompletesWithoutDuplicates) {
    constexpr size_t kTotal = SR_CLONE_KILL_OBJECTS;
    constexpr size_t kBatch = 256;
    fs::path src_folder, dst_folder;
    hsm::PartitionId src_part = 0, dst_part = 0;
    std::map<std::string, Bytes> source_ouids;
    {
        Side src = side(111111);
        Side dst = side(222222);
        SR_ASSERT_OK(test::make_cheap_objects(src, 0, kTotal));
        auto all = list_token_objects(*src.dev, src.co);
        SR_ASSERT_OK(all);
        ASSERT_EQ(all->size(), kTotal);
        for (hsm::ObjectHandle h : *all) {
            auto r = src.dev->get_attributes(src.co, h,
                                             std::vector<hsm::AttrType>{hsm::attr::kLabel,
                                                                        hsm::attr::kOuid});
            SR_ASSERT_OK(r);
            auto o = r->values.get(hsm::attr::kOuid);
            source_ouids[to_string(*r->values.get(hsm::attr::kLabel))] = Bytes(o->begin(), o->end());
        }
        src_folder = src.folder;
        dst_folder = dst.folder;
        src_part = src.partition;
        dst_part = dst.partition;
    }  // both devices closed: the child opens them

    Side src_ref{nullptr, src_folder, src_part, 0, 0};
    Side dst_ref{nullptr, dst_folder, dst_part, 0, 0};
    ChildRun killed = run_child(src_ref, dst_ref, kBatch, 30);
    ASSERT_TRUE(WIFSIGNALED(killed.wait_status))
        << "the child was not killed (status " << killed.wait_status << "): " << killed.output;
    EXPECT_EQ(WTERMSIG(killed.wait_status), SIGKILL);
    ASSERT_GE(killed.last_done * 100, kTotal * 30);

    size_t landed = 0;
    {
        auto dst = test::open_side(m_env, dst_folder, dst_part);
        SR_ASSERT_OK(dst);
        landed = check_target_whole(*dst, source_ouids);
        // Every batch the child reported done has landed; the batch in flight is all or nothing.
        EXPECT_GE(landed, killed.last_done);
        EXPECT_LE(landed, kTotal);
        EXPECT_TRUE(landed == killed.last_done || landed == killed.last_done + kBatch)
            << landed << " objects landed, " << killed.last_done << " reported: a batch landed "
            << "partially";
    }

    ChildRun resumed = run_child(src_ref, dst_ref, kBatch, 0);
    ASSERT_TRUE(WIFEXITED(resumed.wait_status) && WEXITSTATUS(resumed.wait_status) == 0)
        << resumed.output;
    EXPECT_EQ(resumed.last_done, kTotal);
    EXPECT_NE(resumed.output.find("ok " + std::to_string(kTotal - landed) + " " +
                                  std::to_string(landed) + " 0"),
              std::string::npos)
        << resumed.output;
    auto dst = test::open_side(m_env, dst_folder, dst_part);
    SR_ASSERT_OK(dst);
    EXPECT_EQ(check_target_whole(*dst, source_ouids), kTotal);
    EXPECT_EQ(object_count(*dst), kTotal);
}

}  // namespace
}  // namespace sr::client
