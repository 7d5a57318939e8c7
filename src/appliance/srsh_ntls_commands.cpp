// `ntls show` and `sysconf regencert` (luna-reference §2.5): the NTLS service strongroomd runs
// and its server certificate.
#include <fmt/format.h>

#include "appliance/srsh_commands.h"

namespace sr::appliance::srsh {
namespace {

using shell::ValueKind;

void show(Reply& r, const NtlsStatus& n) {
    r.line(field("NTLS listening on", n.listen.empty() ? "(not listening)" : n.listen));
    r.line(field("TLS versions", n.tls_versions));
    r.line(field("Server certificate subject", n.server_certificate_subject));
    r.line(field("Server certificate fingerprint", n.server_certificate_fingerprint));
    r.line(field("Connected clients", std::to_string(n.connected_clients)));
    r.data() = {{"listen", n.listen},
                {"tls_versions", n.tls_versions},
                {"server_certificate_subject", n.server_certificate_subject},
                {"server_certificate_fingerprint", n.server_certificate_fingerprint},
                {"connected_clients", n.connected_clients}};
}

class NtlsShow final : public SpecCommand {
  public:
    NtlsShow()
        : SpecCommand({"ntls",
                       "",
                       "show",
                       "",
                       "Show the NTLS service",
                       "The address strongroomd listens on, the TLS versions it accepts, the "
                       "subject and SHA-256 fingerprint of its server certificate (server.pem "
                       "in the appliance home, which clients add with 'clientconfig addserver') "
                       "and the number of connected clients.",
                       {}},
                      {"ntls show"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(NtlsStatus n, in.state.appliance().ntls_show());
        show(in.reply, n);
        return {};
    }
};

class SysconfRegenCert final : public SpecCommand {
  public:
    SysconfRegenCert()
        : SpecCommand(
              {"sysconf",
               "",
               "regencert",
               "",
               "Make a new NTLS server key and certificate",
               "Replaces the appliance's server key and certificate (server.pem); -hostname names "
               "the host names and addresses the certificate is for (comma-separated). Every "
               "client must then add the new server.pem ('clientconfig deleteserver' and "
               "'clientconfig addserver'). The new certificate is used for connections after "
               "strongroomd restarts. Asks for 'proceed' unless -force is given.",
               {{"hostname", "", ValueKind::List, false, "<names>",
                 "Host names or addresses for the certificate: host1,10.0.0.5."},
                force_option()}},
              {"sysconf regencert",
               "sysconf regencert -hostname hsm1.example.com,10.0.0.5 -force"}) {}

    Status run(Invocation& in) override {
        SR_TRY(confirm(in,
                       {"CAUTION: This will replace the appliance's server certificate.",
                        "Every client must add the new server.pem before it can connect."},
                       "regenerate the certificate"));
        SR_ASSIGN_OR_RETURN(NtlsStatus n,
                            in.state.appliance().regen_cert(in.args.list("hostname")));
        show(in.reply, n);
        in.reply.line();
        in.reply.line("   Restart strongroomd for new connections to use the new certificate.");
        return {};
    }
};

}  // namespace

Commands ntls_commands() {
    Commands c;
    c.push_back(std::make_unique<NtlsShow>());
    c.push_back(std::make_unique<SysconfRegenCert>());
    return c;
}

}  // namespace sr::appliance::srsh
