// Fuzz target: the object attribute blobs read back from a device store (hsm/attributes.h).
// Decoding must fail cleanly on any input, and whatever decodes must re-encode to the same bytes.
#include <cstdint>
#include <cstdlib>

#include "hsm/attributes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    sr::ByteView in(data, size);
    if (auto plain = sr::hsm::decode_attributes(in); plain.is_ok()) {
        sr::Bytes again = sr::hsm::encode_attributes(*plain);
        if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
    }
    (void)sr::hsm::decode_secret_attributes(in);
    return 0;
}
