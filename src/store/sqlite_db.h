// RAII wrappers over the SQLite C API: a connection (Db) that caches its prepared statements,
// and a borrowed statement cursor (Stmt) with typed binds and columns. A Db and everything it
// hands out are used by one thread at a time; the Store's locks guarantee that.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/bytes.h"
#include "common/result.h"

namespace sr::store {

// Maps a SQLite result code to a Status: constraint violations → AlreadyExists, corruption →
// StoreCorrupt, I/O, full disk and busy → StoreIo, anything else → GeneralError. `what` names
// the operation and is prefixed to SQLite's own message.
Status sqlite_status(int rc, sqlite3* db, std::string_view what);

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// A statement borrowed from a Db's cache (or owned, when the cached one is already in use).
// On destruction it is reset and its bindings cleared, so bound views may die right after.
// Bind and column indexes are 0-based here (SQLite's binds are 1-based; the wrapper adds 1).
class Stmt final {
public:
    Stmt(sqlite3_stmt* stmt, bool* in_use, StmtPtr owned) noexcept;
    ~Stmt();
    Stmt(Stmt&& other) noexcept;
    Stmt& operator=(Stmt&&) = delete;
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    // Values are bound without copying: they must stay alive until the statement is stepped
    // to completion or this Stmt is destroyed.
    Stmt& bind_i64(int i, int64_t v);
    Stmt& bind_u64(int i, uint64_t v);  // stored as the two's-complement int64
    Stmt& bind_bool(int i, bool v) { return bind_i64(i, v ? 1 : 0); }
    Stmt& bind_text(int i, std::string_view v);
    Stmt& bind_blob(int i, ByteView v);  // an empty view binds an empty blob, never NULL
    Stmt& bind_null(int i);

    // Ok(true) when a row is available, Ok(false) when done.
    Result<bool> step();
    // Steps to completion; fails if the statement produced a row.
    Status run();

    int64_t col_i64(int i) const;
    uint64_t col_u64(int i) const;
    bool col_bool(int i) const { return col_i64(i) != 0; }
    bool col_is_null(int i) const;
    std::string col_text(int i) const;
    Bytes col_blob(int i) const;

private:
    Status bind_status() const;

    sqlite3_stmt* m_stmt;
    bool* m_in_use;  // cache slot flag, null for an owned statement
    StmtPtr m_owned;
    int m_bind_rc = SQLITE_OK;  // first failed bind, reported by step()
};

class Db final {
public:
    // Opens a connection; `vfs` empty = SQLite's default VFS. Creates nothing unless `flags`
    // contains SQLITE_OPEN_CREATE.
    static Result<std::unique_ptr<Db>> open(const std::filesystem::path& path, int flags,
                                            const std::string& vfs);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // A cached prepared statement for `sql` (prepared on first use).
    Result<Stmt> prepare(std::string_view sql);
    // One-off statements (pragmas, DDL, BEGIN/COMMIT); may hold several statements.
    Status exec(std::string_view sql);
    // The first column of the first row of `sql` as text (for pragmas); nullopt when no row.
    Result<std::optional<std::string>> query_text(std::string_view sql);

    int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(m_db); }
    int64_t changes() const { return sqlite3_changes64(m_db); }
    bool in_transaction() const { return sqlite3_get_autocommit(m_db) == 0; }
    sqlite3* raw() const { return m_db; }

private:
    explicit Db(sqlite3* db) : m_db(db) {}

    struct CachedStmt {
        StmtPtr stmt;
        bool in_use = false;
    };
    struct StringHash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    sqlite3* m_db;
    std::unordered_map<std::string, CachedStmt, StringHash, std::equal_to<>> m_cache;
};

}  // namespace sr::store
