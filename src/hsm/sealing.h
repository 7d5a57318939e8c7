// The key hierarchy at rest (docs/design/key-hierarchy.md): partition storage keys and domain
// keys sealed under the device master key, secret attributes sealed one by one under their
// partition's storage key, credentials as slow hashes, domains as derived key + fingerprint.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "common/bytes.h"
#include "common/result.h"
#include "common/secret.h"
#include "crypto/primitives.h"
#include "hsm/attributes.h"

namespace sr::hsm::sealing {

inline constexpr size_t kStorageKeyBytes = 32;
inline constexpr size_t kDomainKeyBytes = 32;
inline constexpr size_t kFingerprintBytes = 16;
inline constexpr size_t kOuidBytes = 12;

// scrypt N=2^13, r=8, p=1 (8 MiB; 44 ms measured on a heavily loaded 2-core machine): a login
// stays under 50 ms while an offline guess still costs 8 MiB of memory-hard work. The
// parameters are stored with each hash, so they can change later.
crypto::PasswordHashParams password_params() noexcept;
Result<std::string> hash_password(std::string_view password);

// A fresh partition storage key, and its sealed form bound to the partition id.
Result<SecretBytes> new_storage_key();
Result<Bytes> seal_storage_key(const SecretBytes& master, uint64_t partition_id,
                               const SecretBytes& storage_key);
// MasterKeyWrong-free by design: a failure here is StoreCorrupt (the record was altered).
Result<SecretBytes> open_storage_key(const SecretBytes& master, uint64_t partition_id,
                                     ByteView sealed);

// A cloning domain is kept only as a derived key (sealed under the master key, bound to the
// partition id; 0 = the HSM domain) and a public fingerprint derived with another label.
struct SealedDomain {
    Bytes key_sealed;
    Bytes fingerprint;
};
Result<SealedDomain> seal_domain(const SecretBytes& master, uint64_t partition_id,
                                 std::string_view domain);
Result<SecretBytes> open_domain_key(const SecretBytes& master, uint64_t partition_id,
                                    ByteView sealed);
Result<Bytes> domain_fingerprint(std::string_view domain);

// Each secret attribute sealed separately under the storage key, AAD = (partition, OUID, type).
// The result is the attribute codec over the sealed values (the store's `sealed_attrs`).
Result<Bytes> seal_attributes(const SecretBytes& storage_key, uint64_t partition_id,
                              ByteView ouid, const std::map<AttrType, SecretBytes>& secrets);
Result<std::map<AttrType, SecretBytes>> open_attributes(const SecretBytes& storage_key,
                                                        uint64_t partition_id, ByteView ouid,
                                                        ByteView sealed_blob);

}  // namespace sr::hsm::sealing
