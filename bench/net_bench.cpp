// Network benchmark: the p11_bench signing workloads (RSA-2048 2 threads, ECDSA P-256 1 and 2
// threads) and AES-256-GCM encryption through one appliance partition opened locally
// (LocalDevice, in-process) and then through a real strongroomd (net::RemoteDevice over TLS on
// loopback), in one run; and 10,000 mixed objects cloned between two appliances, locally and
// through both daemons. Prints a network/local ratio table. Reported, never asserted; see
// bench/README.md, "Network".
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "appliance/appliance_factory.h"
#include "appliance/appliance_home.h"
#include "appliance/client_registry.h"
#include "appliance/daemon_process.h"
#include "client/clone.h"
#include "crypto/key.h"
#include "crypto/primitives.h"
#include "crypto/x509.h"
#include "hsm/local_device.h"
#include "net/remote_device.h"

namespace {

using namespace sr;
using namespace sr::hsm;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
namespace mech = crypto::mech;

constexpr const char* kCoPw = "co-password";
double g_seconds = 2.0;

void die(const Status& st, const char* what) {
    if (st.is_ok()) return;
    std::fprintf(stderr, "%s: %s\n", what, st.to_string().c_str());
    std::exit(1);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

double cpu_seconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// The daemon serving the network run (0: the local run, nothing to add).
pid_t g_server_pid = 0;

// CPU seconds (user + system) another process has used, from /proc/<pid>/stat; 0 if unknown.
double process_cpu_seconds(pid_t pid) {
    if (pid <= 0) return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
    for (int i = 3; i <= 15 && (fields >> f); ++i) {
        if (i == 14) utime = std::stoull(f);
        if (i == 15) stime = std::stoull(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct ClientId {
    std::string cert_pem;
    SecretBytes key_pem;
};

ClientId make_client() {
    auto key = crypto::generate_ec_key(crypto::EcCurve::P256);
    die(key.status(), "client key");
    crypto::TlsCertOptions options;
    options.role = crypto::TlsRole::Client;
    options.common_name = "bench";
    auto cert = crypto::self_signed_tls_certificate(key->get(), options,
                                                    std::chrono::system_clock::now());
    die(cert.status(), "client certificate");
    auto pem = crypto::private_key_to_pem(key->get());
    die(pem.status(), "client key pem");
    return {cert->pem(), std::move(*pem)};
}

struct Appliance {
    fs::path home, folder;
    std::string address;  // of its strongroomd, once started
    pid_t pid = 0;
};

Appliance make(Env& env, const fs::path& root, const std::string& name, uint64_t serial,
               const ClientId& client) {
    appliance::NewApplianceSpec spec;
    spec.device.home = root / name;
    spec.device.serial = serial;
    spec.device.hsm_label = name;
    spec.device.so_password = "so-password";
    spec.device.partitions = {"p"};
    spec.device.domain = "bench-domain";
    spec.device.po_password = "po-password";
    spec.device.co_password = kCoPw;
    auto made = appliance::make_appliance(env, std::move(spec));
    die(made.status(), "make_appliance");
    Appliance a;
    a.home = root / name;
    a.folder = made->folder;
    auto dev = LocalDevice::open(env, a.folder);
    die(dev.status(), "open");
    auto reg = appliance::ClientRegistry::open(env, appliance::clients_path(a.home), **dev);
    die(reg.status(), "registry");
    die((*reg)->register_client("bench", "bench.example", client.cert_pem).status(), "register");
    die((*reg)->assign("bench", "p").status(), "assign");
    return a;
}

void start(appliance::Daemons& daemons, Appliance& a) {
    const fs::path log = a.home.parent_path() / (a.home.filename().string() + ".log");
    auto address = daemons.start(a.home, log);
    die(address.status(), "strongroomd");
    a.address = *address;
    a.pid = daemons.pid(a.home);
}

std::unique_ptr<Device> remote(const Appliance& a, const ClientId& client) {
    net::ServerEndpoint ep;
    ep.address = a.address;
    ep.server_cert_pem = slurp(appliance::server_cert_path(a.home));
    ep.client_cert_pem = client.cert_pem;
    ep.client_key_pem = SecretBytes(client.key_pem.span());
    auto dev = net::connect_remote(ep);
    die(dev.status(), "connect_remote");
    return std::move(*dev);
}

// `n` read-write sessions of one application on the device's partition, Crypto Officer in.
std::vector<SessionId> sessions(Device& dev, size_t n) {
    auto parts = dev.partitions();
    die(parts.status(), "partitions");
    auto app = dev.attach();
    die(app.status(), "attach");
    std::vector<SessionId> out;
    for (size_t i = 0; i < n; ++i) {
        auto s = dev.open_session(*app, parts->front().id, true);
        die(s.status(), "open_session");
        out.push_back(*s);
    }
    die(dev.login(out.front(), Role::CryptoOfficer, kCoPw), "login");
    return out;
}

ObjectHandle find_label(Device& dev, SessionId s, const std::string& label) {
    AttributeSet t;
    t.set_string(attr::kLabel, label);
    die(dev.find_init(s, t), "find_init");
    auto found = dev.find_next(s, 2);
    die(found.status(), "find_next");
    die(dev.find_final(s), "find_final");
    if (found->size() != 1) {
        std::fprintf(stderr, "key %s not found\n", label.c_str());
        std::exit(1);
    }
    return found->front();
}

struct Rate {
    double per_s = 0;
    double per_cpu_s = 0;    // of this process: for the network run, the client side only
    double per_total_cpu_s = 0;  // of this process and the daemon together
};

// Runs `op(thread)` on `threads` threads for g_seconds after one warm-up call each.
Rate rate(int threads, const std::function<void(int)>& op) {
    for (int t = 0; t < threads; ++t) op(t);
    std::atomic<bool> done{false};
    std::vector<uint64_t> counts(static_cast<size_t>(threads), 0);
    std::vector<std::thread> pool;
    const double cpu0 = cpu_seconds();
    const double server0 = process_cpu_seconds(g_server_pid);
    const auto t0 = Clock::now();
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            while (!done.load(std::memory_order_relaxed)) {
                op(t);
                ++counts[static_cast<size_t>(t)];
            }
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(g_seconds));
    done = true;
    for (auto& th : pool) th.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;
    const double server = process_cpu_seconds(g_server_pid) - server0;
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    const auto n = static_cast<double>(total);
    return {n / elapsed, n / cpu, n / (cpu + server)};
}

struct Workload {
    const char* name;
    const char* key_label;
    crypto::Mechanism mechanism;
    bool sign;  // else AES-GCM encrypt
    int threads;
};

const std::vector<Workload>& workloads() {
    static const std::vector<Workload> w = {
        {"RSA-2048 sign, 2 threads", "rsa", {mech::kSha256RsaPkcs, crypto::NoParams{}}, true, 2},
        {"ECDSA P-256 sign, 1 thread", "ec", {mech::kEcdsaSha256, crypto::NoParams{}}, true, 1},
        {"ECDSA P-256 sign, 2 threads", "ec", {mech::kEcdsaSha256, crypto::NoParams{}}, true, 2},
        {"ECDSA P-256 sign, 8 threads", "ec", {mech::kEcdsaSha256, crypto::NoParams{}}, true, 8},
        {"RSA-2048 sign, 8 threads", "rsa", {mech::kSha256RsaPkcs, crypto::NoParams{}}, true, 8},
        {"AES-256-GCM encrypt 1 KiB, 1 thread", "aes",
         {mech::kAesGcm, crypto::GcmParams{Bytes(12, 7), {}, 128}}, false, 1},
    };
    return w;
}

std::vector<Rate> run_workloads(Device& dev, const char* where) {
    std::vector<SessionId> ss = sessions(dev, 8);
    const Bytes msg(52, 0x5a);
    const Bytes block(1024, 0x3c);
    std::vector<Rate> out;
    for (const Workload& w : workloads()) {
        const ObjectHandle key = find_label(dev, ss[0], w.key_label);
        const Rate r = rate(w.threads, [&](int t) {
            const SessionId s = ss[static_cast<size_t>(t)];
            if (w.sign) {
                die(dev.sign_init(s, w.mechanism, key), "sign_init");
                die(dev.sign(s, msg).status(), "sign");
            } else {
                die(dev.encrypt_init(s, w.mechanism, key), "encrypt_init");
                die(dev.encrypt(s, block).status(), "encrypt");
            }
        });
        std::printf("%-8s %-38s %9.0f ops/s (%9.0f per client CPU-s, %9.0f per CPU-s of client "
                    "and server)\n",
                    where, w.name, r.per_s, r.per_cpu_s, r.per_total_cpu_s);
        std::fflush(stdout);
        out.push_back(r);
    }
    return out;
}

AttributeSet private_template(const char* label, bool sign) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kPrivate, true);
    t.set_bool(attr::kSensitive, true);
    t.set_bool(attr::kExtractable, true);
    t.set_bool(sign ? attr::kSign : attr::kEncrypt, true);
    if (label != nullptr) t.set_string(attr::kLabel, label);
    return t;
}

AttributeSet public_template(AttrType size_attr, ByteView size_value) {
    AttributeSet t;
    t.set_bool(attr::kToken, true);
    t.set_bool(attr::kVerify, true);
    t.set_bytes(size_attr, size_value);
    return t;
}

// The workload keys ("rsa", "ec", "aes") and `total` clone objects (40% AES-256, 30% P-256
// halves, 30% RSA-2048 halves, values from small generated pools, each with its own OUID)
// written through the engine's batched import. Setup, not timed.
void fill(LocalDevice& dev, SessionId s, size_t total) {
    const Bytes p256 = *crypto::curve_params_der("P-256");
    const Bytes bits = encode_ulong(2048);
    AttributeSet aes = private_template("aes", false);
    aes.set_ulong(attr::kValueLen, 32);
    die(dev.generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}}, aes).status(), "aes");
    die(dev.generate_key_pair(s, {mech::kEcKeyPairGen, crypto::NoParams{}},
                              public_template(attr::kEcParams, p256), private_template("ec", true))
            .status(),
        "ec");
    die(dev.generate_key_pair(s, {mech::kRsaPkcsKeyPairGen, crypto::NoParams{}},
                              public_template(attr::kModulusBits, bits),
                              private_template("rsa", true))
            .status(),
        "rsa");
    std::vector<std::vector<AttributeSet>> pools(3);
    auto grab = [&](size_t pool, ObjectHandle h) {
        auto a = dev.export_object(s, h);
        die(a.status(), "export_object");
        pools[pool].push_back(std::move(*a));
    };
    for (int i = 0; i < 8; ++i) {
        AttributeSet t = private_template(nullptr, false);
        t.set_ulong(attr::kValueLen, 32);
        auto h = dev.generate_key(s, {mech::kAesKeyGen, crypto::NoParams{}}, t);
        die(h.status(), "pool aes");
        grab(0, *h);
        auto ec = dev.generate_key_pair(s, {mech::kEcKeyPairGen, crypto::NoParams{}},
                                        public_template(attr::kEcParams, p256),
                                        private_template(nullptr, true));
        die(ec.status(), "pool ec");
        grab(1, ec->private_key);
        grab(1, ec->public_key);
        if (i < 4) {
            auto rsa = dev.generate_key_pair(s, {mech::kRsaPkcsKeyPairGen, crypto::NoParams{}},
                                             public_template(attr::kModulusBits, bits),
                                             private_template(nullptr, true));
            die(rsa.status(), "pool rsa");
            grab(2, rsa->private_key);
            grab(2, rsa->public_key);
        }
    }
    const size_t shares[3] = {total * 4 / 10, total * 3 / 10, total - total * 7 / 10};
    std::vector<AttributeSet> batch;
    size_t n = 0;
    for (size_t kind = 0; kind < 3; ++kind) {
        for (size_t i = 0; i < shares[kind]; ++i, ++n) {
            AttributeSet a = pools[kind][i % pools[kind].size()].clone();
            auto ouid = crypto::random_public(12);
            die(ouid.status(), "random");
            a.set_bytes(attr::kOuid, *ouid);
            a.set_string(attr::kLabel, "bench-" + std::to_string(n));
            batch.push_back(std::move(a));
            if (batch.size() == 1000 || n + 1 == total) {
                auto out = dev.import_objects(s, std::move(batch));
                die(out.status(), "import_objects");
                for (const auto& r : *out) die(r.status(), "import");
                batch.clear();
            }
        }
    }
}

