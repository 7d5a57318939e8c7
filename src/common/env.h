// Env: the seam through which the engine reaches the filesystem, the clock and randomness, so
// that tests can inject faults (failed writes, torn files, fixed time). PosixEnv is the real one;
// FaultInjectionEnv wraps another Env. Implementations are thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"

namespace sr {

class Env {
public:
    virtual ~Env() = default;

    virtual Result<Bytes> read_file(const std::filesystem::path& path) = 0;
    // Write to a temporary beside `path`, fsync, rename over `path`, fsync the directory: after
    // success the new content survives a crash; after failure the old content is intact.
    virtual Status write_file_atomic(const std::filesystem::path& path, ByteView data,
                                     mode_t mode = 0600) = 0;
    virtual Status create_dirs(const std::filesystem::path& path) = 0;
    virtual Status remove_all(const std::filesystem::path& path) = 0;
    virtual Status rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
    virtual bool exists(const std::filesystem::path& path) = 0;
    virtual Result<std::vector<std::string>> list_dir(const std::filesystem::path& path) = 0;

    virtual std::chrono::system_clock::time_point now() = 0;

    virtual Status random_bytes(std::span<uint8_t> out) = 0;
};

class PosixEnv final : public Env {
public:
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
};

}  // namespace sr
