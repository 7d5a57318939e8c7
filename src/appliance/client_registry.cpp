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

Result<Bytes> certificate_der(std::string_view pem) {
    auto cert = crypto::Certificate::from_pem(pem);
    if (!cert) return error(Err::ArgumentsBad, "not a PEM certificate: " + cert.status().message());
    return cert->der();
}

bool has_name(const std::vector<hsm::PartitionInfo>& parts, std::string_view name) {
    return std::any_of(parts.begin(), parts.end(),
                       [&](const hsm::PartitionInfo& p) { return p.name == name; });
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
    std::vector<Record> records;
    for (const auto& c : doc["clients"]) {
        if (!c.is_object() || !c.contains("name") || !c["name"].is_string() ||
            !c.contains("certificate_pem") || !c["certificate_pem"].is_string())
            return error(Err::DataInvalid, where + "a client entry lacks name or certificate_pem");
        Record r;
        r.name = c["name"].get<std::string>();
        r.hostname = c.value("hostname", std::string{});
        r.certificate_pem = c["certificate_pem"].get<std::string>();
        auto der = certificate_der(r.certificate_pem);
        if (!der) return error(Err::DataInvalid, where + r.name + ": " + der.status().message());
        r.certificate_der = std::move(*der);
        if (c.contains("partitions")) {
            if (!c["partitions"].is_array())
                return error(Err::DataInvalid, where + r.name + ": partitions is not a list");
            for (const auto& p : c["partitions"]) {
                if (!p.is_string())
                    return error(Err::DataInvalid, where + r.name + ": a partition is not a name");
                r.partitions.push_back(p.get<std::string>());
            }
        }
        records.push_back(std::move(r));
    }
    MutexLock lock(reg->m_mu);
    reg->m_records = std::move(records);
    return reg;
}

Status ClientRegistry::persist_locked(const std::vector<Record>& records) const {
    json clients = json::array();
    for (const auto& r : records) {
        clients.push_back({{"name", r.name},
                           {"hostname", r.hostname},
                           {"certificate_pem", r.certificate_pem},
                           {"partitions", r.partitions}});
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
        std::erase_if(r.partitions, [&](const std::string& n) { return !has_name(parts, n); });
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
    return ClientView{r.name, r.hostname, colon_fingerprint(r.certificate_der), r.partitions};
}

Result<ClientView> ClientRegistry::register_client(std::string_view name, std::string_view hostname,
                                                   std::string_view certificate_pem) {
    SR_TRY(check_name(name));
    SR_ASSIGN_OR_RETURN(Bytes der, certificate_der(certificate_pem));
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
                          std::move(der), {}});
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
    if (!has_name(parts, partition))
        return error(Err::NotFound, "no partition named '" + std::string(partition) + "'");
    auto next = m_records;
    auto& r = *std::find_if(next.begin(), next.end(), [&](const Record& x) { return x.name == client; });
    if (std::find(r.partitions.begin(), r.partitions.end(), partition) != r.partitions.end())
        return error(Err::AlreadyExists, "partition '" + std::string(partition) +
                                             "' is already assigned to '" + r.name + "'");
    r.partitions.emplace_back(partition);
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
    auto it = std::find(r.partitions.begin(), r.partitions.end(), partition);
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
    auto cert = crypto::Certificate::from_pem(peer_pem);
    if (!cert) return error(Err::NotFound, "the peer certificate does not parse");
    MutexLock lock(m_mu);
    for (const auto& r : m_records) {
        if (r.certificate_der == cert->der()) return r.name;
    }
    return error(Err::NotFound, "the peer certificate is not registered");
}

std::vector<hsm::PartitionId> ClientRegistry::assigned_partitions(std::string_view client) const {
    const auto parts = device_partitions();
    MutexLock lock(m_mu);
    prune_locked(parts);
    std::vector<hsm::PartitionId> out;
    const Record* r = find_locked(client);
    if (r == nullptr) return out;
    for (const auto& name : r->partitions) {
        auto it = std::find_if(parts.begin(), parts.end(),
                               [&](const hsm::PartitionInfo& p) { return p.name == name; });
        if (it != parts.end()) out.push_back(it->id);
    }
    return out;
}

}  // namespace sr::appliance
