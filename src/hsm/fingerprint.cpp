// Fingerprint computation: canonical encodings, the attribute digest and the domain-keyed value
// MAC. Layout and rationale: docs/design/fingerprint.md.
#include "hsm/fingerprint.h"

#include "crypto/primitives.h"

namespace sr::hsm::fingerprint {
namespace {

constexpr std::string_view kAttributesContext = "strongroom fingerprint v1 attributes";
constexpr std::string_view kValuesContext = "strongroom fingerprint v1 values";
// A fixed, purpose-bound salt (as for the domain key itself): every device of the domain must
// derive the same MAC key.
constexpr std::string_view kMacKeySalt = "strongroom fingerprint v1";
constexpr std::string_view kMacKeyInfo = "value mac key";

Bytes header(std::string_view context, size_t count) {
    Bytes h = to_bytes(context);
    h.push_back(0);
    put_u32(h, static_cast<uint32_t>(count));
    return h;
}

Bytes type_and_length(AttrType type, size_t length) {
    Bytes tl;
    put_u64(tl, type);
    put_u32(tl, static_cast<uint32_t>(length));
    return tl;
}

}  // namespace

Bytes canonical_plain(std::string_view context, const std::map<AttrType, Bytes>& values) {
    Bytes out = header(context, values.size());
    for (const auto& [type, value] : values) {
        Bytes tl = type_and_length(type, value.size());
        out.insert(out.end(), tl.begin(), tl.end());
        out.insert(out.end(), value.begin(), value.end());
    }
    return out;
}

SecretBytes canonical_secret(std::string_view context,
                             const std::map<AttrType, SecretBytes>& values) {
    SecretBytes out;
    out.append(header(context, values.size()));
    for (const auto& [type, value] : values) {
        out.append(type_and_length(type, value.size()));
        out.append(value.span());
    }
    return out;
}

Result<Bytes> attributes_digest(const AttributeSet& attrs) {
    return crypto::digest(crypto::Hash::Sha256,
                          canonical_plain(kAttributesContext, attrs.plain_values()));
}

Result<SecretBytes> derive_mac_key(const SecretBytes& domain_key) {
    return crypto::hkdf(crypto::Hash::Sha256, domain_key.span(), as_bytes(kMacKeySalt),
                        as_bytes(kMacKeyInfo), kMacKeyBytes);
}

Result<Bytes> value_mac(const SecretBytes& mac_key, const AttributeSet& attrs) {
    if (attrs.secret_values().empty()) return Bytes{};
    SecretBytes encoded = canonical_secret(kValuesContext, attrs.secret_values());
    return crypto::hmac(crypto::Hash::Sha256, mac_key.span(), encoded.span());
}

Result<ObjectFingerprint> compute(ObjectHandle handle, const AttributeSet& attrs,
                                  const SecretBytes* mac_key) {
    ObjectFingerprint f;
    f.handle = handle;
    if (auto v = attrs.get(attr::kOuid)) f.ouid.assign(v->begin(), v->end());
    f.object_class = attrs.get_ulong(attr::kClass).value_or(cls::kData);
    if (auto v = attrs.get(attr::kLabel)) f.label = to_string(*v);
    SR_ASSIGN_OR_RETURN(f.attributes_digest, attributes_digest(attrs));
    if (!attrs.secret_values().empty()) {
        if (mac_key == nullptr)
            return error(Err::GeneralError, "a fingerprint of key material needs the MAC key");
        SR_ASSIGN_OR_RETURN(f.value_mac, value_mac(*mac_key, attrs));
    }
    return f;
}

}  // namespace sr::hsm::fingerprint
