// client.toml: round trip keeping unknown tables, atomic saves, refusals that change nothing, and
// the edits of the clientconfig verbs (certificate creation, server add / delete).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "client/client_config.h"
#include "common/fault_env.h"
#include "crypto/x509.h"

namespace sr::client {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFull = R"(top = "kept"

[client]
cert = "cert/client/web1.pem"
key = "cert/client/web1Key.pem"

[[server]]
address = "hsm-b.example:1792"
certfile = "cert/server/hsm-b.example_1792.pem"

[[server]]
address = "10.0.0.1:1792"
certfile = "cert/server/10.0.0.1_1792.pem"

[hagroup]
label = "group1"
members = [ 154438865287, 154438865288 ]
)";

class ClientConfigTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_home = fs::temp_directory_path() /
                 ("sr-clientconfig-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(m_home);
        fs::create_directories(m_home);
    }
    void TearDown() override { fs::remove_all(m_home); }

    std::string file_text(const fs::path& p) {
        auto b = m_env.read_file(p);
        EXPECT_TRUE(b.is_ok()) << b.status().to_string();
        return b.is_ok() ? to_string(*b) : std::string();
    }
    void write(const fs::path& p, std::string_view text) {
        ASSERT_TRUE(m_env.write_file_atomic(p, as_bytes(text), 0644).is_ok());
    }
    std::string server_pem() {
        auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
        EXPECT_TRUE(key.is_ok());
        crypto::TlsCertOptions o;
        o.common_name = "server";
        auto cert = crypto::self_signed_tls_certificate(key->get(), o, m_env.now());
        EXPECT_TRUE(cert.is_ok());
        return cert->pem();
    }

    PosixEnv m_env;
    fs::path m_home;
};

TEST_F(ClientConfigTest, RoundTripKeepsServerOrderAndTablesItDoesNotKnow) {
    auto c = parse_client_config(kFull);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    ASSERT_TRUE(c->client.has_value());
    EXPECT_EQ(c->client->cert, "cert/client/web1.pem");
    EXPECT_EQ(c->client->key, "cert/client/web1Key.pem");
    ASSERT_EQ(c->servers.size(), 2u);
    EXPECT_EQ(c->servers[0].address, "hsm-b.example:1792");
    EXPECT_EQ(c->servers[1].address, "10.0.0.1:1792");

    auto text = render_client_config(*c);
    ASSERT_TRUE(text.is_ok());
    auto again = parse_client_config(*text);
    ASSERT_TRUE(again.is_ok()) << again.status().to_string() << "\n" << *text;
    ASSERT_EQ(again->servers.size(), 2u);
    EXPECT_EQ(again->servers[0].address, "hsm-b.example:1792");
    EXPECT_EQ(again->servers[1].certfile, "cert/server/10.0.0.1_1792.pem");
    EXPECT_EQ(again->client->key, "cert/client/web1Key.pem");
    EXPECT_EQ(again->other, c->other);
    EXPECT_NE(text->find("group1"), std::string::npos) << *text;
    EXPECT_NE(text->find("154438865288"), std::string::npos) << *text;
    EXPECT_NE(text->find("top = 'kept'"), std::string::npos) << *text;
}

TEST_F(ClientConfigTest, AbsentFileIsAnEmptyConfig) {
    auto c = load_client_config(m_env, m_home);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    EXPECT_FALSE(c->client.has_value());
    EXPECT_TRUE(c->servers.empty());
}

TEST_F(ClientConfigTest, SaveThenLoadGivesTheSameServers) {
    ClientConfig c;
    c.servers.push_back({"b:2", "cert/server/b_2.pem"});
    c.servers.push_back({"a:1", "cert/server/a_1.pem"});
    ASSERT_TRUE(save_client_config(m_env, m_home, c).is_ok());
    auto back = load_client_config(m_env, m_home);
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    ASSERT_EQ(back->servers.size(), 2u);
    EXPECT_EQ(back->servers[0].address, "b:2");
    EXPECT_EQ(back->servers[1].address, "a:1");
}

