// SqliteTxn: token objects. Searchable attributes are indexed columns, so every ObjectQuery
// criterion is an index lookup; the query text varies only with which criteria are present, so
// each shape is prepared once per connection and then cached.
#include "store/sqlite_txn.h"

namespace sr::store {
namespace {

constexpr std::string_view kObjectColumns =
    "handle, partition_id, ouid, class, key_type, label, id, is_private, attrs, sealed_attrs, "
    "size_bytes";

ObjectRecord object_from_row(const Stmt& s) {
    ObjectRecord r;
    r.handle = s.col_u64(0);
    r.partition_id = s.col_u64(1);
    r.ouid = s.col_blob(2);
    r.object_class = s.col_u64(3);
    if (!s.col_is_null(4)) r.key_type = s.col_u64(4);
    r.label = s.col_blob(5);
    r.id = s.col_blob(6);
    r.is_private = s.col_bool(7);
    r.attrs = s.col_blob(8);
    r.sealed_attrs = s.col_blob(9);
    r.size_bytes = s.col_u64(10);
    return r;
}

// Binds partition_id .. size_bytes (everything but the handle) from index `first`.
void bind_object(Stmt& s, const ObjectRecord& r, int first) {
    s.bind_u64(first, r.partition_id).bind_blob(first + 1, r.ouid).bind_u64(first + 2, r.object_class);
    if (r.key_type) {
        s.bind_u64(first + 3, *r.key_type);
    } else {
        s.bind_null(first + 3);
    }
    s.bind_blob(first + 4, r.label)
        .bind_blob(first + 5, r.id)
        .bind_bool(first + 6, r.is_private)
        .bind_blob(first + 7, r.attrs)
        .bind_blob(first + 8, r.sealed_attrs)
        .bind_u64(first + 9, r.size_bytes);
}

Status ouid_conflict(Status s, const ObjectRecord& r) {
    if (s.code() != Err::AlreadyExists) return s;
    return error(Err::ObjectAlreadyExists,
                 "partition " + std::to_string(r.partition_id) +
                     " already holds an object with OUID " + to_hex(r.ouid));
}

}  // namespace

Result<uint64_t> SqliteTxn::insert_object(const ObjectRecord& r) {
    SR_TRY(require_writable("insert_object"));
    SR_TRY(require_partition(r.partition_id));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "INSERT INTO objects (partition_id, ouid, class, key_type, "
                                    "label, id, is_private, attrs, sealed_attrs, size_bytes) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    bind_object(s, r, 0);
    SR_TRY(ouid_conflict(s.run(), r));
    return static_cast<uint64_t>(m_db.last_insert_rowid());
}

Result<std::optional<ObjectRecord>> SqliteTxn::object(uint64_t handle) {
    std::string sql = "SELECT ";
    sql += kObjectColumns;
    sql += " FROM objects WHERE handle = ?";
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(sql));
    s.bind_u64(0, handle);
    SR_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) return std::optional<ObjectRecord>{};
    return std::optional<ObjectRecord>(object_from_row(s));
}

Status SqliteTxn::update_object(const ObjectRecord& r) {
    SR_TRY(require_writable("update_object"));
    SR_TRY(require_partition(r.partition_id));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "UPDATE objects SET partition_id = ?, ouid = ?, class = ?, "
                                    "key_type = ?, label = ?, id = ?, is_private = ?, attrs = ?, "
                                    "sealed_attrs = ?, size_bytes = ? WHERE handle = ?"));
    bind_object(s, r, 0);
    s.bind_u64(10, r.handle);
    SR_TRY(ouid_conflict(s.run(), r));
    if (m_db.changes() == 0) return error(Err::NotFound, "no object " + std::to_string(r.handle));
    return Status::ok();
}

Status SqliteTxn::delete_object(uint64_t handle) {
    SR_TRY(require_writable("delete_object"));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("DELETE FROM objects WHERE handle = ?"));
    s.bind_u64(0, handle);
    SR_TRY(s.run());
    if (m_db.changes() == 0) return error(Err::NotFound, "no object " + std::to_string(handle));
    return Status::ok();
}

Status SqliteTxn::delete_objects(uint64_t partition_id) {
    SR_TRY(require_writable("delete_objects"));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("DELETE FROM objects WHERE partition_id = ?"));
    s.bind_u64(0, partition_id);
    return s.run();
}

Result<Stmt> SqliteTxn::bind_object_query(const ObjectQuery& q, std::string_view columns) {
    std::string sql = "SELECT ";
    sql += columns;
    sql += " FROM objects WHERE partition_id = ?";
    if (q.object_class) sql += " AND class = ?";
    if (q.key_type) sql += " AND key_type = ?";
    if (q.label) sql += " AND label = ?";
    if (q.id) sql += " AND id = ?";
    if (q.ouid) sql += " AND ouid = ?";
    if (!q.include_private) sql += " AND is_private = 0";
    sql += " ORDER BY handle";
    if (q.limit != 0) sql += " LIMIT ?";

    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(sql));
    int i = 0;
    s.bind_u64(i++, q.partition_id);
    if (q.object_class) s.bind_u64(i++, *q.object_class);
    if (q.key_type) s.bind_u64(i++, *q.key_type);
    if (q.label) s.bind_blob(i++, *q.label);
    if (q.id) s.bind_blob(i++, *q.id);
    if (q.ouid) s.bind_blob(i++, *q.ouid);
    if (q.limit != 0) s.bind_u64(i++, q.limit);
    return s;
}

Result<std::vector<ObjectRecord>> SqliteTxn::find_objects(const ObjectQuery& q) {
    SR_ASSIGN_OR_RETURN(Stmt s, bind_object_query(q, kObjectColumns));
    std::vector<ObjectRecord> out;
    for (;;) {
        SR_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        out.push_back(object_from_row(s));
    }
    return out;
}

Result<std::vector<uint64_t>> SqliteTxn::find_handles(const ObjectQuery& q) {
    SR_ASSIGN_OR_RETURN(Stmt s, bind_object_query(q, "handle"));
    std::vector<uint64_t> out;
    for (;;) {
        SR_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        out.push_back(s.col_u64(0));
    }
    return out;
}

Result<uint64_t> SqliteTxn::count_objects(uint64_t partition_id) {
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("SELECT count(*) FROM objects WHERE partition_id = ?"));
    s.bind_u64(0, partition_id);
    SR_ASSIGN_OR_RETURN(bool row, s.step());
    return row ? s.col_u64(0) : 0;
}

}  // namespace sr::store
