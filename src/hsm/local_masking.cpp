// LocalDevice's proof-without-export and masking entry points (docs/design/fingerprint.md,
// docs/design/masking.md).
#include "hsm/local_device.h"

namespace sr::hsm {

Result<std::vector<ObjectFingerprint>> LocalDevice::object_fingerprints(
    SessionId, std::span<const ObjectHandle>) {
    return error(Err::FunctionNotSupported, "object fingerprints are not implemented yet");
}

Result<Bytes> LocalDevice::extract_masked(SessionId, ObjectHandle) {
    return error(Err::FunctionNotSupported, "masked-object extract is not implemented yet");
}

Result<ObjectHandle> LocalDevice::insert_masked(SessionId, ByteView) {
    return error(Err::FunctionNotSupported, "masked-object insert is not implemented yet");
}

}  // namespace sr::hsm
