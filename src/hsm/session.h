// Session: one open session of an application on a partition, holding the state PKCS#11 keeps
// per session — the active find and the active multi-part operations. Internal to LocalDevice.
// Thread-safety: the immutable identity is free to read; everything else is guarded by `mu`,
// which a caller holds for the whole of one session call (PKCS#11 sessions are serial).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/mutex.h"
#include "crypto/mechanism.h"
#include "hsm/device.h"

namespace sr::hsm {

// The key an operation was started with stays alive for the operation, even if the object is
// destroyed meanwhile (the operation keeps its own reference).
struct ActiveCipher {
    std::shared_ptr<const crypto::Key> key;
    std::unique_ptr<crypto::CipherOp> op;
};
struct ActiveSign {
    std::shared_ptr<const crypto::Key> key;
    std::unique_ptr<crypto::SignOp> op;
};
struct ActiveVerify {
    std::shared_ptr<const crypto::Key> key;
    std::unique_ptr<crypto::VerifyOp> op;
};
struct ActiveVerifyRecover {
    std::shared_ptr<const crypto::Key> key;
    std::unique_ptr<crypto::VerifyRecoverOp> op;
};

struct FindState {
    std::vector<ObjectHandle> results;
    size_t next = 0;
};

class Session final {
public:
    Session(SessionId id, AppId app, PartitionId partition, bool read_write)
        : m_id(id), m_app(app), m_partition(partition), m_read_write(read_write) {}

    SessionId id() const noexcept { return m_id; }
    AppId app() const noexcept { return m_app; }
    PartitionId partition() const noexcept { return m_partition; }
    bool read_write() const noexcept { return m_read_write; }

    Mutex mu;
    bool closed SR_GUARDED_BY(mu) = false;
    std::optional<FindState> find SR_GUARDED_BY(mu);
    std::optional<ActiveCipher> encrypt SR_GUARDED_BY(mu);
    std::optional<ActiveCipher> decrypt SR_GUARDED_BY(mu);
    std::optional<ActiveSign> sign SR_GUARDED_BY(mu);
    std::optional<ActiveVerify> verify SR_GUARDED_BY(mu);
    std::unique_ptr<crypto::DigestOp> digest SR_GUARDED_BY(mu);
    // Signatures with message recovery: single-part, apart from sign / verify.
    std::optional<ActiveSign> sign_recover SR_GUARDED_BY(mu);
    std::optional<ActiveVerifyRecover> verify_recover SR_GUARDED_BY(mu);

private:
    const SessionId m_id;
    const AppId m_app;
    const PartitionId m_partition;
    const bool m_read_write;
};

}  // namespace sr::hsm
