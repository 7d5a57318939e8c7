// LocalDevice: hsm::Device implemented in-process over a device folder (store, master key,
// identity). Used directly for local devices (PCIe, USB, Backup) and by strongroomd for its
// network device. Thread-safe: app/session tables under one short-held lock, per-partition
// runtime state under per-partition locks, per-session locks for session state; the store
// serializes writes. One LocalDevice per device folder per process.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "common/env.h"
#include "common/mutex.h"
#include "common/sharded_index.h"
#include "hsm/device.h"
#include "hsm/device_folder.h"
#include "hsm/partition_runtime.h"
#include "hsm/session.h"
#include "store/store.h"

namespace sr::hsm {

class CloneEngine;  // hsm/clone_engine.h

class LocalDevice final : public Device {
public:
    // Opens the device folder (see open_device_folder for the errors; nothing changes on error).
    static Result<std::unique_ptr<LocalDevice>> open(Env& env, const std::filesystem::path& folder);
    ~LocalDevice() override = default;

    const DeviceConfig& config() const noexcept { return m_config; }
    const std::filesystem::path& folder() const noexcept { return m_folder; }
    Generation generation() const noexcept { return m_generation; }

    Result<DeviceInfo> info() override;
    Result<std::vector<MechanismDescription>> mechanisms() override;
    Result<AppId> attach() override;
    Status detach(AppId app) override;

    Status init_hsm(AppId app, const HsmInitParams& params) override;
    Result<std::vector<PartitionInfo>> partitions() override;
    Result<PartitionInfo> partition_info(PartitionId id) override;
    Result<PartitionId> create_partition(AppId app, const PartitionCreateParams& p) override;
    Status delete_partition(AppId app, PartitionId id) override;
    Status init_partition(AppId app, PartitionId id, const PartitionInitParams& p) override;

    Result<SessionId> open_session(AppId app, PartitionId partition, bool read_write) override;
    Status close_session(SessionId s) override;
    Status close_all_sessions(AppId app, PartitionId partition) override;
    Result<SessionInfo> session_info(SessionId s) override;

    Status login(SessionId s, Role role, std::string_view password) override;
    Status logout(SessionId s) override;
    Status init_role(SessionId s, Role role, std::string_view password) override;
    Status change_password(SessionId s, Role role, std::string_view old_password,
                           std::string_view new_password) override;
    Status reset_password(SessionId s, Role role, std::string_view new_password) override;
    Result<RoleState> role_state(PartitionId partition, Role role) override;

    Result<std::vector<PolicyValue>> hsm_policies() override;
    Result<std::vector<PolicyValue>> partition_policies(PartitionId partition) override;
    Result<PolicyChangeResult> set_hsm_policies(AppId app,
                                                std::span<const PolicyValue> changes) override;
    Result<PolicyChangeResult> set_partition_policies(
        AppId app, PartitionId partition, std::span<const PolicyValue> changes) override;

    Result<ObjectHandle> create_object(SessionId s, const AttributeSet& tmpl) override;
    Result<ObjectHandle> copy_object(SessionId s, ObjectHandle h,
                                     const AttributeSet& changes) override;
    Status destroy_object(SessionId s, ObjectHandle h) override;
    Result<AttributeReadout> get_attributes(SessionId s, ObjectHandle h,
                                            std::span<const AttrType> types) override;
    Status set_attributes(SessionId s, ObjectHandle h, const AttributeSet& changes) override;
    Status find_init(SessionId s, const AttributeSet& tmpl) override;
    Result<std::vector<ObjectHandle>> find_next(SessionId s, size_t max_count) override;
    Status find_final(SessionId s) override;

    Result<ObjectHandle> generate_key(SessionId s, const crypto::Mechanism& m,
                                      const AttributeSet& tmpl) override;
    Result<KeyPairHandles> generate_key_pair(SessionId s, const crypto::Mechanism& m,
                                             const AttributeSet& public_tmpl,
                                             const AttributeSet& private_tmpl) override;
    Result<Bytes> wrap_key(SessionId s, const crypto::Mechanism& m, ObjectHandle wrapping,
                           ObjectHandle key) override;
    Result<ObjectHandle> unwrap_key(SessionId s, const crypto::Mechanism& m,
                                    ObjectHandle unwrapping, ByteView wrapped,
                                    const AttributeSet& tmpl) override;
    Result<ObjectHandle> derive_key(SessionId s, const crypto::Mechanism& m, ObjectHandle base,
                                    const AttributeSet& tmpl) override;

