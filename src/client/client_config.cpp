// client.toml: parse, render, atomic save, and the edits the clientconfig verbs make.
#include "client/client_config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <string.h>

#include "crypto/x509.h"

namespace sr::client {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kPublicMode = 0644;
constexpr mode_t kKeyMode = 0600;

Status bad(std::string_view what, const toml::node* where = nullptr) {
    std::string msg = "client.toml";
    if (where != nullptr && where->source().begin.line > 0)
        msg += " line " + std::to_string(where->source().begin.line);
    return error(Err::DataInvalid, msg + ": " + std::string(what));
}

// A string field of a table that allows only `allowed` keys.
Result<std::string> string_field(const toml::table& t, std::string_view key,
                                 std::string_view table_name) {
    const toml::node* n = t.get(key);
    if (n == nullptr)
        return bad(std::string(table_name) + " needs '" + std::string(key) + "'", &t);
    const auto* s = n->as_string();
    if (s == nullptr || s->get().empty())
        return bad("'" + std::string(key) + "' must be a non-empty string", n);
    return s->get();
}

Status only_keys(const toml::table& t, std::initializer_list<std::string_view> allowed,
                 std::string_view table_name) {
    for (const auto& [k, v] : t) {
        if (std::find(allowed.begin(), allowed.end(), k.str()) == allowed.end())
            return bad("unknown key '" + std::string(k.str()) + "' in " + std::string(table_name),
                       &v);
    }
    return {};
}

Result<ClientIdentity> parse_client(const toml::node& n) {
    const auto* t = n.as_table();
    if (t == nullptr) return bad("'client' must be a table", &n);
    SR_TRY(only_keys(*t, {"cert", "key"}, "[client]"));
    ClientIdentity id;
    SR_ASSIGN_OR_RETURN(id.cert, string_field(*t, "cert", "[client]"));
    SR_ASSIGN_OR_RETURN(id.key, string_field(*t, "key", "[client]"));
    return id;
}

Result<std::vector<ServerEntry>> parse_servers(const toml::node& n) {
    const auto* a = n.as_array();
    if (a == nullptr) return bad("'server' must be an array of tables ([[server]])", &n);
    std::vector<ServerEntry> out;
    for (const toml::node& e : *a) {
        const auto* t = e.as_table();
        if (t == nullptr) return bad("each 'server' must be a table ([[server]])", &e);
        SR_TRY(only_keys(*t, {"address", "certfile"}, "[[server]]"));
        ServerEntry s;
        SR_ASSIGN_OR_RETURN(s.address, string_field(*t, "address", "[[server]]"));
        SR_ASSIGN_OR_RETURN(s.certfile, string_field(*t, "certfile", "[[server]]"));
        if (auto hp = parse_server_address(s.address); !hp)
            return bad(hp.status().message(), t->get("address"));
        for (const auto& prev : out)
            if (prev.address == s.address)
                return bad("server " + s.address + " is listed twice", t);
        out.push_back(std::move(s));
    }
    return out;
}

bool file_name_safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

Result<SecretBytes> read_secret(Env& env, const fs::path& path) {
    SR_ASSIGN_OR_RETURN(Bytes raw, env.read_file(path));
    SecretBytes out(raw);
    explicit_bzero(raw.data(), raw.size());
    return out;
}

}  // namespace

const ServerEntry* ClientConfig::find_server(std::string_view address) const {
    for (const auto& s : servers)
        if (s.address == address) return &s;
    return nullptr;
}

Result<HostPort> parse_server_address(std::string_view address) {
    auto refuse = [&](std::string_view why) {
        return error(Err::ArgumentsBad, "'" + std::string(address) +
                                            "' is not a server address HOST:PORT: " +
                                            std::string(why));
    };
    HostPort out;
    std::string_view port;
    if (address.starts_with('[')) {
        const auto close = address.find(']');
        if (close == std::string_view::npos || close + 1 >= address.size() ||
            address[close + 1] != ':')
            return refuse("an IPv6 address is written [ADDRESS]:PORT");
        out.host = std::string(address.substr(1, close - 1));
        port = address.substr(close + 2);
    } else {
        const auto colon = address.rfind(':');
        if (colon == std::string_view::npos) return refuse("the port is missing");
        out.host = std::string(address.substr(0, colon));
        port = address.substr(colon + 1);
        if (out.host.find(':') != std::string::npos)
            return refuse("an IPv6 address is written [ADDRESS]:PORT");
    }
    if (out.host.empty()) return refuse("the host is missing");
    if (std::any_of(out.host.begin(), out.host.end(),
                    [](char c) { return c == ' ' || c == '\t' || c == '/' || c == '\\'; }))
        return refuse("the host has a character no host name has");
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535)
        return refuse("the port must be a number from 1 to 65535");
    out.port = static_cast<uint16_t>(value);
    return out;
}

