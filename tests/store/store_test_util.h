// Shared fixture for the store tests: a private temporary directory per test (named with the
// pid and the test name, so ctest -j is safe), and helpers to build records and poke the file.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/env.h"
#include "store/store.h"

namespace sr::store::test {

inline std::filesystem::path test_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name) {
        if (c == '/') c = '_';
    }
    return std::filesystem::temp_directory_path() /
           ("sr-store-" + std::to_string(::getpid()) + "-" + name);
}

inline Bytes file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline ObjectRecord make_object(uint64_t partition_id, uint64_t i) {
    ObjectRecord r;
    r.partition_id = partition_id;
    r.ouid = to_bytes("ouid-" + std::to_string(i));
    r.object_class = i % 4;
    r.key_type = i % 3 == 0 ? std::nullopt : std::optional<uint64_t>(i % 7);
    r.label = to_bytes("label-" + std::to_string(i));
    r.id = to_bytes("id-" + std::to_string(i % 100));
    r.is_private = i % 2 == 0;
    r.attrs = to_bytes("attrs:" + std::to_string(i * 7919));
    r.sealed_attrs = Bytes(48, static_cast<uint8_t>(i));
    r.size_bytes = 100 + i;
    return r;
}

inline PartitionRecord make_partition(std::string name) {
    PartitionRecord p;
    p.name = std::move(name);
    p.serial = 1234;
    p.storage_key_sealed = to_bytes("sealed-storage-key");
    p.domain_fingerprint = to_bytes("fp");
    p.created_at = 1700000000;
    return p;
}

// Runs raw SQL against the file, bypassing the store (the attacker's / corrupter's view).
inline void raw_sql(const std::filesystem::path& path, const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err != nullptr ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << msg;
}

class StoreFixture : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = test_dir();
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir);
        m_path = m_dir / "device.db";
    }
    void TearDown() override { std::filesystem::remove_all(m_dir); }

    std::unique_ptr<Store> open_store(StoreOptions options = {}) {
        options.create_if_missing = true;
        auto s = Store::open(m_path, m_env, options);
        EXPECT_TRUE(s.is_ok()) << s.status().to_string();
        return s.is_ok() ? std::move(s).value() : nullptr;
    }

    PosixEnv m_env;
    std::filesystem::path m_dir;
    std::filesystem::path m_path;
};

}  // namespace sr::store::test
