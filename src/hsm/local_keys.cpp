// LocalDevice: key generation, key-pair generation, wrap, unwrap and derive, with the
// partition's wrapping policies (luna-reference §3.2: 1 private-key wrapping = key-export mode,
// 2 private-key unwrapping, 5 secret-key wrapping, 6 secret-key unwrapping).
#include "crypto/mechanism.h"
#include "hsm/key_attributes.h"
#include "hsm/local_device.h"
#include "hsm/policy.h"

namespace sr::hsm {
namespace {

const crypto::MechanismRegistry& registry() { return crypto::MechanismRegistry::standard(); }

Result<const crypto::MechanismInfo*> mechanism_for(crypto::MechanismId id, uint32_t flag) {
    const crypto::MechanismInfo* info = registry().find(id);
    if (!info || (info->flags & flag) == 0 || info->key_types.empty())
        return error(Err::MechanismInvalid, "mechanism not usable for this function");
    return info;
}

// Which partition policy allows (un)wrapping keys of this class; nullopt = always allowed
// for the mechanism's own checks (e.g. public keys are refused by the material step).
struct WrapPolicy {
    uint64_t object_class;
    uint32_t wrap_policy;
    uint32_t unwrap_policy;
    std::string_view what;
};
constexpr WrapPolicy kWrapPolicies[] = {
    {cls::kPrivateKey, policy::kPrivateKeyWrapping, policy::kPrivateKeyUnwrapping, "private"},
    {cls::kSecretKey, policy::kSecretKeyWrapping, policy::kSecretKeyUnwrapping, "secret"},
};

Result<const WrapPolicy*> wrap_policy_for(uint64_t object_class) {
    for (const auto& w : kWrapPolicies)
        if (w.object_class == object_class) return &w;
    return error(Err::KeyNotWrappable, "only private and secret keys can be wrapped");
}

Status require_policy(const std::map<uint32_t, uint64_t>& values, uint32_t id,
                      std::string_view what) {
    auto it = values.find(id);
    if (it == values.end() || it->second == 0)
        return error(Err::KeyNotWrappable,
                     std::string(what) + " (partition policy " + std::to_string(id) + " is off)");
    return {};
}

Result<ObjectPtr> key_object(Result<ObjectPtr> r, Err invalid) {
    if (!r && r.code() == Err::ObjectHandleInvalid) return error(invalid);
    return r;
}

}  // namespace

Result<std::map<uint32_t, uint64_t>> LocalDevice::partition_policy_values(PartitionId p) {
    std::map<uint32_t, uint64_t> values;
    if (Status st_ = m_store->read([&](store::Txn& txn) -> Status {
        SR_ASSIGN_OR_RETURN(values, policy_values(txn, p));
        return {};
    }); !st_) return st_;
    return values;
}

Result<ObjectHandle> LocalDevice::generate_key(SessionId s, const crypto::Mechanism& m,
                                               const AttributeSet& tmpl) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(auto info, mechanism_for(m.id, crypto::op::kGenerate));
    const crypto::KeyType type = info->key_types[0];
    NewObjectContext n;
    n.mechanism = m.id;
    n.is_so = ctx.login == Role::PartitionSo;
    n.object_class = cls::kSecretKey;
    n.key_type = static_cast<uint64_t>(type);
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, prepare_new_object(tmpl.clone(), Origin::Generate, n));
    SR_TRY(check_object_write(ctx, attrs));
    crypto::KeyGenParams p;
    p.value_len = attrs.get_ulong(attr::kValueLen).value_or(0);
    SR_ASSIGN_OR_RETURN(crypto::Key key, registry().generate_key(m, type, p));
    SR_ASSIGN_OR_RETURN(AttributeSet material, attributes_from_key(key));
    attrs.merge(std::move(material));
    return store_new_object(ctx, std::move(attrs));
}