TEST_F(ClientConfigTest, FailedSaveLeavesTheOldFileWhole) {
    write(client_config_path(m_home), kFull);
    FaultInjectionEnv faulty(m_env);
    faulty.fail_writes_after(0);
    ClientConfig empty;
    EXPECT_FALSE(save_client_config(faulty, m_home, empty).is_ok());
    EXPECT_EQ(file_text(client_config_path(m_home)), kFull);
    for (const auto& e : fs::directory_iterator(m_home))
        EXPECT_EQ(e.path().filename(), "client.toml") << "stray file " << e.path();
}

TEST_F(ClientConfigTest, BadTomlIsAClearErrorAndNoEditTouchesTheFile) {
    const std::string broken = "[[server]]\naddress = \"a:1\"\ncertfile = \n";
    write(client_config_path(m_home), broken);
    auto c = load_client_config(m_env, m_home);
    ASSERT_FALSE(c.is_ok());
    EXPECT_EQ(c.code(), Err::DataInvalid);
    EXPECT_NE(c.status().message().find("client.toml line 3"), std::string::npos)
        << c.status().message();
    EXPECT_NE(c.status().message().find("left as it is"), std::string::npos);

    EXPECT_EQ(add_server(m_env, m_home, "b:2", server_pem(), false).code(), Err::DataInvalid);
    EXPECT_EQ(delete_server(m_env, m_home, "a:1").code(), Err::DataInvalid);
    EXPECT_EQ(create_client_certificate(m_env, m_home, "web1", false).code(), Err::DataInvalid);
    EXPECT_EQ(file_text(client_config_path(m_home)), broken);
    EXPECT_FALSE(fs::exists(m_home / "cert"));
}

TEST_F(ClientConfigTest, SchemaErrorsNameTheLineAndTheProblem) {
    struct Case {
        const char* text;
        const char* says;
    };
    const Case cases[] = {
        {"[[server]]\naddress = \"a:1\"\n", "[[server]] needs 'certfile'"},
        {"[[server]]\naddress = \"a:1\"\ncertfile = \"x\"\nhtl = true\n", "unknown key 'htl'"},
        {"[[server]]\naddress = \"a\"\ncertfile = \"x\"\n", "the port is missing"},
        {"[[server]]\naddress = \"a:1\"\ncertfile = \"x\"\n[[server]]\naddress = \"a:1\"\n"
         "certfile = \"y\"\n",
         "server a:1 is listed twice"},
        {"server = 3\n", "'server' must be an array"},
        {"[client]\ncert = \"c.pem\"\n", "[client] needs 'key'"},
    };
    for (const auto& k : cases) {
        auto c = parse_client_config(k.text);
        ASSERT_FALSE(c.is_ok()) << k.text;
        EXPECT_EQ(c.code(), Err::DataInvalid);
        EXPECT_NE(c.status().message().find(k.says), std::string::npos)
            << c.status().message() << " / expected: " << k.says;
    }
}

TEST_F(ClientConfigTest, ServerAddressesAndTheirCertificateFileNames) {
    auto v4 = parse_server_address("127.0.0.1:1792");
    ASSERT_TRUE(v4.is_ok());
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 1792);
    EXPECT_EQ(server_cert_path(*v4), "cert/server/127.0.0.1_1792.pem");
    auto v6 = parse_server_address("[::1]:443");
    ASSERT_TRUE(v6.is_ok());
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(server_cert_path(*v6), "cert/server/__1_443.pem");
    for (const char* bad : {"host", "host:", ":1792", "host:0", "host:65536", "host:17x",
                            "::1:443", "[::1]443", "a b:1"})
        EXPECT_EQ(parse_server_address(bad).code(), Err::ArgumentsBad) << bad;
}

