// srcm clientconfig: golden output of createcert / addserver / listservers / deleteserver (as the
// vendor's vtl words them), their --json forms, and refusals that leave client.toml unchanged.
#include <fstream>

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
    ShellOptions options;
    options.json = true;
    const std::string out = run("clientconfig createcert -name web1\n"
                                "clientconfig addserver -server 10.0.0.7:1792 -certfile " +
                                    pem + "\nclientconfig listservers\n",
                                options);
    std::istringstream lines(out);
    std::string line;
    std::vector<nlohmann::json> replies;
    while (std::getline(lines, line)) replies.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(replies.size(), 3u) << out;
    EXPECT_EQ(replies[0]["data"]["name"], "web1");
    EXPECT_EQ(replies[0]["data"]["certificate"], (m_home / "cert/client/web1.pem").string());
    EXPECT_EQ(replies[1]["data"]["server"], "10.0.0.7:1792");
    EXPECT_EQ(replies[1]["data"]["certfile"], "cert/server/10.0.0.7_1792.pem");
    ASSERT_EQ(replies[2]["data"]["servers"].size(), 1u);
    EXPECT_EQ(replies[2]["data"]["servers"][0]["server"], "10.0.0.7:1792");
    EXPECT_EQ(replies[2]["data"]["servers"][0]["htl_required"], false);
    EXPECT_TRUE(replies[2]["ok"].get<bool>());
}

}  // namespace
}  // namespace sr::cm
