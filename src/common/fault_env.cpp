#include "common/fault_env.h"

namespace sr {
namespace fs = std::filesystem;

Status FaultInjectionEnv::admit_write(const fs::path& path) {
    m_writes_seen.fetch_add(1);
    int left = m_writes_left.load();
    while (left >= 0) {
        if (left == 0) return error(Err::StoreIo, "injected write failure: " + path.string());
        if (m_writes_left.compare_exchange_weak(left, left - 1)) break;
    }
    return {};
}

void FaultInjectionEnv::freeze_clock(std::chrono::system_clock::time_point t) {
    MutexLock lock(m_mu);
    m_frozen = t;
}

void FaultInjectionEnv::deterministic_random(uint64_t seed) {
    MutexLock lock(m_mu);
    m_rng_state = seed;
}

Result<Bytes> FaultInjectionEnv::read_file(const fs::path& path) {
    if (m_fail_reads.load()) return error(Err::StoreIo, "injected read failure: " + path.string());
    return m_base.read_file(path);
}

Status FaultInjectionEnv::write_file_atomic(const fs::path& path, ByteView data, mode_t mode) {
    SR_TRY(admit_write(path));
    return m_base.write_file_atomic(path, data, mode);
}

Status FaultInjectionEnv::create_dirs(const fs::path& path) {
    SR_TRY(admit_write(path));
    return m_base.create_dirs(path);
}

Status FaultInjectionEnv::remove_all(const fs::path& path) {
    SR_TRY(admit_write(path));
    return m_base.remove_all(path);
}

Status FaultInjectionEnv::rename(const fs::path& from, const fs::path& to) {
    SR_TRY(admit_write(to));
    return m_base.rename(from, to);
}

bool FaultInjectionEnv::exists(const fs::path& path) { return m_base.exists(path); }

Result<std::vector<std::string>> FaultInjectionEnv::list_dir(const fs::path& path) {
    if (m_fail_reads.load()) return error(Err::StoreIo, "injected read failure: " + path.string());
    return m_base.list_dir(path);
}

std::chrono::system_clock::time_point FaultInjectionEnv::now() {
    {
        MutexLock lock(m_mu);
        if (m_frozen) return *m_frozen;
    }
    return m_base.now();
}

Status FaultInjectionEnv::random_bytes(std::span<uint8_t> out) {
    MutexLock lock(m_mu);
    if (!m_rng_state) return m_base.random_bytes(out);
    // splitmix64: repeatable, not secure; tests only.
    for (size_t i = 0; i < out.size(); i += 8) {
        uint64_t z = (*m_rng_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        for (size_t j = 0; j < 8 && i + j < out.size(); ++j)
            out[i + j] = static_cast<uint8_t>(z >> (8 * j));
    }
    return {};
}

}  // namespace sr