TEST_F(ClientConfigTest, CreateCertWritesAPrivateKeyAndAClientCertificateAndRecordsThem) {
    auto id = create_client_certificate(m_env, m_home, "web1", false);
    ASSERT_TRUE(id.is_ok()) << id.status().to_string();
    EXPECT_EQ(id->cert, "cert/client/web1.pem");
    EXPECT_EQ(id->key, "cert/client/web1Key.pem");
    struct stat st {};
    ASSERT_EQ(::stat((m_home / id->key).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto config = load_client_config(m_env, m_home);
    ASSERT_TRUE(config.is_ok());
    ASSERT_TRUE(config->client.has_value());
    auto creds = read_client_credentials(m_env, m_home, *config);
    ASSERT_TRUE(creds.is_ok()) << creds.status().to_string();
    auto cert = crypto::Certificate::from_pem(creds->cert_pem);
    ASSERT_TRUE(cert.is_ok());
    EXPECT_EQ(cert->subject_cn(), "web1");
    auto key = crypto::private_key_from_pem(creds->key_pem.span());
    ASSERT_TRUE(key.is_ok());
    auto spki = crypto::public_key_to_der(key->get());
    ASSERT_TRUE(spki.is_ok());
    EXPECT_EQ(*spki, cert->public_key_spki());
    EXPECT_FALSE(cert->is_ca());
}

TEST_F(ClientConfigTest, CreateCertRefusesToReplaceUnlessForced) {
    ASSERT_TRUE(create_client_certificate(m_env, m_home, "web1", false).is_ok());
    const std::string before = file_text(m_home / "cert/client/web1.pem");
    auto again = create_client_certificate(m_env, m_home, "web1", false);
    EXPECT_EQ(again.code(), Err::AlreadyExists);
    EXPECT_EQ(create_client_certificate(m_env, m_home, "web2", false).code(), Err::AlreadyExists);
    EXPECT_FALSE(fs::exists(m_home / "cert/client/web2.pem"));
    EXPECT_EQ(file_text(m_home / "cert/client/web1.pem"), before);
    ASSERT_TRUE(create_client_certificate(m_env, m_home, "web1", true).is_ok());
    EXPECT_NE(file_text(m_home / "cert/client/web1.pem"), before);
    EXPECT_EQ(create_client_certificate(m_env, m_home, "../evil", true).code(), Err::ArgumentsBad);
}

TEST_F(ClientConfigTest, AddAndDeleteServerKeepOrderAndTheCertificateCopy) {
    const std::string pem = server_pem();
    ASSERT_TRUE(add_server(m_env, m_home, "b.example:1792", pem, false).is_ok());
    ASSERT_TRUE(add_server(m_env, m_home, "a.example:1792", pem, false).is_ok());
    EXPECT_EQ(add_server(m_env, m_home, "a.example:1792", pem, false).code(), Err::AlreadyExists);
    EXPECT_EQ(add_server(m_env, m_home, "c.example:1", "not a certificate", false).code(),
              Err::CertificateDataInvalid);
    EXPECT_EQ(file_text(m_home / "cert/server/b.example_1792.pem"), pem);

    auto c = load_client_config(m_env, m_home);
    ASSERT_TRUE(c.is_ok());
    ASSERT_EQ(c->servers.size(), 2u);
    EXPECT_EQ(c->servers[0].address, "b.example:1792");
    EXPECT_EQ(c->servers[1].address, "a.example:1792");

    ASSERT_TRUE(delete_server(m_env, m_home, "b.example:1792").is_ok());
    EXPECT_FALSE(fs::exists(m_home / "cert/server/b.example_1792.pem"));
    EXPECT_TRUE(fs::exists(m_home / "cert/server/a.example_1792.pem"));
    EXPECT_EQ(delete_server(m_env, m_home, "b.example:1792").code(), Err::NotFound);
    c = load_client_config(m_env, m_home);
    ASSERT_TRUE(c.is_ok());
    ASSERT_EQ(c->servers.size(), 1u);
    EXPECT_EQ(c->servers[0].address, "a.example:1792");
}

TEST_F(ClientConfigTest, EditsKeepTablesOfLaterVersions) {
    write(client_config_path(m_home), kFull);
    ASSERT_TRUE(add_server(m_env, m_home, "c.example:1", server_pem(), false).is_ok());
    const std::string text = file_text(client_config_path(m_home));
    EXPECT_NE(text.find("group1"), std::string::npos) << text;
    auto c = load_client_config(m_env, m_home);
    ASSERT_TRUE(c.is_ok());
    EXPECT_EQ(c->servers.size(), 3u);
}

}  // namespace
}  // namespace sr::client
