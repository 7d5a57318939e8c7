// Clone benchmark: 10,000 mixed objects (40% AES-256 keys, 30% P-256 key-pair halves, 30%
// RSA-2048 key-pair halves) cloned between two local devices of one factory through
// client::clone_objects, with the devices' default durability. Reports objects/s and bytes
// relayed per object for a first clone and for a second run (everything skipped).
// Reported, never asserted. See bench/README.md, "Cloning".
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "client/clone.h"
#include "crypto/key.h"
#include "crypto/mechanism.h"
#include "crypto/primitives.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"

namespace {

using namespace sr;
using namespace sr::hsm;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr size_t kPoolRsa = 8;  // distinct RSA-2048 pairs generated; the rest reuse their values
constexpr size_t kPoolEc = 16;
constexpr size_t kPoolAes = 16;

void die(const Status& st, const char* what) {
    if (st.is_ok()) return;
    std::fprintf(stderr, "%s: %s\n", what, st.to_string().c_str());
    std::exit(1);
}

struct Side {
    std::unique_ptr<LocalDevice> dev;
    fs::path folder;
    PartitionId partition = 0;
    SessionId co = 0;
};

// Closes and reopens the device, so the next clone reads every object from the store (a cold
// object cache, as after a restart) rather than from what setup left in memory.
void open_cold(Env& env, Side& s) {
    s.dev.reset();
    auto d = LocalDevice::open(env, s.folder);
    die(d.status(), "open");
    s.dev = std::move(*d);
    AppId a = *s.dev->attach();
    auto session = s.dev->open_session(a, s.partition, true);
    die(session.status(), "open_session");
    s.co = *session;
    die(s.dev->login(s.co, Role::CryptoOfficer, "co-password"), "login");
}

Side make_side(Env& env, const fs::path& root, uint64_t serial) {
    NewDeviceSpec spec;
    spec.home = root / ("home-" + std::to_string(serial));
    spec.factory = root / "factory";
    spec.serial = serial;
    spec.hsm_label = "bench";
    spec.so_password = "so-password";
    spec.partitions = {"p"};
    spec.domain = "bench-domain";
    spec.po_password = "po-password";
    spec.co_password = "co-password";
    auto r = make_device(env, spec);
    die(r.status(), "make_device");
    Side s;
    s.folder = r->folder;
    s.partition = r->partitions.at(0).id;
    open_cold(env, s);
    return s;
}

AttributeSet key_template(bool sign) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, true);
    t.set_bool(sign ? attr::kSign : attr::kEncrypt, true);
    return t;
}

AttributeSet public_template(AttrType size_attr, ByteView size_value) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kVerify, true);
    t.set_bytes(size_attr, size_value);
    return t;
}

// Generates the pools once and returns the complete attributes of every pool object.
std::vector<std::vector<AttributeSet>> make_pools(Side& s) {
    std::vector<std::vector<AttributeSet>> pools(3);  // 0: AES, 1: EC halves, 2: RSA halves
    auto grab = [&](std::vector<AttributeSet>& pool, ObjectHandle h) {
        auto a = s.dev->export_object(s.co, h);
        die(a.status(), "export_object");
        pool.push_back(std::move(*a));
    };
    for (size_t i = 0; i < kPoolAes; ++i) {
        AttributeSet t = key_template(false);
        t.set_ulong(attr::kValueLen, 32);
        auto h = s.dev->generate_key(s.co, {crypto::mech::kAesKeyGen, crypto::NoParams{}}, t);
        die(h.status(), "generate AES");
        grab(pools[0], *h);
    }
    const Bytes p256 = *crypto::curve_params_der("P-256");
    for (size_t i = 0; i < kPoolEc; ++i) {
        auto kp = s.dev->generate_key_pair(s.co, {crypto::mech::kEcKeyPairGen, crypto::NoParams{}},
                                           public_template(attr::kEcParams, p256),
                                           key_template(true));
        die(kp.status(), "generate P-256");
        grab(pools[1], kp->private_key);
        grab(pools[1], kp->public_key);
    }
    const Bytes bits = encode_ulong(2048);
    for (size_t i = 0; i < kPoolRsa; ++i) {
        auto kp = s.dev->generate_key_pair(
            s.co, {crypto::mech::kRsaPkcsKeyPairGen, crypto::NoParams{}},
            public_template(attr::kModulusBits, bits), key_template(true));
        die(kp.status(), "generate RSA-2048");
        grab(pools[2], kp->private_key);
        grab(pools[2], kp->public_key);
    }
    return pools;
}

