// A writer process killed with SIGKILL at an arbitrary moment: the store reopens, passes its
// integrity check, every object present is complete, every batch (one transaction) is all there
// or not at all, and every batch the writer saw acknowledged survived.
#include <signal.h>
#include <sys/wait.h>

#include <map>

#include "store_test_util.h"

namespace sr::store::test {
namespace {

constexpr uint64_t kBatch = 25;

ObjectRecord derived_object(uint64_t pid, uint64_t i) {
    ObjectRecord r = make_object(pid, i);
    r.sealed_attrs.resize(700 + i % 300);
    for (size_t k = 0; k < r.sealed_attrs.size(); ++k) {
        r.sealed_attrs[k] = static_cast<uint8_t>((i * 131 + k * 7) & 0xff);
    }
    return r;
}

// The child: commits batches from `first_batch` on and reports each after its commit returns.
[[noreturn]] void writer_child(const std::filesystem::path& path, uint64_t pid,
                               uint64_t first_batch, int ack_fd) {
    PosixEnv env;
    auto store = Store::open(path, env, {});
    if (!store.is_ok()) ::_exit(2);
    for (uint64_t b = first_batch; b < first_batch + 100000; ++b) {
        Status st = (*store)->write([&](Txn& t) -> Status {
            for (uint64_t i = b * kBatch; i < (b + 1) * kBatch; ++i) {
                SR_TRY(t.insert_object(derived_object(pid, i)));
            }
            return Status::ok();
        });
        if (!st.is_ok()) ::_exit(3);
        if (::write(ack_fd, &b, sizeof b) != static_cast<ssize_t>(sizeof b)) ::_exit(4);
    }
    ::_exit(0);
}

using StoreKill = StoreFixture;

TEST_F(StoreKill, KilledWriterLeavesWholeBatchesAndAllAcknowledgedOnes) {
    uint64_t pid = 0;
    {
        auto store = open_store();
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->write([&](Txn& t) -> Status {
            SR_ASSIGN_OR_RETURN(pid, t.insert_partition(make_partition("p")));
            return Status::ok();
        }).is_ok());
    }
    uint64_t next_batch = 0;
    int64_t last_acked = -1;
    for (int round = 0; round < 8; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            writer_child(m_path, pid, next_batch, fds[1]);
        }
        ::close(fds[1]);
        // Let it run a varying number of batches, then kill it mid-stride.
        const int wait_for = 5 + round * 3;
        uint64_t b = 0;
        for (int seen = 0; seen < wait_for && ::read(fds[0], &b, sizeof b) == sizeof b; ++seen) {
            last_acked = static_cast<int64_t>(b);
        }
        // Jitter so the kill lands in different phases of a transaction (building, writing the
        // WAL, syncing, checkpointing), not always right after an acknowledgement.
        ::usleep(static_cast<useconds_t>((round * 1733) % 5000));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        while (::read(fds[0], &b, sizeof b) == sizeof b) last_acked = static_cast<int64_t>(b);
        ::close(fds[0]);
        ASSERT_TRUE(WIFSIGNALED(status)) << "writer exited on its own with " << status;

        auto store = Store::open(m_path, m_env, {});  // runs quick_check
        ASSERT_TRUE(store.is_ok()) << store.status().to_string();
        std::map<uint64_t, uint64_t> per_batch;
        ASSERT_TRUE((*store)->read([&](Txn& t) -> Status {
            ObjectQuery q;
            q.partition_id = pid;
            SR_ASSIGN_OR_RETURN(auto objects, t.find_objects(q));
            for (const ObjectRecord& o : objects) {
                std::string ouid = to_string(o.ouid);
                uint64_t i = std::stoull(ouid.substr(ouid.find('-') + 1));
                ObjectRecord want = derived_object(pid, i);
                EXPECT_EQ(o.label, want.label) << i;
                EXPECT_EQ(o.attrs, want.attrs) << i;
                EXPECT_EQ(o.sealed_attrs, want.sealed_attrs) << i;
                EXPECT_EQ(o.key_type, want.key_type) << i;
                ++per_batch[i / kBatch];
            }
            return Status::ok();
        }).is_ok());
        for (auto [batch, n] : per_batch) EXPECT_EQ(n, kBatch) << "batch " << batch << " is partial";
        for (int64_t a = 0; a <= last_acked; ++a) {
            EXPECT_EQ(per_batch.count(static_cast<uint64_t>(a)), 1u) << "acked batch " << a << " lost";
        }
        ASSERT_FALSE(per_batch.empty());
        // Batches are committed in order, so the survivors are a prefix.
        EXPECT_EQ(per_batch.rbegin()->first + 1, per_batch.size());
        next_batch = per_batch.rbegin()->first + 1;
    }
}

}  // namespace
}  // namespace sr::store::test