Result<KeyPairHandles> LocalDevice::generate_key_pair(SessionId s, const crypto::Mechanism& m,
                                                      const AttributeSet& public_tmpl,
                                                      const AttributeSet& private_tmpl) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(auto info, mechanism_for(m.id, crypto::op::kGenerateKeyPair));
    NewObjectContext n;
    n.mechanism = m.id;
    n.is_so = ctx.login == Role::PartitionSo;
    n.key_type = static_cast<uint64_t>(info->key_types[0]);
    n.object_class = cls::kPublicKey;
    SR_ASSIGN_OR_RETURN(AttributeSet pub, prepare_new_object(public_tmpl.clone(),
                                                             Origin::GenerateKeyPairPublic, n));
    n.object_class = cls::kPrivateKey;
    SR_ASSIGN_OR_RETURN(AttributeSet priv, prepare_new_object(private_tmpl.clone(),
                                                              Origin::GenerateKeyPairPrivate, n));
    SR_TRY(check_object_write(ctx, pub));
    SR_TRY(check_object_write(ctx, priv));
    crypto::KeyGenParams p;
    p.bits = pub.get_ulong(attr::kModulusBits).value_or(0);
    if (auto e = pub.get(attr::kPublicExponent)) p.public_exponent.assign(e->begin(), e->end());
    if (auto ec = pub.get(attr::kEcParams)) p.ec_params.assign(ec->begin(), ec->end());
    // DSA: the domain comes in the public template (PKCS#11 §2.2.6; the rules require it).
    if (auto v = pub.get(attr::kPrime)) p.dsa_domain.prime.assign(v->begin(), v->end());
    if (auto v = pub.get(attr::kSubprime)) p.dsa_domain.subprime.assign(v->begin(), v->end());
    if (auto v = pub.get(attr::kBase)) p.dsa_domain.base.assign(v->begin(), v->end());
    SR_ASSIGN_OR_RETURN(crypto::KeyPair pair, registry().generate_key_pair(m, p));
    SR_ASSIGN_OR_RETURN(AttributeSet pub_material, attributes_from_key(pair.public_key));
    SR_ASSIGN_OR_RETURN(AttributeSet priv_material, attributes_from_key(pair.private_key));
    pub.merge(std::move(pub_material));
    priv.merge(std::move(priv_material));
    std::vector<AttributeSet> pair_attrs;
    pair_attrs.push_back(std::move(pub));
    pair_attrs.push_back(std::move(priv));
    SR_ASSIGN_OR_RETURN(auto handles, store_new_objects(ctx, std::move(pair_attrs)));
    return KeyPairHandles{handles[0], handles[1]};
}

Result<Bytes> LocalDevice::wrap_key(SessionId s, const crypto::Mechanism& m,
                                    ObjectHandle wrapping, ObjectHandle key) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr wobj,
                        key_object(load_object(ctx, wrapping), Err::WrappingKeyHandleInvalid));
    SR_ASSIGN_OR_RETURN(ObjectPtr kobj, key_object(load_object(ctx, key), Err::KeyHandleInvalid));
    SR_TRY(check_key_usage(wobj->attrs(), crypto::op::kWrap));
    SR_TRY(check_wrappable(kobj->attrs(), wobj->attrs()));
    SR_ASSIGN_OR_RETURN(const WrapPolicy* wp, wrap_policy_for(kobj->object_class()));
    SR_ASSIGN_OR_RETURN(auto values, ctx.runtime->policy_values(
        [&] { return partition_policy_values(ctx.runtime->id); }));
    SR_TRY(require_policy(*values, wp->wrap_policy,
                          std::string(wp->what) + " keys may not be wrapped off this partition"));
    SR_ASSIGN_OR_RETURN(auto wkey, wobj->key());
    SR_ASSIGN_OR_RETURN(auto kkey, kobj->key());
    if (kobj->object_class() == cls::kSecretKey) return registry().wrap(m, *wkey, kkey->value().span());
    SR_ASSIGN_OR_RETURN(SecretBytes pkcs8, crypto::to_pkcs8(*kkey));
    return registry().wrap(m, *wkey, pkcs8.span());
}

