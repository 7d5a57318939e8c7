#include "hsm/sealing.h"

namespace sr::hsm::sealing {
namespace {

constexpr std::string_view kStorageAad = "strongroom/partition-storage-key/v1";
constexpr std::string_view kDomainAad = "strongroom/domain-key/v1";
constexpr std::string_view kAttrAad = "strongroom/attribute/v1";
constexpr std::string_view kDomainSalt = "strongroom cloning domain v1";
constexpr std::string_view kDomainKeyInfo = "domain key";
constexpr std::string_view kDomainFingerprintInfo = "domain fingerprint";

Bytes aad_for(std::string_view purpose, uint64_t partition_id) {
    Bytes aad = to_bytes(purpose);
    put_u64(aad, partition_id);
    return aad;
}

Bytes attribute_aad(uint64_t partition_id, ByteView ouid, AttrType type) {
    Bytes aad = aad_for(kAttrAad, partition_id);
    put_blob(aad, ouid);
    put_u64(aad, type);
    return aad;
}

Result<SecretBytes> open_or_corrupt(const SecretBytes& key, ByteView aad, ByteView sealed,
                                    std::string_view what) {
    auto opened = crypto::open(key, aad, sealed);
    if (!opened)
        return error(Err::StoreCorrupt, std::string(what) + " does not unseal (altered record)");
    return std::move(*opened);
}

Result<Bytes> fingerprint_from(const SecretBytes& stretched_domain) {
    SR_ASSIGN_OR_RETURN(SecretBytes fp,
                        crypto::hkdf(crypto::Hash::Sha256, stretched_domain.span(),
                                     as_bytes(kDomainSalt), as_bytes(kDomainFingerprintInfo),
                                     kFingerprintBytes));
    return Bytes(fp.span().begin(), fp.span().end());
}

}  // namespace

crypto::PasswordHashParams password_params() noexcept {
    crypto::PasswordHashParams p;
    p.n = 1U << 13;
    p.r = 8;
    p.p = 1;
    return p;
}

Result<std::string> hash_password(std::string_view password) {
    return crypto::hash_password(password, password_params());
}

Result<SecretBytes> new_storage_key() { return crypto::random_secret(kStorageKeyBytes); }

Result<Bytes> seal_storage_key(const SecretBytes& master, uint64_t partition_id,
                               const SecretBytes& storage_key) {
    return crypto::seal(master, aad_for(kStorageAad, partition_id), storage_key.span());
}

Result<SecretBytes> open_storage_key(const SecretBytes& master, uint64_t partition_id,
                                     ByteView sealed) {
    return open_or_corrupt(master, aad_for(kStorageAad, partition_id), sealed,
                           "partition storage key");
}

// The typed domain is stretched once with scrypt (fixed, purpose-bound salt: every device must
// derive the same bytes) before HKDF splits it into key and fingerprint, so each offline guess
// against a published fingerprint costs 16 MiB and tens of milliseconds.
Result<SecretBytes> stretch_domain(std::string_view domain) {
    crypto::PasswordHashParams p;
    p.n = 1U << 14;
    p.r = 8;
    p.p = 1;
    return crypto::scrypt(domain, as_bytes(kDomainSalt), p, 32);
}

Result<SealedDomain> seal_domain(const SecretBytes& master, uint64_t partition_id,
                                 std::string_view domain) {
    SR_ASSIGN_OR_RETURN(SecretBytes root, stretch_domain(domain));
    SR_ASSIGN_OR_RETURN(SecretBytes key,
                        crypto::hkdf(crypto::Hash::Sha256, root.span(), as_bytes(kDomainSalt),
                                     as_bytes(kDomainKeyInfo), kDomainKeyBytes));
    SealedDomain out;
    SR_ASSIGN_OR_RETURN(out.key_sealed,
                        crypto::seal(master, aad_for(kDomainAad, partition_id), key.span()));
    SR_ASSIGN_OR_RETURN(out.fingerprint, fingerprint_from(root));
    return out;
}

Result<SecretBytes> open_domain_key(const SecretBytes& master, uint64_t partition_id,
                                    ByteView sealed) {
    return open_or_corrupt(master, aad_for(kDomainAad, partition_id), sealed, "domain key");
}

Result<Bytes> domain_fingerprint(std::string_view domain) {
    SR_ASSIGN_OR_RETURN(SecretBytes root, stretch_domain(domain));
    return fingerprint_from(root);
}

Result<Bytes> seal_attributes(const SecretBytes& storage_key, uint64_t partition_id,
                              ByteView ouid, const std::map<AttrType, SecretBytes>& secrets) {
    std::map<AttrType, Bytes> sealed;
    for (const auto& [type, value] : secrets) {
        SR_ASSIGN_OR_RETURN(Bytes s, crypto::seal(storage_key,
                                                  attribute_aad(partition_id, ouid, type),
                                                  value.span()));
        sealed.emplace(type, std::move(s));
    }
    return encode_attributes(sealed);
}

Result<std::map<AttrType, SecretBytes>> open_attributes(const SecretBytes& storage_key,
                                                        uint64_t partition_id, ByteView ouid,
                                                        ByteView sealed_blob) {
    std::map<AttrType, SecretBytes> out;
    if (sealed_blob.empty()) return out;
    SR_ASSIGN_OR_RETURN(auto sealed, decode_attributes(sealed_blob));
    for (const auto& [type, value] : sealed) {
        SR_ASSIGN_OR_RETURN(SecretBytes plain,
                            open_or_corrupt(storage_key, attribute_aad(partition_id, ouid, type),
                                            value, "sealed attribute"));
        out.emplace(type, std::move(plain));
    }
    return out;
}

}  // namespace sr::hsm::sealing
