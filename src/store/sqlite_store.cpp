// The SQLite Store: opening (create, check, migrate), the connection discipline (one writer
// connection under a mutex, a pool of read-only connections running in parallel under WAL),
// transactions, and the audit-chain walk.
#include <algorithm>
#include <atomic>
#include <vector>

#include "common/mutex.h"
#include "store/audit_chain.h"
#include "store/schema.h"
#include "store/sqlite_db.h"
#include "store/sqlite_txn.h"
#include "store/store.h"

namespace sr::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr size_t kMaxIdleReaders = 4;

// Stores with a transaction open on this thread: a nested read/write on the same store would
// deadlock (write) or silently miss the outer transaction's changes (read), so both are refused.
thread_local std::vector<const void*> t_open_txns;

class TxnScope final {
public:
    explicit TxnScope(const void* store) : m_store(store) { t_open_txns.push_back(store); }
    ~TxnScope() {
        auto it = std::find(t_open_txns.begin(), t_open_txns.end(), m_store);
        if (it != t_open_txns.end()) t_open_txns.erase(it);
    }
    TxnScope(const TxnScope&) = delete;
    TxnScope& operator=(const TxnScope&) = delete;
    static bool open_on_this_thread(const void* store) {
        return std::find(t_open_txns.begin(), t_open_txns.end(), store) != t_open_txns.end();
    }

private:
    const void* m_store;
};

// Rolls back whatever is still open when it goes out of scope (an early return, an exception
// thrown by the caller's function, a failed COMMIT).
class RollbackGuard final {
public:
    explicit RollbackGuard(Db& db) : m_db(db) {}
    ~RollbackGuard() {
        if (m_db.in_transaction()) (void)m_db.exec("ROLLBACK");
    }
    RollbackGuard(const RollbackGuard&) = delete;
    RollbackGuard& operator=(const RollbackGuard&) = delete;

private:
    Db& m_db;
};

Status in_write_txn(Db& db, const std::function<Status()>& fn) {
    SR_TRY(db.exec("BEGIN IMMEDIATE"));
    RollbackGuard guard(db);
    SR_TRY(fn());
    return db.exec("COMMIT");
}

Status durable_pragmas(Db& db, SyncMode sync) {
    SR_ASSIGN_OR_RETURN(auto mode, db.query_text("PRAGMA journal_mode = WAL"));
    if (!mode || *mode != "wal") {
        return error(Err::StoreIo, "cannot switch the store to WAL mode (got '" +
                                       mode.value_or("nothing") + "')");
    }
    return db.exec(sync == SyncMode::Full ? "PRAGMA synchronous = FULL"
                                          : "PRAGMA synchronous = NORMAL");
}

Result<std::unique_ptr<Db>> connect(const std::filesystem::path& path, const std::string& vfs,
                                    int extra_flags) {
    SR_ASSIGN_OR_RETURN(auto db, Db::open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
                                                    extra_flags, vfs));
    SR_TRY(db->exec("PRAGMA busy_timeout = " + std::to_string(kBusyTimeoutMs)));
    SR_TRY(db->exec("PRAGMA foreign_keys = ON"));
    return db;
}

// Builds a fresh store beside `path` and renames it into place, so a crash while creating
// leaves either no store or a complete one.
Status create_store_file(const std::filesystem::path& path, Env& env, const StoreOptions& opt) {
    std::filesystem::path tmp = path;
    tmp += ".creating";
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
        std::filesystem::path p = tmp;
        p += suffix;
        if (env.exists(p)) SR_TRY(env.remove_all(p));
    }
    Status st = [&]() -> Status {
        SR_ASSIGN_OR_RETURN(auto db, connect(tmp, opt.vfs, SQLITE_OPEN_CREATE));
        SR_TRY(db->exec("PRAGMA synchronous = FULL"));
        return in_write_txn(*db, [&] { return schema::create(*db); });
    }();
    if (st.is_ok()) st = env.rename(tmp, path);
    if (!st.is_ok()) (void)env.remove_all(tmp);
    return st.with_context("creating store " + path.string());
}