Result<ObjectHandle> LocalDevice::unwrap_key(SessionId s, const crypto::Mechanism& m,
                                             ObjectHandle unwrapping, ByteView wrapped,
                                             const AttributeSet& tmpl) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr uobj, key_object(load_object(ctx, unwrapping),
                                                   Err::UnwrappingKeyHandleInvalid));
    SR_TRY(check_key_usage(uobj->attrs(), crypto::op::kUnwrap));
    auto object_class = tmpl.get_ulong(attr::kClass);
    auto key_type = tmpl.get_ulong(attr::kKeyType);
    if (!object_class || !key_type)
        return error(Err::TemplateIncomplete, "unwrap needs CKA_CLASS and CKA_KEY_TYPE");
    SR_ASSIGN_OR_RETURN(const WrapPolicy* wp, wrap_policy_for(*object_class));
    SR_ASSIGN_OR_RETURN(auto values, ctx.runtime->policy_values(
        [&] { return partition_policy_values(ctx.runtime->id); }));
    SR_TRY(require_policy(*values, wp->unwrap_policy,
                          std::string(wp->what) + " keys may not be unwrapped into this partition"));
    NewObjectContext n;
    n.is_so = ctx.login == Role::PartitionSo;
    n.object_class = object_class;
    n.key_type = key_type;
    n.base_key = &uobj->attrs();
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, prepare_new_object(tmpl.clone(), Origin::Unwrap, n));
    SR_TRY(check_object_write(ctx, attrs));
    SR_ASSIGN_OR_RETURN(auto ukey, uobj->key());
    SR_ASSIGN_OR_RETURN(SecretBytes material, registry().unwrap(m, *ukey, wrapped));
    std::optional<crypto::Key> key;
    if (*object_class == cls::kSecretKey) {
        key.emplace(crypto::Key::secret(static_cast<crypto::KeyType>(*key_type), std::move(material)));
    } else {
        auto parsed = crypto::from_pkcs8(material.span());
        if (!parsed) return error(Err::WrappedKeyInvalid, "the unwrapped bytes are not a PKCS#8 key");
        key.emplace(std::move(*parsed));
    }
    SR_ASSIGN_OR_RETURN(AttributeSet from_key, attributes_from_key(*key));
    attrs.merge(std::move(from_key));
    return store_new_object(ctx, std::move(attrs));
}

Result<ObjectHandle> LocalDevice::derive_key(SessionId s, const crypto::Mechanism& m,
                                             ObjectHandle base, const AttributeSet& tmpl) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    SR_ASSIGN_OR_RETURN(ObjectPtr bobj, key_object(load_object(ctx, base), Err::KeyHandleInvalid));
    SR_TRY(check_key_usage(bobj->attrs(), crypto::op::kDerive));
    auto key_type = tmpl.get_ulong(attr::kKeyType);
    if (!key_type) return error(Err::TemplateIncomplete, "derive needs CKA_KEY_TYPE");
    NewObjectContext n;
    n.is_so = ctx.login == Role::PartitionSo;
    n.object_class = cls::kSecretKey;
    n.key_type = key_type;
    n.base_key = &bobj->attrs();
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, prepare_new_object(tmpl.clone(), Origin::Derive, n));
    SR_TRY(check_object_write(ctx, attrs));
    SR_ASSIGN_OR_RETURN(auto bkey, bobj->key());
    SR_ASSIGN_OR_RETURN(SecretBytes secret, registry().derive(m, *bkey));
    const size_t len = attrs.get_ulong(attr::kValueLen).value_or(secret.size());
    if (len == 0 || len > secret.size())
        return error(Err::TemplateInconsistent, "CKA_VALUE_LEN exceeds the derived secret");
    secret.resize(len);
    crypto::Key key = crypto::Key::secret(static_cast<crypto::KeyType>(*key_type), std::move(secret));
    SR_ASSIGN_OR_RETURN(AttributeSet from_key, attributes_from_key(key));
    attrs.merge(std::move(from_key));
    return store_new_object(ctx, std::move(attrs));
}

}  // namespace sr::hsm
