// Killed writes through the fault-injecting VFS: a transaction whose writes or syncs fail at any
// point leaves the previously committed state (or, when only the final sync failed, the whole new
// state) — never a part of it — and the file still passes its integrity check.
#include "store/fault_vfs.h"

#include "store_test_util.h"

namespace sr::store::test {
namespace {

constexpr uint64_t kBaseline = 10;
constexpr uint64_t kBatch = 50;

class StoreFault : public StoreFixture {
protected:
    void SetUp() override {
        StoreFixture::SetUp();
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        auto vfs = FaultVfs::create("fault-" + std::to_string(::getpid()) + "-" + info->name());
        ASSERT_TRUE(vfs.is_ok()) << vfs.status().to_string();
        m_vfs = std::move(vfs).value();
        auto store = open_store({.vfs = m_vfs->name(), .create_if_missing = true});
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->write([&](Txn& t) -> Status {
            SR_ASSIGN_OR_RETURN(m_pid, t.insert_partition(make_partition("p")));
            for (uint64_t i = 0; i < kBaseline; ++i) SR_TRY(t.insert_object(make_object(m_pid, i)));
            return Status::ok();
        }).is_ok());
    }
    void TearDown() override {
        m_vfs.reset();
        StoreFixture::TearDown();
    }

    static Status big_batch(Txn& t, uint64_t pid) {
        for (uint64_t i = 1000; i < 1000 + kBatch; ++i) {
            ObjectRecord r = make_object(pid, i);
            r.sealed_attrs.assign(2000, static_cast<uint8_t>(i));
            SR_TRY(t.insert_object(r));
        }
        return t.append_audit({0, 1, pid, "Crypto Officer", "object.create", "batch", {}, {}});
    }

    // Reopens through the plain VFS (a "rebooted" machine) and returns the object count.
    uint64_t count_after_reopen() {
        auto store = Store::open(m_path, m_env, {});
        EXPECT_TRUE(store.is_ok()) << store.status().to_string();
        if (!store.is_ok()) return 0;
        uint64_t n = 0;
        EXPECT_TRUE((*store)->read([&](Txn& t) -> Status {
            SR_ASSIGN_OR_RETURN(n, t.count_objects(m_pid));
            return Status::ok();
        }).is_ok());
        EXPECT_TRUE((*store)->verify_audit_chain().is_ok());
        return n;
    }

    // Arms a fault `n` operations into the big batch; returns whether the batch failed.
    bool run_faulted(bool writes, int n, bool torn) {
        auto store = Store::open(m_path, m_env, {.vfs = m_vfs->name(), .create_if_missing = false});
        EXPECT_TRUE(store.is_ok()) << store.status().to_string();
        if (!store.is_ok()) return false;
        m_vfs->set_torn_writes(torn);
        if (writes) {
            m_vfs->fail_writes_after(n);
        } else {
            m_vfs->fail_syncs_after(n);
        }
        Status st = (*store)->write([&](Txn& t) { return big_batch(t, m_pid); });
        if (!st.is_ok()) {
            EXPECT_TRUE(m_vfs->tripped());
            EXPECT_EQ(st.code(), Err::StoreIo) << st.to_string();
        }
        store.value().reset();  // closes while the disk is still dead: nothing more lands
        m_vfs->reset();
        return !st.is_ok();
    }

    std::unique_ptr<FaultVfs> m_vfs;
    uint64_t m_pid = 0;
};

TEST_F(StoreFault, WriteFailingAtAnyPointLeavesPreviousCommittedState) {
    int failures = 0;
    for (int n = 0; n < 200; n += 3) {
        if (!run_faulted(true, n, false)) break;  // the batch needed fewer writes than n
        ++failures;
        ASSERT_EQ(count_after_reopen(), kBaseline) << "fault after " << n << " writes";
    }
    EXPECT_GT(failures, 3);
}

TEST_F(StoreFault, TornWriteLeavesPreviousCommittedState) {
    int failures = 0;
    for (int n = 0; n < 200; n += 5) {
        if (!run_faulted(true, n, true)) break;
        ++failures;
        ASSERT_EQ(count_after_reopen(), kBaseline) << "torn write after " << n << " writes";
    }
    EXPECT_GT(failures, 3);
}

TEST_F(StoreFault, FailedSyncLeavesOldOrWholeNewStateNeverPart) {
    for (int n = 0; n < 4; ++n) {
        const bool failed = run_faulted(false, n, false);
        uint64_t count = count_after_reopen();
        // A failed fsync is ambiguous (the bytes may have reached the file); atomicity is not.
        EXPECT_TRUE(count == kBaseline || count == kBaseline + kBatch) << count;
        if (!failed) {
            EXPECT_EQ(count, kBaseline + kBatch);
            break;
        }
        if (count != kBaseline) break;  // the batch landed; later rounds would hit the OUIDs
    }
}

TEST_F(StoreFault, StoreRecoversFromTransientIoErrorWithoutReopen) {
    auto store = Store::open(m_path, m_env, {.vfs = m_vfs->name(), .create_if_missing = false});
    ASSERT_TRUE(store.is_ok());
    m_vfs->fail_writes_after(5);
    EXPECT_FALSE((*store)->write([&](Txn& t) { return big_batch(t, m_pid); }).is_ok());
    m_vfs->reset();
    ASSERT_TRUE((*store)->read([&](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(m_pid));
        EXPECT_EQ(n, kBaseline);
        return Status::ok();
    }).is_ok());
    Status again = (*store)->write([&](Txn& t) { return big_batch(t, m_pid); });
    EXPECT_TRUE(again.is_ok()) << again.to_string();
    store.value().reset();
    EXPECT_EQ(count_after_reopen(), kBaseline + kBatch);
}

TEST_F(StoreFault, CreateFailingLeavesNoStore) {
    std::filesystem::path other = m_dir / "other.db";
    m_vfs->fail_writes_after(3);
    auto s = Store::open(other, m_env, {.vfs = m_vfs->name(), .create_if_missing = true});
    m_vfs->reset();
    EXPECT_EQ(s.code(), Err::StoreIo) << s.status().to_string();
    EXPECT_FALSE(std::filesystem::exists(other));
}

}  // namespace
}  // namespace sr::store::test
