// Damaged or unexpected device folders and killed writers: opening gives a precise error and
// changes no byte; a writer killed mid-batch leaves only complete objects.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>

#include "crypto/mechanism.h"
#include "engine_test_util.h"

namespace sr::hsm::test {
namespace {

namespace fs = std::filesystem;

std::map<std::string, Bytes> snapshot(const fs::path& dir) {
    std::map<std::string, Bytes> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        out[e.path().filename().string()] =
            Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }
    return out;
}

void write_bytes(const fs::path& p, const Bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

class DeviceRobustness : public EngineFixture {
protected:
    // A ready device with one token key, closed.
    void make_closed_device() {
        make(ready_spec());
        SessionId s = co_session();
        AttributeSet t;
        t.set_bool(attr::kToken, true);
        t.set_bool(attr::kEncrypt, true);
        t.set_ulong(attr::kValueLen, 32);
        SR_ASSERT_OK(dev().generate_key(s, {crypto::mech::kAesKeyGen, crypto::NoParams{}}, t));
        m_device.reset();
    }
    // Opening fails with `expected` and every file is byte-for-byte unchanged.
    void expect_open_fails_unchanged(Err expected) {
        auto before = snapshot(m_folder);
        auto dev = LocalDevice::open(m_env, m_folder);
        ASSERT_FALSE(dev.is_ok());
        EXPECT_EQ(dev.code(), expected) << dev.status().to_string();
        EXPECT_FALSE(dev.status().message().empty());
        EXPECT_EQ(snapshot(m_folder), before);
    }
};

TEST_F(DeviceRobustness, GarbageStoreIsCorruptAndUntouched) {
    make_closed_device();
    write_bytes(m_folder / "store.db", Bytes(8192, 0xA5));
    expect_open_fails_unchanged(Err::StoreCorrupt);
}

TEST_F(DeviceRobustness, WrongMasterKeyIsRefusedAndNothingChanges) {
    make_closed_device();
    write_bytes(m_folder / "master.key", Bytes(32, 0x11));
    expect_open_fails_unchanged(Err::MasterKeyWrong);
}

TEST_F(DeviceRobustness, ShortMasterKeyIsCorrupt) {
    make_closed_device();
    write_bytes(m_folder / "master.key", Bytes(31, 0x11));
    expect_open_fails_unchanged(Err::StoreCorrupt);
}

TEST_F(DeviceRobustness, NewerSchemaVersionIsRefusedAndNothingChanges) {
    make_closed_device();
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((m_folder / "store.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "UPDATE meta SET value = '999' WHERE key = 'schema_version'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    expect_open_fails_unchanged(Err::StoreSchemaUnknown);
}

TEST_F(DeviceRobustness, TruncatedFolderGivesClearErrors) {
    make_closed_device();
    fs::rename(m_folder / "device.toml", m_root / "device.toml");
    expect_open_fails_unchanged(Err::StoreCorrupt);
    fs::rename(m_root / "device.toml", m_folder / "device.toml");
    fs::rename(m_folder / "store.db", m_root / "store.db");
    expect_open_fails_unchanged(Err::StoreCorrupt);
    fs::rename(m_root / "store.db", m_folder / "store.db");
    fs::rename(m_folder / "master.key", m_root / "master.key");
    expect_open_fails_unchanged(Err::StoreCorrupt);
    fs::rename(m_root / "master.key", m_folder / "master.key");
    write_bytes(m_folder / "device.toml", to_bytes("serial = [unclosed"));
    expect_open_fails_unchanged(Err::StoreCorrupt);
    SR_EXPECT_ERR(LocalDevice::open(m_env, m_root / "nothing-here"), Err::NotFound);
}

// The child creates token EC key pairs (one transaction per pair) and acknowledges each.
[[noreturn]] void writer(const fs::path& folder, PartitionId p, int round, int ack_fd) {
    PosixEnv env;
    auto dev = LocalDevice::open(env, folder);
    if (!dev) ::_exit(2);
    auto a = (*dev)->attach();
    auto s = (*dev)->open_session(*a, p, true);
    if (!s || !(*dev)->login(*s, Role::CryptoOfficer, kCoPw).is_ok()) ::_exit(3);
    for (uint32_t i = 0;; ++i) {
        AttributeSet pub;
        pub.set_bool(attr::kToken, true);
        pub.set_bool(attr::kVerify, true);
        pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
        pub.set_string(attr::kLabel, "r" + std::to_string(round) + "-k" + std::to_string(i));
        AttributeSet priv;
        priv.set_bool(attr::kToken, true);
        priv.set_bool(attr::kSign, true);
        priv.set_string(attr::kLabel, "r" + std::to_string(round) + "-k" + std::to_string(i));
        if (!(*dev)->generate_key_pair(*s, {crypto::mech::kEcKeyPairGen, crypto::NoParams{}}, pub,
                                       priv))
            ::_exit(4);
        if (::write(ack_fd, &i, sizeof i) != static_cast<ssize_t>(sizeof i)) ::_exit(5);
    }
}

TEST_F(DeviceRobustness, WriterKilledMidBatchLeavesOnlyCompleteObjects) {
    make(ready_spec());
    const PartitionId p = partition_named("p1");
    m_device.reset();
    uint32_t acked = 0;
    for (int round = 0; round < 3; ++round) {
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            writer(m_folder, p, round, fds[1]);
        }
        ::close(fds[1]);
        // Let a varying number of creations complete, then kill wherever the writer is.
        uint32_t got = 0;
        for (int i = 0; i < 5 + 7 * round; ++i)
            if (::read(fds[0], &got, sizeof got) == static_cast<ssize_t>(sizeof got)) ++acked;
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        while (::read(fds[0], &got, sizeof got) == static_cast<ssize_t>(sizeof got)) ++acked;
        ::close(fds[0]);
        EXPECT_TRUE(WIFSIGNALED(status)) << "writer exited early with " << WEXITSTATUS(status);
    }
    reopen();
    SessionId s = co_session();
    SR_ASSERT_OK(dev().find_init(s, AttributeSet{}));
    auto handles = dev().find_next(s, 100000);
    SR_ASSERT_OK(handles);
    SR_ASSERT_OK(dev().find_final(s));
    EXPECT_GE(handles->size(), 2 * acked);
    std::map<std::string, int> halves;
    for (ObjectHandle h : *handles) {
        auto attrs = dev().get_attributes(s, h, std::vector<AttrType>{attr::kLabel, attr::kClass});
        ASSERT_TRUE(attrs.is_ok()) << attrs.status().to_string();
        ++halves[to_string(*attrs->values.get(attr::kLabel))];
        // Private halves unseal into a working key.
        if (attrs->values.get_ulong(attr::kClass) == cls::kPrivateKey) {
            SR_ASSERT_OK(dev().sign_init(s, {crypto::mech::kEcdsaSha256, crypto::NoParams{}}, h));
            SR_ASSERT_OK(dev().sign(s, as_bytes("x")));
        }
    }
    for (const auto& [label, n] : halves) EXPECT_EQ(n, 2) << label << " is half a key pair";
}

}  // namespace
}  // namespace sr::hsm::test
