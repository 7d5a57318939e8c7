// FaultInjectionEnv: an Env for tests that forwards to a base Env and can be told to fail
// writes (after N more succeed), fail reads, freeze the clock, or make randomness repeatable.
// Thread-safe.
#pragma once

#include <atomic>
#include <optional>

#include "common/env.h"
#include "common/mutex.h"

namespace sr {

class FaultInjectionEnv final : public Env {
public:
    explicit FaultInjectionEnv(Env& base) : m_base(base) {}

    // After `n` more successful writes, every write (atomic file, dir create, rename, remove)
    // fails with StoreIo and changes nothing. -1 disables.
    void fail_writes_after(int n) { m_writes_left.store(n); }
    void fail_reads(bool on) { m_fail_reads.store(on); }
    void freeze_clock(std::chrono::system_clock::time_point t);
    // Deterministic randomness from a counter-based stream (NOT cryptographic): for tests only.
    void deterministic_random(uint64_t seed);
    int writes_seen() const { return m_writes_seen.load(); }

    Result<Bytes> read_file(const std::filesystem::path& path) override;
    Status write_file_atomic(const std::filesystem::path& path, ByteView data,
                             mode_t mode) override;
    Status create_dirs(const std::filesystem::path& path) override;
    Status remove_all(const std::filesystem::path& path) override;
    Status rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
    bool exists(const std::filesystem::path& path) override;
    Result<std::vector<std::string>> list_dir(const std::filesystem::path& path) override;
    std::chrono::system_clock::time_point now() override;
    Status random_bytes(std::span<uint8_t> out) override;

private:
    Status admit_write(const std::filesystem::path& path);

    Env& m_base;
    std::atomic<int> m_writes_left{-1};
    std::atomic<int> m_writes_seen{0};
    std::atomic<bool> m_fail_reads{false};
    Mutex m_mu;
    std::optional<std::chrono::system_clock::time_point> m_frozen SR_GUARDED_BY(m_mu);
    std::optional<uint64_t> m_rng_state SR_GUARDED_BY(m_mu);
};

}  // namespace sr
