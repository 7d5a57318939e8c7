// srsh `client ...`, `ntls show` and `sysconf regencert` against the in-memory appliance
// (luna-reference §2.5): golden output and refusals.
#include "srsh_fixture.h"

namespace sr::appliance::srsh::testing {
namespace {

using ClientCommands = SrshTest;

const std::string kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

TEST_F(ClientCommands, RegisterShowsTheClient) {
    make();
    const auto cert = write_file("client1.pem", kPem);
    const std::string out =
        run("client register -client client1 -certfile " + cert.string() + " -hostname host1\n");
    EXPECT_EQ(out,
              "\n"
              "   ClientID:       client1\n"
              "   Hostname:       host1\n"
              "   Fingerprint:    AA:BB:client1\n"
              "   Partitions:     (none)\n"
              "\n'client register' successful.\n\nCommand Result : 0 (Success)\n\n");
}

TEST_F(ClientCommands, RegisterRefusesAMissingFileAndBothHostForms) {
    make();
    const std::string missing =
        run("client register -client c1 -certfile " + (m_root / "nope.pem").string() + "\n");
    EXPECT_TRUE(contains(missing, "-certfile: cannot read the file")) << missing;
    const auto cert = write_file("c1.pem", kPem);
    const std::string both = run("client register -client c1 -certfile " + cert.string() +
                                 " -hostname h -ip 10.0.0.1\n");
    EXPECT_TRUE(contains(both, "give -hostname or -ip, not both")) << both;
}

TEST_F(ClientCommands, ListNumbersClientsInRegistrationOrder) {
    make();
    const auto cert = write_file("c.pem", kPem);
    const std::string out = run("client register -c alpha -certfile " + cert.string() +
                                "\nclient register -c beta -certfile " + cert.string() +
                                " -ip 10.0.0.2\nclient list\n");
    EXPECT_TRUE(contains(out,
                         "\nregistered client 1: alpha\nregistered client 2: beta\n\n"
                         "'client list' successful."))
        << out;
}

TEST_F(ClientCommands, AssignAndRevokePartition) {
    make({7, 8, 4}, {"par1", "par2"});
    const auto cert = write_file("c.pem", kPem);
    const std::string out = run("client register -client c1 -certfile " + cert.string() +
                                "\nclient assignpartition -client c1 -partition par1\n"
                                "client assignpartition -c c1 -p par2\n"
                                "client revokepartition -client c1 -partition par1\n"
                                "client show -client c1\n");
    EXPECT_TRUE(contains(out, "   Partitions:     \"par1\", \"par2\"\n")) << out;
    EXPECT_TRUE(contains(out, "'client revokepartition' successful.")) << out;
    ASSERT_EQ(m_appliance.show_client("c1")->partitions, std::vector<std::string>{"par2"});
}

TEST_F(ClientCommands, AssignRefusesAnUnknownPartition) {
    make();
    const auto cert = write_file("c.pem", kPem);
    int exit = 0;
    const std::string out = run("client register -client c1 -certfile " + cert.string() +
                                    "\nclient assignpartition -client c1 -partition nope\n",
                                {}, &exit);
    EXPECT_TRUE(contains(out, "no partition named 'nope'")) << out;
    EXPECT_EQ(exit, 1);
}

TEST_F(ClientCommands, DeleteAsksForProceed) {
    make();
    const auto cert = write_file("c.pem", kPem);
    const std::string out = run("client register -client c1 -certfile " + cert.string() +
                                "\nclient delete -client c1\nproceed\nclient list\n");
    EXPECT_TRUE(contains(out, "Type 'proceed' to delete the client, or")) << out;
    EXPECT_TRUE(contains(out, "No clients are registered.")) << out;
    const std::string unknown = run("client delete -client ghost -force\n");
    EXPECT_TRUE(contains(unknown, "no client named 'ghost'")) << unknown;
}

TEST_F(ClientCommands, NtlsShowAndRegenCert) {
    make();
    const std::string show = run("ntls show\n");
    EXPECT_TRUE(contains(show, "   NTLS listening on:              127.0.0.1:1792\n")) << show;
    EXPECT_TRUE(contains(show, "   TLS versions:                   TLSv1.3\n")) << show;
    const std::string regen = run("sysconf regencert -hostname hsm1.example,10.0.0.9\nproceed\n");
    EXPECT_TRUE(contains(regen, "Type 'proceed' to regenerate the certificate, or")) << regen;
    EXPECT_TRUE(contains(regen, "   Server certificate subject:     CN=hsm1.example\n")) << regen;
    EXPECT_TRUE(contains(regen, "'sysconf regencert' successful.")) << regen;
}

}  // namespace
}  // namespace sr::appliance::srsh::testing