struct CloneRun {
    size_t objects = 0;
    double seconds = 0;
    double per_s() const { return static_cast<double>(objects) / seconds; }
};

CloneRun clone_all(Device& src, Device& dst) {
    const SessionId s = sessions(src, 1).front();
    const SessionId d = sessions(dst, 1).front();
    auto handles = client::list_token_objects(src, s);
    die(handles.status(), "list");
    const auto t0 = Clock::now();
    auto report = client::clone_objects(src, s, dst, d, *handles);
    die(report.status(), "clone_objects");
    CloneRun run;
    run.objects = handles->size();
    run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (!report->refused.empty() || report->cloned.size() != run.objects) {
        std::fprintf(stderr, "clone: %zu cloned, %zu refused of %zu\n", report->cloned.size(),
                     report->refused.size(), run.objects);
        std::exit(1);
    }
    return run;
}

}  // namespace

// net_bench [--seconds S] [--objects N]: defaults 2 s per workload, 10,000 clone objects.
int main(int argc, char** argv) {
    size_t objects = 10000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--seconds") g_seconds = std::stod(argv[i + 1]);
        else if (flag == "--objects") objects = std::stoull(argv[i + 1]);
    }
    PosixEnv env;
    const fs::path root =
        fs::temp_directory_path() / ("sr-net-bench-" + std::to_string(::getpid()));
    fs::remove_all(root);
    const ClientId client = make_client();
    Appliance a = make(env, root, "a", 300001, client);
    Appliance b = make(env, root, "b", 300002, client);   // network clone target
    Appliance c = make(env, root, "c", 300003, client);   // local clone target

    std::vector<Rate> local_rates;
    CloneRun local_clone;
    {
        auto src = LocalDevice::open(env, a.folder);
        die(src.status(), "open a");
        {
            const SessionId s = sessions(**src, 1).front();
            const auto t0 = Clock::now();
            fill(**src, s, objects);
            std::fprintf(stderr, "setup: %zu objects in %.1f s\n", objects,
                         std::chrono::duration<double>(Clock::now() - t0).count());
        }
        local_rates = run_workloads(**src, "local");
        auto dst = LocalDevice::open(env, c.folder);
        die(dst.status(), "open c");
        local_clone = clone_all(**src, **dst);
        std::printf("local    clone %zu objects: %.2f s = %.0f objects/s\n", local_clone.objects,
                    local_clone.seconds, local_clone.per_s());
    }
    appliance::Daemons daemons(SR_STRONGROOMD_BINARY);
    start(daemons, a);
    start(daemons, b);
    std::vector<Rate> net_rates;
    CloneRun net_clone;
    {
        auto src = remote(a, client);
        g_server_pid = a.pid;
        net_rates = run_workloads(*src, "network");
        g_server_pid = 0;
        auto dst = remote(b, client);
        net_clone = clone_all(*src, *dst);
        std::printf("network  clone %zu objects: %.2f s = %.0f objects/s\n", net_clone.objects,
                    net_clone.seconds, net_clone.per_s());
    }
    daemons.stop_all();

    // The second ratio compares work per CPU-second (client and daemon together against the
    // local run): what the network costs in CPU, apart from where that CPU runs.
    std::printf("\n| workload | local ops/s | network ops/s | network/local | per CPU-s "
                "network/local | target |\n|---|---:|---:|---:|---:|---|\n");
    const char* targets[] = {">= 0.85x", "", ">= 0.3x", "", "", ""};
    for (size_t i = 0; i < workloads().size(); ++i)
        std::printf("| %s | %.0f | %.0f | %.2fx | %.2fx | %s |\n", workloads()[i].name,
                    local_rates[i].per_s, net_rates[i].per_s,
                    net_rates[i].per_s / local_rates[i].per_s,
                    net_rates[i].per_total_cpu_s / local_rates[i].per_total_cpu_s, targets[i]);
    std::printf("| clone %zu mixed objects (objects/s) | %.0f | %.0f | %.2fx | | >= 1,000/s |\n",
                net_clone.objects, local_clone.per_s(), net_clone.per_s(),
                net_clone.per_s() / local_clone.per_s());
    fs::remove_all(root);
    return 0;
}
