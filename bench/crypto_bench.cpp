// Registry overhead: RSA-2048 PKCS#1 v1.5 SHA-256 and ECDSA P-256 SHA-256 signing through
// MechanismRegistry next to the same signature made directly with EVP_DigestSign, then the ratio
// (registry throughput / raw throughput; 1.0 = no overhead). Reported, never asserted.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "crypto/key.h"
#include "crypto/mechanism.h"

namespace {

using namespace sr;
using namespace sr::crypto;

const Bytes& message() {
    static const Bytes kMsg(256, 0x5A);
    return kMsg;
}

const KeyPair& rsa_key() {
    static const KeyPair kp = [] {
        KeyGenParams p;
        p.bits = 2048;
        return std::move(*MechanismRegistry::standard().generate_key_pair(
            Mechanism{mech::kRsaPkcsKeyPairGen, NoParams{}}, p));
    }();
    return kp;
}

const KeyPair& ec_key() {
    static const KeyPair kp = [] {
        KeyGenParams p;
        p.ec_params = *curve_params_der("P-256");
        return std::move(*MechanismRegistry::standard().generate_key_pair(
            Mechanism{mech::kEcKeyPairGen, NoParams{}}, p));
    }();
    return kp;
}

void registry_sign(benchmark::State& state, MechanismId id, const Key& key) {
    const auto& reg = MechanismRegistry::standard();
    Mechanism m{id, NoParams{}};
    for (auto _ : state) {
        auto op = reg.sign(m, key);
        if (!op || !(*op)->update(message()).is_ok()) {
            state.SkipWithError("registry sign init failed");
            break;
        }
        auto sig = (*op)->final();
        if (!sig) {
            state.SkipWithError("registry sign failed");
            break;
        }
        benchmark::DoNotOptimize(sig->data());
    }
}

// The baseline a careful caller would write: digest fetched once, one EVP_DigestSign per
// signature into a buffer sized by EVP_PKEY_get_size.
void raw_sign(benchmark::State& state, EVP_PKEY* pkey) {
    static EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Bytes sig(static_cast<size_t>(EVP_PKEY_get_size(pkey)));
    for (auto _ : state) {
        MdCtxPtr ctx(EVP_MD_CTX_new());
        size_t len = sig.size();
        if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, sha256, nullptr, pkey) != 1 ||
            EVP_DigestSign(ctx.get(), sig.data(), &len, message().data(), message().size()) != 1) {
            state.SkipWithError("raw sign failed");
            break;
        }
        benchmark::DoNotOptimize(sig.data());
    }
}

// Collects per-iteration real time of every run so main() can print the ratios.
class RatioReporter final : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs)
            if (!r.error_occurred && r.run_type == Run::RT_Iteration)
                m_times[r.benchmark_name()] = {r.GetAdjustedRealTime(), r.GetAdjustedCPUTime()};
        ConsoleReporter::ReportRuns(runs);
    }
    void print_ratios() const {
        // Wall-clock is what the target is about; CPU time is printed too because on a shared
        // machine other processes skew the wall-clock of whichever run they overlap.
        std::printf("\nregistry throughput / raw EVP throughput (target >= 0.90):\n");
        std::printf("  %-56s %8s %8s\n", "", "wall", "cpu");
        for (const auto& [name, t] : m_times) {
            auto pos = name.find("/registry");
            if (pos == std::string::npos) continue;
            std::string raw = name;
            raw.replace(pos, 9, "/raw_evp");
            auto it = m_times.find(raw);
            if (it == m_times.end() || t.first <= 0 || t.second <= 0) continue;
            std::printf("  %-56s %8.3f %8.3f\n", name.c_str(), it->second.first / t.first,
                        it->second.second / t.second);
        }
    }

private:
    std::map<std::string, std::pair<double, double>> m_times;  // real, cpu per iteration
};

void register_all() {
    struct Case {
        const char* name;
        MechanismId id;
        const KeyPair& (*key)();
    };
    const Case cases[] = {{"rsa2048_pkcs1_sha256_sign", mech::kSha256RsaPkcs, &rsa_key},
                          {"ecdsa_p256_sha256_sign", mech::kEcdsaSha256, &ec_key}};
    for (const Case& c : cases) {
        const Key& priv = c.key().private_key;
        benchmark::RegisterBenchmark((std::string(c.name) + "/registry").c_str(),
                                     [&priv, id = c.id](benchmark::State& s) {
                                         registry_sign(s, id, priv);
                                     })
            ->Threads(1)
            ->Threads(2)
            ->UseRealTime();
        benchmark::RegisterBenchmark((std::string(c.name) + "/raw_evp").c_str(),
                                     [&priv](benchmark::State& s) { raw_sign(s, priv.pkey()); })
            ->Threads(1)
            ->Threads(2)
            ->UseRealTime();
    }
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    register_all();
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.print_ratios();
    benchmark::Shutdown();
    return 0;
}
