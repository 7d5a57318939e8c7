// The registry and keys are shared across threads (immutable, const use only); operations are
// per thread. Run under TSan to check the claim; here every result must still verify.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "mech_test_util.h"

namespace sr::crypto {
namespace {

using namespace testing;

TEST(RegistryThreads, SharedKeysSignAndVerifyConcurrently) {
    KeyPair ec = ec_pair("P-256");
    KeyPair rsa = rsa_pair(1024);
    Key mac = secret_key(KeyType::GenericSecret, 32);
    Key aes = secret_key(KeyType::Aes, 16);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            Bytes msg = message(100 + static_cast<size_t>(t));
            GcmParams gcm{Bytes(12, static_cast<uint8_t>(t)), {}, 128};
            for (int i = 0; i < 25; ++i) {
                auto s1 = sign_with(mk(mech::kEcdsaSha256), ec.private_key, msg);
                auto s2 = sign_with(mk(mech::kSha256RsaPkcs), rsa.private_key, msg);
                auto s3 = sign_with(mk(mech::kSha256Hmac), mac, msg);
                auto ct = encrypt_with(mk(mech::kAesGcm, gcm), aes, msg);
                bool ok = s1 && s2 && s3 && ct &&
                          verify_with(mk(mech::kEcdsaSha256), ec.public_key, msg, *s1).is_ok() &&
                          verify_with(mk(mech::kSha256RsaPkcs), rsa.public_key, msg, *s2).is_ok() &&
                          verify_with(mk(mech::kSha256Hmac), mac, msg, *s3).is_ok();
                auto pt = ct ? decrypt_with(mk(mech::kAesGcm, gcm), aes, *ct)
                             : Result<Bytes>(ct.status());
                if (!ok || !pt || *pt != msg) failures.fetch_add(1);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace sr::crypto