    Status encrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) override;
    Result<Bytes> encrypt(SessionId s, ByteView data) override;
    Result<Bytes> encrypt_update(SessionId s, ByteView data) override;
    Result<Bytes> encrypt_final(SessionId s) override;
    Status decrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) override;
    Result<SecretBytes> decrypt(SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_update(SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_final(SessionId s) override;
    Status sign_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) override;
    Result<Bytes> sign(SessionId s, ByteView data) override;
    Status sign_update(SessionId s, ByteView data) override;
    Result<Bytes> sign_final(SessionId s) override;
    Status verify_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) override;
    Status verify(SessionId s, ByteView data, ByteView signature) override;
    Status verify_update(SessionId s, ByteView data) override;
    Status verify_final(SessionId s, ByteView signature) override;
    Status digest_init(SessionId s, const crypto::Mechanism& m) override;
    Result<Bytes> digest(SessionId s, ByteView data) override;
    Status digest_update(SessionId s, ByteView data) override;
    Result<Bytes> digest_final(SessionId s) override;
    // Digest of a key and dual-function updates (local_crypto_extra.cpp).
    Status digest_key(SessionId s, ObjectHandle key) override;
    Result<Bytes> digest_encrypt_update(SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_digest_update(SessionId s, ByteView data) override;
    Result<Bytes> sign_encrypt_update(SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_verify_update(SessionId s, ByteView data) override;
    Status sign_recover_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) override;
    Result<Bytes> sign_recover(SessionId s, ByteView data) override;
    Status verify_recover_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) override;
    Result<Bytes> verify_recover(SessionId s, ByteView signature) override;
    Result<uint32_t> active_operations(SessionId s) override;
    Result<Bytes> generate_random(SessionId s, size_t length) override;

    // Cloning (local_clone.cpp): delegated to a CloneEngine made on first use.
    Result<Bytes> clone_hello(SessionId target) override;
    Result<CloneSourceResult> clone_source(SessionId source, ByteView hello,
                                           std::span<const ObjectHandle> objects) override;
    Result<CloneTargetResult> clone_target(SessionId target, ByteView sealed) override;

    // Proof and masking (local_masking.cpp).
    Result<std::vector<ObjectFingerprint>> object_fingerprints(
        SessionId s, std::span<const ObjectHandle> objects) override;
    Result<Bytes> extract_masked(SessionId s, ObjectHandle h) override;
    Result<ObjectHandle> insert_masked(SessionId s, ByteView blob) override;

    // ---- Engine-internal hooks for the cloning protocol (src/hsm only). Plaintext key material
    // passes through them, so they are deliberately not part of hsm::Device and never cross
    // src/net. Both respect the session's login and object visibility.
    // Every attribute of an object, secrets included, OUID included.
    Result<AttributeSet> export_object(SessionId s, ObjectHandle h);
    // Stores a complete object as a token object keeping its OUID (validated as Origin::Clone).
    // ObjectAlreadyExists when the partition already holds that OUID.
    Result<ObjectHandle> import_object(SessionId s, AttributeSet complete);
    // A batch of complete objects, one outcome each in order (a handle, or why not: e.g.
    // ObjectAlreadyExists, ObjectTypeInvalid, KeySizeRange, CurveNotSupported). All accepted
    // objects are written in one store transaction; if it fails, one transaction each. Each
    // object is whole or absent. Fails as a whole only for the session (SessionReadOnly...).
    Result<std::vector<Result<ObjectHandle>>> import_objects(SessionId s,
                                                             std::vector<AttributeSet> objects);
    // The partition's (or, for 0, the HSM's) cloning-domain key, unsealed.
    Result<SecretBytes> domain_key(PartitionId p);
    store::Store& store() noexcept { return *m_store; }

