#include "appliance/client_registry.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "crypto/primitives.h"
#include "crypto/x509.h"

namespace sr::appliance {
namespace {

using nlohmann::json;

constexpr size_t kMaxNameLength = 64;

// Names appear in srsh output and in log lines: keep them to host-name-like characters.
Status check_name(std::string_view name) {
    if (name.empty()) return error(Err::ArgumentsBad, "client name is empty");
    if (name.size() > kMaxNameLength)
        return error(Err::ArgumentsBad, "client name longer than 64 characters");
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) == 0 && c != '.' && c != '-' && c != '_' && c != ':')
            return error(Err::ArgumentsBad,
                         "client name may hold letters, digits, '.', '-', '_' and ':' only");
    }
    return {};
}

Result<crypto::Certificate> parse_certificate(std::string_view pem) {
    auto cert = crypto::Certificate::from_pem(pem);
    if (!cert) return error(Err::ArgumentsBad, "not a PEM certificate: " + cert.status().message());
    return cert;
}

const hsm::PartitionInfo* by_name(const std::vector<hsm::PartitionInfo>& parts,
                                 std::string_view name) {
    auto it = std::find_if(parts.begin(), parts.end(),
                           [&](const hsm::PartitionInfo& p) { return p.name == name; });
    return it == parts.end() ? nullptr : &*it;
}

bool has_id(const std::vector<hsm::PartitionInfo>& parts, hsm::PartitionId id) {
    return std::any_of(parts.begin(), parts.end(),
                       [&](const hsm::PartitionInfo& p) { return p.id == id; });
}

}  // namespace

std::string ClientRegistry::colon_fingerprint(ByteView der) {
    auto digest = crypto::digest(crypto::Hash::Sha256, der);
    if (!digest) return {};
    std::string hex = to_hex(*digest);
    std::string out;
    for (size_t i = 0; i < hex.size(); i += 2) {
        if (i > 0) out += ':';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
    }
    return out;
}

Result<ClientRegistry::Record> ClientRegistry::record_from_json(
    const json& c, const std::vector<hsm::PartitionInfo>& parts) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
        !c.contains("certificate_pem") || !c["certificate_pem"].is_string())
        return error(Err::DataInvalid, "a client entry lacks name or certificate_pem");
    Record r;
    r.name = c["name"].get<std::string>();
    if (c.contains("hostname") && c["hostname"].is_string())
        r.hostname = c["hostname"].get<std::string>();
    r.certificate_pem = c["certificate_pem"].get<std::string>();
    auto cert = crypto::Certificate::from_pem(std::string_view(r.certificate_pem));
    if (!cert) return error(Err::DataInvalid, r.name + ": " + cert.status().message());
    r.certificate_der = cert->der();
    r.canonical_pem = cert->pem();
    const json none = json::array();
    const json& names = c.contains("partitions") ? c["partitions"] : none;
    const json& ids = c.contains("partition_ids") ? c["partition_ids"] : none;
    if (!names.is_array() || !ids.is_array())
        return error(Err::DataInvalid, r.name + ": partitions is not a list");
    const bool have_ids = ids.size() == names.size();
    for (size_t i = 0; i < names.size(); ++i) {
        if (!names[i].is_string() || (have_ids && !ids[i].is_number_unsigned()))
            return error(Err::DataInvalid, r.name + ": a partition entry is malformed");
        Assignment a{names[i].get<std::string>(), 0};
        if (have_ids) {
            a.id = ids[i].get<hsm::PartitionId>();
        } else {
            // A hand-written registry names partitions only: take them as they are now.
            auto it = std::find_if(parts.begin(), parts.end(),
                                   [&](const hsm::PartitionInfo& p) { return p.name == a.name; });
            if (it == parts.end()) continue;
            a.id = it->id;
        }
        r.partitions.push_back(std::move(a));
    }
    return r;
}

