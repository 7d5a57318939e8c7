// The checks built on the attribute rules table (object_rules_table.cpp). Every decision reads
// the table's flags; the only per-attribute code is for the token-set attributes whose values
// the spec derives (§4.9 footnotes on ALWAYS_SENSITIVE / NEVER_EXTRACTABLE, §4.7 LOCAL).
#include "hsm/object_rules.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crypto/mechanism.h"

namespace sr::hsm {
namespace {

uint8_t class_bit(uint64_t object_class) noexcept {
    switch (object_class) {
        case cls::kData: return clsbit::kData;
        case cls::kCertificate: return clsbit::kCertificate;
        case cls::kPublicKey: return clsbit::kPublicKey;
        case cls::kPrivateKey: return clsbit::kPrivateKey;
        case cls::kSecretKey: return clsbit::kSecretKey;
        default: return 0;
    }
}

bool is_key_class(uint64_t object_class) noexcept {
    return (class_bit(object_class) & clsbit::kAllKeys) != 0;
}

std::string_view class_name(uint64_t object_class) noexcept {
    switch (object_class) {
        case cls::kData: return "data object";
        case cls::kCertificate: return "certificate";
        case cls::kPublicKey: return "public key";
        case cls::kPrivateKey: return "private key";
        case cls::kSecretKey: return "secret key";
        default: return "object";
    }
}

// Key types the engine can hold, per class.
bool key_type_fits_class(uint64_t object_class, uint64_t key_type) noexcept {
    constexpr std::array kAsymmetric = {ckk::kRsa, ckk::kDsa, ckk::kEc, ckk::kEcEdwards};
    constexpr std::array kSymmetric = {ckk::kGenericSecret, ckk::kAes, ckk::kDes3};
    auto in = [key_type](const auto& list) {
        return std::find(list.begin(), list.end(), key_type) != list.end();
    };
    if (object_class == cls::kSecretKey) return in(kSymmetric);
    return in(kAsymmetric);
}

// The table's rows by attribute type, in table order, and the classes for which the type is
// key material: per-attribute questions (asked for every attribute of every object read or
// stored) answer in constant time instead of scanning the whole table.
struct TypeRows {
    std::vector<const AttrRule*> rows;
    uint8_t secret_classes = 0;
};

const std::unordered_map<AttrType, TypeRows>& rules_by_type() {
    static const std::unordered_map<AttrType, TypeRows> index = [] {
        std::unordered_map<AttrType, TypeRows> out;
        for (const AttrRule& r : attribute_rules()) {
            TypeRows& t = out[r.type];
            t.rows.push_back(&r);
            if (r.flags & rule::kSecret) t.secret_classes |= r.classes;
        }
        return out;
    }();
    return index;
}

const TypeRows* rows_of(AttrType t) {
    const auto& index = rules_by_type();
    auto it = index.find(t);
    return it == index.end() ? nullptr : &it->second;
}

bool row_applies(const AttrRule& r, uint64_t object_class,
                 std::optional<uint64_t> key_type) noexcept {
    if ((r.classes & class_bit(object_class)) == 0) return false;
    if (!is_key_class(object_class) || r.key_types.empty()) return true;
    return key_type && std::find(r.key_types.begin(), r.key_types.end(), *key_type) !=
                           r.key_types.end();
}

bool is_generate(Origin o) noexcept {
    return o == Origin::Generate || o == Origin::GenerateKeyPairPublic ||
           o == Origin::GenerateKeyPairPrivate;
}
bool is_unwrap_or_derive(Origin o) noexcept { return o == Origin::Unwrap || o == Origin::Derive; }

Status value_invalid(const AttrRule& r, std::string_view why) {
    return error(Err::AttributeValueInvalid, std::string(r.name) + ": " + std::string(why));
}

Status check_value_shape(const AttrRule& r, ByteView v) {
    switch (r.kind) {
        case ValueKind::Bool:
            if (v.size() != 1 || v[0] > 1) return value_invalid(r, "a CK_BBOOL must be one byte, 0 or 1");
            break;
        case ValueKind::Ulong:
            if (v.size() != sizeof(CkUlong)) return value_invalid(r, "a CK_ULONG must be 8 bytes");
            break;
        case ValueKind::Date:
            if (!v.empty() && (v.size() != 8 || !std::all_of(v.begin(), v.end(), [](uint8_t c) {
                                   return c >= '0' && c <= '9';
                               }))) {
                return value_invalid(r, "a CK_DATE must be empty or 8 digits YYYYMMDD");
            }
            break;
        case ValueKind::BigInt:
            if (v.empty()) return value_invalid(r, "a big integer must not be empty");
            break;
        case ValueKind::MechList:
            if (v.size() % sizeof(CkUlong) != 0) return value_invalid(r, "not a list of CK_MECHANISM_TYPE");
            break;
        case ValueKind::Bytes:
        case ValueKind::String:
        case ValueKind::Template:
            break;
    }
    return Status::ok();
}

struct Kind {
    uint64_t object_class;
    std::optional<uint64_t> key_type;
};

Result<uint64_t> read_ulong_attr(const AttributeSet& a, AttrType t, std::string_view name) {
    auto v = a.get(t);
    auto u = v ? decode_ulong(*v) : std::nullopt;
    if (!u) return error(Err::AttributeValueInvalid, std::string(name) + ": a CK_ULONG must be 8 bytes");
    return *u;
}

// Class and key type from the template, reconciled with what the call implies.
Result<Kind> resolve_kind(const AttributeSet& tmpl, std::optional<uint64_t> implied_class,
                          std::optional<uint64_t> implied_key_type) {
    Kind k{};
    std::optional<uint64_t> given_class;
    if (tmpl.has(attr::kClass)) {
        SR_ASSIGN_OR_RETURN(given_class, read_ulong_attr(tmpl, attr::kClass, "CKA_CLASS"));
    }
    if (given_class && implied_class && *given_class != *implied_class) {
        return error(Err::TemplateInconsistent, "CKA_CLASS does not match the operation (" +
                                                    std::string(class_name(*implied_class)) + ")");
    }
    if (!given_class && !implied_class) return error(Err::TemplateIncomplete, "CKA_CLASS is required");
    k.object_class = given_class ? *given_class : *implied_class;
    if (class_bit(k.object_class) == 0) {
        return error(Err::AttributeValueInvalid, "CKA_CLASS: unsupported object class " +
                                                     std::to_string(k.object_class));
    }
    if (!is_key_class(k.object_class)) return k;

    std::optional<uint64_t> given_type;
    if (tmpl.has(attr::kKeyType)) {
        SR_ASSIGN_OR_RETURN(given_type, read_ulong_attr(tmpl, attr::kKeyType, "CKA_KEY_TYPE"));
    }
    if (given_type && implied_key_type && *given_type != *implied_key_type) {
        return error(Err::TemplateInconsistent, "CKA_KEY_TYPE does not match the mechanism");
    }
    if (!given_type && !implied_key_type) return error(Err::TemplateIncomplete, "CKA_KEY_TYPE is required");
    k.key_type = given_type ? given_type : implied_key_type;
    if (!key_type_fits_class(k.object_class, *k.key_type)) {
        return error(Err::AttributeValueInvalid,
                     "CKA_KEY_TYPE: key type " + std::to_string(*k.key_type) + " is not supported for a " +
                         std::string(class_name(k.object_class)));
    }
    return k;
}

Status check_origin_class(Origin origin, uint64_t object_class) {
    const uint8_t bit = class_bit(object_class);
    uint8_t allowed = clsbit::kStorage;
    switch (origin) {
        case Origin::Generate: allowed = clsbit::kSecretKey; break;
        case Origin::GenerateKeyPairPublic: allowed = clsbit::kPublicKey; break;
        case Origin::GenerateKeyPairPrivate: allowed = clsbit::kPrivateKey; break;
        case Origin::Unwrap:
        case Origin::Derive: allowed = clsbit::kPrivateKey | clsbit::kSecretKey; break;
        default: break;
    }
    if ((bit & allowed) == 0) {
        return error(Err::TemplateInconsistent, "a " + std::string(class_name(object_class)) +
                                                    " cannot be made by " +
                                                    std::string(origin_name(origin)));
    }
    return Status::ok();
}

Status check_against_rule_on_create(const AttrRule& r, ByteView v, Origin origin, bool is_so) {
    SR_TRY(check_value_shape(r, v));
    const std::string name(r.name);
    if (r.flags & rule::kTokenSetOnly) {
        return error(Err::AttributeReadOnly, name + " is set by the token and must not be given");
    }
    if ((r.flags & rule::kOnlyOnGenerate) && !is_generate(origin)) {
        return error(Err::TemplateInconsistent, name + " may only be given when generating a key");
    }
    if ((r.flags & rule::kNotOnGenerate) && is_generate(origin)) {
        return error(Err::TemplateInconsistent, name + " must not be given when generating a key");
    }
    if ((r.flags & rule::kNotOnUnwrapDerive) && is_unwrap_or_derive(origin)) {
        return error(Err::TemplateInconsistent,
                     name + " must not be given when unwrapping or deriving a key");
    }
    if ((r.flags & rule::kOnlyGenUnwrapDerive) && origin == Origin::Create) {
        return error(Err::TemplateInconsistent, name + " must not be given to C_CreateObject");
    }
    if ((r.flags & rule::kSoOnlyTrue) && decode_bool(v).value_or(false) && !is_so) {
        return error(Err::AttributeReadOnly, "only the SO can set " + name + " to true");
    }
    return Status::ok();
}

void fill_defaults(AttributeSet& a, const Kind& k) {
    for (const AttrRule& r : attribute_rules()) {
        if (a.has(r.type) || !row_applies(r, k.object_class, k.key_type)) continue;
        if (r.default_value) {
            if (r.kind == ValueKind::Bool) a.set_bool(r.type, *r.default_value != 0);
            else a.set_ulong(r.type, *r.default_value);
        } else if (r.flags & rule::kDefaultEmpty) {
            a.set_bytes(r.type, {});
        }
    }
    if (!a.has(attr::kPrivate)) {
        a.set_bool(attr::kPrivate, k.object_class == cls::kPrivateKey ||
                                       k.object_class == cls::kSecretKey);
    }
}

Status check_required(const AttributeSet& a, const Kind& k, Origin origin) {
    const uint8_t need = origin == Origin::Create ? req::kOnCreate
                         : is_generate(origin)    ? req::kOnGenerate
                                                  : uint8_t{0};
    for (const AttrRule& r : attribute_rules()) {
        if ((r.required_on & need) && row_applies(r, k.object_class, k.key_type) && !a.has(r.type)) {
            return error(Err::TemplateIncomplete, std::string(r.name) + " is required for a " +
                                                      std::string(class_name(k.object_class)));
        }
    }
    if (k.object_class == cls::kCertificate &&
        a.get_ulong(attr::kCertificateType) != std::optional<uint64_t>(ckc::kX509)) {
        return error(Err::AttributeValueInvalid,
                     "CKA_CERTIFICATE_TYPE: only X.509 public key certificates are supported");
    }
    return Status::ok();
}

// PKCS#11 §4.7 / §4.9: LOCAL only for keys the token generated; ALWAYS_SENSITIVE and
// NEVER_EXTRACTABLE follow the key from birth (generate), are false for imported material
// (create, unwrap), and inherit from the base key on derive.
void set_token_attributes(AttributeSet& a, const Kind& k, Origin origin,
                          const NewObjectContext& ctx) {
    if (!is_key_class(k.object_class)) return;
    a.set_bool(attr::kLocal, is_generate(origin));
    a.set_ulong(attr::kKeyGenMechanism, is_generate(origin) ? ctx.mechanism : kUnavailableInformation);
    if (k.object_class == cls::kPublicKey) return;
    const bool sensitive = a.flag(attr::kSensitive);
    const bool extractable = a.flag(attr::kExtractable, true);
    bool always_sensitive = false;
    bool never_extractable = false;
    if (is_generate(origin)) {
        always_sensitive = sensitive;
        never_extractable = !extractable;
    } else if (origin == Origin::Derive && ctx.base_key != nullptr) {
        always_sensitive = ctx.base_key->flag(attr::kAlwaysSensitive) && sensitive;
        never_extractable = ctx.base_key->flag(attr::kNeverExtractable) && !extractable;
    }
    a.set_bool(attr::kAlwaysSensitive, always_sensitive);
    a.set_bool(attr::kNeverExtractable, never_extractable);
}

// Clone / Copy: the attributes arrive complete (token-set ones included); only structure is
// checked.
Result<AttributeSet> prepare_complete(AttributeSet a, Origin origin) {
    SR_ASSIGN_OR_RETURN(Kind k, resolve_kind(a, std::nullopt, std::nullopt));
    for (AttrType t : a.types()) {
        const AttrRule* r = find_attribute_rule(k.object_class, k.key_type, t);
        if (r == nullptr) {
            return error(Err::AttributeTypeInvalid, attribute_name(t) + " is not valid for a " +
                                                        std::string(class_name(k.object_class)));
        }
        SR_TRY(check_value_shape(*r, *a.get(t)));
    }
    if (origin == Origin::Copy) a.erase(attr::kOuid);
    classify_secrets(a);
    return a;
}

// One attribute change of C_SetAttributeValue (copy = false) or C_CopyObject (copy = true).
Status check_change(const AttrRule& r, const AttributeSet& current, ByteView value, bool is_so,
                    bool copy) {
    SR_TRY(check_value_shape(r, value));
    const std::string name(r.name);
    const bool copy_changeable = copy && (r.flags & rule::kCopyChangeable);
    if ((r.flags & (rule::kTokenSetOnly | rule::kFixedAfterCreate)) && !copy_changeable) {
        return error(Err::AttributeReadOnly, name + " cannot be changed after the object is created");
    }
    if (copy && !copy_changeable && !current.flag(attr::kModifiable, true)) {
        return error(Err::AttributeReadOnly,
                     name + " cannot be changed on a copy of an unmodifiable object");
    }
    if (r.kind != ValueKind::Bool) return Status::ok();
    const bool now = *decode_bool(value);
    const bool before = current.get_bool(r.type).value_or(r.default_value.value_or(0) != 0);
    if ((r.flags & rule::kOneWayFalseToTrue) && before && !now) {
        return error(Err::AttributeReadOnly, name + " can only change from false to true");
    }
    if ((r.flags & rule::kOneWayTrueToFalse) && !before && now) {
        return error(Err::AttributeReadOnly, name + " can only change from true to false");
    }
    if ((r.flags & rule::kSoOnlyTrue) && now && !before && !is_so) {
        return error(Err::AttributeReadOnly, "only the SO can set " + name + " to true");
    }
    return Status::ok();
}

Result<Kind> kind_of_object(const AttributeSet& obj) {
    auto c = obj.get_ulong(attr::kClass);
    if (!c) return error(Err::GeneralError, "stored object has no valid CKA_CLASS");
    return Kind{*c, obj.get_ulong(attr::kKeyType)};
}

Status check_changes(const AttributeSet& current, const AttributeSet& changes, bool is_so,
                     bool copy) {
    SR_ASSIGN_OR_RETURN(Kind k, kind_of_object(current));
    for (AttrType t : changes.types()) {
        const AttrRule* r = find_attribute_rule(k.object_class, k.key_type, t);
        if (r == nullptr) {
            return error(Err::AttributeTypeInvalid, attribute_name(t) + " is not valid for a " +
                                                        std::string(class_name(k.object_class)));
        }
        SR_TRY(check_change(*r, current, *changes.get(t), is_so, copy));
    }
    return Status::ok();
}

}  // namespace

std::string_view origin_name(Origin o) noexcept {
    switch (o) {
        case Origin::Create: return "C_CreateObject";
        case Origin::Generate: return "C_GenerateKey";
        case Origin::GenerateKeyPairPublic:
        case Origin::GenerateKeyPairPrivate: return "C_GenerateKeyPair";
        case Origin::Unwrap: return "C_UnwrapKey";
        case Origin::Derive: return "C_DeriveKey";
        case Origin::Copy: return "C_CopyObject";
        case Origin::Clone: return "cloning";
    }
    return "?";
}

const AttrRule* find_attribute_rule(AttrType t) {
    const TypeRows* rows = rows_of(t);
    return rows == nullptr ? nullptr : rows->rows.front();
}

const AttrRule* find_attribute_rule(uint64_t object_class, std::optional<uint64_t> key_type,
                                    AttrType t) {
    const TypeRows* rows = rows_of(t);
    if (rows == nullptr) return nullptr;
    for (const AttrRule* r : rows->rows) {
        if (row_applies(*r, object_class, key_type)) return r;
    }
    return nullptr;
}

std::string attribute_name(AttrType t) {
    if (const AttrRule* r = find_attribute_rule(t)) return std::string(r->name);
    char buf[32];
    std::snprintf(buf, sizeof(buf), "CKA_0x%llX", static_cast<unsigned long long>(t));
    return buf;
}

bool is_secret_attribute(uint64_t object_class, AttrType t) {
    const TypeRows* rows = rows_of(t);
    return rows != nullptr && (rows->secret_classes & class_bit(object_class)) != 0;
}

void classify_secrets(AttributeSet& attrs) {
    auto c = attrs.get_ulong(attr::kClass);
    if (!c) return;
    for (AttrType t : attrs.types()) {
        if (is_secret_attribute(*c, t)) attrs.make_secret(t);
    }
}

Result<AttributeSet> prepare_new_object(AttributeSet tmpl, Origin origin,
                                        const NewObjectContext& ctx) {
    if (origin == Origin::Clone || origin == Origin::Copy) {
        return prepare_complete(std::move(tmpl), origin);
    }
    SR_ASSIGN_OR_RETURN(Kind k, resolve_kind(tmpl, ctx.object_class, ctx.key_type));
    SR_TRY(check_origin_class(origin, k.object_class));
    for (AttrType t : tmpl.types()) {
        const AttrRule* r = find_attribute_rule(k.object_class, k.key_type, t);
        if (r == nullptr) {
            return error(Err::AttributeTypeInvalid, attribute_name(t) + " is not valid for a " +
                                                        std::string(class_name(k.object_class)));
        }
        SR_TRY(check_against_rule_on_create(*r, *tmpl.get(t), origin, ctx.is_so));
    }
    tmpl.set_ulong(attr::kClass, k.object_class);
    if (k.key_type) tmpl.set_ulong(attr::kKeyType, *k.key_type);
    fill_defaults(tmpl, k);
    SR_TRY(check_required(tmpl, k, origin));
    set_token_attributes(tmpl, k, origin, ctx);
    classify_secrets(tmpl);
    return tmpl;
}

Status check_set_attributes(const AttributeSet& current, const AttributeSet& changes, bool is_so) {
    if (!current.flag(attr::kModifiable, true)) {
        return error(Err::ActionProhibited, "the object is not modifiable (CKA_MODIFIABLE is false)");
    }
    return check_changes(current, changes, is_so, /*copy=*/false);
}

Result<AttributeSet> prepare_copy(const AttributeSet& source, const AttributeSet& changes,
                                  bool is_so) {
    if (!source.flag(attr::kCopyable, true)) {
        return error(Err::ActionProhibited, "the object is not copyable (CKA_COPYABLE is false)");
    }
    SR_TRY(check_changes(source, changes, is_so, /*copy=*/true));
    AttributeSet out = source.clone();
    out.erase(attr::kOuid);
    out.merge(changes.clone());
    classify_secrets(out);
    return out;
}

Readable readable(const AttributeSet& obj, AttrType t) {
    if (!obj.has(t)) return Readable::Invalid;
    auto c = obj.get_ulong(attr::kClass);
    const AttrRule* r = c ? find_attribute_rule(*c, obj.get_ulong(attr::kKeyType), t) : nullptr;
    const bool protected_value =
        obj.is_secret(t) || (r != nullptr && (r->flags & rule::kSensitiveProtected));
    if (protected_value && (obj.flag(attr::kSensitive) || !obj.flag(attr::kExtractable, true))) {
        return Readable::Sensitive;
    }
    return Readable::Yes;
}

bool matches(const AttributeSet& obj, const AttributeSet& tmpl) {
    for (AttrType t : tmpl.types()) {
        if (obj.is_secret(t)) return false;
        auto have = obj.get(t);
        auto want = tmpl.get(t);
        if (!have || !std::equal(have->begin(), have->end(), want->begin(), want->end())) {
            return false;
        }
    }
    return true;
}

Status check_key_usage(const AttributeSet& key, uint32_t op) {
    static constexpr std::pair<uint32_t, AttrType> kUsage[] = {
        {crypto::op::kEncrypt, attr::kEncrypt}, {crypto::op::kDecrypt, attr::kDecrypt},
        {crypto::op::kSign, attr::kSign},       {crypto::op::kVerify, attr::kVerify},
        {crypto::op::kWrap, attr::kWrap},       {crypto::op::kUnwrap, attr::kUnwrap},
        {crypto::op::kDerive, attr::kDerive},
    };
    for (const auto& [flag, type] : kUsage) {
        if (flag != op) continue;
        if (key.flag(type)) return Status::ok();
        return error(Err::KeyFunctionNotPermitted, "the key does not permit this operation (" +
                                                       attribute_name(type) + " is false)");
    }
    return error(Err::ArgumentsBad, "not a key usage operation: " + std::to_string(op));
}

Status check_mechanism_allowed(const AttributeSet& key, uint64_t mechanism) {
    auto list = key.get(attr::kAllowedMechanisms);
    if (!list) return Status::ok();
    for (size_t i = 0; i + sizeof(CkUlong) <= list->size(); i += sizeof(CkUlong)) {
        if (decode_ulong(list->subspan(i, sizeof(CkUlong))) == mechanism) return Status::ok();
    }
    return error(Err::MechanismInvalid, "the mechanism is not in the key's CKA_ALLOWED_MECHANISMS");
}

Status check_wrappable(const AttributeSet& key, const AttributeSet& wrapping_key) {
    if (!key.flag(attr::kExtractable, true)) {
        return error(Err::KeyUnextractable, "the key is not extractable (CKA_EXTRACTABLE is false)");
    }
    if (key.flag(attr::kWrapWithTrusted) && !wrapping_key.flag(attr::kTrusted)) {
        return error(Err::KeyNotWrappable,
                     "the key has CKA_WRAP_WITH_TRUSTED and the wrapping key is not trusted");
    }
    return Status::ok();
}

}  // namespace sr::hsm
