#include "store/fault_vfs.h"

#include <cstddef>

namespace sr::store {
namespace {

// Our file object; the wrapped VFS's own file object follows it in the same allocation.
struct FaultFile {
    sqlite3_file base;  // first, so SQLite's sqlite3_file* is also a FaultFile*
    FaultVfs* vfs;
    sqlite3_file* real;
};

FaultVfs* owner(sqlite3_vfs* v) { return static_cast<FaultVfs*>(v->pAppData); }
FaultFile* as_fault(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }
sqlite3_file* real(sqlite3_file* f) { return as_fault(f)->real; }

int f_close(sqlite3_file* f) {
    sqlite3_file* r = real(f);
    return r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
}
int f_read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
    return real(f)->pMethods->xRead(real(f), buf, amt, off);
}
int f_write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off) {
    auto verdict = as_fault(f)->vfs->admit(FaultVfs::Op::Write);
    if (verdict.proceed) return real(f)->pMethods->xWrite(real(f), buf, amt, off);
    if (verdict.torn && amt > 1) (void)real(f)->pMethods->xWrite(real(f), buf, amt / 2, off);
    return SQLITE_IOERR_WRITE;
}
int f_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (!as_fault(f)->vfs->admit(FaultVfs::Op::Write).proceed) return SQLITE_IOERR_TRUNCATE;
    return real(f)->pMethods->xTruncate(real(f), size);
}
int f_sync(sqlite3_file* f, int flags) {
    if (!as_fault(f)->vfs->admit(FaultVfs::Op::Sync).proceed) return SQLITE_IOERR_FSYNC;
    return real(f)->pMethods->xSync(real(f), flags);
}
int f_file_size(sqlite3_file* f, sqlite3_int64* size) {
    return real(f)->pMethods->xFileSize(real(f), size);
}
int f_lock(sqlite3_file* f, int level) { return real(f)->pMethods->xLock(real(f), level); }
int f_unlock(sqlite3_file* f, int level) { return real(f)->pMethods->xUnlock(real(f), level); }
int f_check_reserved(sqlite3_file* f, int* out) {
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int f_file_control(sqlite3_file* f, int op, void* arg) {
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int f_sector_size(sqlite3_file* f) { return real(f)->pMethods->xSectorSize(real(f)); }
int f_device_chars(sqlite3_file* f) {
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int f_shm_map(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
    return real(f)->pMethods->xShmMap(real(f), page, size, extend, out);
}
int f_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void f_shm_barrier(sqlite3_file* f) { real(f)->pMethods->xShmBarrier(real(f)); }
int f_shm_unmap(sqlite3_file* f, int del) { return real(f)->pMethods->xShmUnmap(real(f), del); }
int f_fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** out) {
    return real(f)->pMethods->xFetch(real(f), off, amt, out);
}
int f_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
    return real(f)->pMethods->xUnfetch(real(f), off, p);
}

const sqlite3_io_methods kFileMethods = {
    3,           f_close,        f_read,        f_write,          f_truncate,
    f_sync,      f_file_size,    f_lock,        f_unlock,         f_check_reserved,
    f_file_control, f_sector_size, f_device_chars, f_shm_map,     f_shm_lock,
    f_shm_barrier, f_shm_unmap,  f_fetch,       f_unfetch,
};

int v_open(sqlite3_vfs* v, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    FaultFile* ff = as_fault(f);
    ff->base.pMethods = nullptr;
    ff->vfs = owner(v);
    ff->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<std::byte*>(f) + sizeof(FaultFile));
    sqlite3_vfs* base = ff->vfs->base();
    int rc = base->xOpen(base, name, ff->real, flags, out_flags);
    // SQLite calls xClose only when pMethods is set, so set it only when there is a file.
    if (ff->real->pMethods != nullptr) ff->base.pMethods = &kFileMethods;
    return rc;
}
int v_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xDelete(b, name, sync_dir);
}
int v_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xAccess(b, name, flags, out);
}
int v_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xFullPathname(b, name, n, out);
}
void* v_dl_open(sqlite3_vfs* v, const char* name) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xDlOpen(b, name);
}
void v_dl_error(sqlite3_vfs* v, int n, char* out) {
    sqlite3_vfs* b = owner(v)->base();
    b->xDlError(b, n, out);
}
void (*v_dl_sym(sqlite3_vfs* v, void* h, const char* sym))(void) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xDlSym(b, h, sym);
}
void v_dl_close(sqlite3_vfs* v, void* h) {
    sqlite3_vfs* b = owner(v)->base();
    b->xDlClose(b, h);
}
int v_randomness(sqlite3_vfs* v, int n, char* out) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xRandomness(b, n, out);
}
int v_sleep(sqlite3_vfs* v, int us) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xSleep(b, us);
}
int v_current_time(sqlite3_vfs* v, double* out) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xCurrentTime(b, out);
}
int v_get_last_error(sqlite3_vfs* v, int n, char* out) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xGetLastError(b, n, out);
}
int v_current_time_i64(sqlite3_vfs* v, sqlite3_int64* out) {
    sqlite3_vfs* b = owner(v)->base();
    return b->xCurrentTimeInt64(b, out);
}

}  // namespace

