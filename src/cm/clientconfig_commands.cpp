// `clientconfig createcert / addserver / listservers / deleteserver / verify`: this client's
// certificate and the network servers it trusts (BEHAVIOUR.md "Homes, devices, factory"), worded
// as the vendor's `vtl` tool answers (luna-reference §2.5). The file is client/client_config.h.
#include <fmt/format.h>

#include "client/client_config.h"
#include "cm/commands.h"
#include "cm/hsm_admin.h"

namespace sr::cm {
namespace {

using admin::SpecCommand;
using shell::ValueKind;

std::string indent(std::string_view text) { return "        " + std::string(text); }

// After the server list changed: network slots come first, so local slot numbers move; the
// shell's logins follow their tokens.
Status renumber(Invocation& in) { return in.state.renumber(); }

class CreateCert final : public SpecCommand {
  public:
    CreateCert()
        : SpecCommand({"clientconfig", "", "createcert", "",
                       "Create this client's certificate",
                       "Makes a new P-256 key and a self-signed client certificate named NAME, "
                       "written as cert/client/NAME.pem and cert/client/NAMEKey.pem (mode 0600) in "
                       "the client home and recorded in client.toml. The appliance administrator "
                       "registers the certificate with 'client register' in srsh. Refuses to "
                       "replace an existing certificate unless -force is given.",
                       {{"name", "n", ValueKind::Text, true, "<name>",
                         "The client name (the certificate's common name)."},
                        {"force", "f", ValueKind::Flag, false, "", "Replace an existing certificate."}}}) {}

    Status run(Invocation& in) override {
        PosixEnv env;
        const auto& home = in.state.client().home();
        SR_ASSIGN_OR_RETURN(client::ClientIdentity id,
                            client::create_client_certificate(env, home, *in.args.text("name"),
                                                              in.args.has("force")));
        const std::string key = client::in_home(home, id.key).string();
        const std::string cert = client::in_home(home, id.cert).string();
        in.reply.line(indent("Private Key created and written to: " + key));
        in.reply.line(indent("Certificate created and written to: " + cert));
        in.reply.data() = {{"name", *in.args.text("name")}, {"key", key}, {"certificate", cert}};
        return {};
    }
};

class AddServer final : public SpecCommand {
  public:
    AddServer()
        : SpecCommand({"clientconfig", "", "addserver", "",
                       "Trust a network server",
                       "Copies the server's certificate (server.pem from the appliance home) to "
                       "cert/server/ in the client home and appends the server to client.toml. "
                       "Its partitions assigned to this client appear as slots, before the local "
                       "ones, in the order the servers were added. -force replaces the "
                       "certificate of a server already listed.",
                       {{"server", "", ValueKind::Text, true, "<host:port>",
                         "The server's address and port."},
                        {"certfile", "c", ValueKind::Text, true, "<file>",
                         "The server's certificate (PEM)."},
                        {"force", "f", ValueKind::Flag, false, "",
                         "Replace the certificate of a listed server."}}}) {}

    Status run(Invocation& in) override {
        PosixEnv env;
        const std::string address = *in.args.text("server");
        const std::string file = *in.args.text("certfile");
        auto pem = env.read_file(file);
        if (!pem)
            return error(Err::ArgumentsBad, "cannot read the certificate file " + file + ": " +
                                                pem.status().message());
        const bool listed = [&] {
            auto config = client::load_client_config(env, in.state.client().home());
            return config && config->find_server(address) != nullptr;
        }();
        SR_ASSIGN_OR_RETURN(client::ServerEntry entry,
                            client::add_server(env, in.state.client().home(), address,
                                               to_string(*pem), in.args.has("force")));
        in.reply.line(indent(listed ? "Certificate of server " + address + " replaced."
                                    : "New server " + address +
                                          " successfully added to server list."));
        in.reply.data() = {{"server", entry.address}, {"certfile", entry.certfile},
                           {"replaced", listed}};
        return renumber(in);
    }
};

class ListServers final : public SpecCommand {
  public:
    ListServers()
        : SpecCommand({"clientconfig", "", "listservers", "",
                       "List the network servers this client trusts",
                       "One line per server of client.toml, in slot order.", {}}) {}

