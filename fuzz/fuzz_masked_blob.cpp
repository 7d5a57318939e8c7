// Fuzz target: the masked-object blob (hsm/masking.h), which arrives from files and callers.
// Decoding must fail cleanly on any input and whatever decodes must re-encode to the same bytes
// (one encoding per blob, so the AAD covers exactly what was parsed). Blobs are also opened under
// the all-zero domain key the seed corpus is sealed with, so the payload decoder is reached.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "hsm/clone_engine.h"
#include "hsm/masking.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    sr::ByteView in(data, size);
    auto blob = sr::hsm::masking::decode(in);
    if (!blob) {
        if (blob.code() != sr::Err::DataInvalid) std::abort();
        return 0;
    }
    sr::Bytes again = sr::hsm::masking::encode(*blob);
    if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
    static const sr::SecretBytes kFuzzDomain(sr::Bytes(32, 0));
    auto payload = sr::hsm::masking::open(kFuzzDomain, *blob);
    if (!payload) {
        if (payload.code() != sr::Err::EncryptedDataInvalid) std::abort();
        return 0;
    }
    (void)sr::hsm::clone::decode_object_payload(*payload);
    return 0;
}
