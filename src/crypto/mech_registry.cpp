// The registry: builds the table from the families once, then checks every request against it
// before handing it to the mechanism's implementation.
#include <algorithm>
#include <array>
#include <string>

#include "crypto/mech_internal.h"

namespace sr::crypto {
namespace detail {
namespace {
Status not_this_function(std::string_view fn) {
    return error(Err::MechanismInvalid, "mechanism does not support " + std::string(fn));
}

constexpr std::array<std::string_view, 20> kCipherNames = {
    "AES-128-ECB",  "AES-192-ECB",      "AES-256-ECB",      "AES-128-CBC",
    "AES-192-CBC",  "AES-256-CBC",      "AES-128-CTR",      "AES-192-CTR",
    "AES-256-CTR",  "AES-128-GCM",      "AES-192-GCM",      "AES-256-GCM",
    "AES-128-WRAP", "AES-192-WRAP",     "AES-256-WRAP",     "AES-128-WRAP-PAD",
    "AES-192-WRAP-PAD", "AES-256-WRAP-PAD", "DES-EDE3-ECB", "DES-EDE3-CBC"};
}  // namespace

Result<std::unique_ptr<CipherOp>> MechImpl::encrypt(const MechParams&, const Key&) const {
    return not_this_function("encrypt");
}
Result<std::unique_ptr<CipherOp>> MechImpl::decrypt(const MechParams&, const Key&) const {
    return not_this_function("decrypt");
}
Result<std::unique_ptr<SignOp>> MechImpl::sign(const MechParams&, const Key&) const {
    return not_this_function("sign");
}
Result<std::unique_ptr<VerifyOp>> MechImpl::verify(const MechParams&, const Key&) const {
    return not_this_function("verify");
}
Result<std::unique_ptr<VerifyRecoverOp>> MechImpl::verify_recover(const MechParams&,
                                                                  const Key&) const {
    return not_this_function("verify with recovery");
}
Result<std::unique_ptr<DigestOp>> MechImpl::digest(const MechParams&) const {
    return not_this_function("digest");
}
Result<Key> MechImpl::generate_key(KeyType, const KeyGenParams&) const {
    return not_this_function("key generation");
}
Result<KeyPair> MechImpl::generate_key_pair(const KeyGenParams&) const {
    return not_this_function("key pair generation");
}
Result<Bytes> MechImpl::wrap(const MechParams&, const Key&, ByteView) const {
    return not_this_function("wrap");
}
Result<SecretBytes> MechImpl::unwrap(const MechParams&, const Key&, ByteView) const {
    return not_this_function("unwrap");
}
Result<SecretBytes> MechImpl::derive(const MechParams&, const Key&) const {
    return not_this_function("derive");
}

const EVP_MD* md_of(Hash h) noexcept {
    // Fetched once: a per-operation fetch takes a global lock in OpenSSL 3.0.
    static const std::array<MdPtr, 5> kMds = [] {
        std::array<MdPtr, 5> mds;
        const Hash all[] = {Hash::Sha1, Hash::Sha224, Hash::Sha256, Hash::Sha384, Hash::Sha512};
        for (Hash x : all)
            mds[static_cast<size_t>(x)] =
                MdPtr(EVP_MD_fetch(nullptr, std::string(hash_name(x)).c_str(), nullptr));
        return mds;
    }();
    return kMds[static_cast<size_t>(h)].get();
}

const EVP_CIPHER* cipher_named(std::string_view name) noexcept {
    static const std::array<CipherPtr, kCipherNames.size()> kCiphers = [] {
        std::array<CipherPtr, kCipherNames.size()> cs;
        for (size_t i = 0; i < kCipherNames.size(); ++i)
            cs[i] = CipherPtr(EVP_CIPHER_fetch(nullptr, std::string(kCipherNames[i]).c_str(),
                                               nullptr));
        return cs;
    }();
    for (size_t i = 0; i < kCipherNames.size(); ++i)
        if (kCipherNames[i] == name) return kCiphers[i].get();
    return nullptr;
}

Status expect_no_params(const MechParams& p) {
    if (!param_as<NoParams>(p)) return bad_param("mechanism takes no parameters");
    return {};
}

}  // namespace detail

// ---- Registry

namespace {

enum class Role : uint8_t { Public, Private, None };

struct RoleErrors {
    Err type;
    Err size;
};

Status check_key(const MechanismInfo& info, const Key& key, Role role, RoleErrors errs) {
    bool type_ok = std::find(info.key_types.begin(), info.key_types.end(), key.type()) !=
                   info.key_types.end();
    if (!type_ok)
        return error(errs.type, std::string(key_type_name(key.type())) + " key cannot be used with " +
                                    std::string(info.name));
    // Secret material must be a symmetric type and asymmetric types must carry an EVP_PKEY of
    // the half the function needs, so no implementation ever sees a mislabelled key.
    bool part_ok = is_symmetric(key.type())
                       ? key.part() == KeyPart::Secret
                       : key.pkey() != nullptr &&
                             key.part() == (role == Role::Public ? KeyPart::Public
                                                                 : KeyPart::Private);
    if (!part_ok)
        return error(errs.type, std::string(role == Role::Public ? "a public" : "a private") +
                                    " key is required for this function");
    size_t size = key.part() == KeyPart::Secret ? key.value().size() : key.bits();
    if (size < info.min_key_size || size > info.max_key_size)
        return error(errs.size, "key size " + std::to_string(size) + " outside " +
                                    std::to_string(info.min_key_size) + ".." +
                                    std::to_string(info.max_key_size) + " for " +
                                    std::string(info.name));
    return {};
}

constexpr RoleErrors kKeyErrs{Err::KeyTypeInconsistent, Err::KeySizeRange};

}  // namespace

struct MechanismRegistry::Checked {
    const MechanismInfo* info;
    const detail::MechImpl* impl;
};

MechanismRegistry::MechanismRegistry() {
    detail::MechDefs defs;
    detail::add_rsa_mechanisms(defs);
    detail::add_ec_mechanisms(defs);
    detail::add_eddsa_mechanisms(defs);
    detail::add_dsa_mechanisms(defs);
    detail::add_aes_mechanisms(defs);
    detail::add_des3_mechanisms(defs);
    detail::add_hmac_mechanisms(defs);
    detail::add_digest_mechanisms(defs);
    detail::add_wrap_mechanisms(defs);
    std::sort(defs.begin(), defs.end(),
              [](const auto& a, const auto& b) { return a.info.id < b.info.id; });
    for (auto& d : defs) {
        m_infos.push_back(d.info);
        m_impls.push_back(std::move(d.impl));
    }
}

MechanismRegistry::~MechanismRegistry() = default;

const MechanismRegistry& MechanismRegistry::standard() {
    // Immutable after construction; built on first use so tests and tools pay only if they ask.
    static const MechanismRegistry kStandard;
    return kStandard;
}

std::span<const MechanismInfo> MechanismRegistry::all() const noexcept { return m_infos; }

const MechanismInfo* MechanismRegistry::find(MechanismId id) const noexcept {
    auto it = std::lower_bound(m_infos.begin(), m_infos.end(), id,
                               [](const MechanismInfo& i, MechanismId v) { return i.id < v; });
    return it != m_infos.end() && it->id == id ? &*it : nullptr;
}

Result<MechanismRegistry::Checked> MechanismRegistry::check(MechanismId id,
                                                            uint32_t flag) const {
    const MechanismInfo* info = find(id);
    if (!info) return error(Err::MechanismInvalid, "unknown mechanism " + std::to_string(id));
    if ((info->flags & flag) == 0)
        return error(Err::MechanismInvalid,
                     std::string(info->name) + " does not support this function");
    return Checked{info, m_impls[static_cast<size_t>(info - m_infos.data())].get()};
}

Result<std::unique_ptr<CipherOp>> MechanismRegistry::encrypt(const Mechanism& m,
                                                             const Key& key) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kEncrypt));
    SR_TRY(check_key(*c.info, key, Role::Public, kKeyErrs));
    return c.impl->encrypt(m.params, key);
}

