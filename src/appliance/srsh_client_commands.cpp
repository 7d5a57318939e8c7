// `client register`, `list`, `show`, `delete`, `assignpartition`, `revokepartition`
// (luna-reference §2.5, BEHAVIOUR.md "Homes, devices, factory"): which client certificates
// strongroomd accepts and which partitions each client sees.
#include <fmt/format.h>

#include "appliance/srsh_commands.h"

namespace sr::appliance::srsh {
namespace {

using shell::ValueKind;

shell::OptionSpec client_option() {
    return {"client", "c", ValueKind::Text, true, "<name>", "The client name ('client list')."};
}
shell::OptionSpec partition_option() {
    return {"partition", "p",      ValueKind::Text,
            true,        "<name>", "The partition name ('partition list')."};
}

nlohmann::json to_json(const ClientRecord& c) {
    return {{"name", c.name},
            {"hostname", c.hostname},
            {"certificate_fingerprint", c.certificate_fingerprint},
            {"partitions", c.partitions}};
}

std::string quoted_list(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "\"" : ", \"") + n + "\"";
    return s.empty() ? "(none)" : s;
}

void show(Reply& r, const ClientRecord& c) {
    r.line(field("ClientID", c.name, 16));
    r.line(field("Hostname", c.hostname.empty() ? "(not given)" : c.hostname, 16));
    r.line(field("Fingerprint", c.certificate_fingerprint, 16));
    r.line(field("Partitions", quoted_list(c.partitions), 16));
    r.data() = to_json(c);
}

class ClientRegister final : public SpecCommand {
  public:
    ClientRegister()
        : SpecCommand(
              {"client",
               "",
               "register",
               "",
               "Register a client certificate",
               "Registers a client by its certificate (the <name>.pem that 'clientconfig "
               "createcert' wrote on the client host, copied to the appliance). strongroomd "
               "accepts TLS connections only from registered certificates; a registered client "
               "sees no partition until 'client assignpartition'. -hostname or -ip records where "
               "the client runs (informational).",
               {client_option(),
                {"certfile", "", ValueKind::Text, true, "<file>",
                 "The client's certificate (PEM)."},
                {"hostname", "", ValueKind::Text, false, "<host>", "The client's host name."},
                {"ip", "", ValueKind::Text, false, "<address>", "The client's IP address."}}},
              {"client register -client client1 -certfile client1.pem -hostname host1",
               "client register -c web2 -certfile /tmp/web2.pem -ip 10.0.0.12"}) {}

    Status run(Invocation& in) override {
        if (in.args.has("hostname") && in.args.has("ip"))
            return error(Err::ArgumentsBad, "give -hostname or -ip, not both");
        const std::string name = *in.args.text("client");
        if (name.empty()) return error(Err::ArgumentsBad, "the client name is empty");
        SR_ASSIGN_OR_RETURN(std::string pem, read_text_file(*in.args.text("certfile"), "certfile"));
        const std::string host = in.args.text("hostname").value_or(in.args.text("ip").value_or(""));
        SR_ASSIGN_OR_RETURN(ClientRecord c, in.state.appliance().register_client(name, pem, host));
        show(in.reply, c);
        return {};
    }
};

class ClientList final : public SpecCommand {
  public:
    ClientList()
        : SpecCommand({"client",
                       "",
                       "list",
                       "",
                       "List the registered clients",
                       "One line per registered client, in registration order: "
                       "'registered client <n>: <name>'.",
                       {}},
                      {"client list"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(auto clients, in.state.appliance().list_clients());
        nlohmann::json list = nlohmann::json::array();
        for (size_t i = 0; i < clients.size(); ++i) {
            in.reply.line(fmt::format("registered client {}: {}", i + 1, clients[i].name));
            list.push_back(to_json(clients[i]));
        }
        if (clients.empty()) in.reply.line("No clients are registered.");
        in.reply.data() = {{"clients", std::move(list)}};
        return {};
    }
};

class ClientShow final : public SpecCommand {
  public:
    ClientShow()
        : SpecCommand({"client",
                       "",
                       "show",
                       "",
                       "Show a registered client",
                       "The client's name, host, certificate fingerprint (SHA-256) and the "
                       "partitions assigned to it, in assignment order.",
                       {client_option()}},
                      {"client show -client client1"}) {}

    Status run(Invocation& in) override {
        SR_ASSIGN_OR_RETURN(ClientRecord c,
                            in.state.appliance().show_client(*in.args.text("client")));
        show(in.reply, c);
        return {};
    }
};

class ClientDelete final : public SpecCommand {
  public:
    ClientDelete()
        : SpecCommand({"client",
                       "",
                       "delete",
                       "",
                       "Delete a registered client",
                       "Forgets the client's certificate and its partition assignments: its "
                       "next connection is refused. Asks for 'proceed' unless -force is given.",
                       {client_option(), force_option()}},
                      {"client delete -client client1", "client delete -c client1 -force"}) {}

    Status run(Invocation& in) override {
        const std::string name = *in.args.text("client");
        SR_TRY(in.state.appliance().show_client(name).status());
        SR_TRY(confirm(in,
                       {"CAUTION: Are you sure you wish to delete the client named: " + name + "?"},
                       "delete the client"));
        SR_TRY(in.state.appliance().delete_client(name));
        in.reply.data() = {{"name", name}};
        return {};
    }
};

// assignpartition and revokepartition differ only in the call and the words.
class ClientAssignment final : public SpecCommand {
  public:
    explicit ClientAssignment(bool assign)
        : SpecCommand({"client",
                       "",
                       assign ? "assignpartition" : "revokepartition",
                       "",
                       assign ? "Let a client see a partition" : "Stop a client seeing a partition",
                       assign ? "Assigns the partition to the client: the client's next "
                                "sessions see it as a slot (after 'clientconfig verify' on "
                                "the client). A partition may be assigned to several clients."
                              : "Revokes the client's assignment of the partition: from its "
                                "next session on, the client no longer sees it (sessions "
                                "already open end with the connection).",
                       {client_option(), partition_option()}},
                      {std::string("client ") + (assign ? "assign" : "revoke") +
                       "partition -client client1 -partition par1"}),
          m_assign(assign) {}

    Status run(Invocation& in) override {
        const std::string client = *in.args.text("client");
        const std::string partition = *in.args.text("partition");
        SR_TRY(partition_named(in, partition).status());
        ApplianceAdmin& a = in.state.appliance();
        SR_ASSIGN_OR_RETURN(ClientRecord c, m_assign ? a.assign_partition(client, partition)
                                                     : a.revoke_partition(client, partition));
        show(in.reply, c);
        return {};
    }

  private:
    const bool m_assign;
};

}  // namespace

Commands client_commands() {
    Commands c;
    c.push_back(std::make_unique<ClientRegister>());
    c.push_back(std::make_unique<ClientList>());
    c.push_back(std::make_unique<ClientShow>());
    c.push_back(std::make_unique<ClientDelete>());
    c.push_back(std::make_unique<ClientAssignment>(true));
    c.push_back(std::make_unique<ClientAssignment>(false));
    return c;
}

}  // namespace sr::appliance::srsh
