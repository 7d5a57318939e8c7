#include "common/env.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <system_error>

namespace sr {
namespace fs = std::filesystem;

namespace {

Status io_error(std::string_view what, const fs::path& path, int err) {
    return error(Err::StoreIo,
                 std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

// Owns a POSIX file descriptor.
class Fd final {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }

private:
    int m_fd;
};

Status fsync_dir(const fs::path& dir) {
    Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) return io_error("opening directory", dir, errno);
    if (::fsync(fd.get()) != 0) return io_error("syncing directory", dir, errno);
    return {};
}

}  // namespace

Result<Bytes> PosixEnv::read_file(const fs::path& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return error(Err::NotFound, "no such file: " + path.string());
        return io_error("opening", path, errno);
    }
    Bytes out;
    uint8_t buf[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error("reading", path, errno);
        }
        if (n == 0) break;
        out.insert(out.end(), buf, buf + n);
    }
    return out;
}

Status PosixEnv::write_file_atomic(const fs::path& path, ByteView data, mode_t mode) {
    fs::path tmp = path;
    tmp += ".tmp";
    {
        Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (fd.get() < 0) return io_error("creating", tmp, errno);
        size_t off = 0;
        while (off < data.size()) {
            ssize_t n = ::write(fd.get(), data.data() + off, data.size() - off);
            if (n < 0) {
                if (errno == EINTR) continue;
                int err = errno;
                ::unlink(tmp.c_str());
                return io_error("writing", tmp, err);
            }
            off += static_cast<size_t>(n);
        }
        if (::fsync(fd.get()) != 0) {
            int err = errno;
            ::unlink(tmp.c_str());
            return io_error("syncing", tmp, err);
        }
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return io_error("renaming", tmp, err);
    }
    return fsync_dir(path.parent_path());
}

Status PosixEnv::create_dirs(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return io_error("creating directory", path, ec.value());
    return {};
}

Status PosixEnv::remove_all(const fs::path& path) {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) return io_error("removing", path, ec.value());
    return {};
}

Status PosixEnv::rename(const fs::path& from, const fs::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) return io_error("renaming", from, errno);
    return fsync_dir(to.parent_path());
}

bool PosixEnv::exists(const fs::path& path) {
    std::error_code ec;
    return fs::exists(path, ec);
}

Result<std::vector<std::string>> PosixEnv::list_dir(const fs::path& path) {
    std::error_code ec;
    std::vector<std::string> out;
    for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator();
         it.increment(ec))
        out.push_back(it->path().filename().string());
    if (ec) return io_error("listing", path, ec.value());
    std::sort(out.begin(), out.end());
    return out;
}

std::chrono::system_clock::time_point PosixEnv::now() { return std::chrono::system_clock::now(); }

Status PosixEnv::random_bytes(std::span<uint8_t> out) {
    size_t off = 0;
    while (off < out.size()) {
        ssize_t n = ::getrandom(out.data() + off, out.size() - off, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return error(Err::RandomNoRng, std::string("getrandom: ") + std::strerror(errno));
        }
        off += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace sr
