// Opening: create, reopen, and every way a file can be wrong — each rejected with a precise code
// and the file left byte-for-byte as it was.
#include "store/schema.h"

#include "store_test_util.h"

namespace sr::store::test {
namespace {

using StoreSchema = StoreFixture;

void write_file(const std::filesystem::path& p, const Bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

// A closed store holding a partition and a few objects.
void populate(const std::filesystem::path& path, Env& env) {
    auto s = Store::open(path, env, {.vfs = "", .create_if_missing = true});
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    ASSERT_TRUE((*s)->write([](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(uint64_t pid, t.insert_partition(make_partition("p")));
        for (uint64_t i = 0; i < 300; ++i) SR_TRY(t.insert_object(make_object(pid, i)));
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreSchema, MissingFileWithoutCreateIsNotFoundAndCreatesNothing) {
    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::NotFound);
    EXPECT_FALSE(std::filesystem::exists(m_path));
}

TEST_F(StoreSchema, FreshCreateThenReopenKeepsData) {
    populate(m_path, m_env);
    EXPECT_TRUE(std::filesystem::exists(m_path));
    EXPECT_FALSE(std::filesystem::exists(m_path.string() + ".creating"));
    auto s = Store::open(m_path, m_env, {});
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    ASSERT_TRUE((*s)->read([](Txn& t) -> Status {
        SR_ASSIGN_OR_RETURN(auto p, t.partition_by_name("p"));
        EXPECT_TRUE(p.has_value());
        SR_ASSIGN_OR_RETURN(uint64_t n, t.count_objects(p ? p->id : 0));
        EXPECT_EQ(n, 300u);
        return Status::ok();
    }).is_ok());
}

TEST_F(StoreSchema, StoreRunsInWalModeWithFullSync) {
    auto store = open_store();
    ASSERT_TRUE(store);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(m_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST_F(StoreSchema, NewerSchemaIsUnknownAndFileUnchanged) {
    populate(m_path, m_env);
    raw_sql(m_path, "UPDATE meta SET value = '999' WHERE key = 'schema_version'");
    const Bytes before = file_bytes(m_path);
    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::StoreSchemaUnknown) << s.status().to_string();
    EXPECT_NE(s.status().message().find("999"), std::string::npos) << s.status().message();
    EXPECT_EQ(file_bytes(m_path), before);
}

TEST_F(StoreSchema, GarbageFileIsCorruptAndUnchanged) {
    Bytes garbage(8192);
    for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<uint8_t>(i * 31 + 7);
    write_file(m_path, garbage);
    auto s = Store::open(m_path, m_env, {.vfs = "", .create_if_missing = true});
    EXPECT_EQ(s.code(), Err::StoreCorrupt) << s.status().to_string();
    EXPECT_NE(s.status().message().find("not a SQLite database"), std::string::npos);
    EXPECT_EQ(file_bytes(m_path), garbage);
}

TEST_F(StoreSchema, EmptyFileIsCorruptNotSilentlyRecreated) {
    write_file(m_path, {});
    auto s = Store::open(m_path, m_env, {.vfs = "", .create_if_missing = true});
    EXPECT_EQ(s.code(), Err::StoreCorrupt) << s.status().to_string();
    EXPECT_EQ(std::filesystem::file_size(m_path), 0u);
}

TEST_F(StoreSchema, TruncatedFileIsCorruptWithClearMessage) {
    populate(m_path, m_env);
    Bytes bytes = file_bytes(m_path);
    ASSERT_GT(bytes.size(), 8192u);
    bytes.resize(bytes.size() / 2 + 100);  // not even a page boundary
    write_file(m_path, bytes);
    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::StoreCorrupt) << s.status().to_string();
    EXPECT_NE(s.status().message().find("truncated"), std::string::npos) << s.status().message();
    EXPECT_EQ(file_bytes(m_path), bytes);
}

TEST_F(StoreSchema, HeaderOnlyStubIsCorrupt) {
    populate(m_path, m_env);
    Bytes bytes = file_bytes(m_path);
    bytes.resize(60);
    write_file(m_path, bytes);
    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::StoreCorrupt);
    EXPECT_NE(s.status().message().find("truncated"), std::string::npos) << s.status().message();
}

TEST_F(StoreSchema, DamagedPageFailsIntegrityCheck) {
    populate(m_path, m_env);
    Bytes bytes = file_bytes(m_path);
    const size_t page = 4096;
    ASSERT_GT(bytes.size(), 6 * page);
    // Scribble over the middle of a b-tree page past the schema page.
    for (size_t i = 5 * page + 8; i < 5 * page + 2000; ++i) bytes[i] = 0xA5;
    write_file(m_path, bytes);
    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::StoreCorrupt) << s.status().to_string();
    EXPECT_EQ(file_bytes(m_path), bytes);
}

TEST_F(StoreSchema, SqliteDatabaseThatIsNotAStoreIsCorrupt) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    const Bytes before = file_bytes(m_path);
    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::StoreCorrupt);
    EXPECT_NE(s.status().message().find("not a device store"), std::string::npos);
    EXPECT_EQ(file_bytes(m_path), before);
}

// The migration machinery, driven with a test table since version 1 is the first schema.
class SchemaMigration : public StoreFixture {
protected:
    std::unique_ptr<Db> raw_db() {
        auto db = Db::open(m_path, SQLITE_OPEN_READWRITE, "");
        EXPECT_TRUE(db.is_ok());
        return std::move(db).value();
    }
};

TEST_F(SchemaMigration, StepsRunInOrderAndRecordTheNewVersion) {
    populate(m_path, m_env);
    auto db = raw_db();
    const schema::Migration steps[] = {
        {2, "ALTER TABLE objects ADD COLUMN extra2 INTEGER"},
        {1, "ALTER TABLE objects ADD COLUMN extra1 INTEGER"},
    };
    ASSERT_TRUE(db->exec("BEGIN IMMEDIATE").is_ok());
    ASSERT_TRUE(schema::migrate(*db, 1, 3, steps).is_ok());
    ASSERT_TRUE(db->exec("COMMIT").is_ok());
    auto v = schema::read_version(*db);
    ASSERT_TRUE(v.is_ok());
    EXPECT_EQ(*v, 3);
    EXPECT_TRUE(db->exec("SELECT extra1, extra2 FROM objects").is_ok());
}

TEST_F(SchemaMigration, FailingStepLeavesTheOldSchema) {
    populate(m_path, m_env);
    auto db = raw_db();
    const schema::Migration steps[] = {
        {1, "ALTER TABLE objects ADD COLUMN extra1 INTEGER"},
        {2, "ALTER TABLE no_such_table ADD COLUMN x INTEGER"},
    };
    ASSERT_TRUE(db->exec("BEGIN IMMEDIATE").is_ok());
    EXPECT_FALSE(schema::migrate(*db, 1, 3, steps).is_ok());
    ASSERT_TRUE(db->exec("ROLLBACK").is_ok());
    auto v = schema::read_version(*db);
    ASSERT_TRUE(v.is_ok());
    EXPECT_EQ(*v, 1);
    EXPECT_FALSE(db->exec("SELECT extra1 FROM objects").is_ok());
}

TEST_F(SchemaMigration, MissingStepIsReported) {
    populate(m_path, m_env);
    auto db = raw_db();
    ASSERT_TRUE(db->exec("BEGIN IMMEDIATE").is_ok());
    Status st = schema::migrate(*db, 1, 2, {});
    EXPECT_EQ(st.code(), Err::StoreCorrupt);
    ASSERT_TRUE(db->exec("ROLLBACK").is_ok());
}

}  // namespace
}  // namespace sr::store::test

namespace sr::store::test {
namespace {

TEST_F(StoreSchema, NewerSchemaInUncheckpointedWalLeavesBothFilesUnchanged) {
    populate(m_path, m_env);
    // A writer of a newer build committed its upgrade to the WAL and crashed before checkpoint.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(m_path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value = '7' WHERE key = 'schema_version'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    const std::filesystem::path wal = m_path.string() + "-wal";
    ASSERT_GT(std::filesystem::file_size(wal), 0u);
    const Bytes main_before = file_bytes(m_path);
    const Bytes wal_before = file_bytes(wal);

    auto s = Store::open(m_path, m_env, {});
    EXPECT_EQ(s.code(), Err::StoreSchemaUnknown) << s.status().to_string();
    EXPECT_EQ(file_bytes(m_path), main_before);
    EXPECT_EQ(file_bytes(wal), wal_before);
}

}  // namespace
}  // namespace sr::store::test
