// SqliteTxn: meta, HSM record, partitions, roles, policies and the audit append.
// (Objects are in object_rows.cpp.)
#include "store/sqlite_txn.h"

#include <chrono>

#include "store/audit_chain.h"

namespace sr::store {
namespace {

constexpr std::string_view kPartitionColumns =
    "SELECT id, name, label, serial, initialized, storage_key_sealed, domain_key_sealed, "
    "domain_fingerprint, so_can_reset_pin, created_at FROM partitions ";

PartitionRecord partition_from_row(const Stmt& s) {
    PartitionRecord r;
    r.id = s.col_u64(0);
    r.name = s.col_text(1);
    r.label = s.col_text(2);
    r.serial = s.col_u64(3);
    r.initialized = s.col_bool(4);
    r.storage_key_sealed = s.col_blob(5);
    r.domain_key_sealed = s.col_blob(6);
    r.domain_fingerprint = s.col_blob(7);
    r.so_can_reset_pin = s.col_bool(8);
    r.created_at = s.col_i64(9);
    return r;
}

// Binds every column after the id, starting at index `first`.
void bind_partition(Stmt& s, const PartitionRecord& r, int first) {
    s.bind_text(first, r.name)
        .bind_text(first + 1, r.label)
        .bind_u64(first + 2, r.serial)
        .bind_bool(first + 3, r.initialized)
        .bind_blob(first + 4, r.storage_key_sealed)
        .bind_blob(first + 5, r.domain_key_sealed)
        .bind_blob(first + 6, r.domain_fingerprint)
        .bind_bool(first + 7, r.so_can_reset_pin)
        .bind_i64(first + 8, r.created_at);
}

constexpr std::string_view kRoleColumns =
    "SELECT partition_id, role, credential, challenge, failed_logins, locked_out, "
    "must_change_password, activated FROM roles ";

RoleRecord role_from_row(const Stmt& s) {
    RoleRecord r;
    r.partition_id = s.col_u64(0);
    r.role = static_cast<RoleId>(static_cast<uint32_t>(s.col_i64(1)));
    r.credential = s.col_text(2);
    r.challenge = s.col_text(3);
    r.failed_logins = static_cast<uint32_t>(s.col_i64(4));
    r.locked_out = s.col_bool(5);
    r.must_change_password = s.col_bool(6);
    r.activated = s.col_bool(7);
    return r;
}

Status constraint_to(Status s, Err code, std::string message) {
    if (s.code() == Err::AlreadyExists) return error(code, std::move(message));
    return s;
}

}  // namespace

Status SqliteTxn::require_writable(std::string_view what) const {
    if (m_writable) return Status::ok();
    return error(Err::GeneralError, std::string(what) + " inside a read transaction");
}

Status SqliteTxn::require_partition(uint64_t partition_id) {
    if (partition_id == 0) return Status::ok();  // the HSM itself
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("SELECT 1 FROM partitions WHERE id = ?"));
    s.bind_u64(0, partition_id);
    SR_ASSIGN_OR_RETURN(bool found, s.step());
    if (!found) return error(Err::NotFound, "no partition " + std::to_string(partition_id));
    return Status::ok();
}

// ---- meta

Result<std::optional<std::string>> SqliteTxn::get_meta(std::string_view key) {
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("SELECT value FROM meta WHERE key = ?"));
    s.bind_text(0, key);
    SR_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) return std::optional<std::string>{};
    return std::optional<std::string>(s.col_text(0));
}

Status SqliteTxn::put_meta(std::string_view key, std::string_view value) {
    SR_TRY(require_writable("put_meta"));
    if (key == "schema_version") {
        return error(Err::ArgumentsBad, "schema_version is managed by the store");
    }
    SR_ASSIGN_OR_RETURN(Stmt s,
                        m_db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
    s.bind_text(0, key).bind_text(1, value);
    return s.run();
}

// ---- HSM record

Result<HsmRecord> SqliteTxn::hsm() {
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "SELECT label, initialized, so_credential, so_failed_logins, "
                                    "domain_fingerprint, domain_key_sealed, initialized_at "
                                    "FROM hsm WHERE id = 1"));
    HsmRecord r;
    SR_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) return r;  // a fresh device: the defaults
    r.label = s.col_text(0);
    r.initialized = s.col_bool(1);
    r.so_credential = s.col_text(2);
    r.so_failed_logins = static_cast<uint32_t>(s.col_i64(3));
    r.domain_fingerprint = s.col_blob(4);
    r.domain_key_sealed = s.col_blob(5);
    r.initialized_at = s.col_i64(6);
    return r;
}