std::string server_cert_path(const HostPort& server) {
    std::string host = server.host;
    std::replace_if(host.begin(), host.end(), [](char c) { return !file_name_safe(c); }, '_');
    return "cert/server/" + host + "_" + std::to_string(server.port) + ".pem";
}

fs::path client_config_path(const fs::path& home) { return home / kClientConfigFile; }

fs::path in_home(const fs::path& home, std::string_view path) {
    fs::path p(path);
    return p.is_absolute() ? p : home / p;
}

Result<ClientConfig> parse_client_config(std::string_view text) {
    toml::table doc;
    try {
        doc = toml::parse(text);
    } catch (const toml::parse_error& e) {
        return error(Err::DataInvalid, "client.toml line " +
                                           std::to_string(e.source().begin.line) + ": " +
                                           std::string(e.description()));
    }
    ClientConfig c;
    if (const toml::node* n = doc.get("client")) {
        SR_ASSIGN_OR_RETURN(c.client, parse_client(*n));
    }
    if (const toml::node* n = doc.get("server")) {
        SR_ASSIGN_OR_RETURN(c.servers, parse_servers(*n));
    }
    doc.erase("client");
    doc.erase("server");
    if (!doc.empty()) {
        std::ostringstream rest;
        rest << toml::toml_formatter(doc);
        c.other = rest.str();
    }
    return c;
}

Result<std::string> render_client_config(const ClientConfig& config) {
    toml::table doc;
    if (!config.other.empty()) {
        try {
            doc = toml::parse(config.other);
        } catch (const toml::parse_error& e) {
            return error(Err::DataInvalid, "client.toml: the tables kept from the old file do "
                                           "not parse: " + std::string(e.description()));
        }
    }
    if (config.client)
        doc.insert_or_assign("client",
                             toml::table{{"cert", config.client->cert}, {"key", config.client->key}});
    if (!config.servers.empty()) {
        toml::array servers;
        for (const auto& s : config.servers)
            servers.push_back(toml::table{{"address", s.address}, {"certfile", s.certfile}});
        doc.insert_or_assign("server", std::move(servers));
    }
    std::ostringstream out;
    out << "# Strongroom client configuration (docs/design/client-config.md). srcm clientconfig\n"
           "# rewrites this file; comments are not kept.\n\n"
        << toml::toml_formatter(doc) << "\n";
    return out.str();
}

Result<ClientConfig> load_client_config(Env& env, const fs::path& home) {
    const fs::path path = client_config_path(home);
    if (!env.exists(path)) return ClientConfig{};
    SR_ASSIGN_OR_RETURN(Bytes text, env.read_file(path));
    auto config = parse_client_config(to_string(text));
    if (!config)
        return error(config.code(), config.status().message() + " (" + path.string() +
                                        " is left as it is; fix or remove it)");
    return config;
}

Status save_client_config(Env& env, const fs::path& home, const ClientConfig& config) {
    SR_ASSIGN_OR_RETURN(std::string text, render_client_config(config));
    SR_TRY(env.create_dirs(home));
    return env.write_file_atomic(client_config_path(home), as_bytes(text), kPublicMode);
}

Result<ClientCredentials> read_client_credentials(Env& env, const fs::path& home,
                                                  const ClientConfig& config) {
    if (!config.client)
        return error(Err::NotFound, "this client has no certificate: create one with "
                                    "'clientconfig createcert -name <name>'");
    ClientCredentials out;
    SR_ASSIGN_OR_RETURN(Bytes cert, env.read_file(in_home(home, config.client->cert)));
    out.cert_pem = to_string(cert);
    SR_ASSIGN_OR_RETURN(out.key_pem, read_secret(env, in_home(home, config.client->key)));
    return out;
}

