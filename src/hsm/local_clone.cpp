// LocalDevice's cloning entry points: a thin delegation to CloneEngine (clone_engine.h), which
// is made on first use because it reads the identity key and manufacturer root from the folder.
#include "hsm/clone_engine.h"
#include "hsm/local_device.h"

namespace sr::hsm {

Result<std::shared_ptr<CloneEngine>> LocalDevice::clone_engine() {
    MutexLock lock(m_clone_mu);
    if (!m_clone) {
        SR_ASSIGN_OR_RETURN(auto engine, CloneEngine::open(m_env, *this));
        m_clone = std::shared_ptr<CloneEngine>(std::move(engine));
    }
    return m_clone;
}

Result<Bytes> LocalDevice::clone_hello(SessionId target) {
    SR_ASSIGN_OR_RETURN(auto engine, clone_engine());
    return engine->clone_hello(target);
}

Result<CloneSourceResult> LocalDevice::clone_source(SessionId source, ByteView hello,
                                                    std::span<const ObjectHandle> objects) {
    SR_ASSIGN_OR_RETURN(auto engine, clone_engine());
    return engine->clone_source(source, hello, objects);
}

Result<CloneTargetResult> LocalDevice::clone_target(SessionId target, ByteView sealed) {
    SR_ASSIGN_OR_RETURN(auto engine, clone_engine());
    return engine->clone_target(target, sealed);
}

}  // namespace sr::hsm
