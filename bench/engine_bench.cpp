// Engine benchmarks through LocalDevice: RSA-2048 and ECDSA P-256 signing beside raw OpenSSL
// EVP with the same key (ratio = device throughput / raw throughput; target >= 0.9), token
// object creation with the default durability, and label search among 1,000 / 10,000 / 100,000
// objects.
// Reported, never asserted.
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "hsm/factory.h"
#include "hsm/key_attributes.h"
#include "hsm/local_device.h"

namespace {

using namespace sr;
using namespace sr::hsm;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// Mean seconds per call of `fn`, running it for at least `min_seconds`.
double time_per_op(const std::function<void()>& fn, double min_seconds = 1.0) {
    fn();  // warm-up
    size_t n = 0;
    auto start = Clock::now();
    double elapsed = 0;
    do {
        fn();
        ++n;
        elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    } while (elapsed < min_seconds);
    return elapsed / static_cast<double>(n);
}

void die(const Status& st, const char* what) {
    if (st.is_ok()) return;
    std::fprintf(stderr, "%s: %s\n", what, st.to_string().c_str());
    std::exit(1);
}

Bytes raw_sign(EVP_PKEY* key, ByteView msg) {
    crypto::MdCtxPtr ctx(EVP_MD_CTX_new());
    size_t len = 0;
    EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key, nullptr);
    EVP_DigestSign(ctx.get(), nullptr, &len, msg.data(), msg.size());
    Bytes sig(len);
    EVP_DigestSign(ctx.get(), sig.data(), &len, msg.data(), msg.size());
    sig.resize(len);
    return sig;
}

struct Bench {
    PosixEnv env;
    fs::path root;
    std::unique_ptr<LocalDevice> dev;
    SessionId session = 0;

    Bench() {
        root = fs::temp_directory_path() / ("sr-engine-bench-" + std::to_string(::getpid()));
        fs::remove_all(root);
        NewDeviceSpec spec;
        spec.home = root / "home";
        spec.serial = 1;
        spec.hsm_label = "bench";
        spec.so_password = "so-password";
        spec.partitions = {"p"};
        spec.domain = "d";
        spec.po_password = "po-password";
        spec.co_password = "co-password";
        auto r = make_device(env, spec);
        die(r.status(), "make_device");
        auto d = LocalDevice::open(env, r->folder);
        die(d.status(), "open");
        dev = std::move(*d);
        AppId a = *dev->attach();
        session = *dev->open_session(a, (*dev->partitions())[0].id, true);
        die(dev->login(session, Role::CryptoOfficer, "co-password"), "login");
    }
    ~Bench() {
        dev.reset();
        fs::remove_all(root);
    }

    void signing(const char* name, crypto::MechanismId gen, crypto::MechanismId sign,
                 AttributeSet pub) {
        AttributeSet priv;
        priv.set_bool(attr::kToken, true);
        priv.set_bool(attr::kSign, true);
        priv.set_bool(attr::kExtractable, true);
        priv.set_bool(attr::kSensitive, false);
        auto kp = dev->generate_key_pair(session, {gen, crypto::NoParams{}}, pub, priv);
        die(kp.status(), "generate_key_pair");
        // The same key for raw EVP, read back through PKCS#11 components.
        std::vector<AttrType> all;
        for (const auto& rule : attribute_rules()) all.push_back(rule.type);
        auto readout = dev->get_attributes(session, kp->private_key, all);
        die(readout.status(), "get_attributes");
        auto key = key_from_attributes(readout->values);
        die(key.status(), "key_from_attributes");
        Bytes msg = to_bytes("benchmark message to sign");
        double device = time_per_op([&] {
            die(dev->sign_init(session, {sign, crypto::NoParams{}}, kp->private_key), "sign_init");
            die(dev->sign(session, msg).status(), "sign");
        });
        double raw = time_per_op([&] { (void)raw_sign(key->pkey(), msg); });
        std::printf(
            "%-18s device %9.1f us/op (%7.0f op/s)   raw EVP %9.1f us/op   throughput ratio %.2f\n",
            name, device * 1e6, 1.0 / device, raw * 1e6, raw / device);
    }

    void creation() {
        size_t i = 0;
        double t = time_per_op([&] {
            AttributeSet d;
            d.set_ulong(attr::kClass, cls::kData);
            d.set_bool(attr::kToken, true);
            d.set_bool(attr::kPrivate, false);
            d.set_string(attr::kLabel, "created-" + std::to_string(i++));
            d.set_bytes(attr::kValue, Bytes(64, 7));
            die(dev->create_object(session, d).status(), "create_object");
        }, 2.0);
        std::printf("token object creation (durable, one transaction each): %.0f objects/s\n",
                    1.0 / t);
    }

    // Fills the partition up to `total` data objects directly through the store (sealing is
    // not involved for public data objects), then times a label search through the device.
    void search(size_t total, size_t& have) {
        PartitionId p = (*dev->partitions())[0].id;
        die(dev->store().write([&](store::Txn& txn) -> Status {
            for (; have < total; ++have) {
                std::string label = "obj-" + std::to_string(have);
                std::map<AttrType, Bytes> plain;
                plain[attr::kClass] = encode_ulong(cls::kData);
                plain[attr::kToken] = encode_bool(true);
                plain[attr::kPrivate] = encode_bool(false);
                plain[attr::kLabel] = to_bytes(label);
                store::ObjectRecord r;
                r.partition_id = p;
                r.ouid = to_bytes("ouid-" + std::to_string(have));
                plain[attr::kOuid] = r.ouid;
                r.object_class = cls::kData;
                r.label = to_bytes(label);
                r.is_private = false;
                r.attrs = encode_attributes(plain);
                auto h = txn.insert_object(r);
                if (!h) return h.status();
            }
            return {};
        }), "fill");
        size_t probe = 0;
        double t = time_per_op([&] {
            AttributeSet q;
            q.set_string(attr::kLabel, "obj-" + std::to_string((probe++ * 7919) % total));
            die(dev->find_init(session, q), "find_init");
            auto found = dev->find_next(session, 10);
            if (!found || found->size() != 1) die(error(Err::GeneralError, "not found"), "find");
            die(dev->find_final(session), "find_final");
        });
        std::printf("search by label among %7zu objects: %8.1f us\n", total, t * 1e6);
    }
};

}  // namespace

int main() {
    Bench b;
    AttributeSet rsa_pub;
    rsa_pub.set_bool(attr::kToken, true);
    rsa_pub.set_bool(attr::kVerify, true);
    rsa_pub.set_ulong(attr::kModulusBits, 2048);
    b.signing("RSA-2048 SHA256", crypto::mech::kRsaPkcsKeyPairGen, crypto::mech::kSha256RsaPkcs,
              std::move(rsa_pub));
    AttributeSet ec_pub;
    ec_pub.set_bool(attr::kToken, true);
    ec_pub.set_bool(attr::kVerify, true);
    ec_pub.set_bytes(attr::kEcParams, *crypto::curve_params_der("P-256"));
    b.signing("ECDSA P-256 SHA256", crypto::mech::kEcKeyPairGen, crypto::mech::kEcdsaSha256,
              std::move(ec_pub));
    b.creation();
    size_t have = 0;
    for (size_t n : {1000u, 10000u, 100000u}) b.search(n, have);
    return 0;
}