Result<std::unique_ptr<ClientRegistry>> ClientRegistry::open(Env& env, std::filesystem::path path,
                                                             hsm::Device& device) {
    std::unique_ptr<ClientRegistry> reg(new ClientRegistry(env, std::move(path), device));
    if (!env.exists(reg->m_path)) return reg;
    SR_ASSIGN_OR_RETURN(Bytes text, env.read_file(reg->m_path));
    const json doc = json::parse(text.begin(), text.end(), nullptr, false);
    const std::string where = reg->m_path.string() + ": ";
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("clients") ||
        !doc["clients"].is_array())
        return error(Err::DataInvalid, where + "not a client registry");
    const auto parts = reg->device_partitions();
    std::vector<Record> records;
    for (const auto& c : doc["clients"]) {
        auto r = record_from_json(c, parts);
        if (!r) return r.status().with_context(where);
        records.push_back(std::move(*r));
    }
    MutexLock lock(reg->m_mu);
    reg->m_records = std::move(records);
    return reg;
}

Status ClientRegistry::persist_locked(const std::vector<Record>& records) const {
    json clients = json::array();
    for (const auto& r : records) {
        json names = json::array();
        json ids = json::array();
        for (const auto& a : r.partitions) {
            names.push_back(a.name);
            ids.push_back(a.id);
        }
        clients.push_back({{"name", r.name},
                           {"hostname", r.hostname},
                           {"certificate_pem", r.certificate_pem},
                           {"partitions", names},
                           {"partition_ids", ids}});
    }
    const std::string text = json{{"clients", clients}}.dump(2) + "\n";
    return m_env.write_file_atomic(m_path, as_bytes(text), 0600);
}

std::vector<hsm::PartitionInfo> ClientRegistry::device_partitions() const {
    auto parts = m_device.partitions();
    if (!parts) {
        log::warn("client registry: listing partitions failed: {}", parts.status().to_string());
        return {};
    }
    return std::move(*parts);
}

void ClientRegistry::prune_locked(const std::vector<hsm::PartitionInfo>& parts) const {
    auto pruned = m_records;
    bool changed = false;
    for (auto& r : pruned) {
        const auto before = r.partitions.size();
        std::erase_if(r.partitions, [&](const Assignment& a) { return !has_id(parts, a.id); });
        changed = changed || r.partitions.size() != before;
    }
    if (!changed) return;
    if (Status st = persist_locked(pruned); !st) {
        log::warn("client registry: dropping deleted partitions: {}", st.to_string());
        return;
    }
    m_records = std::move(pruned);
}

const ClientRegistry::Record* ClientRegistry::find_locked(std::string_view name) const {
    auto it = std::find_if(m_records.begin(), m_records.end(),
                           [&](const Record& r) { return r.name == name; });
    return it == m_records.end() ? nullptr : &*it;
}

ClientView ClientRegistry::view_of(const Record& r) {
    ClientView v{r.name, r.hostname, colon_fingerprint(r.certificate_der), {}};
    for (const auto& a : r.partitions) v.partitions.push_back(a.name);
    return v;
}

Result<ClientView> ClientRegistry::register_client(std::string_view name, std::string_view hostname,
                                                   std::string_view certificate_pem) {
    SR_TRY(check_name(name));
    SR_ASSIGN_OR_RETURN(crypto::Certificate cert, parse_certificate(certificate_pem));
    Bytes der = cert.der();
    MutexLock lock(m_mu);
    if (find_locked(name) != nullptr)
        return error(Err::AlreadyExists, "client '" + std::string(name) + "' is already registered");
    for (const auto& r : m_records) {
        if (r.certificate_der == der)
            return error(Err::AlreadyExists,
                         "this certificate is already registered as client '" + r.name + "'");
    }
    auto next = m_records;
    next.push_back(Record{std::string(name), std::string(hostname), std::string(certificate_pem),
                          cert.pem(), std::move(der), {}});
    SR_TRY(persist_locked(next));
    m_records = std::move(next);
    return view_of(m_records.back());
}

Status ClientRegistry::delete_client(std::string_view name) {
    MutexLock lock(m_mu);
    if (find_locked(name) == nullptr)
        return error(Err::NotFound, "no client named '" + std::string(name) + "'");
    auto next = m_records;
    std::erase_if(next, [&](const Record& r) { return r.name == name; });
    SR_TRY(persist_locked(next));
    m_records = std::move(next);
    return {};
}