Status SqliteTxn::put_hsm(const HsmRecord& r) {
    SR_TRY(require_writable("put_hsm"));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "INSERT OR REPLACE INTO hsm (id, label, initialized, "
                                    "so_credential, so_failed_logins, domain_fingerprint, "
                                    "domain_key_sealed, initialized_at) "
                                    "VALUES (1, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind_text(0, r.label)
        .bind_bool(1, r.initialized)
        .bind_text(2, r.so_credential)
        .bind_i64(3, r.so_failed_logins)
        .bind_blob(4, r.domain_fingerprint)
        .bind_blob(5, r.domain_key_sealed)
        .bind_i64(6, r.initialized_at);
    return s.run();
}

// ---- partitions

Result<std::vector<PartitionRecord>> SqliteTxn::query_partitions(
    std::string_view where, const std::function<void(Stmt&)>& bind) {
    std::string sql(kPartitionColumns);
    sql += where;
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(sql));
    bind(s);
    std::vector<PartitionRecord> out;
    for (;;) {
        SR_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        out.push_back(partition_from_row(s));
    }
    return out;
}

Result<std::vector<PartitionRecord>> SqliteTxn::partitions() {
    return query_partitions("ORDER BY id", [](Stmt&) {});
}

Result<std::optional<PartitionRecord>> SqliteTxn::partition(uint64_t id) {
    SR_ASSIGN_OR_RETURN(auto rows,
                        query_partitions("WHERE id = ?", [id](Stmt& s) { s.bind_u64(0, id); }));
    if (rows.empty()) return std::optional<PartitionRecord>{};
    return std::optional<PartitionRecord>(std::move(rows.front()));
}

Result<std::optional<PartitionRecord>> SqliteTxn::partition_by_name(std::string_view name) {
    SR_ASSIGN_OR_RETURN(auto rows, query_partitions("WHERE name = ?",
                                                    [name](Stmt& s) { s.bind_text(0, name); }));
    if (rows.empty()) return std::optional<PartitionRecord>{};
    return std::optional<PartitionRecord>(std::move(rows.front()));
}

Result<uint64_t> SqliteTxn::insert_partition(const PartitionRecord& r) {
    SR_TRY(require_writable("insert_partition"));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "INSERT INTO partitions (name, label, serial, initialized, "
                                    "storage_key_sealed, domain_key_sealed, domain_fingerprint, "
                                    "so_can_reset_pin, created_at) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    bind_partition(s, r, 0);
    SR_TRY(constraint_to(s.run(), Err::AlreadyExists,
                         "a partition named '" + r.name + "' already exists"));
    return static_cast<uint64_t>(m_db.last_insert_rowid());
}

Status SqliteTxn::update_partition(const PartitionRecord& r) {
    SR_TRY(require_writable("update_partition"));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "UPDATE partitions SET name = ?, label = ?, serial = ?, "
                                    "initialized = ?, storage_key_sealed = ?, "
                                    "domain_key_sealed = ?, domain_fingerprint = ?, "
                                    "so_can_reset_pin = ?, created_at = ? WHERE id = ?"));
    bind_partition(s, r, 0);
    s.bind_u64(9, r.id);
    SR_TRY(constraint_to(s.run(), Err::AlreadyExists,
                         "a partition named '" + r.name + "' already exists"));
    if (m_db.changes() == 0) return error(Err::NotFound, "no partition " + std::to_string(r.id));
    return Status::ok();
}

Status SqliteTxn::delete_partition(uint64_t id) {
    SR_TRY(require_writable("delete_partition"));
    if (id == 0) return error(Err::ArgumentsBad, "partition 0 is the HSM and cannot be deleted");
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("DELETE FROM partitions WHERE id = ?"));
    s.bind_u64(0, id);
    SR_TRY(s.run());
    if (m_db.changes() == 0) return error(Err::NotFound, "no partition " + std::to_string(id));
    SR_TRY(delete_roles(id));
    SR_TRY(delete_objects(id));
    SR_ASSIGN_OR_RETURN(Stmt p, m_db.prepare("DELETE FROM policies WHERE partition_id = ?"));
    p.bind_u64(0, id);
    return p.run();
}

// ---- roles

