// LocalDevice: opening, device info, applications, sessions and the shared tables.
#include "hsm/local_device.h"

#include "crypto/mechanism.h"
#include "hsm/key_attributes.h"
#include "hsm/sealing.h"

namespace sr::hsm {

Result<std::shared_ptr<const crypto::Key>> LoadedObject::key() const {
    MutexLock lock(m_key_mu);
    if (m_key) return m_key;
    uint64_t c = object_class();
    if (c != cls::kPublicKey && c != cls::kPrivateKey && c != cls::kSecretKey)
        return error(Err::KeyTypeInconsistent, "object is not a key");
    SR_ASSIGN_OR_RETURN(crypto::Key k, key_from_attributes(m_attrs));
    m_key = std::make_shared<const crypto::Key>(std::move(k));
    return m_key;
}

bool LocalDevice::ObjectContext::user() const {
    return login && (*login == Role::CryptoOfficer || *login == Role::CryptoUser ||
                     *login == Role::LimitedCryptoOfficer);
}

Result<std::unique_ptr<LocalDevice>> LocalDevice::open(Env& env,
                                                       const std::filesystem::path& folder) {
    SR_ASSIGN_OR_RETURN(OpenedFolder opened, open_device_folder(env, folder));
    auto cert = load_identity_certificate(env, folder);
    Bytes cert_der = cert ? cert->der() : Bytes{};
    std::unique_ptr<LocalDevice> dev(new LocalDevice(env, std::move(opened)));
    dev->m_identity_cert_der = std::move(cert_der);
    return dev;
}

LocalDevice::LocalDevice(Env& env, OpenedFolder opened)
    : m_env(env),
      m_folder(std::move(opened.path)),
      m_config(std::move(opened.config)),
      m_generation(hsm::generation(m_config.firmware)),
      m_master_key(std::move(opened.master_key)),
      m_store(std::move(opened.store)) {}

Result<DeviceInfo> LocalDevice::info() {
    DeviceInfo out;
    out.serial = m_config.serial;
    out.model = m_config.model;
    out.form_factor = m_config.form_factor;
    out.firmware = m_config.firmware;
    out.auth = m_config.auth;
    out.identity_certificate_der = m_identity_cert_der;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(auto hsm, txn.hsm());
        out.hsm_label = hsm.label;
        out.hsm_initialized = hsm.initialized;
        out.hsm_domain_fingerprint = hsm.domain_fingerprint;
        SR_ASSIGN_OR_RETURN(auto parts, txn.partitions());
        out.partition_count = parts.size();
        return {};
    }); !st_) return st_;
    return out;
}

Result<std::vector<MechanismDescription>> LocalDevice::mechanisms() {
    std::vector<MechanismDescription> out;
    for (const auto& m : crypto::MechanismRegistry::standard().all())
        out.push_back({m.id, m.flags, m.min_key_size, m.max_key_size});
    return out;
}

Result<AppId> LocalDevice::attach() {
    MutexLock lock(m_mu);
    AppId id = m_next_app++;
    m_apps.emplace(id, AppState{});
    return id;
}

Status LocalDevice::detach(AppId app) {
    std::vector<std::shared_ptr<Session>> closing;
    {
        MutexLock lock(m_mu);
        if (m_apps.erase(app) == 0) return error(Err::ArgumentsBad, "unknown application");
        for (auto it = m_sessions.begin(); it != m_sessions.end();) {
            if (it->second->app() == app) {
                closing.push_back(it->second);
                (void)m_session_index.erase(it->first);
                it = m_sessions.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& s : closing) {
        {
            MutexLock slock(s->mu);
            s->closed = true;
        }
        if (auto rt = runtime(s->partition()); rt) drop_session_objects(**rt, s->id(), std::nullopt);
    }
    return {};
}

Result<SessionId> LocalDevice::open_session(AppId app, PartitionId partition, bool read_write) {
    if (partition != kAdminPartition) {
        bool exists = false;
        if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
            SR_ASSIGN_OR_RETURN(auto rec, txn.partition(partition));
            exists = rec.has_value();
            return {};
        }); !st_) return st_;
        if (!exists) return error(Err::SlotIdInvalid, "no partition with id " + std::to_string(partition));
    }
    MutexLock lock(m_mu);
    auto it = m_apps.find(app);
    if (it == m_apps.end()) return error(Err::ArgumentsBad, "unknown application");
    // A read-only session cannot join an app that is logged in as an SO (PKCS#11 §5.6).
    auto login = it->second.logins.find(partition);
    if (!read_write && login != it->second.logins.end() &&
        (login->second == Role::HsmSo || login->second == Role::PartitionSo))
        return error(Err::SessionReadWriteSoExists, "the SO is logged in on this slot");
    SessionId id = m_next_session++;
    auto session = std::make_shared<Session>(id, app, partition, read_write);
    (void)m_session_index.insert(id, session);  // ids are never reused
    m_sessions.emplace(id, std::move(session));
    return id;
}

