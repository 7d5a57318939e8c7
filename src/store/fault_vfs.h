// FaultVfs: a SQLite VFS for tests that forwards to the default VFS and can be told to fail
// writes or syncs after N more succeed, optionally tearing the failing write (only its first
// half reaches the file). Once a fault fires the "disk" stays dead — every later write and sync
// fails — until reset(), as after a power cut. Registered under its name while the object
// lives; it must outlive every connection that uses it. Thread-safe.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <string>

#include "common/mutex.h"
#include "common/result.h"

namespace sr::store {

class FaultVfs final {
public:
    // Registers a new VFS named `name` (select it with StoreOptions::vfs). AlreadyExists when a
    // VFS of that name is registered.
    static Result<std::unique_ptr<FaultVfs>> create(std::string name);
    ~FaultVfs();
    FaultVfs(const FaultVfs&) = delete;
    FaultVfs& operator=(const FaultVfs&) = delete;

    const std::string& name() const { return m_name; }

    // After `n` more successful writes (xWrite, xTruncate) the next one fails with an I/O
    // error and the disk dies. -1 disables.
    void fail_writes_after(int n);
    // Same for syncs (xSync).
    void fail_syncs_after(int n);
    // When on, the write that trips the fault writes the first half of its buffer first.
    void set_torn_writes(bool on);
    // Disarms both faults and revives the disk; counters are kept.
    void reset();

    bool tripped() const;
    int writes_seen() const;
    int syncs_seen() const;

    // Called by the VFS shims: whether the next operation may proceed, and whether a refused
    // write should be torn.
    enum class Op { Write, Sync };
    struct Verdict {
        bool proceed;
        bool torn;
    };
    Verdict admit(Op op);
    sqlite3_vfs* base() const { return m_base; }

private:
    FaultVfs(std::string name, sqlite3_vfs* base);

    const std::string m_name;
    sqlite3_vfs* const m_base;
    sqlite3_vfs m_vfs{};
    mutable Mutex m_mu;
    int m_writes_left SR_GUARDED_BY(m_mu) = -1;
    int m_syncs_left SR_GUARDED_BY(m_mu) = -1;
    bool m_torn SR_GUARDED_BY(m_mu) = false;
    bool m_dead SR_GUARDED_BY(m_mu) = false;
    int m_writes_seen SR_GUARDED_BY(m_mu) = 0;
    int m_syncs_seen SR_GUARDED_BY(m_mu) = 0;
};

}  // namespace sr::store
