// The SQLite store of one device: versioned schema, explicit transactions, and typed access to
// the HSM record, partitions, roles, policies, objects and the hash-chained audit log.
// Values that are sensitive arrive here already sealed by the engine; the store never sees
// plaintext key material. Thread-safe: a Store may be used from many threads; writes are
// serialized, each write transaction is atomic and durable when it returns (WAL,
// synchronous=FULL).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/env.h"
#include "common/result.h"

namespace sr::store {

inline constexpr int kSchemaVersion = 1;

// ---- Records

struct HsmRecord {
    std::string label;              // empty until HSM init
    bool initialized = false;
    std::string so_credential;      // password hash (crypto::hash_password), empty = none
    uint32_t so_failed_logins = 0;
    Bytes domain_fingerprint;       // HSM (admin partition) cloning domain
    Bytes domain_key_sealed;        // sealed under the device master key
    int64_t initialized_at = 0;     // unix seconds
};

struct PartitionRecord {
    uint64_t id = 0;                // assigned by the store on insert; never reused
    std::string name;               // the name given at `partition create`
    std::string label;              // set at partition init (empty until then)
    uint64_t serial = 0;            // partition serial number shown to users
    bool initialized = false;
    Bytes storage_key_sealed;       // partition storage key, sealed under the master key
    Bytes domain_key_sealed;        // key derived from the cloning domain, sealed
    Bytes domain_fingerprint;       // public fingerprint of the domain
    bool so_can_reset_pin = false;  // HSM policy 15 as it was when the partition was created
    int64_t created_at = 0;
};

// Role ids are stable numbers persisted in the store (see docs/design/store-schema.md).
enum class RoleId : uint32_t {
    HsmSo = 1,           // partition_id 0
    HsmAuditor = 2,      // partition_id 0
    PartitionSo = 10,
    CryptoOfficer = 11,  // also the pre-PPSO partition owner
    CryptoUser = 12,
    LimitedCryptoOfficer = 13,
    Auditor = 14,
};

struct RoleRecord {
    uint64_t partition_id = 0;      // 0 = the HSM itself
    RoleId role = RoleId::HsmSo;
    std::string credential;         // password hash; empty = role not initialized
    std::string challenge;          // activation challenge hash (PED partitions); may be empty
    uint32_t failed_logins = 0;
    bool locked_out = false;
    bool must_change_password = false;
    bool activated = false;
};

struct PolicyRecord {
    uint64_t partition_id = 0;      // 0 = HSM policies
    uint32_t policy_id = 0;
    uint64_t value = 0;
};

// One token object. Searchable attributes are columns (indexed); every attribute is also in
// `attrs` (the engine's encoding of the non-sensitive attributes) or in `sealed_attrs` (the
// engine's encoding of the sealed sensitive attributes).
struct ObjectRecord {
    uint64_t handle = 0;            // assigned on insert; stable across restarts; never reused
    uint64_t partition_id = 0;
    Bytes ouid;                     // unique per partition (UNIQUE constraint)
    uint64_t object_class = 0;      // CKA_CLASS
    std::optional<uint64_t> key_type;  // CKA_KEY_TYPE
    Bytes label;                    // CKA_LABEL
    Bytes id;                       // CKA_ID
    bool is_private = true;         // CKA_PRIVATE
    Bytes attrs;
    Bytes sealed_attrs;
    uint64_t size_bytes = 0;        // storage accounting
};

// Conjunction of the given criteria; each is an index lookup.
struct ObjectQuery {
    uint64_t partition_id = 0;
    std::optional<uint64_t> object_class;
    std::optional<uint64_t> key_type;
    std::optional<Bytes> label;
    std::optional<Bytes> id;
    std::optional<Bytes> ouid;
    bool include_private = true;
    size_t limit = 0;               // 0 = no limit
};

struct AuditRecord {
    uint64_t seq = 0;               // assigned on append
    int64_t time = 0;               // unix seconds
    uint64_t partition_id = 0;
    std::string actor;              // "HSM SO", "Crypto Officer", ...
    std::string event;              // "partition.create", "login.fail", ...
    std::string detail;             // never contains secrets
    Bytes prev_hash;
    Bytes hash;                     // SHA-256 over prev_hash and the fields above
};

// ---- Access inside a transaction. Obtained only from Store::read / Store::write.
// Errors: AlreadyExists for a duplicate partition name, ObjectAlreadyExists for a duplicate OUID
// in a partition, NotFound for update/delete of a missing row or a role/policy/object naming a
// partition that does not exist (partition 0, the HSM, always exists), StoreIo for disk errors.

class Txn {
public:
    virtual ~Txn() = default;