AuditRecord audit_from_row(const Stmt& s) {
    AuditRecord r;
    r.seq = s.col_u64(0);
    r.time = s.col_i64(1);
    r.partition_id = s.col_u64(2);
    r.actor = s.col_text(3);
    r.event = s.col_text(4);
    r.detail = s.col_text(5);
    r.prev_hash = s.col_blob(6);
    r.hash = s.col_blob(7);
    return r;
}

constexpr std::string_view kAuditColumns =
    "SELECT seq, time, partition_id, actor, event, detail, prev_hash, hash FROM audit ";

class SqliteStore final : public Store {
public:
    SqliteStore(std::filesystem::path path, Env& env, StoreOptions options,
                std::unique_ptr<Db> writer)
        : m_path(std::move(path)), m_env(env), m_options(std::move(options)),
          m_writer(std::move(writer)) {}

    Status read(const std::function<Status(Txn&)>& fn) override;
    Status write(const std::function<Status(Txn&)>& fn) override;
    Status verify_audit_chain() override;
    Result<std::vector<AuditRecord>> audit_tail(size_t n) override;

private:
    Result<std::unique_ptr<Db>> take_reader();
    void return_reader(std::unique_ptr<Db> db);
    Status with_reader(const std::function<Status(Db&)>& fn);

    const std::filesystem::path m_path;
    Env& m_env;
    const StoreOptions m_options;
    Mutex m_write_mu;
    std::unique_ptr<Db> m_writer SR_GUARDED_BY(m_write_mu);
    Mutex m_pool_mu;
    std::vector<std::unique_ptr<Db>> m_idle_readers SR_GUARDED_BY(m_pool_mu);
};

Result<std::unique_ptr<Db>> SqliteStore::take_reader() {
    {
        MutexLock lock(m_pool_mu);
        if (!m_idle_readers.empty()) {
            auto db = std::move(m_idle_readers.back());
            m_idle_readers.pop_back();
            return db;
        }
    }
    SR_ASSIGN_OR_RETURN(auto db, connect(m_path, m_options.vfs, 0));
    SR_TRY(db->exec("PRAGMA query_only = ON"));
    return db;
}

void SqliteStore::return_reader(std::unique_ptr<Db> db) {
    MutexLock lock(m_pool_mu);
    if (m_idle_readers.size() < kMaxIdleReaders) m_idle_readers.push_back(std::move(db));
}

Status SqliteStore::with_reader(const std::function<Status(Db&)>& fn) {
    if (TxnScope::open_on_this_thread(this)) {
        return error(Err::GeneralError, "nested transaction on the same store");
    }
    TxnScope scope(this);
    SR_ASSIGN_OR_RETURN(auto db, take_reader());
    Status st = [&]() -> Status {
        SR_TRY(db->exec("BEGIN"));
        RollbackGuard guard(*db);  // a read transaction has nothing to keep: always roll back
        return fn(*db);
    }();
    if (!db->in_transaction()) return_reader(std::move(db));
    return st;
}

Status SqliteStore::read(const std::function<Status(Txn&)>& fn) {
    return with_reader([&](Db& db) {
        SqliteTxn txn(db, m_env, false);
        return fn(txn);
    });
}

Status SqliteStore::write(const std::function<Status(Txn&)>& fn) {
    if (TxnScope::open_on_this_thread(this)) {
        return error(Err::GeneralError, "nested transaction on the same store");
    }
    TxnScope scope(this);
    MutexLock lock(m_write_mu);
    Db& db = *m_writer;
    return in_write_txn(db, [&] {
        SqliteTxn txn(db, m_env, true);
        return fn(txn);
    });
}

