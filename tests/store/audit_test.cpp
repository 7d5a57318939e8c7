// The audit log is append-only and hash-chained: modification, deletion and reordering done
// behind the store's back (raw SQL on the file) are all detected.
#include "store/audit_chain.h"

#include "store_test_util.h"

namespace sr::store::test {
namespace {

class StoreAudit : public StoreFixture {
protected:
    void append_five() {
        auto store = open_store();
        ASSERT_TRUE(store);
        for (int i = 1; i <= 5; ++i) {
            AuditRecord rec;
            rec.time = 1700000000 + i;
            rec.partition_id = static_cast<uint64_t>(i % 2);
            rec.actor = "HSM SO";
            rec.event = "event." + std::to_string(i);
            rec.detail = "detail " + std::to_string(i);
            ASSERT_TRUE(store->write([&](Txn& t) { return t.append_audit(rec); }).is_ok());
        }
        ASSERT_TRUE(store->verify_audit_chain().is_ok());
    }
    // The triggers that refuse UPDATE/DELETE are a guard against mistakes, not against someone
    // holding the file; the tamperer drops them first.
    void tamper(const std::string& sql) {
        raw_sql(m_path, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; " + sql);
    }
    Status verify() {
        auto store = open_store();
        return store ? store->verify_audit_chain() : error(Err::GeneralError, "no store");
    }
};

TEST_F(StoreAudit, AppendFillsSeqAndChainsHashes) {
    append_five();
    auto store = open_store();
    auto tail = store->audit_tail(3);
    ASSERT_TRUE(tail.is_ok());
    ASSERT_EQ(tail->size(), 3u);
    EXPECT_EQ((*tail)[0].seq, 3u);
    EXPECT_EQ((*tail)[2].seq, 5u);
    EXPECT_EQ((*tail)[1].prev_hash, (*tail)[0].hash);
    EXPECT_EQ((*tail)[2].hash.size(), audit::kHashSize);
    auto again = audit::record_hash((*tail)[2]);
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(*again, (*tail)[2].hash);
    auto all = store->audit_tail(100);
    ASSERT_TRUE(all.is_ok());
    ASSERT_EQ(all->size(), 5u);
    EXPECT_EQ((*all)[0].prev_hash, audit::genesis_hash());
}

TEST_F(StoreAudit, EmptyLogVerifies) {
    auto store = open_store();
    EXPECT_TRUE(store->verify_audit_chain().is_ok());
}

TEST_F(StoreAudit, StoreRefusesUpdateAndDeleteOfAuditRows) {
    append_five();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
    EXPECT_NE(sqlite3_exec(db, "UPDATE audit SET detail = 'x'", nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_NE(sqlite3_exec(db, "DELETE FROM audit", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    EXPECT_TRUE(verify().is_ok());
}

TEST_F(StoreAudit, DetectsModifiedField) {
    append_five();
    tamper("UPDATE audit SET detail = 'innocent' WHERE seq = 3");
    Status st = verify();
    EXPECT_EQ(st.code(), Err::StoreCorrupt);
    EXPECT_NE(st.message().find("record 3"), std::string::npos) << st.message();
}

TEST_F(StoreAudit, DetectsModifiedFieldWithRecomputedHash) {
    append_five();
    // Rewriting record 3 with a hash that matches its new contents still breaks record 4's link.
    auto store = open_store();
    auto rows = store->audit_tail(5);
    ASSERT_TRUE(rows.is_ok());
    AuditRecord forged = (*rows)[2];
    forged.detail = "innocent";
    auto h = audit::record_hash(forged);
    ASSERT_TRUE(h.is_ok());
    store.reset();
    tamper("UPDATE audit SET detail = 'innocent', hash = X'" + to_hex(*h) + "' WHERE seq = 3");
    Status st = verify();
    EXPECT_EQ(st.code(), Err::StoreCorrupt);
    EXPECT_NE(st.message().find("record 4"), std::string::npos) << st.message();
}

TEST_F(StoreAudit, DetectsDeletedMiddleRecord) {
    append_five();
    tamper("DELETE FROM audit WHERE seq = 2");
    EXPECT_EQ(verify().code(), Err::StoreCorrupt);
}

TEST_F(StoreAudit, DetectsDeletedFirstRecord) {
    append_five();
    tamper("DELETE FROM audit WHERE seq = 1");
    EXPECT_EQ(verify().code(), Err::StoreCorrupt);
}

TEST_F(StoreAudit, DetectsDeletedTail) {
    append_five();
    tamper("DELETE FROM audit WHERE seq >= 4");
    Status st = verify();
    EXPECT_EQ(st.code(), Err::StoreCorrupt);
    EXPECT_NE(st.message().find("deleted"), std::string::npos) << st.message();
}

TEST_F(StoreAudit, DetectsReorderedRecords) {
    append_five();
    // Swap the seq numbers of records 2 and 3 so they read back in the other order.
    tamper("UPDATE audit SET seq = -2 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; "
           "UPDATE audit SET seq = 3 WHERE seq = -2;");
    EXPECT_EQ(verify().code(), Err::StoreCorrupt);
}

TEST_F(StoreAudit, DetectsSwappedContents) {
    append_five();
    // Swap every field but seq between rows 2 and 3.
    tamper("CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (2, 3);"
           "UPDATE audit SET (time, partition_id, actor, event, detail, prev_hash, hash) = "
           "(SELECT time, partition_id, actor, event, detail, prev_hash, hash FROM t "
           " WHERE t.seq = 5 - audit.seq) WHERE seq IN (2, 3);");
    EXPECT_EQ(verify().code(), Err::StoreCorrupt);
}

TEST_F(StoreAudit, CanonicalEncodingIsStable) {
    AuditRecord r;
    r.seq = 1;
    r.time = 2;
    r.partition_id = 3;
    r.actor = "a";
    r.event = "e";
    r.detail = "";
    r.prev_hash = Bytes{0xAA};
    EXPECT_EQ(to_hex(audit::canonical_encoding(r)),
              "5352415544495431"  // "SRAUDIT1"
              "00000001aa"
              "0000000000000001"
              "0000000000000002"
              "0000000000000003"
              "0000000161"
              "0000000165"
              "00000000");
}

}  // namespace
}  // namespace sr::store::test
