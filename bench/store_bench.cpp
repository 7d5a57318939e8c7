// Store benchmarks: how many token objects per second can be created one durable transaction
// each (synchronous=FULL, the device default; NORMAL shown only for comparison), in one batched
// transaction, and how long a label search takes among 1k / 10k / 100k objects.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/env.h"
#include "store/store.h"

namespace {

using namespace sr;
using namespace sr::store;

std::filesystem::path bench_dir() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("sr-store-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        // Open stores may still hold the files at exit; unlinking them under SQLite is harmless.
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                            ("sr-store-bench-" + std::to_string(::getpid())),
                                        ec);
        });
        return d;
    }();
    return dir;
}

PosixEnv& env() {
    static PosixEnv e;
    return e;
}

ObjectRecord object(uint64_t pid, uint64_t i) {
    ObjectRecord r;
    r.partition_id = pid;
    r.ouid = to_bytes("ouid-" + std::to_string(i));
    r.object_class = 3;  // CKO_PRIVATE_KEY-like
    r.key_type = i % 4;
    r.label = to_bytes("key-" + std::to_string(i));
    r.id = to_bytes("id-" + std::to_string(i % 1000));
    r.attrs = Bytes(160, static_cast<uint8_t>(i));
    r.sealed_attrs = Bytes(300, static_cast<uint8_t>(i * 7));  // a sealed P-256/AES key + tags
    r.size_bytes = 460;
    return r;
}

struct Opened {
    std::unique_ptr<Store> store;
    uint64_t pid = 0;
};

Opened open_fresh(const std::string& name, SyncMode sync) {
    auto path = bench_dir() / (name + ".db");
    std::filesystem::remove(path);
    auto s = Store::open(path, env(), {.vfs = "", .create_if_missing = true, .sync = sync});
    if (!s.is_ok()) return {};
    Opened o{std::move(s).value(), 0};
    (void)o.store->write([&](Txn& t) -> Status {
        PartitionRecord p;
        p.name = "bench";
        SR_ASSIGN_OR_RETURN(o.pid, t.insert_partition(p));
        return Status::ok();
    });
    return o;
}

void create_one_per_txn(benchmark::State& state, SyncMode sync) {
    Opened o = open_fresh(sync == SyncMode::Full ? "per-txn-full" : "per-txn-normal", sync);
    if (!o.store) return state.SkipWithError("open failed");
    uint64_t i = 0;
    for (auto _ : state) {
        Status st = o.store->write([&](Txn& t) { return t.insert_object(object(o.pid, i++)).status(); });
        if (!st.is_ok()) return state.SkipWithError(st.to_string().c_str());
    }
    state.SetItemsProcessed(static_cast<int64_t>(i));
}

void BM_CreateObjectOwnTxn_SyncFull(benchmark::State& state) {
    create_one_per_txn(state, SyncMode::Full);
}
void BM_CreateObjectOwnTxn_SyncNormal(benchmark::State& state) {
    create_one_per_txn(state, SyncMode::Normal);
}
BENCHMARK(BM_CreateObjectOwnTxn_SyncFull)->UseRealTime();
BENCHMARK(BM_CreateObjectOwnTxn_SyncNormal)->UseRealTime();

void BM_CreateObjectsOneTxn(benchmark::State& state) {
    Opened o = open_fresh("batch", SyncMode::Full);
    if (!o.store) return state.SkipWithError("open failed");
    const auto batch = static_cast<uint64_t>(state.range(0));
    uint64_t i = 0;
    for (auto _ : state) {
        Status st = o.store->write([&](Txn& t) -> Status {
            for (uint64_t k = 0; k < batch; ++k) SR_TRY(t.insert_object(object(o.pid, i++)));
            return Status::ok();
        });
        if (!st.is_ok()) return state.SkipWithError(st.to_string().c_str());
    }
    state.SetItemsProcessed(static_cast<int64_t>(i));
}
BENCHMARK(BM_CreateObjectsOneTxn)->Arg(1000)->UseRealTime();

// One populated store per size, built on first use (by whichever benchmark thread comes first).
Opened& populated(uint64_t n) {
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    static std::map<uint64_t, Opened> stores;
    auto it = stores.find(n);
    if (it != stores.end()) return it->second;
    Opened o = open_fresh("search-" + std::to_string(n), SyncMode::Full);
    for (uint64_t start = 0; o.store && start < n; start += 10000) {
        (void)o.store->write([&](Txn& t) -> Status {
            for (uint64_t i = start; i < std::min(n, start + 10000); ++i) {
                SR_TRY(t.insert_object(object(o.pid, i)));
            }
            return Status::ok();
        });
    }
    return stores.emplace(n, std::move(o)).first->second;
}

// The lookup alone, inside one open read transaction.
void BM_FindByLabel_InTxn(benchmark::State& state) {
    const auto n = static_cast<uint64_t>(state.range(0));
    Opened& o = populated(n);
    if (!o.store) return state.SkipWithError("populate failed");
    Status st = o.store->read([&](Txn& t) -> Status {
        uint64_t i = 0;
        for (auto _ : state) {
            ObjectQuery q;
            q.partition_id = o.pid;
            q.label = to_bytes("key-" + std::to_string((i++ * 7919) % n));
            SR_ASSIGN_OR_RETURN(auto handles, t.find_handles(q));
            if (handles.size() != 1) return error(Err::GeneralError, "label not found");
            benchmark::DoNotOptimize(handles);
        }
        return Status::ok();
    });
    if (!st.is_ok()) state.SkipWithError(st.to_string().c_str());
}
BENCHMARK(BM_FindByLabel_InTxn)->Arg(1000)->Arg(10000)->Arg(100000);

// What an engine call pays: a whole Store::read (pooled connection, BEGIN, lookup and full
// records, ROLLBACK).
void BM_FindByLabel_WholeRead(benchmark::State& state) {
    const auto n = static_cast<uint64_t>(state.range(0));
    Opened& o = populated(n);
    if (!o.store) return state.SkipWithError("populate failed");
    uint64_t i = 0;
    for (auto _ : state) {
        Status st = o.store->read([&](Txn& t) -> Status {
            ObjectQuery q;
            q.partition_id = o.pid;
            q.label = to_bytes("key-" + std::to_string((i++ * 7919) % n));
            SR_ASSIGN_OR_RETURN(auto objects, t.find_objects(q));
            benchmark::DoNotOptimize(objects);
            return Status::ok();
        });
        if (!st.is_ok()) return state.SkipWithError(st.to_string().c_str());
    }
}
BENCHMARK(BM_FindByLabel_WholeRead)->Arg(1000)->Arg(10000)->Arg(100000);
// Parallel readers on the connection pool (compare items/s across thread counts).
BENCHMARK(BM_FindByLabel_WholeRead)->Arg(100000)->Threads(2)->Threads(4)->UseRealTime();

}  // namespace
