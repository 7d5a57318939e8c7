// ApplianceAdmin over the generated stub of service Appliance; errors come back through the one
// gRPC mapping (net::from_grpc).
#include <grpcpp/grpcpp.h>

#include "appliance/srsh_appliance.h"
#include "net/status.h"
#include "strongroom/v1/device.grpc.pb.h"

namespace sr::appliance {
namespace {

namespace pb = strongroom::v1;

ClientRecord from_proto(const pb::ClientInfo& c) {
    ClientRecord r;
    r.name = c.name();
    r.hostname = c.hostname();
    r.certificate_fingerprint = c.certificate_fingerprint();
    r.partitions.assign(c.partitions().begin(), c.partitions().end());
    return r;
}

NtlsStatus from_proto(const pb::NtlsInfo& n) {
    return {n.listen(), n.server_certificate_fingerprint(), n.server_certificate_subject(),
            n.tls_versions(), n.connected_clients()};
}

class GrpcApplianceAdmin final : public ApplianceAdmin {
  public:
    explicit GrpcApplianceAdmin(const std::shared_ptr<grpc::Channel>& channel)
        : m_stub(pb::Appliance::NewStub(channel)) {}

    Result<ClientRecord> register_client(const std::string& name,
                                         const std::string& certificate_pem,
                                         const std::string& hostname) override {
        pb::RegisterClientRequest req;
        req.set_name(name);
        req.set_certificate_pem(certificate_pem);
        req.set_hostname(hostname);
        return client_call(&pb::Appliance::Stub::RegisterClient, req);
    }
    Status delete_client(const std::string& name) override {
        pb::ClientRef req;
        req.set_name(name);
        pb::Empty reply;
        grpc::ClientContext ctx;
        return net::from_grpc(m_stub->DeleteClient(&ctx, req, &reply));
    }
    Result<std::vector<ClientRecord>> list_clients() override {
        pb::ClientList reply;
        grpc::ClientContext ctx;
        SR_TRY(net::from_grpc(m_stub->ListClients(&ctx, pb::Empty(), &reply)));
        std::vector<ClientRecord> out;
        for (const auto& c : reply.clients()) out.push_back(from_proto(c));
        return out;
    }
    Result<ClientRecord> show_client(const std::string& name) override {
        pb::ClientRef req;
        req.set_name(name);
        return client_call(&pb::Appliance::Stub::ShowClient, req);
    }
    Result<ClientRecord> assign_partition(const std::string& client,
                                          const std::string& partition) override {
        return client_call(&pb::Appliance::Stub::AssignPartition, assignment(client, partition));
    }
    Result<ClientRecord> revoke_partition(const std::string& client,
                                          const std::string& partition) override {
        return client_call(&pb::Appliance::Stub::RevokePartition, assignment(client, partition));
    }
    Result<NtlsStatus> ntls_show() override {
        pb::NtlsInfo reply;
        grpc::ClientContext ctx;
        SR_TRY(net::from_grpc(m_stub->NtlsShow(&ctx, pb::Empty(), &reply)));
        return from_proto(reply);
    }
    Result<NtlsStatus> regen_cert(const std::vector<std::string>& hostnames) override {
        pb::RegenCertRequest req;
        for (const auto& h : hostnames) req.add_hostnames(h);
        pb::NtlsInfo reply;
        grpc::ClientContext ctx;
        SR_TRY(net::from_grpc(m_stub->RegenCert(&ctx, req, &reply)));
        return from_proto(reply);
    }

  private:
    static pb::AssignmentRequest assignment(const std::string& client,
                                            const std::string& partition) {
        pb::AssignmentRequest req;
        req.set_client(client);
        req.set_partition(partition);
        return req;
    }

    template <typename Request>
    Result<ClientRecord> client_call(grpc::Status (pb::Appliance::Stub::*rpc)(grpc::ClientContext*,
                                                                              const Request&,
                                                                              pb::ClientInfo*),
                                     const Request& req) {
        pb::ClientInfo reply;
        grpc::ClientContext ctx;
        SR_TRY(net::from_grpc(((*m_stub).*rpc)(&ctx, req, &reply)));
        return from_proto(reply);
    }

    std::unique_ptr<pb::Appliance::Stub> m_stub;
};

}  // namespace

Result<std::unique_ptr<ApplianceAdmin>> connect_appliance_admin(
    const std::filesystem::path& socket) {
    // The admin socket's protection is its file mode (0600 in a 0700 folder), as for a local
    // console: the channel carries no TLS.
    auto channel = grpc::CreateChannel("unix:" + std::filesystem::absolute(socket).string(),
                                       grpc::InsecureChannelCredentials());
    if (!channel) return error(Err::DeviceError, "cannot open a channel to " + socket.string());
    return std::unique_ptr<ApplianceAdmin>(std::make_unique<GrpcApplianceAdmin>(channel));
}

}  // namespace sr::appliance