Result<std::unique_ptr<CipherOp>> MechanismRegistry::decrypt(const Mechanism& m,
                                                             const Key& key) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kDecrypt));
    SR_TRY(check_key(*c.info, key, Role::Private, kKeyErrs));
    return c.impl->decrypt(m.params, key);
}

Result<std::unique_ptr<SignOp>> MechanismRegistry::sign(const Mechanism& m,
                                                        const Key& key) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kSign));
    SR_TRY(check_key(*c.info, key, Role::Private, kKeyErrs));
    return c.impl->sign(m.params, key);
}

Result<std::unique_ptr<VerifyOp>> MechanismRegistry::verify(const Mechanism& m,
                                                            const Key& key) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kVerify));
    SR_TRY(check_key(*c.info, key, Role::Public, kKeyErrs));
    return c.impl->verify(m.params, key);
}

Result<std::unique_ptr<SignOp>> MechanismRegistry::sign_recover(const Mechanism& m,
                                                                const Key& key) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kSignRecover));
    SR_TRY(check_key(*c.info, key, Role::Private, kKeyErrs));
    return c.impl->sign(m.params, key);
}

Result<std::unique_ptr<VerifyRecoverOp>> MechanismRegistry::verify_recover(const Mechanism& m,
                                                                           const Key& key) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kVerifyRecover));
    SR_TRY(check_key(*c.info, key, Role::Public, kKeyErrs));
    return c.impl->verify_recover(m.params, key);
}