    Status run(Invocation& in) override {
        PosixEnv env;
        SR_ASSIGN_OR_RETURN(client::ClientConfig config,
                            client::load_client_config(env, in.state.client().home()));
        nlohmann::json servers = nlohmann::json::array();
        for (const auto& s : config.servers) {
            // No hardware trust link (HTL) exists here; the column stays for scripts that read it.
            in.reply.line(indent("Server: " + s.address + "  HTL required: no"));
            servers.push_back({{"server", s.address}, {"certfile", s.certfile},
                               {"htl_required", false}});
        }
        if (config.servers.empty()) in.reply.line(indent("No servers are in the server list."));
        in.reply.data()["servers"] = std::move(servers);
        return {};
    }
};

class DeleteServer final : public SpecCommand {
  public:
    DeleteServer()
        : SpecCommand({"clientconfig", "", "deleteserver", "",
                       "Stop trusting a network server",
                       "Removes the server from client.toml and its certificate copy from "
                       "cert/server/. Its slots disappear; local slots are renumbered.",
                       {{"server", "", ValueKind::Text, true, "<host:port>",
                         "The server's address and port, as listservers shows it."}}}) {}

    Status run(Invocation& in) override {
        PosixEnv env;
        const std::string address = *in.args.text("server");
        SR_TRY(client::delete_server(env, in.state.client().home(), address));
        in.reply.line(indent("Server " + address + " successfully removed from server list."));
        in.reply.data() = {{"server", address}};
        return renumber(in);
    }
};

// As `vtl verify`: the partitions this client sees on its servers, by slot, then the servers
// that could not be reached (the command then fails, so scripts notice).
class Verify final : public SpecCommand {
  public:
    Verify()
        : SpecCommand({"clientconfig", "", "verify", "",
                       "List the network partitions this client sees",
                       "Connects to every server of the server list and prints the partitions "
                       "assigned to this client, with the slot each one has. A server that "
                       "cannot be reached is named with the reason, and the command fails.",
                       {}}) {}

    Status run(Invocation& in) override {
        SR_TRY(renumber(in));
        nlohmann::json partitions = nlohmann::json::array();
        std::vector<std::string> rows;
        for (const auto& slot : in.state.client().slots()) {
            if (slot->kind != client::SlotKind::NetworkPartition) continue;
            SR_ASSIGN_OR_RETURN(hsm::PartitionInfo p, slot->dev().partition_info(slot->partition));
            const std::string label = p.initialized ? p.label : p.name;
            rows.push_back(fmt::format("{:<4}{:>17}        {}", slot->id, p.serial, label));
            partitions.push_back({{"slot", slot->id}, {"serial", p.serial}, {"label", label},
                                  {"server", slot->device->server}});
        }
        const auto servers = in.state.client().servers();
        if (servers.empty()) {
            in.reply.line(indent("No servers are in the server list."));
        } else if (rows.empty()) {
            in.reply.line(indent("No network partitions were found."));
        } else {
            in.reply.line(indent("The following network partitions were found:"));
            in.reply.line();
            in.reply.line(indent("Slot    Serial #                Label"));
            in.reply.line(indent("====    ================        ====="));
            for (const auto& r : rows) in.reply.line(indent(r));
        }
        nlohmann::json server_data = nlohmann::json::array();
        std::vector<std::string> unreachable;
        for (const auto& s : servers) {
            nlohmann::json j{{"server", s.address}, {"reachable", s.status.is_ok()},
                             {"partitions", s.partitions}};
            if (!s.status) {
                j["message"] = s.status.message();
                unreachable.push_back(s.address);
                if (unreachable.size() == 1) in.reply.line();
                in.reply.line(indent("Server " + s.address + " is unreachable: " +
                                     s.status.message()));
            }
            server_data.push_back(std::move(j));
        }
        in.reply.data() = {{"partitions", std::move(partitions)}, {"servers", std::move(server_data)}};
        if (unreachable.empty()) return {};
        std::string names;
        for (const auto& u : unreachable) names += (names.empty() ? "" : ", ") + u;
        return error(Err::UnableToConnect, std::to_string(unreachable.size()) + " of " +
                                               std::to_string(servers.size()) +
                                               " servers could not be reached: " + names);
    }
};

}  // namespace

Commands clientconfig_commands() {
    Commands c;
    c.push_back(std::make_unique<CreateCert>());
    c.push_back(std::make_unique<AddServer>());
    c.push_back(std::make_unique<ListServers>());
    c.push_back(std::make_unique<DeleteServer>());
    c.push_back(std::make_unique<Verify>());
    return c;
}

}  // namespace sr::cm