Result<ClientIdentity> create_client_certificate(Env& env, const fs::path& home,
                                                 std::string_view name, bool force) {
    if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), file_name_safe))
        return error(Err::ArgumentsBad, "a client name is 1 to 64 letters, digits, '.', '-' or "
                                        "'_': '" + std::string(name) + "' is not");
    SR_ASSIGN_OR_RETURN(ClientConfig config, load_client_config(env, home));
    ClientIdentity id{"cert/client/" + std::string(name) + ".pem",
                      "cert/client/" + std::string(name) + "Key.pem"};
    if (!force) {
        for (const std::string& f : {id.cert, id.key})
            if (env.exists(in_home(home, f)))
                return error(Err::AlreadyExists, f + " already exists; -force replaces it");
        if (config.client)
            return error(Err::AlreadyExists, "this client already has a certificate (" +
                                                 config.client->cert + "); -force replaces it");
    }
    SR_ASSIGN_OR_RETURN(crypto::PkeyPtr key, crypto::generate_ec_key(crypto::EcCurve::P256));
    crypto::TlsCertOptions options;
    options.role = crypto::TlsRole::Client;
    options.common_name = std::string(name);
    SR_ASSIGN_OR_RETURN(crypto::Certificate cert,
                        crypto::self_signed_tls_certificate(key.get(), options, env.now()));
    SR_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::private_key_to_pem(key.get()));
    SR_TRY(env.create_dirs(home / "cert" / "client"));
    // The key first: a crash never leaves a certificate whose key is missing.
    SR_TRY(env.write_file_atomic(in_home(home, id.key), key_pem.span(), kKeyMode));
    SR_TRY(env.write_file_atomic(in_home(home, id.cert), as_bytes(cert.pem()), kPublicMode));
    config.client = id;
    SR_TRY(save_client_config(env, home, config));
    return id;
}

Result<ServerEntry> add_server(Env& env, const fs::path& home, std::string_view address,
                               std::string_view cert_pem, bool force) {
    SR_ASSIGN_OR_RETURN(HostPort hp, parse_server_address(address));
    SR_ASSIGN_OR_RETURN(ClientConfig config, load_client_config(env, home));
    const ServerEntry* existing = config.find_server(address);
    if (existing != nullptr && !force)
        return error(Err::AlreadyExists, "server " + std::string(address) +
                                             " is already in the server list; -force replaces "
                                             "its certificate");
    auto cert = crypto::Certificate::from_pem(cert_pem);
    if (!cert)
        return error(Err::CertificateDataInvalid,
                     "the server certificate file does not hold a PEM certificate: " +
                         cert.status().message());
    ServerEntry entry{std::string(address), server_cert_path(hp)};
    SR_TRY(env.create_dirs(home / "cert" / "server"));
    SR_TRY(env.write_file_atomic(in_home(home, entry.certfile), as_bytes(cert->pem()),
                                 kPublicMode));
    if (existing != nullptr) {
        for (auto& s : config.servers)
            if (s.address == address) s = entry;
    } else {
        config.servers.push_back(entry);
    }
    SR_TRY(save_client_config(env, home, config));
    return entry;
}

Status delete_server(Env& env, const fs::path& home, std::string_view address) {
    SR_ASSIGN_OR_RETURN(ClientConfig config, load_client_config(env, home));
    auto it = std::find_if(config.servers.begin(), config.servers.end(),
                           [&](const ServerEntry& s) { return s.address == address; });
    if (it == config.servers.end())
        return error(Err::NotFound, "server " + std::string(address) +
                                        " is not in the server list ('clientconfig listservers')");
    const std::string certfile = it->certfile;
    config.servers.erase(it);
    SR_TRY(save_client_config(env, home, config));
    // Only the copy addserver made is removed (a hand-edited entry may name a file elsewhere);
    // the config no longer names it, so a failure leaves only an unused file.
    auto hp = parse_server_address(address);
    const bool ours = hp && certfile == server_cert_path(*hp);
    const bool shared = std::any_of(config.servers.begin(), config.servers.end(),
                                    [&](const ServerEntry& s) { return s.certfile == certfile; });
    if (ours && !shared && env.exists(in_home(home, certfile)))
        (void)env.remove_all(in_home(home, certfile));
    return {};
}

}  // namespace sr::client
