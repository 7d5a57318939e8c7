// Many threads reading and writing one Store at once: writes serialize, reads run on their own
// connections and always see whole transactions. Meant to run clean under TSan.
#include <atomic>
#include <thread>

#include "store_test_util.h"

namespace sr::store::test {
namespace {

using StoreConcurrency = StoreFixture;

TEST_F(StoreConcurrency, ParallelReadersSeeOnlyWholeTransactions) {
    auto store = open_store();
    ASSERT_TRUE(store);
    uint64_t pid = 0;
    ASSERT_TRUE(store->write([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(pid, t.insert_partition(make_partition("p")));
        return Status::ok();
    }).is_ok());

    constexpr int kWriters = 3;
    constexpr int kReaders = 3;
    constexpr uint64_t kPairsPerWriter = 40;
    std::atomic<bool> done{false};
    std::atomic<int> bad_reads{0};
    std::atomic<int> failed_ops{0};
    std::atomic<int> reads{0};

    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w) {
        threads.emplace_back([&, w] {
            for (uint64_t k = 0; k < kPairsPerWriter; ++k) {
                uint64_t base = (static_cast<uint64_t>(w) * kPairsPerWriter + k) * 2;
                // Two objects and an audit record per transaction: a reader must never see one.
                Status st = store->write([&](Txn& t) -> Status {
                    SR_TRY(t.insert_object(make_object(pid, base)));
                    SR_TRY(t.insert_object(make_object(pid, base + 1)));
                    return t.append_audit({0, 1, pid, "writer", "pair", std::to_string(base), {}, {}});
                });
                if (!st.is_ok()) ++failed_ops;
            }
        });
    }
    for (int r = 0; r < kReaders; ++r) {
        threads.emplace_back([&] {
            while (!done.load()) {
                Status st = store->read([&](Txn& t) -> Status {
                    SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(pid));
                    ObjectQuery q;
                    q.partition_id = pid;
                    SR_ASSIGN_OR_RETURN(auto handles, t.find_handles(q));
                    if (n % 2 != 0 || handles.size() != n) ++bad_reads;
                    return Status::ok();
                });
                if (!st.is_ok()) ++failed_ops;
                ++reads;
            }
        });
    }
    for (int w = 0; w < kWriters; ++w) threads[static_cast<size_t>(w)].join();
    done.store(true);
    for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();

    EXPECT_EQ(failed_ops.load(), 0);
    EXPECT_EQ(bad_reads.load(), 0);
    EXPECT_GT(reads.load(), 0);
    ASSERT_TRUE(store->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(pid));
        EXPECT_EQ(n, kWriters * kPairsPerWriter * 2);
        return Status::ok();
    }).is_ok());
    EXPECT_TRUE(store->verify_audit_chain().is_ok());
    auto tail = store->audit_tail(1);
    ASSERT_TRUE(tail.is_ok());
    ASSERT_EQ(tail->size(), 1u);
    EXPECT_EQ((*tail)[0].seq, kWriters * kPairsPerWriter);
}

TEST_F(StoreConcurrency, TwoStoresOnOneThreadMayNest) {
    // Cloning reads one device while writing another from the same thread.
    auto a = open_store();
    ASSERT_TRUE(a);
    PosixEnv env;
    auto b = Store::open(m_dir / "other.db", env, {.vfs = "", .create_if_missing = true});
    ASSERT_TRUE(b.is_ok());
    Status st = a->read([&](Txn&) {
        return (*b)->write([](Txn& t) { return t.put_meta("k", "v"); });
    });
    EXPECT_TRUE(st.is_ok()) << st.to_string();
}

}  // namespace
}  // namespace sr::store::test
