// Regression: with libp11's pkcs11 ENGINE made the process default (`openssl -engine pkcs11`),
// key generation and import failed because contexts created by the names "RSA"/"EC" were routed
// to the engine's legacy methods. Own executable: the default engine is process-wide state.
// The ENGINE API is deprecated, so this one file opts back into it to recreate the environment.
#undef OPENSSL_NO_DEPRECATED
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <openssl/engine.h>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;
namespace fs = std::filesystem;

constexpr const char* kEngineSo = "/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so";
constexpr const char* kSoftHsm = "/usr/lib/softhsm/libsofthsm2.so";

// Loads libp11's engine through "dynamic" and makes it the default for everything.
bool make_pkcs11_engine_default(const fs::path& dir) {
    fs::create_directories(dir / "tokens");
    std::ofstream(dir / "softhsm2.conf") << "directories.tokendir = " << (dir / "tokens").string()
                                         << "\nobjectstore.backend = file\n";
    setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    ENGINE* e = ENGINE_by_id("dynamic");
    bool ok = e && ENGINE_ctrl_cmd_string(e, "SO_PATH", kEngineSo, 0) == 1 &&
              ENGINE_ctrl_cmd_string(e, "ID", "pkcs11", 0) == 1 &&
              ENGINE_ctrl_cmd_string(e, "LOAD", nullptr, 0) == 1 &&
              ENGINE_ctrl_cmd_string(e, "MODULE_PATH", kSoftHsm, 0) == 1 && ENGINE_init(e) == 1 &&
              ENGINE_set_default(e, ENGINE_METHOD_ALL) == 1;
    if (e) ENGINE_free(e);  // the default registration keeps its own reference
    return ok;
}

TEST(DefaultEngine, KeysAreGeneratedImportedAndUsedDespiteADefaultPkcs11Engine) {
    if (!fs::exists(kEngineSo) || !fs::exists(kSoftHsm))
        GTEST_SKIP() << "libp11 engine or SoftHSM2 not installed";
    fs::path dir = fs::temp_directory_path() /
                   ("sr-mech-engine-" + std::to_string(getpid()) + "-default-engine");
    ASSERT_TRUE(make_pkcs11_engine_default(dir));
    KeyPair rsa = rsa_pair(2048);
    KeyPair ec = ec_pair("P-256");
    KeyPair ed = ec_pair("Ed25519");
    auto rsa_imported = rsa_private_from(*rsa_private_parts(rsa.private_key));
    auto ec_imported = ec_private_from(KeyType::Ec, *ec_private_parts(ec.private_key));
    ASSERT_TRUE(rsa_imported.is_ok()) << rsa_imported.status().to_string();
    ASSERT_TRUE(ec_imported.is_ok()) << ec_imported.status().to_string();
    Bytes msg = message(64);
    auto s1 = sign_with(mk(mech::kSha256RsaPkcs), *rsa_imported, msg);
    auto s2 = sign_with(mk(mech::kEcdsaSha256), *ec_imported, msg);
    auto s3 = sign_with(mk(mech::kEddsa), ed.private_key, msg);
    ASSERT_TRUE(s1 && s2 && s3);
    EXPECT_TRUE(verify_with(mk(mech::kSha256RsaPkcs), rsa.public_key, msg, *s1).is_ok());
    EXPECT_TRUE(verify_with(mk(mech::kEcdsaSha256), ec.public_key, msg, *s2).is_ok());
    EXPECT_TRUE(verify_with(mk(mech::kEddsa), ed.public_key, msg, *s3).is_ok());
    fs::remove_all(dir);
}

}  // namespace
}  // namespace sr::crypto
