// srcm clientconfig: golden output of createcert / addserver / listservers / deleteserver (as the
// vendor's vtl words them), their --json forms, refusals that leave client.toml unchanged, and
// verify / slot list against an in-process server (network partitions first).
#include <fstream>

#include "../client/network_fixture.h"
#include "client/client_config.h"
#include "cm_fixture.h"
#include "crypto/x509.h"
#include "nlohmann/json.hpp"

namespace sr::cm {
namespace {

class ClientConfigCmTest : public testing::CmTest {
protected:
    // A server certificate as an appliance's server.pem, in a file outside the home.
    std::string server_pem_file(const std::string& name) {
        auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
        EXPECT_TRUE(key.is_ok());
        crypto::TlsCertOptions o;
        o.common_name = name;
        auto cert = crypto::self_signed_tls_certificate(key->get(), o, m_env.now());
        EXPECT_TRUE(cert.is_ok());
        const auto path = m_root / (name + ".pem");
        std::ofstream(path) << cert->pem();
        return path.string();
    }
    std::string replace_home(std::string text) {
        const std::string home = m_home.string();
        for (auto at = text.find(home); at != std::string::npos; at = text.find(home))
            text.replace(at, home.size(), "<home>");
        return text;
    }
    std::string config_text() {
        std::ifstream in(client::client_config_path(m_home));
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

TEST_F(ClientConfigCmTest, CreateCertSaysWhereTheKeyAndCertificateWent) {
    EXPECT_EQ(replace_home(run("clientconfig createcert -name web1\n")),
              "\n"
              "        Private Key created and written to: <home>/cert/client/web1Key.pem\n"
              "        Certificate created and written to: <home>/cert/client/web1.pem\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
    const std::string again = run("clientconfig createcert -n web1\n");
    EXPECT_TRUE(contains(again, "cert/client/web1.pem already exists; -force replaces it"))
        << again;
    EXPECT_TRUE(contains(again, "Command Result : 0x"));
    EXPECT_TRUE(contains(run("clientconfig createcert -name web1 -force\n"), "No Error"));
}

TEST_F(ClientConfigCmTest, AddListDeleteServersInVtlWords) {
    const std::string pem_a = server_pem_file("a");
    const std::string pem_b = server_pem_file("b");
    EXPECT_EQ(run("clientconfig addserver -server 127.0.0.1:1792 -certfile " + pem_a + "\n" +
                  "clientconfig addserver -server hsm7.example:1793 -c " + pem_b + "\n" +
                  "clientconfig listservers\n"),
              "\n"
              "        New server 127.0.0.1:1792 successfully added to server list.\n"
              "\n"
              "Command Result : No Error\n"
              "\n"
              "\n"
              "        New server hsm7.example:1793 successfully added to server list.\n"
              "\n"
              "Command Result : No Error\n"
              "\n"
              "\n"
              "        Server: 127.0.0.1:1792  HTL required: no\n"
              "        Server: hsm7.example:1793  HTL required: no\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
    EXPECT_TRUE(std::filesystem::exists(m_home / "cert/server/127.0.0.1_1792.pem"));
    EXPECT_EQ(run("clientconfig deleteserver -server 127.0.0.1:1792\n"
                  "clientconfig listservers\n"),
              "\n"
              "        Server 127.0.0.1:1792 successfully removed from server list.\n"
              "\n"
              "Command Result : No Error\n"
              "\n"
              "\n"
              "        Server: hsm7.example:1793  HTL required: no\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
    EXPECT_FALSE(std::filesystem::exists(m_home / "cert/server/127.0.0.1_1792.pem"));
}

TEST_F(ClientConfigCmTest, RefusalsNameTheProblemAndChangeNothing) {
    const std::string pem = server_pem_file("a");
    ASSERT_TRUE(contains(run("clientconfig addserver -server h:1 -certfile " + pem + "\n"),
                         "No Error"));
    const std::string before = config_text();
    int exit = 0;
    const std::string out =
        run("clientconfig addserver -server h:1 -certfile " + pem + "\n" +
                "clientconfig addserver -server h -certfile " + pem + "\n" +
                "clientconfig addserver -server g:1 -certfile " + (m_root / "missing.pem").string() +
                "\n" + "clientconfig deleteserver -server other:5\n",
            {}, &exit);
    EXPECT_TRUE(contains(out, "server h:1 is already in the server list; -force replaces its "
                              "certificate"))
        << out;
    EXPECT_TRUE(contains(out, "'h' is not a server address HOST:PORT: the port is missing"));
    EXPECT_TRUE(contains(out, "cannot read the certificate file"));
    EXPECT_TRUE(contains(out, "server other:5 is not in the server list"));
    EXPECT_NE(exit, 0);
    EXPECT_EQ(config_text(), before);
}

TEST_F(ClientConfigCmTest, UnreadableConfigIsReportedAndKept) {
    const std::string broken = "[[server]\naddress = 1\n";
    std::ofstream(client::client_config_path(m_home)) << broken;
    const std::string out = run("clientconfig listservers\n");
    EXPECT_TRUE(contains(out, "client.toml line 1")) << out;
    EXPECT_TRUE(contains(out, "is left as it is; fix or remove it")) << out;
    EXPECT_EQ(config_text(), broken);
}

TEST_F(ClientConfigCmTest, JsonFormsCarryTheSameFacts) {
    const std::string pem = server_pem_file("a");
    const std::string down = client::testing::closed_loopback_address();
    ShellOptions options;
    options.json = true;
    const std::string out = run("clientconfig createcert -name web1\n"
                                "clientconfig addserver -server " + down + " -certfile " +
                                    pem + "\nclientconfig listservers\n",
                                options);
    std::istringstream lines(out);
    std::string line;
    std::vector<nlohmann::json> replies;
    while (std::getline(lines, line)) replies.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(replies.size(), 3u) << out;
    EXPECT_EQ(replies[0]["data"]["name"], "web1");
    EXPECT_EQ(replies[0]["data"]["certificate"], (m_home / "cert/client/web1.pem").string());
    EXPECT_EQ(replies[1]["data"]["server"], down);
    EXPECT_EQ(replies[1]["data"]["certfile"],
              "cert/server/127.0.0.1_" + down.substr(down.find(':') + 1) + ".pem");
    ASSERT_EQ(replies[2]["data"]["servers"].size(), 1u);
    EXPECT_EQ(replies[2]["data"]["servers"][0]["server"], down);
    EXPECT_EQ(replies[2]["data"]["servers"][0]["htl_required"], false);
    EXPECT_TRUE(replies[2]["ok"].get<bool>());
}

class VerifyTest : public ClientConfigCmTest {
protected:
    // A local HSM (serial 20, partitions a and b), this client's certificate, and a server that
    // knows it and assigned it p3, then p1.
    void SetUp() override {
        ClientConfigCmTest::SetUp();
        make(20, {7, 3, 0}, {"a", "b"});
        ASSERT_TRUE(contains(run("clientconfig createcert -name web1\n"), "No Error"));
        m_server.start(m_env, m_root, 654321);
        ASSERT_FALSE(HasFatalFailure());
        auto config = client::load_client_config(m_env, m_home);
        ASSERT_TRUE(config.is_ok());
        auto creds = client::read_client_credentials(m_env, m_home, *config);
        ASSERT_TRUE(creds.is_ok());
        m_server.directory.add("web1", creds->cert_pem);
        m_server.directory.assign("web1", m_server.partitions[2]);
        m_server.directory.assign("web1", m_server.partitions[0]);
        const auto pem = m_root / "server.pem";
        std::ofstream(pem) << m_server.cert_pem;
        m_server_pem = pem.string();
    }

    client::testing::NetworkServer m_server;
    std::string m_server_pem;
};

TEST_F(VerifyTest, VerifyListsTheAssignedPartitionsWithTheirSlots) {
    ASSERT_TRUE(contains(run("clientconfig addserver -server " + m_server.address +
                             " -certfile " + m_server_pem + "\n"),
                         "No Error"));
    EXPECT_EQ(run("clientconfig verify\n"),
              "\n"
              "        The following network partitions were found:\n"
              "\n"
              "        Slot    Serial #                Label\n"
              "        ====    ================        =====\n"
              "        0           654321003        p3\n"
              "        1           654321001        p1\n"
              "\n"
              "Command Result : No Error\n"
              "\n");
}

TEST_F(VerifyTest, SlotListShowsNetworkPartitionsBeforeLocalOnes) {
    ASSERT_TRUE(contains(run("clientconfig addserver -server " + m_server.address +
                             " -certfile " + m_server_pem + "\n"),
                         "No Error"));
    const std::string out = run("slot list\n");
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              0\n"
                         "        Label ->                p3\n"
                         "        Serial Number ->        654321003\n"
                         "        Model ->                LunaSA 7.8.4\n"
                         "        Firmware Version ->     7.8.4\n"))
        << out;
    EXPECT_TRUE(contains(out, "        Slot Description ->     Net Token Slot\n")) << out;
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              1\n"
                         "        Label ->                p1\n"))
        << out;
    EXPECT_TRUE(contains(out,
                         "        Slot Id ->              2\n"
                         "        Label ->                hsm20\n"))
        << out;
}

TEST_F(VerifyTest, VerifyNamesAServerThatIsDownAndFails) {
    const std::string down = client::testing::closed_loopback_address();
    ASSERT_TRUE(contains(run("clientconfig addserver -server " + down + " -certfile " +
                             m_server_pem + "\n" + "clientconfig addserver -server " +
                             m_server.address + " -certfile " + m_server_pem + "\n"),
                         "No Error"));
    int exit = 0;
    const std::string out = run("clientconfig verify\n", {}, &exit);
    EXPECT_TRUE(contains(out, "        0           654321003        p3\n")) << out;
    EXPECT_TRUE(contains(out, "        Server " + down + " is unreachable: ")) << out;
    EXPECT_TRUE(contains(out, "1 of 2 servers could not be reached: " + down)) << out;
    EXPECT_TRUE(contains(out, "Command Result : 0x")) << out;
    EXPECT_NE(exit, 0);
}

}  // namespace
}  // namespace sr::cm