std::vector<ClientView> ClientRegistry::list() const {
    const auto parts = device_partitions();
    MutexLock lock(m_mu);
    prune_locked(parts);
    std::vector<ClientView> out;
    for (const auto& r : m_records) out.push_back(view_of(r));
    return out;
}

Result<ClientView> ClientRegistry::show(std::string_view name) const {
    const auto parts = device_partitions();
    MutexLock lock(m_mu);
    prune_locked(parts);
    const Record* r = find_locked(name);
    if (r == nullptr) return error(Err::NotFound, "no client named '" + std::string(name) + "'");
    return view_of(*r);
}

Result<ClientView> ClientRegistry::assign(std::string_view client, std::string_view partition) {
    const auto parts = device_partitions();
    MutexLock lock(m_mu);
    prune_locked(parts);
    if (find_locked(client) == nullptr)
        return error(Err::NotFound, "no client named '" + std::string(client) + "'");
    const hsm::PartitionInfo* part = by_name(parts, partition);
    if (part == nullptr)
        return error(Err::NotFound, "no partition named '" + std::string(partition) + "'");
    auto next = m_records;
    auto& r = *std::find_if(next.begin(), next.end(), [&](const Record& x) { return x.name == client; });
    if (std::any_of(r.partitions.begin(), r.partitions.end(),
                    [&](const Assignment& a) { return a.id == part->id; }))
        return error(Err::AlreadyExists, "partition '" + std::string(partition) +
                                             "' is already assigned to '" + r.name + "'");
    r.partitions.push_back(Assignment{part->name, part->id});
    ClientView view = view_of(r);
    SR_TRY(persist_locked(next));
    m_records = std::move(next);
    return view;
}

Result<ClientView> ClientRegistry::revoke(std::string_view client, std::string_view partition) {
    const auto parts = device_partitions();
    MutexLock lock(m_mu);
    prune_locked(parts);
    if (find_locked(client) == nullptr)
        return error(Err::NotFound, "no client named '" + std::string(client) + "'");
    auto next = m_records;
    auto& r = *std::find_if(next.begin(), next.end(), [&](const Record& x) { return x.name == client; });
    auto it = std::find_if(r.partitions.begin(), r.partitions.end(),
                           [&](const Assignment& a) { return a.name == partition; });
    if (it == r.partitions.end())
        return error(Err::NotFound, "partition '" + std::string(partition) +
                                        "' is not assigned to '" + r.name + "'");
    r.partitions.erase(it);
    ClientView view = view_of(r);
    SR_TRY(persist_locked(next));
    m_records = std::move(next);
    return view;
}

Result<std::string> ClientRegistry::client_for_certificate(std::string_view peer_pem) const {
    {
        // gRPC reports the peer as OpenSSL writes PEM: the canonical form matches exactly.
        MutexLock lock(m_mu);
        for (const auto& r : m_records) {
            if (r.canonical_pem == peer_pem) return r.name;
        }
    }
    auto cert = crypto::Certificate::from_pem(peer_pem);
    if (!cert) return error(Err::NotFound, "the peer certificate does not parse");
    MutexLock lock(m_mu);
    for (const auto& r : m_records) {
        if (r.certificate_der == cert->der()) return r.name;
    }
    return error(Err::NotFound, "the peer certificate is not registered");
}

std::vector<hsm::PartitionId> ClientRegistry::assigned_partitions(std::string_view client) const {
    MutexLock lock(m_mu);
    std::vector<hsm::PartitionId> out;
    const Record* r = find_locked(client);
    if (r == nullptr) return out;
    for (const auto& a : r->partitions) out.push_back(a.id);
    return out;
}

void ClientRegistry::attached_clients_changed(const std::vector<std::string>& clients) const {
    MutexLock lock(m_attached_mu);
    m_attached = clients;
}

size_t ClientRegistry::connected_clients() const {
    std::vector<std::string> attached;
    {
        MutexLock lock(m_attached_mu);
        attached = m_attached;
    }
    MutexLock lock(m_mu);
    return static_cast<size_t>(std::count_if(attached.begin(), attached.end(), [&](const auto& n) {
        return find_locked(n) != nullptr;
    }));
}

}  // namespace sr::appliance