// Fills the source with `total` objects made from the pools' values, each with its own OUID,
// label and ID, through the engine's batched import (setup, not timed).
void fill_source(Side& s, size_t total) {
    auto pools = make_pools(s);
    const size_t shares[3] = {total * 4 / 10, total * 3 / 10, total - total * 4 / 10 - total * 3 / 10};
    std::vector<AttributeSet> batch;
    auto flush = [&] {
        auto out = s.dev->import_objects(s.co, std::move(batch));
        die(out.status(), "import_objects");
        for (const auto& r : *out) die(r.status(), "import");
        batch.clear();
    };
    size_t n = 0;
    for (size_t kind = 0; kind < 3; ++kind) {
        for (size_t i = 0; i < shares[kind]; ++i, ++n) {
            // Key pairs: halves k and k+1 of the pool are one pair; give both the same ID.
            const auto& pool = pools[kind];
            AttributeSet a = pool[i % pool.size()].clone();
            auto ouid = crypto::random_public(12);
            die(ouid.status(), "random");
            a.set_bytes(attr::kOuid, *ouid);
            a.set_string(attr::kLabel, "bench-" + std::to_string(n));
            a.set_bytes(attr::kId, as_bytes(std::to_string(kind == 0 ? n : n / 2)));
            batch.push_back(std::move(a));
            if (batch.size() == 1000) flush();
        }
    }
    if (!batch.empty()) flush();
}

// Process CPU time: on a shared machine wall-clock rates swing with the load; objects per
// CPU-second of this process (both devices run in it) do not.
double cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

struct Run {
    double seconds = 0;
    double cpu = 0;
    client::CloneReport report;
};

Run timed_clone(Side& src, Side& dst, std::span<const ObjectHandle> handles, size_t batch) {
    client::CloneOptions options;
    options.batch_size = batch;
    const double cpu_start = cpu_seconds();
    auto start = Clock::now();
    auto r = client::clone_objects(*src.dev, src.co, *dst.dev, dst.co, handles, options);
    Run run;
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    run.cpu = cpu_seconds() - cpu_start;
    die(r.status(), "clone_objects");
    run.report = std::move(*r);
    return run;
}

void print(const char* what, size_t batch, size_t objects, const Run& run) {
    std::printf("%-26s batch %5zu: %6zu objects in %6.2f s = %7.0f objects/s (%7.0f per CPU-s),"
                " %5.0f bytes/object relayed (cloned %zu, skipped %zu, refused %zu)\n",
                what, batch, objects, run.seconds, static_cast<double>(objects) / run.seconds,
                static_cast<double>(objects) / run.cpu,
                static_cast<double>(run.report.bytes_relayed) / static_cast<double>(objects),
                run.report.cloned.size(), run.report.skipped.size(), run.report.refused.size());
}

}  // namespace

// clone_bench [objects [batch ...]]: defaults 10000 objects, batches 1, 256 and 1024 (batch 1,
// one exchange and one target transaction per object, runs on the first 1,000 objects only).
int main(int argc, char** argv) {
    const size_t total = argc > 1 ? std::stoull(argv[1]) : 10000;
    std::vector<size_t> batches;
    for (int i = 2; i < argc; ++i) batches.push_back(std::stoull(argv[i]));
    if (batches.empty()) batches = {1, 256, 1024};

    PosixEnv env;
    const fs::path root = fs::temp_directory_path() / ("sr-clone-bench-" + std::to_string(::getpid()));
    fs::remove_all(root);
    {
        Side src = make_side(env, root, 100001);
        auto setup = Clock::now();
        fill_source(src, total);
        std::fprintf(stderr, "setup: %zu source objects in %.1f s\n", total,
                     std::chrono::duration<double>(Clock::now() - setup).count());
        auto handles = client::list_token_objects(*src.dev, src.co);
        die(handles.status(), "list");
        // The pool objects themselves are not part of the measured set.
        std::vector<ObjectHandle> measured(handles->end() - static_cast<std::ptrdiff_t>(total),
                                           handles->end());
        uint64_t serial = 200001;
        for (size_t batch : batches) {
            Side dst = make_side(env, root, serial++);
            open_cold(env, src);
            std::span<const ObjectHandle> set(measured);
            if (batch == 1 && set.size() > 1000) set = set.first(1000);
            Run first = timed_clone(src, dst, set, batch);
            print("clone (cold source)", batch, set.size(), first);
            Run second = timed_clone(src, dst, set, batch);
            print("clone again (all skipped)", batch, set.size(), second);
        }
    }
    fs::remove_all(root);
    return 0;
}
