#include "common/env.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/fault_env.h"

namespace sr {
namespace {
namespace fs = std::filesystem;

class EnvTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() /
                ("sr_env_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    fs::path m_dir;
    PosixEnv m_env;
};

TEST_F(EnvTest, AtomicWriteReplacesContent) {
    auto path = m_dir / "f";
    ASSERT_TRUE(m_env.write_file_atomic(path, as_bytes("one"), 0600).is_ok());
    ASSERT_TRUE(m_env.write_file_atomic(path, as_bytes("two"), 0600).is_ok());
    EXPECT_EQ(to_string(*m_env.read_file(path)), "two");
    EXPECT_FALSE(fs::exists(m_dir / "f.tmp"));
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(EnvTest, MissingFileIsNotFound) {
    EXPECT_EQ(m_env.read_file(m_dir / "nope").code(), Err::NotFound);
}

TEST_F(EnvTest, ListDirIsSorted) {
    ASSERT_TRUE(m_env.create_dirs(m_dir / "b").is_ok());
    ASSERT_TRUE(m_env.create_dirs(m_dir / "a").is_ok());
    auto names = m_env.list_dir(m_dir);
    ASSERT_TRUE(names.is_ok());
    EXPECT_EQ(*names, (std::vector<std::string>{"a", "b"}));
}

TEST_F(EnvTest, RandomBytesAreNotConstant) {
    Bytes a(32), b(32);
    ASSERT_TRUE(m_env.random_bytes(a).is_ok());
    ASSERT_TRUE(m_env.random_bytes(b).is_ok());
    EXPECT_NE(a, b);
}

TEST_F(EnvTest, InjectedWriteFailureKeepsOldContent) {
    FaultInjectionEnv fenv(m_env);
    auto path = m_dir / "f";
    ASSERT_TRUE(fenv.write_file_atomic(path, as_bytes("old"), 0600).is_ok());
    fenv.fail_writes_after(0);
    EXPECT_EQ(fenv.write_file_atomic(path, as_bytes("new"), 0600).code(), Err::StoreIo);
    EXPECT_EQ(to_string(*fenv.read_file(path)), "old");
    fenv.fail_writes_after(-1);
    EXPECT_TRUE(fenv.write_file_atomic(path, as_bytes("new"), 0600).is_ok());
}

TEST_F(EnvTest, FailWritesAfterCountsDown) {
    FaultInjectionEnv fenv(m_env);
    fenv.fail_writes_after(2);
    EXPECT_TRUE(fenv.create_dirs(m_dir / "1").is_ok());
    EXPECT_TRUE(fenv.create_dirs(m_dir / "2").is_ok());
    EXPECT_EQ(fenv.create_dirs(m_dir / "3").code(), Err::StoreIo);
    EXPECT_FALSE(fs::exists(m_dir / "3"));
}

TEST_F(EnvTest, DeterministicRandomRepeats) {
    FaultInjectionEnv f1(m_env), f2(m_env);
    f1.deterministic_random(7);
    f2.deterministic_random(7);
    Bytes a(20), b(20);
    ASSERT_TRUE(f1.random_bytes(a).is_ok());
    ASSERT_TRUE(f2.random_bytes(b).is_ok());
    EXPECT_EQ(a, b);
}

TEST_F(EnvTest, FrozenClock) {
    FaultInjectionEnv fenv(m_env);
    auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
    fenv.freeze_clock(t);
    EXPECT_EQ(fenv.now(), t);
}

}  // namespace
}  // namespace sr