Status SqliteStore::verify_audit_chain() {
    return with_reader([](Db& db) -> Status {
        std::string sql(kAuditColumns);
        sql += "ORDER BY seq";
        SR_ASSIGN_OR_RETURN(Stmt s, db.prepare(sql));
        audit::ChainVerifier verifier;
        for (;;) {
            SR_ASSIGN_OR_RETURN(bool row, s.step());
            if (!row) break;
            SR_TRY(verifier.next(audit_from_row(s)));
        }
        SR_ASSIGN_OR_RETURN(auto head,
                            db.query_text("SELECT value FROM meta WHERE key = 'audit_head'"));
        std::string expected = std::to_string(verifier.last_seq()) + ":" +
                               to_hex(verifier.last_hash());
        if (verifier.last_seq() == 0 && !head) return Status::ok();
        if (!head || *head != expected) {
            return error(Err::StoreCorrupt,
                         "audit log ends at record " + std::to_string(verifier.last_seq()) +
                             " but the recorded head is '" + head.value_or("none") +
                             "' (records were deleted from the end)");
        }
        return Status::ok();
    });
}

Result<std::vector<AuditRecord>> SqliteStore::audit_tail(size_t n) {
    std::vector<AuditRecord> out;
    SR_TRY(with_reader([&](Db& db) -> Status {
        std::string sql(kAuditColumns);
        sql += "ORDER BY seq DESC LIMIT ?";
        SR_ASSIGN_OR_RETURN(Stmt s, db.prepare(sql));
        s.bind_u64(0, n);
        for (;;) {
            SR_ASSIGN_OR_RETURN(bool row, s.step());
            if (!row) break;
            out.push_back(audit_from_row(s));
        }
        return Status::ok();
    }));
    std::reverse(out.begin(), out.end());
    return out;
}

Status set_checkpoint_on_close(Db& db, bool on) {
    int rc = sqlite3_db_config(db.raw(), SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, on ? 0 : 1, nullptr);
    return sqlite_status(rc, db.raw(), "configuring checkpoint on close");
}

Result<std::unique_ptr<Db>> open_existing(const std::filesystem::path& path,
                                          const StoreOptions& options) {
    SR_TRY(schema::check_header(path));
    std::filesystem::path wal = path;
    wal += "-wal";
    std::error_code ec;
    const bool hot_wal = std::filesystem::file_size(wal, ec) > 0 && !ec;
    SR_ASSIGN_OR_RETURN(auto db, connect(path, options.vfs, 0));
    // Until the file is accepted, closing must not checkpoint a WAL left by a crashed writer
    // into the main file: a refused file stays exactly as it was (a newer build may want it).
    // Without such a WAL, closing normally removes the empty -wal/-shm it created.
    if (hot_wal) SR_TRY(set_checkpoint_on_close(*db, false));
    SR_TRY(schema::quick_check(*db));
    SR_ASSIGN_OR_RETURN(int version, schema::read_version(*db));
    if (version > kSchemaVersion) {
        return schema::migrate(*db, version, kSchemaVersion, schema::migrations());
    }
    SR_TRY(set_checkpoint_on_close(*db, true));
    SR_TRY(durable_pragmas(*db, options.sync));
    if (version < kSchemaVersion) {
        SR_TRY(in_write_txn(*db, [&] {
            return schema::migrate(*db, version, kSchemaVersion, schema::migrations());
        }));
    }
    return db;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& path, Env& env,
                                           const StoreOptions& options) {
    if (!env.exists(path)) {
        if (!options.create_if_missing) {
            return error(Err::NotFound, "no device store at " + path.string());
        }
        SR_TRY(create_store_file(path, env, options));
    }
    auto db = open_existing(path, options);
    if (!db.is_ok()) return std::move(db).status().with_context("opening " + path.string());
    return std::unique_ptr<Store>(
        std::make_unique<SqliteStore>(path, env, options, std::move(db).value()));
}

}  // namespace sr::store
