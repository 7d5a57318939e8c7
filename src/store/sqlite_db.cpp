#include "store/sqlite_db.h"

#include <limits>

namespace sr::store {
namespace {

// SQLite treats a null pointer with length 0 as NULL; an empty blob needs a real address.
const uint8_t kEmpty[1] = {0};

Err err_for(int rc) {
    switch (rc & 0xff) {
        case SQLITE_CONSTRAINT: return Err::AlreadyExists;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return Err::StoreCorrupt;
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CANTOPEN:
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_READONLY:
        case SQLITE_PROTOCOL: return Err::StoreIo;
        case SQLITE_NOMEM: return Err::HostMemory;
        default: return Err::GeneralError;
    }
}

}  // namespace

Status sqlite_status(int rc, sqlite3* db, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::ok();
    std::string msg(what);
    msg += ": ";
    // sqlite3_errmsg describes the most recent failure on `db`, which may be less specific than
    // `rc` (e.g. after a failed bind); name the code too.
    msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    msg += " (";
    msg += sqlite3_errstr(rc);
    msg += ")";
    return Status(err_for(rc), std::move(msg));
}

// ---- Stmt

Stmt::Stmt(sqlite3_stmt* stmt, bool* in_use, StmtPtr owned) noexcept
    : m_stmt(stmt), m_in_use(in_use), m_owned(std::move(owned)) {
    if (m_in_use != nullptr) *m_in_use = true;
}

Stmt::Stmt(Stmt&& other) noexcept
    : m_stmt(other.m_stmt),
      m_in_use(other.m_in_use),
      m_owned(std::move(other.m_owned)),
      m_bind_rc(other.m_bind_rc) {
    other.m_stmt = nullptr;
    other.m_in_use = nullptr;
}

Stmt::~Stmt() {
    if (m_stmt == nullptr) return;
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
    if (m_in_use != nullptr) *m_in_use = false;
}

Stmt& Stmt::bind_i64(int i, int64_t v) {
    int rc = sqlite3_bind_int64(m_stmt, i + 1, v);
    if (m_bind_rc == SQLITE_OK) m_bind_rc = rc;
    return *this;
}

Stmt& Stmt::bind_u64(int i, uint64_t v) { return bind_i64(i, static_cast<int64_t>(v)); }

Stmt& Stmt::bind_text(int i, std::string_view v) {
    const char* p = v.empty() ? reinterpret_cast<const char*>(kEmpty) : v.data();
    int rc = sqlite3_bind_text64(m_stmt, i + 1, p, v.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (m_bind_rc == SQLITE_OK) m_bind_rc = rc;
    return *this;
}

Stmt& Stmt::bind_blob(int i, ByteView v) {
    const void* p = v.empty() ? kEmpty : v.data();
    int rc = sqlite3_bind_blob64(m_stmt, i + 1, p, v.size(), SQLITE_STATIC);
    if (m_bind_rc == SQLITE_OK) m_bind_rc = rc;
    return *this;
}

Stmt& Stmt::bind_null(int i) {
    int rc = sqlite3_bind_null(m_stmt, i + 1);
    if (m_bind_rc == SQLITE_OK) m_bind_rc = rc;
    return *this;
}

Status Stmt::bind_status() const {
    return sqlite_status(m_bind_rc, nullptr, std::string("binding ") + sqlite3_sql(m_stmt));
}

Result<bool> Stmt::step() {
    if (m_bind_rc != SQLITE_OK) return bind_status();
    int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_status(rc, sqlite3_db_handle(m_stmt), sqlite3_sql(m_stmt));
}

Status Stmt::run() {
    SR_ASSIGN_OR_RETURN(bool row, step());
    if (row) return error(Err::GeneralError, std::string("unexpected row from ") + sqlite3_sql(m_stmt));
    return Status::ok();
}

int64_t Stmt::col_i64(int i) const { return sqlite3_column_int64(m_stmt, i); }
uint64_t Stmt::col_u64(int i) const { return static_cast<uint64_t>(col_i64(i)); }
bool Stmt::col_is_null(int i) const { return sqlite3_column_type(m_stmt, i) == SQLITE_NULL; }

std::string Stmt::col_text(int i) const {
    const unsigned char* p = sqlite3_column_text(m_stmt, i);
    auto n = static_cast<size_t>(sqlite3_column_bytes(m_stmt, i));
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p), n};
}

Bytes Stmt::col_blob(int i) const {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, i));
    auto n = static_cast<size_t>(sqlite3_column_bytes(m_stmt, i));
    if (p == nullptr) return {};
    return {p, p + n};
}

// ---- Db

Result<std::unique_ptr<Db>> Db::open(const std::filesystem::path& path, int flags,
                                     const std::string& vfs) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_EXRESCODE,
                             vfs.empty() ? nullptr : vfs.c_str());
    std::unique_ptr<Db> db(new Db(raw));  // owns `raw` even when the open failed
    if (rc != SQLITE_OK) return sqlite_status(rc, raw, "opening " + path.string());
    return db;
}

Db::~Db() {
    m_cache.clear();  // statements must be finalized before the connection closes
    sqlite3_close_v2(m_db);
}

Result<Stmt> Db::prepare(std::string_view sql) {
    auto it = m_cache.find(sql);
    if (it != m_cache.end() && !it->second.in_use) {
        return Stmt(it->second.stmt.get(), &it->second.in_use, nullptr);
    }
    if (sql.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
        return error(Err::ArgumentsBad, "statement too long");
    }
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    StmtPtr stmt(raw);
    if (rc != SQLITE_OK) return sqlite_status(rc, m_db, "preparing " + std::string(sql));
    if (it != m_cache.end()) {
        // The cached one is mid-iteration (a nested use of the same SQL): hand out a private one.
        return Stmt(raw, nullptr, std::move(stmt));
    }
    auto [slot, inserted] = m_cache.emplace(std::string(sql), CachedStmt{std::move(stmt), false});
    (void)inserted;
    return Stmt(slot->second.stmt.get(), &slot->second.in_use, nullptr);
}

Status Db::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &err);
    if (err != nullptr) sqlite3_free(err);
    return sqlite_status(rc, m_db, s);
}

Result<std::optional<std::string>> Db::query_text(std::string_view sql) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(m_db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    StmtPtr owned(raw);
    if (rc != SQLITE_OK) return sqlite_status(rc, m_db, std::string(sql));
    Stmt stmt(raw, nullptr, std::move(owned));
    SR_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) return std::optional<std::string>{};
    return std::optional<std::string>(stmt.col_text(0));
}

}  // namespace sr::store
