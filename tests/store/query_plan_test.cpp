// Every search criterion is an index lookup, never a scan of the objects table
// (EXPLAIN QUERY PLAN on the store's own query shapes).
#include "store_test_util.h"

namespace sr::store::test {
namespace {

using StoreQueryPlan = StoreFixture;

std::string plan(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    std::string out;
    EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    while (sqlite3_step(st) == SQLITE_ROW) {
        out += reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
        out += "\n";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

TEST_F(StoreQueryPlan, EachCriterionUsesItsIndex) {
    {
        auto store = open_store();
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->write([](Txn& t) -> Status {
            SR_ASSIGN_OR_RETURN(uint64_t pid, t.insert_partition(make_partition("p")));
            for (uint64_t i = 0; i < 2000; ++i) SR_TRY(t.insert_object(make_object(pid, i)));
            return Status::ok();
        }).is_ok());
    }
    // The SQL text the store builds for a single criterion (object_rows.cpp): find_handles
    // selects the handle (a covering index lookup), find_objects every column.
    const struct {
        const char* criterion;
        const char* index;
    } cases[] = {
        {" AND label = ?", "objects_label"},
        {" AND id = ?", "objects_id"},
        {" AND class = ?", "objects_class"},
        {" AND key_type = ?", "objects_key_type"},
        {" AND ouid = ?", "objects_ouid"},
    };
    for (const std::string base : {"SELECT handle FROM objects WHERE partition_id = ?",
                                   "SELECT * FROM objects WHERE partition_id = ?"}) {
        for (const auto& c : cases) {
            std::string p = plan(m_path, base + c.criterion + " ORDER BY handle");
            EXPECT_NE(p.find(std::string("INDEX ") + c.index + " (partition_id=? AND"),
                      std::string::npos)
                << base << c.criterion << "\n" << p;
            EXPECT_EQ(p.find("SCAN objects"), std::string::npos) << c.criterion << "\n" << p;
            EXPECT_EQ(p.find("TEMP B-TREE"), std::string::npos) << c.criterion << "\n" << p;
        }
    }
    std::string by_handle = plan(m_path, "SELECT * FROM objects WHERE handle = ?");
    EXPECT_NE(by_handle.find("INTEGER PRIMARY KEY"), std::string::npos) << by_handle;
}

}  // namespace
}  // namespace sr::store::test
