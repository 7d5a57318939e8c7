// Fuzz target: certificates arriving from outside (device identities in clone hellos, server and
// client certificates) through crypto/x509.h. Parsing must fail cleanly; parsed certificates must
// answer every accessor without crashing.
#include <cstdint>

#include "crypto/x509.h"

namespace {
void touch(const sr::crypto::Certificate& c) {
    (void)c.subject_cn();
    (void)c.fingerprint_sha256();
    (void)c.subject_serial_number();
    (void)c.public_key_spki();
    (void)c.is_ca();
    (void)c.san_dns_names();
    (void)c.san_ip_addresses();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    sr::ByteView in(data, size);
    if (auto c = sr::crypto::Certificate::from_der(in); c.is_ok()) touch(*c);
    if (auto c = sr::crypto::Certificate::from_pem(in); c.is_ok()) touch(*c);
    return 0;
}
