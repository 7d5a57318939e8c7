// Fuzz target: the cloning protocol's wire messages (hsm/clone_protocol.h), which arrive from a
// relaying client. Decoding must fail cleanly on any input, and whatever decodes must re-encode
// to exactly the same bytes (one encoding per message, so signatures cover what was parsed).
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "hsm/clone_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    sr::ByteView in(data, size);
    if (auto hello = sr::hsm::clone::decode_hello(in); hello.is_ok()) {
        sr::Bytes again = sr::hsm::clone::encode_hello(*hello);
        if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
        (void)sr::hsm::clone::hello_signed_bytes(*hello);
    }
    if (auto sealed = sr::hsm::clone::decode_sealed(in); sealed.is_ok()) {
        sr::Bytes again = sr::hsm::clone::encode_sealed(*sealed);
        if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
        (void)sr::hsm::clone::sealed_signed_bytes(*sealed);
    }
    return 0;
}
