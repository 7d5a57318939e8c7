#include "store/schema.h"

#include <array>
#include <charconv>
#include <fstream>
#include <string>
#include <system_error>

#include "store/store.h"

namespace sr::store::schema {
namespace {

// Version 1. Every uint64 is stored as its two's-complement int64; booleans as 0/1.
// partition_id 0 stands for the HSM itself (HSM roles, HSM policies), so roles, policies and
// objects carry no foreign key to partitions: delete_partition removes them explicitly.
constexpr const char* kCreateV1 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE hsm (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    label              TEXT NOT NULL,
    initialized        INTEGER NOT NULL,
    so_credential      TEXT NOT NULL,
    so_failed_logins   INTEGER NOT NULL,
    domain_fingerprint BLOB NOT NULL,
    domain_key_sealed  BLOB NOT NULL,
    initialized_at     INTEGER NOT NULL
);

CREATE TABLE partitions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    name               TEXT NOT NULL UNIQUE,
    label              TEXT NOT NULL,
    serial             INTEGER NOT NULL,
    initialized        INTEGER NOT NULL,
    storage_key_sealed BLOB NOT NULL,
    domain_key_sealed  BLOB NOT NULL,
    domain_fingerprint BLOB NOT NULL,
    so_can_reset_pin   INTEGER NOT NULL,
    created_at         INTEGER NOT NULL
);

CREATE TABLE roles (
    partition_id         INTEGER NOT NULL,
    role                 INTEGER NOT NULL,
    credential           TEXT NOT NULL,
    challenge            TEXT NOT NULL,
    failed_logins        INTEGER NOT NULL,
    locked_out           INTEGER NOT NULL,
    must_change_password INTEGER NOT NULL,
    activated            INTEGER NOT NULL,
    PRIMARY KEY (partition_id, role)
) WITHOUT ROWID;

CREATE TABLE policies (
    partition_id INTEGER NOT NULL,
    policy_id    INTEGER NOT NULL,
    value        INTEGER NOT NULL,
    PRIMARY KEY (partition_id, policy_id)
) WITHOUT ROWID;

CREATE TABLE objects (
    handle       INTEGER PRIMARY KEY AUTOINCREMENT,
    partition_id INTEGER NOT NULL,
    ouid         BLOB NOT NULL,
    class        INTEGER NOT NULL,
    key_type     INTEGER,
    label        BLOB NOT NULL,
    id           BLOB NOT NULL,
    is_private   INTEGER NOT NULL,
    attrs        BLOB NOT NULL,
    sealed_attrs BLOB NOT NULL,
    size_bytes   INTEGER NOT NULL
);
CREATE UNIQUE INDEX objects_ouid ON objects (partition_id, ouid);
CREATE INDEX objects_class ON objects (partition_id, class);
CREATE INDEX objects_key_type ON objects (partition_id, key_type);
CREATE INDEX objects_label ON objects (partition_id, label);
CREATE INDEX objects_id ON objects (partition_id, id);

CREATE TABLE audit (
    seq          INTEGER PRIMARY KEY,
    time         INTEGER NOT NULL,
    partition_id INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    event        TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    BLOB NOT NULL,
    hash         BLOB NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

uint32_t be32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

Status set_version(Db& db, int version) {
    SR_ASSIGN_OR_RETURN(Stmt stmt,
                        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES "
                                   "('schema_version', ?)"));
    std::string v = std::to_string(version);
    stmt.bind_text(0, v);
    return stmt.run();
}

}  // namespace

std::span<const Migration> migrations() { return {}; }

Status check_header(const std::filesystem::path& path) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return error(Err::StoreIo, "reading " + path.string() + ": " + ec.message());
    const std::string where = path.string() + ": ";
    if (size == 0) return error(Err::StoreCorrupt, where + "file is empty, not a device store");
    if (size < 100) {
        return error(Err::StoreCorrupt, where + "file is truncated (" + std::to_string(size) +
                                            " bytes; a SQLite header alone is 100)");
    }
    std::array<uint8_t, 100> h{};
    std::ifstream in(path, std::ios::binary);
    if (!in.read(reinterpret_cast<char*>(h.data()), h.size())) {
        return error(Err::StoreIo, where + "cannot read the header");
    }
    static constexpr char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
    if (!std::equal(h.begin(), h.begin() + 16, reinterpret_cast<const uint8_t*>(kMagic))) {
        return error(Err::StoreCorrupt, where + "not a SQLite database (bad header)");
    }
    uint32_t page_size = (uint32_t{h[16]} << 8) | h[17];
    if (page_size == 1) page_size = 65536;
    if (page_size < 512 || (page_size & (page_size - 1)) != 0) {
        return error(Err::StoreCorrupt, where + "invalid page size in header");
    }
    // With a non-empty WAL beside it, the main file may legitimately lag; recovery and
    // quick_check judge it then. Without one, the header's page count is authoritative when
    // its "version-valid-for" matches the change counter.
    std::filesystem::path wal = path;
    wal += "-wal";
    const uintmax_t wal_size = std::filesystem::file_size(wal, ec);
    if (!ec && wal_size > 0) return Status::ok();
    const uint32_t pages = be32(&h[28]);
    if (pages != 0 && be32(&h[92]) == be32(&h[24]) &&
        (size < uintmax_t{pages} * page_size || size % page_size != 0)) {
        return error(Err::StoreCorrupt,
                     where + "file is truncated (header says " + std::to_string(pages) +
                         " pages of " + std::to_string(page_size) + " bytes, file holds " +
                         std::to_string(size) + " bytes)");
    }
    return Status::ok();
}

Status quick_check(Db& db) {
    auto result = db.query_text("PRAGMA quick_check");
    if (!result.is_ok()) return result.status().with_context("integrity check");
    if (!result->has_value() || **result != "ok") {
        return error(Err::StoreCorrupt,
                     "integrity check failed: " + result->value_or("no result"));
    }
    return Status::ok();
}

Result<int> read_version(Db& db) {
    SR_ASSIGN_OR_RETURN(auto has_meta,
                        db.query_text("SELECT name FROM sqlite_schema WHERE type = 'table' "
                                      "AND name = 'meta'"));
    if (!has_meta) {
        return error(Err::StoreCorrupt, "a SQLite database but not a device store (no meta table)");
    }
    SR_ASSIGN_OR_RETURN(auto text,
                        db.query_text("SELECT value FROM meta WHERE key = 'schema_version'"));
    int version = 0;
    if (!text) return error(Err::StoreCorrupt, "the meta table holds no schema_version");
    auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), version);
    if (ec != std::errc() || ptr != text->data() + text->size() || version < 1) {
        return error(Err::StoreCorrupt, "unparseable schema_version '" + *text + "'");
    }
    return version;
}

Status create(Db& db) {
    SR_TRY(db.exec(kCreateV1));
    return set_version(db, kSchemaVersion);
}

Status migrate(Db& db, int from, int to, std::span<const Migration> steps) {
    if (from > to) {
        return error(Err::StoreSchemaUnknown,
                     "store schema version " + std::to_string(from) +
                         " is newer than this build understands (" + std::to_string(to) + ")");
    }
    for (int v = from; v < to; ++v) {
        const Migration* step = nullptr;
        for (const Migration& m : steps) {
            if (m.from == v) step = &m;
        }
        if (step == nullptr) {
            return error(Err::StoreCorrupt,
                         "no migration from schema version " + std::to_string(v));
        }
        SR_TRY(db.exec(step->sql).with_context("migrating from schema version " +
                                                std::to_string(v)));
    }
    return from == to ? Status::ok() : set_version(db, to);
}

}  // namespace sr::store::schema
