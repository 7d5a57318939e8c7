// A network server in its own process, for tests that dlopen libstrongroom.so: the module embeds
// its own copy of the generated protobuf code, which must not be registered twice in one process.
// Usage: network_test_server ROOT HOME. Creates the client certificate "web1" in the client HOME,
// serves a 7.x appliance (network_fixture.h) that registers it and assigns it p3 then p1, adds
// the server to HOME's client.toml, then writes ROOT/address (its presence means ready); serves
// until killed.
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "client/client_config.h"
#include "network_fixture.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: network_test_server ROOT HOME\n";
        return 2;
    }
    // A test that crashes must not leave its server behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const std::filesystem::path root = argv[1];
    const std::filesystem::path home = argv[2];
    sr::PosixEnv env;
    if (!sr::client::create_client_certificate(env, home, "web1", false)) return 1;
    auto config = sr::client::load_client_config(env, home);
    if (!config) return 1;
    auto creds = sr::client::read_client_credentials(env, home, *config);
    if (!creds) return 1;
    sr::client::testing::NetworkServer server;
    server.start(env, root, 654321);
    if (server.address.empty()) return 1;
    server.directory.add("web1", creds->cert_pem);
    server.directory.assign("web1", server.partitions[2]);
    server.directory.assign("web1", server.partitions[0]);
    if (!sr::client::add_server(env, home, server.address, server.cert_pem, false)) return 1;
    std::ofstream(root / "address.tmp") << server.address;
    std::filesystem::rename(root / "address.tmp", root / "address");
    for (;;) ::pause();
}