    virtual Result<std::optional<std::string>> get_meta(std::string_view key) = 0;
    virtual Status put_meta(std::string_view key, std::string_view value) = 0;

    virtual Result<HsmRecord> hsm() = 0;
    virtual Status put_hsm(const HsmRecord& rec) = 0;

    virtual Result<std::vector<PartitionRecord>> partitions() = 0;
    virtual Result<std::optional<PartitionRecord>> partition(uint64_t id) = 0;
    virtual Result<std::optional<PartitionRecord>> partition_by_name(std::string_view name) = 0;
    virtual Result<uint64_t> insert_partition(const PartitionRecord& rec) = 0;  // returns id
    virtual Status update_partition(const PartitionRecord& rec) = 0;
    // Deletes the partition with its roles, policies and objects.
    virtual Status delete_partition(uint64_t id) = 0;

    virtual Result<std::optional<RoleRecord>> role(uint64_t partition_id, RoleId role) = 0;
    virtual Result<std::vector<RoleRecord>> roles(uint64_t partition_id) = 0;
    virtual Status put_role(const RoleRecord& rec) = 0;  // insert or replace
    virtual Status delete_roles(uint64_t partition_id) = 0;

    virtual Result<std::vector<PolicyRecord>> policies(uint64_t partition_id) = 0;
    virtual Status put_policy(const PolicyRecord& rec) = 0;  // insert or replace

    virtual Result<uint64_t> insert_object(const ObjectRecord& rec) = 0;  // returns handle
    virtual Result<std::optional<ObjectRecord>> object(uint64_t handle) = 0;
    virtual Status update_object(const ObjectRecord& rec) = 0;
    virtual Status delete_object(uint64_t handle) = 0;
    virtual Status delete_objects(uint64_t partition_id) = 0;
    virtual Result<std::vector<ObjectRecord>> find_objects(const ObjectQuery& q) = 0;
    // Handles only (cheap listing).
    virtual Result<std::vector<uint64_t>> find_handles(const ObjectQuery& q) = 0;
    virtual Result<uint64_t> count_objects(uint64_t partition_id) = 0;

    // Appends to the hash chain; seq, prev_hash and hash are filled in.
    virtual Status append_audit(AuditRecord rec) = 0;
};

// How hard a commit waits for the disk. Full (the default) survives a killed process and a
// power cut; Normal survives only a killed process. Normal exists for benchmarks to measure the
// difference — devices always run Full.
enum class SyncMode : uint8_t { Full, Normal };

struct StoreOptions {
    // SQLite VFS name; empty = default. Tests use the fault-injecting VFS (store/fault_vfs.h).
    std::string vfs;
    bool create_if_missing = false;
    SyncMode sync = SyncMode::Full;
};

class Store {
public:
    virtual ~Store() = default;

    // Opens (or creates) the database at `path`, migrating older schemas in one transaction.
    // Errors: StoreCorrupt (not a database / integrity failure), StoreSchemaUnknown (newer
    // schema than this build), NotFound (missing and !create_if_missing), StoreIo.
    // On any error nothing on disk has changed. `env` must outlive the store.
    static Result<std::unique_ptr<Store>> open(const std::filesystem::path& path, Env& env,
                                               const StoreOptions& options);

    // Run `fn` in a read transaction (consistent snapshot). Reads run in parallel with each
    // other and with a write; Txn write methods fail inside a read.
    virtual Status read(const std::function<Status(Txn&)>& fn) = 0;
    // Run `fn` in a write transaction; committed (durably) if fn succeeds, rolled back if not
    // (also when fn throws). Writes are serialized. Calling read/write on the same store from
    // inside `fn` is refused with GeneralError (transactions on two different stores may nest).
    virtual Status write(const std::function<Status(Txn&)>& fn) = 0;

    // Walk the audit chain; Ok if intact, StoreCorrupt naming the first bad record if not.
    virtual Status verify_audit_chain() = 0;
    virtual Result<std::vector<AuditRecord>> audit_tail(size_t n) = 0;
};

}  // namespace sr::store
