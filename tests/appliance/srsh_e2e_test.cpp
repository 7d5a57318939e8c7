// srsh as a real process against a real strongroomd (`--listen 127.0.0.1:0`) on a
// factory-made appliance home: scripts of every command group through the admin socket.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "appliance/appliance_home.h"
#include "appliance/daemon_process.h"
#include "appliance_fixture.h"
#include "common/bytes.h"
#include "net/remote_device.h"

extern char** environ;

namespace sr::appliance::testing {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

class SrshE2e : public ApplianceHomeTest {
  protected:
    void TearDown() override {
        m_daemons.stop_all();
        ApplianceHomeTest::TearDown();
    }

    // Starts strongroomd and waits (bounded) for it to serve.
    void start_daemon() {
        auto address = m_daemons.start(m_home, m_root / "strongroomd.log");
        ASSERT_TRUE(address.is_ok()) << address.status().to_string();
    }

    // `srsh --home A <extra> -f script`; returns its output and exit status.
    std::pair<std::string, int> srsh(const std::string& script, std::vector<std::string> extra) {
        const fs::path file = m_root / "script.srsh";
        std::ofstream(file) << script;
        const std::string out = (m_root / "srsh.out").string();
        std::vector<std::string> words{SR_SRSH_BINARY, "--home", m_home.string()};
        for (auto& e : extra) words.push_back(std::move(e));
        words.push_back("-f");
        words.push_back(file.string());
        std::vector<char*> argv;
        for (auto& w : words) argv.push_back(w.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        pid_t pid = 0;
        EXPECT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        int status = 0;
        ::waitpid(pid, &status, 0);
        return {slurp(out), WIFEXITED(status) ? WEXITSTATUS(status) : -1};
    }

    Daemons m_daemons{SR_STRONGROOMD_BINARY};
};

// srsh reading commands from a pipe, its output read back up to a marker.
class PipedSrsh final {
  public:
    explicit PipedSrsh(const fs::path& home) {
        int in[2];
        int out[2];
        EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);  // later daemons must not hold our ends
        EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
        std::string home_text = home.string();
        std::vector<char*> argv{const_cast<char*>(SR_SRSH_BINARY), const_cast<char*>("--home"),
                                home_text.data(), nullptr};
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_adddup2(&fa, out[1], 2);
        posix_spawn_file_actions_addclose(&fa, in[1]);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        EXPECT_EQ(posix_spawn(&m_pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
        posix_spawn_file_actions_destroy(&fa);
        ::close(in[0]);
        ::close(out[1]);
        m_in = in[1];
        m_out = out[0];
    }
    ~PipedSrsh() {
        if (m_in >= 0) ::close(m_in);
        ::close(m_out);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
    void send(const std::string& line) {
        EXPECT_EQ(::write(m_in, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    }
    // Everything printed until `marker` (or the end of output).
    std::string until(const std::string& marker) {
        char buf[4096];
        while (m_text.find(marker) == std::string::npos) {
            const ssize_t n = ::read(m_out, buf, sizeof buf);
            if (n <= 0) break;
            m_text.append(buf, static_cast<size_t>(n));
        }
        return m_text;
    }
    void close_input() {
        ::close(m_in);
        m_in = -1;
    }

  private:
    pid_t m_pid = 0;
    int m_in = -1;
    int m_out = -1;
    std::string m_text;
};

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

TEST_F(SrshE2e, ScriptDrivesTheDaemonThroughTheAdminSocket) {
    start_daemon();
    const fs::path cert = m_root / "client1.pem";
    std::ofstream(cert) << make_client_identity("client1").cert_pem;
    const std::string script = "hsm login -password " + std::string(kSoPassword) +
                               "\n"
                               "partition create -partition p4 -force\n"
                               "client register -client client1 -certfile " +
                               cert.string() +
                               " -hostname host1\n"
                               "client assignpartition -client client1 -partition p4\n"
                               "client show -client client1\n"
                               "partition list\n"
                               "ntls show\n"
                               "hsm show\n";
    auto [out, exit] = srsh(script, {"-e"});
    EXPECT_EQ(exit, 0) << out;
    for (const char* done :
         {"'hsm login' successful.", "'partition create' successful.",
          "'client register' successful.", "'client assignpartition' successful.",
          "'ntls show' successful.", "'hsm show' successful."})
        EXPECT_TRUE(contains(out, done)) << done << "\n" << out;
    EXPECT_TRUE(contains(out, "   Partitions:     \"p4\"\n")) << out;
    EXPECT_TRUE(contains(out, "   TLS versions:                   TLSv1.3\n")) << out;
    EXPECT_TRUE(contains(out, "   HSM Admin login status:         Logged In\n")) << out;
    // The daemon kept what srsh did: a second srsh process (a new login) sees it.
    auto [again, exit2] = srsh("client list\nhsm login -password wrong-password\n", {"--json"});
    EXPECT_EQ(exit2, 1) << again;
    EXPECT_TRUE(contains(again, "\"name\":\"client1\"")) << again;
    EXPECT_TRUE(contains(again, "CKR_PIN_INCORRECT")) << again;
}

// Connected clients: registered clients holding an attached application (two apps of one
// client count once), back to 0 when the client detaches; srsh's own admin-socket app never
// counts.
TEST_F(SrshE2e, NtlsShowCountsAClientWhileItHoldsAnAttachedApplication) {
    start_daemon();
    const ClientIdentity alice = make_client_identity("alice");
    const fs::path cert = m_root / "alice.pem";
    std::ofstream(cert) << alice.cert_pem;
    auto [reg, reg_exit] = srsh("client register -client alice -certfile " + cert.string() +
                                    "\nclient assignpartition -client alice -partition p1\n",
                                {"-e"});
    ASSERT_EQ(reg_exit, 0) << reg;
    const auto connected = [&] {
        auto [out, exit] = srsh("ntls show\n", {"--json"});
        EXPECT_EQ(exit, 0) << out;
        const auto at = out.find("\"connected_clients\":");
        return at == std::string::npos ? std::string("(none)\n" + out)
                                       : out.substr(at, out.find_first_of(",}", at) - at);
    };
    EXPECT_EQ(connected(), "\"connected_clients\":0");

    net::ServerEndpoint ep;
    ep.address = "127.0.0.1:" + std::to_string(std::stoi(slurp(port_file_path(m_home))));
    ep.server_cert_pem = slurp(server_cert_path(m_home));
    ep.client_cert_pem = alice.cert_pem;
    ep.client_key_pem = SecretBytes(as_bytes(alice.key_pem));
    auto remote = net::connect_remote(ep);
    ASSERT_TRUE(remote.is_ok()) << remote.status().to_string();
    auto first = (*remote)->attach();
    ASSERT_TRUE(first.is_ok()) << first.status().to_string();
    auto second = (*remote)->attach();
    ASSERT_TRUE(second.is_ok()) << second.status().to_string();
    EXPECT_EQ(connected(), "\"connected_clients\":1");
    {
        auto [out, exit] = srsh("ntls show\n", {});
        EXPECT_TRUE(contains(out, "   Connected clients:              1\n")) << out;
    }
    ASSERT_TRUE((*remote)->detach(*first).is_ok());
    EXPECT_EQ(connected(), "\"connected_clients\":1");
    ASSERT_TRUE((*remote)->detach(*second).is_ok());
    EXPECT_EQ(connected(), "\"connected_clients\":0");
}

TEST_F(SrshE2e, RevokeDeleteAndRegenCertReachTheDaemon) {
    start_daemon();
    const fs::path cert = m_root / "client1.pem";
    std::ofstream(cert) << make_client_identity("client1").cert_pem;
    const std::string before = slurp(server_cert_path(m_home));
    const std::string script = "client register -client client1 -certfile " + cert.string() +
                               "\n"
                               "client assignpartition -client client1 -partition p1\n"
                               "client assignpartition -client client1 -partition p2\n"
                               "client revokepartition -client client1 -partition p1\n"
                               "client show -client client1\n"
                               "client delete -client client1 -force\n"
                               "client list\n"
                               "sysconf regencert -force\n"
                               "client show -client client1\n";
    auto [out, exit] = srsh(script, {});
    EXPECT_EQ(exit, 1) << out;  // the last command: the client is gone
    EXPECT_TRUE(contains(out, "   Partitions:     \"p2\"\n")) << out;
    EXPECT_TRUE(contains(out, "'client delete' successful.")) << out;
    EXPECT_TRUE(contains(out, "No clients are registered.")) << out;
    EXPECT_TRUE(contains(out, "'sysconf regencert' successful.")) << out;
    EXPECT_TRUE(contains(out, "Error: 'client show' failed.")) << out;
    EXPECT_NE(slurp(server_cert_path(m_home)), before);
}

TEST_F(SrshE2e, AfterTheDaemonIsKilledAndRestartedTheLoginIsGoneAndANewOneWorks) {
    start_daemon();
    PipedSrsh shell(m_home);
    shell.send("hsm login -password " + std::string(kSoPassword) + "\n");
    const std::string first = shell.until("'hsm login' successful.");
    ASSERT_TRUE(contains(first, "'hsm login' successful.")) << first;
    m_daemons.kill(m_home);  // a crash: the port file stays, start_daemon() replaces it
    start_daemon();
    // The first call after a crash may meet the dead connection (CKR_DEVICE_ERROR, "Broken
    // pipe"); gRPC reconnects for the next one. Hence two shows.
    shell.send("hsm show\nhsm show\nhsm login -password " + std::string(kSoPassword) +
               "\nhsm show\n");
    shell.close_input();
    const std::string out = shell.until("\x04");  // to the end of output
    const std::string after = out.substr(first.size());
    const auto login = after.find("'hsm login' successful.");
    ASSERT_NE(login, std::string::npos) << out;
    EXPECT_TRUE(contains(after.substr(0, login), "HSM Admin login status:         Not Logged In"))
        << out;
    EXPECT_TRUE(contains(after.substr(login), "HSM Admin login status:         Logged In")) << out;
}

}  // namespace
}  // namespace sr::appliance::testing
