// Mutex and lock types carrying Clang thread-safety annotations (LevelDB port/thread_annotations.h
// style). Under GCC the annotations compile away; the types stay.
#pragma once

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define SR_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SR_THREAD_ANNOTATION(x)
#endif

#define SR_CAPABILITY(x) SR_THREAD_ANNOTATION(capability(x))
#define SR_SCOPED_CAPABILITY SR_THREAD_ANNOTATION(scoped_lockable)
#define SR_GUARDED_BY(x) SR_THREAD_ANNOTATION(guarded_by(x))
#define SR_PT_GUARDED_BY(x) SR_THREAD_ANNOTATION(pt_guarded_by(x))
#define SR_REQUIRES(...) SR_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define SR_REQUIRES_SHARED(...) SR_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define SR_ACQUIRE(...) SR_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define SR_ACQUIRE_SHARED(...) SR_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define SR_RELEASE(...) SR_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define SR_RELEASE_SHARED(...) SR_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define SR_EXCLUDES(...) SR_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define SR_NO_THREAD_SAFETY_ANALYSIS SR_THREAD_ANNOTATION(no_thread_safety_analysis)

namespace sr {

class SR_CAPABILITY("mutex") Mutex final {
public:
    void lock() SR_ACQUIRE() { m_mu.lock(); }
    void unlock() SR_RELEASE() { m_mu.unlock(); }

private:
    std::mutex m_mu;
};

class SR_CAPABILITY("shared_mutex") SharedMutex final {
public:
    void lock() SR_ACQUIRE() { m_mu.lock(); }
    void unlock() SR_RELEASE() { m_mu.unlock(); }
    void lock_shared() SR_ACQUIRE_SHARED() { m_mu.lock_shared(); }
    void unlock_shared() SR_RELEASE_SHARED() { m_mu.unlock_shared(); }

private:
    std::shared_mutex m_mu;
};

class SR_SCOPED_CAPABILITY MutexLock final {
public:
    explicit MutexLock(Mutex& mu) SR_ACQUIRE(mu) : m_mu(mu) { m_mu.lock(); }
    ~MutexLock() SR_RELEASE() { m_mu.unlock(); }
    MutexLock(const MutexLock&) = delete;
    MutexLock& operator=(const MutexLock&) = delete;

private:
    Mutex& m_mu;
};

class SR_SCOPED_CAPABILITY WriterLock final {
public:
    explicit WriterLock(SharedMutex& mu) SR_ACQUIRE(mu) : m_mu(mu) { m_mu.lock(); }
    ~WriterLock() SR_RELEASE() { m_mu.unlock(); }
    WriterLock(const WriterLock&) = delete;
    WriterLock& operator=(const WriterLock&) = delete;

private:
    SharedMutex& m_mu;
};

class SR_SCOPED_CAPABILITY ReaderLock final {
public:
    explicit ReaderLock(SharedMutex& mu) SR_ACQUIRE_SHARED(mu) : m_mu(mu) { m_mu.lock_shared(); }
    ~ReaderLock() SR_RELEASE() { m_mu.unlock_shared(); }
    ReaderLock(const ReaderLock&) = delete;
    ReaderLock& operator=(const ReaderLock&) = delete;

private:
    SharedMutex& m_mu;
};

}  // namespace sr
