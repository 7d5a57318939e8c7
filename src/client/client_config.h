// client.toml in the client home: this host's client certificate and the network servers it
// trusts, in the order that numbers their slots (BEHAVIOUR.md "Homes, devices, factory";
// docs/design/client-config.md). Tables this version does not interpret (HA groups) are kept
// through a rewrite. Plain values and free functions; the file is written atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.h"
#include "common/result.h"
#include "common/secret.h"

namespace sr::client {

inline constexpr std::string_view kClientConfigFile = "client.toml";

// Paths are kept as written: relative ones are relative to the client home.
struct ClientIdentity {
    std::string cert;  // "cert/client/<name>.pem"
    std::string key;   // "cert/client/<name>Key.pem"
};

struct ServerEntry {
    std::string address;   // "host:port" (IPv6: "[::1]:1792")
    std::string certfile;  // "cert/server/<host>_<port>.pem": the one certificate trusted for it
};

struct ClientConfig {
    std::optional<ClientIdentity> client;
    std::vector<ServerEntry> servers;  // config order = slot order
    // Every other top-level key, as TOML text, written back unchanged by render.
    std::string other;

    // nullptr when the address is not in the list.
    const ServerEntry* find_server(std::string_view address) const;
};

struct HostPort {
    std::string host;  // without brackets
    uint16_t port = 0;
};
// "host:port" or "[v6]:port" with a port in 1..65535; ArgumentsBad otherwise.
Result<HostPort> parse_server_address(std::string_view address);
// Where addserver keeps a server's certificate, relative to the home:
// "cert/server/<host>_<port>.pem" (characters unsafe in a file name become '_').
std::string server_cert_path(const HostPort& server);

std::filesystem::path client_config_path(const std::filesystem::path& home);
// `path` when absolute, else home / path.
std::filesystem::path in_home(const std::filesystem::path& home, std::string_view path);

// DataInvalid, naming client.toml and the line, for text that is not TOML or does not fit the
// schema (a server without an address, a duplicate address, a [client] without its paths).
Result<ClientConfig> parse_client_config(std::string_view text);
// DataInvalid only when `other` is not TOML (it always is when it came from parse).
Result<std::string> render_client_config(const ClientConfig& config);

// An absent file is an empty config. A file that does not parse is an error (and stays as it
// is: nothing here rewrites what it cannot read).
Result<ClientConfig> load_client_config(Env& env, const std::filesystem::path& home);
// Temporary file, fsync, rename (Env::write_file_atomic): a crash leaves the old or the new file.
Status save_client_config(Env& env, const std::filesystem::path& home, const ClientConfig& config);

// The files of this client's certificate, read: what a TLS connection presents.
struct ClientCredentials {
    std::string cert_pem;
    SecretBytes key_pem;
};
// NotFound when no client certificate was created (clientconfig createcert).
Result<ClientCredentials> read_client_credentials(Env& env, const std::filesystem::path& home,
                                                  const ClientConfig& config);

// `clientconfig createcert`: a fresh P-256 key and a self-signed client certificate (CN = name)
// written as cert/client/<name>.pem (0644) and <name>Key.pem (0600) and recorded in client.toml.
// AlreadyExists, changing nothing, when those files exist or this client already has a
// certificate, unless `force`. Returns the identity recorded.
Result<ClientIdentity> create_client_certificate(Env& env, const std::filesystem::path& home,
                                                 std::string_view name, bool force);

// `clientconfig addserver`: checks that `cert_pem` is one certificate, stores it at
// server_cert_path() and appends the server (or, with `force`, replaces its certificate).
// AlreadyExists for a listed server without `force`.
Result<ServerEntry> add_server(Env& env, const std::filesystem::path& home,
                               std::string_view address, std::string_view cert_pem, bool force);
// `clientconfig deleteserver`: removes the entry, then its certificate file. NotFound when the
// server is not listed.
Status delete_server(Env& env, const std::filesystem::path& home, std::string_view address);

}  // namespace sr::client
