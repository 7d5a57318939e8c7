#include "appliance/appliance_service.h"

#include "appliance/server_identity.h"
#include "common/log.h"
#include "net/status.h"

namespace sr::appliance {
namespace {

namespace pb = ::strongroom::v1;
using Ctx = grpc::ServerContext;

void to_proto(const ClientView& v, pb::ClientInfo* out) {
    out->set_name(v.name);
    out->set_hostname(v.hostname);
    out->set_certificate_fingerprint(v.certificate_fingerprint);
    for (const auto& p : v.partitions) out->add_partitions(p);
}

grpc::Status reply(const Result<ClientView>& r, pb::ClientInfo* out) {
    if (!r) return net::to_grpc(r.status());
    to_proto(*r, out);
    return grpc::Status::OK;
}

class ApplianceService final : public pb::Appliance::Service {
public:
    ApplianceService(ClientRegistry& registry, Env& env, std::filesystem::path home,
                     std::string listen)
        : m_registry(registry), m_env(env), m_home(std::move(home)), m_listen(std::move(listen)) {}

    grpc::Status RegisterClient(Ctx*, const pb::RegisterClientRequest* in,
                                pb::ClientInfo* out) override {
        auto r = m_registry.register_client(in->name(), in->hostname(), in->certificate_pem());
        if (r) log::info("appliance: registered client '{}'", r->name);
        return reply(r, out);
    }
    grpc::Status DeleteClient(Ctx*, const pb::ClientRef* in, pb::Empty*) override {
        Status st = m_registry.delete_client(in->name());
        if (st) log::info("appliance: deleted client '{}'", in->name());
        return net::to_grpc(st);
    }
    grpc::Status ListClients(Ctx*, const pb::Empty*, pb::ClientList* out) override {
        for (const auto& v : m_registry.list()) to_proto(v, out->add_clients());
        return grpc::Status::OK;
    }
    grpc::Status ShowClient(Ctx*, const pb::ClientRef* in, pb::ClientInfo* out) override {
        return reply(m_registry.show(in->name()), out);
    }
    grpc::Status AssignPartition(Ctx*, const pb::AssignmentRequest* in,
                                 pb::ClientInfo* out) override {
        auto r = m_registry.assign(in->client(), in->partition());
        if (r) log::info("appliance: assigned '{}' to '{}'", in->partition(), in->client());
        return reply(r, out);
    }
    grpc::Status RevokePartition(Ctx*, const pb::AssignmentRequest* in,
                                 pb::ClientInfo* out) override {
        auto r = m_registry.revoke(in->client(), in->partition());
        if (r) log::info("appliance: revoked '{}' from '{}'", in->partition(), in->client());
        return reply(r, out);
    }
    grpc::Status NtlsShow(Ctx*, const pb::Empty*, pb::NtlsInfo* out) override {
        return net::to_grpc(ntls_info(out));
    }
    grpc::Status RegenCert(Ctx*, const pb::RegenCertRequest* in, pb::NtlsInfo* out) override {
        std::vector<std::string> hostnames(in->hostnames().begin(), in->hostnames().end());
        if (Status st = write_server_identity(m_env, m_home, hostnames); !st)
            return net::to_grpc(st);
        log::info("appliance: new server certificate written; effective after a restart");
        return net::to_grpc(ntls_info(out));
    }

private:
    Status ntls_info(pb::NtlsInfo* out) const {
        SR_ASSIGN_OR_RETURN(ServerIdentityInfo id, read_server_identity(m_env, m_home));
        out->set_listen(m_listen);
        out->set_server_certificate_fingerprint(id.fingerprint);
        out->set_server_certificate_subject(id.subject);
        out->set_tls_versions("TLSv1.3");
        // Registered clients with an attached application: the closest honest stand-in for
        // Luna's NTLS connection count (docs/design/appliance.md "ntls show").
        out->set_connected_clients(m_registry.connected_clients());
        return {};
    }

    ClientRegistry& m_registry;
    Env& m_env;
    const std::filesystem::path m_home;
    const std::string m_listen;
};

}  // namespace

std::unique_ptr<pb::Appliance::Service> make_appliance_service(ClientRegistry& registry, Env& env,
                                                               std::filesystem::path home,
                                                               std::string listen) {
    return std::make_unique<ApplianceService>(registry, env, std::move(home), std::move(listen));
}

}  // namespace sr::appliance