private:
    LocalDevice(Env& env, OpenedFolder opened);

    struct AppState {
        std::map<PartitionId, Role> logins;
    };
    // What an object call needs: the session, its partition runtime and the app's login.
    struct ObjectContext {
        std::shared_ptr<Session> session;
        std::shared_ptr<PartitionRuntime> runtime;
        std::optional<Role> login;
        bool user() const;  // a role that may see private objects
    };

    // ---- Tables (local_device.cpp)
    Result<std::shared_ptr<Session>> find_session(SessionId s) SR_EXCLUDES(m_mu);
    std::optional<Role> login_of(AppId app, PartitionId p) SR_EXCLUDES(m_mu);
    Status require_login(AppId app, PartitionId p, Role role) SR_EXCLUDES(m_mu);
    Result<std::shared_ptr<PartitionRuntime>> runtime(PartitionId p) SR_EXCLUDES(m_runtime_mu);
    // Forget a partition's runtime state and close every session on it (all partitions when
    // `p` is nullopt) — after zeroize, delete, init. `admin_logins`: also end HSM SO logins.
    void reset_partition_state(std::optional<PartitionId> p, bool admin_logins = true)
        SR_EXCLUDES(m_mu, m_runtime_mu);
    Result<ObjectContext> object_context(SessionId s);
    Result<PartitionInfo> to_info(const store::PartitionRecord& rec);

    // ---- Operations (local_crypto.cpp): the key of handle `h` for crypto::op flag `op`.
    struct OperationKey {
        ObjectContext ctx;
        ObjectPtr obj;
        std::shared_ptr<const crypto::Key> key;
    };
    Result<OperationKey> operation_key(SessionId s, ObjectHandle h, uint32_t op);
    // The same for signatures with recovery, whose usage attribute (CKA_SIGN_RECOVER /
    // CKA_VERIFY_RECOVER) is `usage` (local_crypto_extra.cpp).
    Result<OperationKey> recover_key(SessionId s, ObjectHandle h, AttrType usage);
    Result<std::map<uint32_t, uint64_t>> partition_policy_values(PartitionId p);

    // ---- Authentication (local_auth.cpp)
    Status record_failed_login(PartitionId p, Role role);
    Status check_password_policy(std::string_view password) const;

    // ---- Objects (local_objects.cpp)
    Result<ObjectPtr> load_object(const ObjectContext& ctx, ObjectHandle h);
    Result<ObjectHandle> store_new_object(const ObjectContext& ctx, AttributeSet attrs);
    // New objects get a fresh OUID unless `keep_ouid` (import of a cloned object).
    Result<std::vector<ObjectHandle>> store_new_objects(const ObjectContext& ctx,
                                                        std::vector<AttributeSet> batch,
                                                        bool keep_ouid = false);
    Result<store::ObjectRecord> to_record(const PartitionRuntime& rt, const AttributeSet& attrs,
                                          uint64_t handle);
    Status check_object_write(const ObjectContext& ctx, const AttributeSet& attrs) const;
    Status check_key_management(const ObjectContext& ctx);
    void forget_cached(PartitionRuntime& rt, ObjectHandle h);
    void drop_session_objects(PartitionRuntime& rt, std::optional<SessionId> session,
                              std::optional<AppId> private_of_app);

    // ---- Policies (local_admin.cpp)
    Result<std::map<uint32_t, uint64_t>> policy_values(store::Txn& txn, PartitionId p);

    Env& m_env;
    const std::filesystem::path m_folder;
    const DeviceConfig m_config;
    const Generation m_generation;
    const SecretBytes m_master_key;
    const std::unique_ptr<store::Store> m_store;
    Bytes m_identity_cert_der;

    Mutex m_mu;
    uint64_t m_next_app SR_GUARDED_BY(m_mu) = 1;
    uint64_t m_next_session SR_GUARDED_BY(m_mu) = 1;
    std::map<AppId, AppState> m_apps SR_GUARDED_BY(m_mu);
    std::map<SessionId, std::shared_ptr<Session>> m_sessions SR_GUARDED_BY(m_mu);
    // The same sessions for find_session, which takes no device-wide lock (it runs on every
    // call); changed only under m_mu, together with m_sessions.
    ShardedIndex<std::shared_ptr<Session>> m_session_index;

    std::atomic<uint64_t> m_next_session_object{kSessionHandleBase};

    Mutex m_runtime_mu;
    std::map<PartitionId, std::shared_ptr<PartitionRuntime>> m_runtimes SR_GUARDED_BY(m_runtime_mu);

    // Cloning state (pending hellos); shared_ptr so CloneEngine can stay incomplete here.
    Result<std::shared_ptr<CloneEngine>> clone_engine() SR_EXCLUDES(m_clone_mu);
    Mutex m_clone_mu;
    std::shared_ptr<CloneEngine> m_clone SR_GUARDED_BY(m_clone_mu);
};

}  // namespace sr::hsm
