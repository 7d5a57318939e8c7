// The SQLite implementation of Txn: typed reads and writes of every record over one connection
// that already holds an open transaction. Lives only for the duration of one Store::read or
// Store::write call, on that caller's thread.
#pragma once

#include "common/env.h"
#include "store/sqlite_db.h"
#include "store/store.h"

namespace sr::store {

class SqliteTxn final : public Txn {
public:
    SqliteTxn(Db& db, Env& env, bool writable) : m_db(db), m_env(env), m_writable(writable) {}

    Result<std::optional<std::string>> get_meta(std::string_view key) override;
    Status put_meta(std::string_view key, std::string_view value) override;

    Result<HsmRecord> hsm() override;
    Status put_hsm(const HsmRecord& rec) override;

    Result<std::vector<PartitionRecord>> partitions() override;
    Result<std::optional<PartitionRecord>> partition(uint64_t id) override;
    Result<std::optional<PartitionRecord>> partition_by_name(std::string_view name) override;
    Result<uint64_t> insert_partition(const PartitionRecord& rec) override;
    Status update_partition(const PartitionRecord& rec) override;
    Status delete_partition(uint64_t id) override;

    Result<std::optional<RoleRecord>> role(uint64_t partition_id, RoleId role) override;
    Result<std::vector<RoleRecord>> roles(uint64_t partition_id) override;
    Status put_role(const RoleRecord& rec) override;
    Status delete_roles(uint64_t partition_id) override;

    Result<std::vector<PolicyRecord>> policies(uint64_t partition_id) override;
    Status put_policy(const PolicyRecord& rec) override;

    // Objects: implemented in object_rows.cpp.
    Result<uint64_t> insert_object(const ObjectRecord& rec) override;
    Result<std::optional<ObjectRecord>> object(uint64_t handle) override;
    Status update_object(const ObjectRecord& rec) override;
    Status delete_object(uint64_t handle) override;
    Status delete_objects(uint64_t partition_id) override;
    Result<std::vector<ObjectRecord>> find_objects(const ObjectQuery& q) override;
    Result<std::vector<uint64_t>> find_handles(const ObjectQuery& q) override;
    Result<uint64_t> count_objects(uint64_t partition_id) override;

    Status append_audit(AuditRecord rec) override;

private:
    Status require_writable(std::string_view what) const;
    Result<std::vector<PartitionRecord>> query_partitions(std::string_view sql,
                                                          const std::function<void(Stmt&)>& bind);
    Status require_partition(uint64_t partition_id);
    Result<Stmt> bind_object_query(const ObjectQuery& q, std::string_view columns);

    Db& m_db;
    Env& m_env;
    bool m_writable;
};

}  // namespace sr::store
