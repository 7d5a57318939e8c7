// The masked-object blob: byte layout, key derivation and sealing. Layout: docs/design/masking.md.
// All integers big-endian.
#include "hsm/masking.h"

#include <algorithm>
#include <string>

#include "crypto/primitives.h"

namespace sr::hsm::masking {
namespace {

constexpr std::string_view kContext = "strongroom mask v1";
constexpr uint64_t kMaxObjectClass = 4;  // CKO_SECRET_KEY: the classes a partition holds

Status malformed(std::string_view what) {
    return error(Err::DataInvalid, "malformed masked object: " + std::string(what));
}

void put_raw(Bytes& out, ByteView b) {
    out.insert(out.end(), b.begin(), b.end());
}

Result<Bytes> read_blob(Reader& r, size_t max, std::string_view what) {
    auto v = r.blob();
    if (!v) return malformed(std::string(what) + " is truncated");
    if (v->empty() || v->size() > max)
        return malformed(std::string(what) + " has length " + std::to_string(v->size()) + " (1.." +
                         std::to_string(max) + " allowed)");
    return Bytes(v->begin(), v->end());
}

Status read_magic_and_version(Reader& r) {
    auto magic = r.take(kMagic.size());
    if (!magic || !std::equal(magic->begin(), magic->end(), kMagic.begin()))
        return malformed("not a Strongroom masked-object blob (wrong magic)");
    auto version = r.u8();
    if (!version) return malformed("the header is truncated");
    if (*version != kVersion)
        return error(Err::DataInvalid, "masked-object blob version " + std::to_string(*version) +
                                           " is not supported (this device reads version " +
                                           std::to_string(kVersion) + ")");
    return {};
}

Result<Header> read_header(Reader& r) {
    SR_TRY(read_magic_and_version(r));
    Header h;
    auto major = r.u32();
    auto minor = r.u32();
    auto patch = r.u32();
    if (!major || !minor || !patch) return malformed("the firmware version is truncated");
    h.firmware = FirmwareVersion{*major, *minor, *patch};
    auto ff = r.u8();
    if (!ff || *ff > static_cast<uint8_t>(FormFactor::Backup))
        return malformed("the form factor is missing or unknown");
    h.form_factor = static_cast<FormFactor>(*ff);
    auto auth = r.u8();
    if (!auth || *auth > static_cast<uint8_t>(AuthType::Ped))
        return malformed("the auth type is missing or unknown");
    h.auth = static_cast<AuthType>(*auth);
    SR_ASSIGN_OR_RETURN(h.domain_fingerprint,
                        read_blob(r, kMaxFingerprintBytes, "the domain fingerprint"));
    SR_ASSIGN_OR_RETURN(h.ouid, read_blob(r, kMaxOuidBytes, "the OUID"));
    auto cls = r.u64();
    if (!cls) return malformed("the object class is truncated");
    if (*cls > kMaxObjectClass)
        return malformed("object class " + std::to_string(*cls) + " is not one a partition holds");
    h.object_class = *cls;
    auto salt = r.take(kSaltBytes);
    if (!salt) return malformed("the salt is truncated");
    std::copy(salt->begin(), salt->end(), h.salt.begin());
    return h;
}

}  // namespace

Bytes encode_header(const Header& h) {
    Bytes out;
    put_raw(out, kMagic);
    out.push_back(kVersion);
    put_u32(out, h.firmware.major);
    put_u32(out, h.firmware.minor);
    put_u32(out, h.firmware.patch);
    out.push_back(static_cast<uint8_t>(h.form_factor));
    out.push_back(static_cast<uint8_t>(h.auth));
    put_blob(out, h.domain_fingerprint);
    put_blob(out, h.ouid);
    put_u64(out, h.object_class);
    put_raw(out, h.salt);
    return out;
}

Bytes encode(const Blob& b) {
    Bytes out = encode_header(b.header);
    put_blob(out, b.sealed);
    return out;
}

Result<Blob> decode(ByteView in) {
    Reader r(in);
    Blob b;
    SR_ASSIGN_OR_RETURN(b.header, read_header(r));
    auto sealed = r.blob();
    if (!sealed) return malformed("the sealed object is truncated");
    if (sealed->size() < crypto::kSealOverhead || sealed->size() > kMaxSealedBytes)
        return malformed("the sealed object has length " + std::to_string(sealed->size()) + " (" +
                         std::to_string(crypto::kSealOverhead) + ".." +
                         std::to_string(kMaxSealedBytes) + " allowed)");
    if (!r.done())
        return malformed(std::to_string(r.remaining()) + " bytes follow the sealed object");
    b.sealed.assign(sealed->begin(), sealed->end());
    return b;
}

Bytes aad(const Header& h) {
    Bytes out = to_bytes(kContext);
    out.push_back(0);
    put_raw(out, encode_header(h));
    return out;
}

Result<SecretBytes> derive_key(const SecretBytes& domain_key, const Salt& salt) {
    return crypto::hkdf(crypto::Hash::Sha256, domain_key.span(), salt, as_bytes(kContext),
                        kKeyBytes);
}

Result<Blob> seal(const SecretBytes& domain_key, Header header, const SecretBytes& payload) {
    if (payload.size() + crypto::kSealOverhead > kMaxSealedBytes)
        return error(Err::DataLenRange,
                     "the object is too large to mask (" + std::to_string(payload.size()) +
                         " bytes; a masked object holds at most " +
                         std::to_string(kMaxSealedBytes - crypto::kSealOverhead) + ")");
    SR_ASSIGN_OR_RETURN(SecretBytes key, derive_key(domain_key, header.salt));
    Blob b;
    SR_ASSIGN_OR_RETURN(b.sealed, crypto::seal(key, aad(header), payload.span()));
    b.header = std::move(header);
    return b;
}

Result<SecretBytes> open(const SecretBytes& domain_key, const Blob& blob) {
    SR_ASSIGN_OR_RETURN(SecretBytes key, derive_key(domain_key, blob.header.salt));
    auto plain = crypto::open(key, aad(blob.header), blob.sealed);
    if (!plain)
        return error(Err::EncryptedDataInvalid,
                     "the masked object failed authentication (altered, or masked under another "
                     "cloning domain)");
    return std::move(*plain);
}

}  // namespace sr::hsm::masking
