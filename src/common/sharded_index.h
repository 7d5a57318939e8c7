// ShardedIndex: an integer-keyed lookup table for hot paths read by many threads at once (session
// handles). The keys are spread over shards, each with its own lock on its own cache line, so
// lookups of different keys from different threads do not contend. Thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "common/mutex.h"

namespace sr {

// V is cheap to copy (a shared_ptr); a default-constructed V means "absent".
template <class V, size_t kShards = 16>
class ShardedIndex final {
public:
    V find(uint64_t key) const {
        const Shard& s = shard(key);
        MutexLock lock(s.mu);
        auto it = s.map.find(key);
        return it == s.map.end() ? V{} : it->second;
    }

    // False (and nothing changes) when the key is present already.
    bool insert(uint64_t key, V value) {
        Shard& s = shard(key);
        MutexLock lock(s.mu);
        return s.map.emplace(key, std::move(value)).second;
    }

    // The value that was there, or V{}.
    V erase(uint64_t key) {
        Shard& s = shard(key);
        MutexLock lock(s.mu);
        auto it = s.map.find(key);
        if (it == s.map.end()) return V{};
        V out = std::move(it->second);
        s.map.erase(it);
        return out;
    }

    // Calls f(key, value) for every entry, one shard at a time under its lock (so f must not
    // touch this index). Entries changed meanwhile in other shards may or may not be seen.
    template <class F>
    void for_each(F&& f) const {
        for (const Shard& s : m_shards) {
            MutexLock lock(s.mu);
            for (const auto& [k, v] : s.map) f(k, v);
        }
    }

private:
    // 64 bytes: a cache line on the machines we run on.
    struct alignas(64) Shard {
        mutable Mutex mu;
        std::unordered_map<uint64_t, V> map SR_GUARDED_BY(mu);
    };
    Shard& shard(uint64_t key) noexcept { return m_shards[key % kShards]; }
    const Shard& shard(uint64_t key) const noexcept { return m_shards[key % kShards]; }

    std::array<Shard, kShards> m_shards;
};

}  // namespace sr
