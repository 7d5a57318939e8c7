// The versioned schema of the device store: the DDL of the current version, the table of
// migrations from older versions, and the checks that run before a file is trusted.
// Stateless functions over a Db the caller holds exclusively.
#pragma once

#include <filesystem>
#include <span>

#include "common/result.h"
#include "store/sqlite_db.h"

namespace sr::store::schema {

// One step of the migration table: turns a database at `from` into `from + 1`.
struct Migration {
    int from;
    const char* sql;
};

// The migrations of this build, in order (empty while kSchemaVersion is 1).
std::span<const Migration> migrations();

// Checks the file's 100-byte SQLite header without involving SQLite, so that a file that is not
// a database, or one visibly cut short, is rejected before anything could touch it.
// StoreCorrupt with a message naming the problem; StoreIo when the file cannot be read.
Status check_header(const std::filesystem::path& path);

// PRAGMA quick_check; StoreCorrupt carrying SQLite's first complaint.
Status quick_check(Db& db);

// The schema_version in the meta table. StoreCorrupt when the file has no meta table or no
// parseable version (it is a SQLite database but not a Strongroom store).
Result<int> read_version(Db& db);

// Creates the current schema and records kSchemaVersion. Caller holds a write transaction.
Status create(Db& db);

// Applies `steps` from `from` up to `to`. Caller holds a write transaction, so a failing step
// leaves the file as it was. StoreSchemaUnknown when `from` > `to`; StoreCorrupt when no
// step starts at some version on the way.
Status migrate(Db& db, int from, int to, std::span<const Migration> steps);

}  // namespace sr::store::schema
