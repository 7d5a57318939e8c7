// In-memory state of one partition inside a LocalDevice: its unsealed storage key, the cache of
// decoded token objects (with their parsed crypto::Key, built once), and its session objects.
// Internal to LocalDevice. Thread-safety: `storage_key` and `id` are immutable; the maps are
// guarded by `mu`, held only for map lookups and updates, never across crypto work.
#pragma once

#include <map>
#include <memory>

#include "common/mutex.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/key.h"
#include "hsm/attributes.h"
#include "hsm/device.h"

namespace sr::hsm {

// One decoded object (attributes with unsealed secrets). Immutable once shared, except the
// lazily built key, which is built at most once under its own lock.
class LoadedObject final {
public:
    LoadedObject(ObjectHandle handle, AttributeSet attrs, bool token, AppId owner_app,
                 SessionId owner_session)
        : m_handle(handle), m_attrs(std::move(attrs)), m_token(token), m_owner_app(owner_app),
          m_owner_session(owner_session) {}

    ObjectHandle handle() const noexcept { return m_handle; }
    const AttributeSet& attrs() const noexcept { return m_attrs; }
    bool token() const noexcept { return m_token; }
    bool is_private() const { return m_attrs.flag(attr::kPrivate, true); }
    AppId owner_app() const noexcept { return m_owner_app; }
    SessionId owner_session() const noexcept { return m_owner_session; }
    uint64_t object_class() const {
        return m_attrs.get_ulong(attr::kClass).value_or(cls::kData);
    }

    // The usable key (KeyTypeInconsistent for data objects and certificates).
    Result<std::shared_ptr<const crypto::Key>> key() const;

private:
    const ObjectHandle m_handle;
    const AttributeSet m_attrs;
    const bool m_token;
    const AppId m_owner_app;
    const SessionId m_owner_session;
    mutable Mutex m_key_mu;
    mutable std::shared_ptr<const crypto::Key> m_key SR_GUARDED_BY(m_key_mu);
};

using ObjectPtr = std::shared_ptr<const LoadedObject>;

struct PartitionRuntime {
    PartitionRuntime(PartitionId pid, SecretBytes key) : id(pid), storage_key(std::move(key)) {}

    const PartitionId id;
    const SecretBytes storage_key;  // empty for partition 0 and uninitialized partitions
    Mutex mu;
    std::map<ObjectHandle, ObjectPtr> token_cache SR_GUARDED_BY(mu);
    std::map<ObjectHandle, ObjectPtr> session_objects SR_GUARDED_BY(mu);
    // Bumped after every committed change to a token object. A load that read the store under
    // an older epoch does not enter the cache, so a stale copy never outlives a change.
    uint64_t epoch SR_GUARDED_BY(mu) = 0;

    using PolicyValues = std::map<uint32_t, uint64_t>;
    // This partition's policy values, read from the store by `read` (a
    // Result<PolicyValues>() callable) only on a miss: every key generation, creation and wrap
    // checks them. LocalDevice calls forget_policy_values() after committing a policy change;
    // a read that began before that does not fill the cache.
    template <class Read>
    Result<std::shared_ptr<const PolicyValues>> policy_values(Read&& read) {
        uint64_t seen = 0;
        {
            MutexLock lock(mu);
            if (m_policy_values) return m_policy_values;
            seen = m_policy_epoch;
        }
        SR_ASSIGN_OR_RETURN(PolicyValues values, read());
        auto shared = std::make_shared<const PolicyValues>(std::move(values));
        MutexLock lock(mu);
        if (m_policy_epoch == seen) m_policy_values = shared;
        return shared;
    }
    void forget_policy_values() {
        MutexLock lock(mu);
        m_policy_values.reset();
        ++m_policy_epoch;
    }

private:
    std::shared_ptr<const PolicyValues> m_policy_values SR_GUARDED_BY(mu);
    uint64_t m_policy_epoch SR_GUARDED_BY(mu) = 0;
};

}  // namespace sr::hsm