FaultVfs::FaultVfs(std::string name, sqlite3_vfs* base) : m_name(std::move(name)), m_base(base) {
    m_vfs.iVersion = 2;
    m_vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + base->szOsFile;
    m_vfs.mxPathname = base->mxPathname;
    m_vfs.zName = m_name.c_str();
    m_vfs.pAppData = this;
    m_vfs.xOpen = v_open;
    m_vfs.xDelete = v_delete;
    m_vfs.xAccess = v_access;
    m_vfs.xFullPathname = v_full_pathname;
    m_vfs.xDlOpen = v_dl_open;
    m_vfs.xDlError = v_dl_error;
    m_vfs.xDlSym = v_dl_sym;
    m_vfs.xDlClose = v_dl_close;
    m_vfs.xRandomness = v_randomness;
    m_vfs.xSleep = v_sleep;
    m_vfs.xCurrentTime = v_current_time;
    m_vfs.xGetLastError = v_get_last_error;
    m_vfs.xCurrentTimeInt64 = v_current_time_i64;
}

Result<std::unique_ptr<FaultVfs>> FaultVfs::create(std::string name) {
    if (sqlite3_initialize() != SQLITE_OK) return error(Err::StoreIo, "SQLite failed to initialize");
    if (sqlite3_vfs_find(name.c_str()) != nullptr) {
        return error(Err::AlreadyExists, "a SQLite VFS named '" + name + "' exists");
    }
    sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
    if (base == nullptr || base->iVersion < 2) {
        return error(Err::GeneralError, "no usable default SQLite VFS");
    }
    std::unique_ptr<FaultVfs> vfs(new FaultVfs(std::move(name), base));
    if (sqlite3_vfs_register(&vfs->m_vfs, 0) != SQLITE_OK) {
        return error(Err::GeneralError, "registering the fault VFS failed");
    }
    return vfs;
}

FaultVfs::~FaultVfs() { sqlite3_vfs_unregister(&m_vfs); }

void FaultVfs::fail_writes_after(int n) {
    MutexLock lock(m_mu);
    m_writes_left = n;
}
void FaultVfs::fail_syncs_after(int n) {
    MutexLock lock(m_mu);
    m_syncs_left = n;
}
void FaultVfs::set_torn_writes(bool on) {
    MutexLock lock(m_mu);
    m_torn = on;
}
void FaultVfs::reset() {
    MutexLock lock(m_mu);
    m_writes_left = -1;
    m_syncs_left = -1;
    m_dead = false;
}
bool FaultVfs::tripped() const {
    MutexLock lock(m_mu);
    return m_dead;
}
int FaultVfs::writes_seen() const {
    MutexLock lock(m_mu);
    return m_writes_seen;
}
int FaultVfs::syncs_seen() const {
    MutexLock lock(m_mu);
    return m_syncs_seen;
}

FaultVfs::Verdict FaultVfs::admit(Op op) {
    MutexLock lock(m_mu);
    int& left = op == Op::Write ? m_writes_left : m_syncs_left;
    ++(op == Op::Write ? m_writes_seen : m_syncs_seen);
    if (m_dead) return {false, false};
    if (left < 0) return {true, false};
    if (left == 0) {
        m_dead = true;
        return {false, op == Op::Write && m_torn};
    }
    --left;
    return {true, false};
}

}  // namespace sr::store