Status LocalDevice::close_session(SessionId s) {
    std::shared_ptr<Session> session;
    {
        MutexLock lock(m_mu);
        auto it = m_sessions.find(s);
        if (it == m_sessions.end()) return error(Err::SessionHandleInvalid);
        session = it->second;
        m_sessions.erase(it);
        (void)m_session_index.erase(s);
        bool last = true;
        for (const auto& [id, other] : m_sessions)
            if (other->app() == session->app() && other->partition() == session->partition())
                last = false;
        if (last) {
            auto app = m_apps.find(session->app());
            if (app != m_apps.end()) app->second.logins.erase(session->partition());
        }
    }
    {
        MutexLock slock(session->mu);
        session->closed = true;
    }
    if (auto rt = runtime(session->partition()); rt)
        drop_session_objects(**rt, session->id(), std::nullopt);
    return {};
}

Status LocalDevice::close_all_sessions(AppId app, PartitionId partition) {
    std::vector<SessionId> ids;
    {
        MutexLock lock(m_mu);
        for (const auto& [id, s] : m_sessions)
            if (s->app() == app && s->partition() == partition) ids.push_back(id);
    }
    for (SessionId id : ids) (void)close_session(id);
    return {};
}

Result<SessionInfo> LocalDevice::session_info(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    SessionInfo out;
    out.app = session->app();
    out.partition = session->partition();
    out.read_write = session->read_write();
    out.logged_in = login_of(session->app(), session->partition());
    return out;
}

Result<std::shared_ptr<Session>> LocalDevice::find_session(SessionId s) {
    auto session = m_session_index.find(s);
    if (!session) return error(Err::SessionHandleInvalid);
    return session;
}

std::optional<Role> LocalDevice::login_of(AppId app, PartitionId p) {
    MutexLock lock(m_mu);
    auto it = m_apps.find(app);
    if (it == m_apps.end()) return std::nullopt;
    auto l = it->second.logins.find(p);
    if (l == it->second.logins.end()) return std::nullopt;
    return l->second;
}

Status LocalDevice::require_login(AppId app, PartitionId p, Role role) {
    auto login = login_of(app, p);
    if (!login)
        return error(Err::UserNotLoggedIn,
                     "the " + std::string(role_display_name(role)) + " must be logged in");
    if (*login != role)
        return error(Err::UserNotAuthorized, "only the " + std::string(role_display_name(role)) +
                                                 " may do this");
    return {};
}

Result<std::shared_ptr<PartitionRuntime>> LocalDevice::runtime(PartitionId p) {
    {
        MutexLock lock(m_runtime_mu);
        auto it = m_runtimes.find(p);
        if (it != m_runtimes.end()) return it->second;
    }
    SecretBytes storage_key;
    if (p != kAdminPartition) {
        std::optional<store::PartitionRecord> rec;
        if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
            SR_ASSIGN_OR_RETURN(rec, txn.partition(p));
            return {};
        }); !st_) return st_;
        if (!rec) return error(Err::SlotIdInvalid, "no partition with id " + std::to_string(p));
        if (rec->initialized && !rec->storage_key_sealed.empty()) {
            SR_ASSIGN_OR_RETURN(storage_key,
                                sealing::open_storage_key(m_master_key, p, rec->storage_key_sealed));
        }
    }
    MutexLock lock(m_runtime_mu);
    auto [it, inserted] =
        m_runtimes.emplace(p, std::make_shared<PartitionRuntime>(p, std::move(storage_key)));
    return it->second;
}

void LocalDevice::reset_partition_state(std::optional<PartitionId> p, bool admin_logins) {
    std::vector<std::shared_ptr<Session>> closing;
    {
        MutexLock lock(m_mu);
        for (auto it = m_sessions.begin(); it != m_sessions.end();) {
            // Zeroizing the whole HSM ends admin sessions' logins too, but keeps them open.
            bool hit = p ? it->second->partition() == *p
                         : it->second->partition() != kAdminPartition;
            if (hit) {
                closing.push_back(it->second);
                (void)m_session_index.erase(it->first);
                it = m_sessions.erase(it);
            } else {
                ++it;
            }
        }
        for (auto& [app, state] : m_apps) {
            for (auto it = state.logins.begin(); it != state.logins.end();) {
                bool drop = p ? it->first == *p : (admin_logins || it->first != kAdminPartition);
                it = drop ? state.logins.erase(it) : std::next(it);
            }
        }
    }
    for (auto& s : closing) {
        MutexLock slock(s->mu);
        s->closed = true;
    }
    MutexLock lock(m_runtime_mu);
    if (p)
        m_runtimes.erase(*p);
    else
        m_runtimes.clear();
}

Result<LocalDevice::ObjectContext> LocalDevice::object_context(SessionId s) {
    ObjectContext ctx;
    SR_ASSIGN_OR_RETURN(ctx.session, find_session(s));
    if (ctx.session->partition() == kAdminPartition)
        return error(Err::FunctionNotSupported, "the HSM admin slot holds no objects");
    SR_ASSIGN_OR_RETURN(ctx.runtime, runtime(ctx.session->partition()));
    if (ctx.runtime->storage_key.empty())
        return error(Err::PartitionNotInitialized, "the partition is not initialized");
    ctx.login = login_of(ctx.session->app(), ctx.session->partition());
    return ctx;
}

Result<PartitionInfo> LocalDevice::to_info(const store::PartitionRecord& rec) {
    PartitionInfo out;
    out.id = rec.id;
    out.name = rec.name;
    out.label = rec.label;
    out.serial = rec.serial;
    out.initialized = rec.initialized;
    out.domain_fingerprint = rec.domain_fingerprint;
    out.so_can_reset_pin = rec.so_can_reset_pin;
    return out;
}

}  // namespace sr::hsm