Result<std::unique_ptr<DigestOp>> MechanismRegistry::digest(const Mechanism& m) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kDigest));
    return c.impl->digest(m.params);
}

Result<Key> MechanismRegistry::generate_key(const Mechanism& m, KeyType type,
                                            const KeyGenParams& p) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kGenerate));
    SR_TRY(detail::expect_no_params(m.params));
    bool type_ok = std::find(c.info->key_types.begin(), c.info->key_types.end(), type) !=
                   c.info->key_types.end();
    if (!type_ok)
        return error(Err::TemplateInconsistent, std::string(key_type_name(type)) +
                                                    " keys are not made by " +
                                                    std::string(c.info->name));
    return c.impl->generate_key(type, p);
}

Result<KeyPair> MechanismRegistry::generate_key_pair(const Mechanism& m,
                                                     const KeyGenParams& p) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kGenerateKeyPair));
    SR_TRY(detail::expect_no_params(m.params));
    return c.impl->generate_key_pair(p);
}

Result<Bytes> MechanismRegistry::wrap(const Mechanism& m, const Key& wrapping,
                                      ByteView key_material) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kWrap));
    SR_TRY(check_key(*c.info, wrapping, Role::Public,
                     {Err::WrappingKeyTypeInconsistent, Err::WrappingKeySizeRange}));
    return c.impl->wrap(m.params, wrapping, key_material);
}

Result<SecretBytes> MechanismRegistry::unwrap(const Mechanism& m, const Key& unwrapping,
                                              ByteView wrapped) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kUnwrap));
    SR_TRY(check_key(*c.info, unwrapping, Role::Private,
                     {Err::UnwrappingKeyTypeInconsistent, Err::UnwrappingKeySizeRange}));
    return c.impl->unwrap(m.params, unwrapping, wrapped);
}

Result<SecretBytes> MechanismRegistry::derive(const Mechanism& m, const Key& base) const {
    SR_ASSIGN_OR_RETURN(Checked c, check(m.id, op::kDerive));
    SR_TRY(check_key(*c.info, base, Role::Private, kKeyErrs));
    return c.impl->derive(m.params, base);
}

}  // namespace sr::crypto