Result<std::optional<RoleRecord>> SqliteTxn::role(uint64_t partition_id, RoleId role) {
    std::string sql(kRoleColumns);
    sql += "WHERE partition_id = ? AND role = ?";
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(sql));
    s.bind_u64(0, partition_id).bind_i64(1, static_cast<int64_t>(role));
    SR_ASSIGN_OR_RETURN(bool row, s.step());
    if (!row) return std::optional<RoleRecord>{};
    return std::optional<RoleRecord>(role_from_row(s));
}

Result<std::vector<RoleRecord>> SqliteTxn::roles(uint64_t partition_id) {
    std::string sql(kRoleColumns);
    sql += "WHERE partition_id = ? ORDER BY role";
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(sql));
    s.bind_u64(0, partition_id);
    std::vector<RoleRecord> out;
    for (;;) {
        SR_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        out.push_back(role_from_row(s));
    }
    return out;
}

Status SqliteTxn::put_role(const RoleRecord& r) {
    SR_TRY(require_writable("put_role"));
    SR_TRY(require_partition(r.partition_id));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "INSERT OR REPLACE INTO roles (partition_id, role, "
                                    "credential, challenge, failed_logins, locked_out, "
                                    "must_change_password, activated) "
                                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind_u64(0, r.partition_id)
        .bind_i64(1, static_cast<int64_t>(r.role))
        .bind_text(2, r.credential)
        .bind_text(3, r.challenge)
        .bind_i64(4, r.failed_logins)
        .bind_bool(5, r.locked_out)
        .bind_bool(6, r.must_change_password)
        .bind_bool(7, r.activated);
    return s.run();
}

Status SqliteTxn::delete_roles(uint64_t partition_id) {
    SR_TRY(require_writable("delete_roles"));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("DELETE FROM roles WHERE partition_id = ?"));
    s.bind_u64(0, partition_id);
    return s.run();
}

// ---- policies

Result<std::vector<PolicyRecord>> SqliteTxn::policies(uint64_t partition_id) {
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("SELECT policy_id, value FROM policies "
                                             "WHERE partition_id = ? ORDER BY policy_id"));
    s.bind_u64(0, partition_id);
    std::vector<PolicyRecord> out;
    for (;;) {
        SR_ASSIGN_OR_RETURN(bool row, s.step());
        if (!row) break;
        out.push_back({partition_id, static_cast<uint32_t>(s.col_i64(0)), s.col_u64(1)});
    }
    return out;
}

Status SqliteTxn::put_policy(const PolicyRecord& r) {
    SR_TRY(require_writable("put_policy"));
    SR_TRY(require_partition(r.partition_id));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare("INSERT OR REPLACE INTO policies "
                                             "(partition_id, policy_id, value) VALUES (?, ?, ?)"));
    s.bind_u64(0, r.partition_id).bind_i64(1, r.policy_id).bind_u64(2, r.value);
    return s.run();
}

// ---- audit

Status SqliteTxn::append_audit(AuditRecord rec) {
    SR_TRY(require_writable("append_audit"));
    {
        SR_ASSIGN_OR_RETURN(Stmt last,
                            m_db.prepare("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1"));
        SR_ASSIGN_OR_RETURN(bool row, last.step());
        rec.seq = row ? last.col_u64(0) + 1 : 1;
        rec.prev_hash = row ? last.col_blob(1) : audit::genesis_hash();
    }
    if (rec.time == 0) {
        rec.time = std::chrono::duration_cast<std::chrono::seconds>(
                       m_env.now().time_since_epoch())
                       .count();
    }
    SR_ASSIGN_OR_RETURN(rec.hash, audit::record_hash(rec));
    SR_ASSIGN_OR_RETURN(Stmt s, m_db.prepare(
                                    "INSERT INTO audit (seq, time, partition_id, actor, event, "
                                    "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    s.bind_u64(0, rec.seq)
        .bind_i64(1, rec.time)
        .bind_u64(2, rec.partition_id)
        .bind_text(3, rec.actor)
        .bind_text(4, rec.event)
        .bind_text(5, rec.detail)
        .bind_blob(6, rec.prev_hash)
        .bind_blob(7, rec.hash);
    SR_TRY(s.run());
    // The head lets verify_audit_chain notice a deleted tail, which the chain alone cannot.
    SR_ASSIGN_OR_RETURN(Stmt head, m_db.prepare("INSERT OR REPLACE INTO meta (key, value) "
                                                "VALUES ('audit_head', ?)"));
    std::string value = std::to_string(rec.seq) + ":" + to_hex(rec.hash);
    head.bind_text(0, value);
    return head.run();
}

}  // namespace sr::store
