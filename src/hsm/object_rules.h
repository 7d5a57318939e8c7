// The PKCS#11 v2.40 attribute rules (§4 tables and their footnotes) as one data table, and the
// checks built on it: new-object preparation, C_SetAttributeValue, C_CopyObject, readability,
// key usage and wrapping. Pure functions over AttributeSet; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "hsm/attributes.h"

namespace sr::hsm {

// How a new object comes into being; decides which attributes a template may carry (the
// footnotes of the PKCS#11 §4 tables) and how the token-set attributes are filled.
enum class Origin {
    Create,                  // C_CreateObject
    Generate,                // C_GenerateKey
    GenerateKeyPairPublic,   // C_GenerateKeyPair, public template
    GenerateKeyPairPrivate,  // C_GenerateKeyPair, private template
    Unwrap,                  // C_UnwrapKey
    Derive,                  // C_DeriveKey
    Copy,                    // C_CopyObject (prefer prepare_copy)
    Clone,                   // cloning / backup / restore / HA: attributes arrive complete
};
std::string_view origin_name(Origin o) noexcept;

// Value shape of an attribute, checked on every template.
enum class ValueKind : uint8_t { Bool, Ulong, Bytes, String, Date, BigInt, Template, MechList };

// Named rule flags (bit set in AttrRule::flags).
namespace rule {
inline constexpr uint32_t kSecret = 1u << 0;           // stored sealed (key material)
inline constexpr uint32_t kSensitiveProtected = 1u << 1;  // unreadable if SENSITIVE or !EXTRACTABLE
inline constexpr uint32_t kTokenSetOnly = 1u << 2;     // set by the token; error if given
inline constexpr uint32_t kFixedAfterCreate = 1u << 3; // C_SetAttributeValue refuses
inline constexpr uint32_t kOneWayFalseToTrue = 1u << 4;  // may change only false -> true
inline constexpr uint32_t kOneWayTrueToFalse = 1u << 5;  // may change only true -> false
inline constexpr uint32_t kSoOnlyTrue = 1u << 6;       // only the SO may set it true
inline constexpr uint32_t kOnlyOnGenerate = 1u << 7;   // may be given only to C_Generate*
inline constexpr uint32_t kNotOnGenerate = 1u << 8;    // must not be given to C_Generate*
inline constexpr uint32_t kNotOnUnwrapDerive = 1u << 9;  // must not be given to unwrap/derive
inline constexpr uint32_t kOnlyGenUnwrapDerive = 1u << 10;  // VALUE_LEN: not on C_CreateObject
inline constexpr uint32_t kCopyChangeable = 1u << 11;  // C_CopyObject template may change it
inline constexpr uint32_t kDefaultEmpty = 1u << 12;    // filled with an empty value when absent
}  // namespace rule

// When a row's attribute must be present (AttrRule::required_on).
namespace req {
inline constexpr uint8_t kOnCreate = 1u << 0;    // C_CreateObject
inline constexpr uint8_t kOnGenerate = 1u << 1;  // C_GenerateKey / C_GenerateKeyPair template
}  // namespace req

// Object-class membership bits (AttrRule::classes).
namespace clsbit {
inline constexpr uint8_t kData = 1u << 0;
inline constexpr uint8_t kCertificate = 1u << 1;
inline constexpr uint8_t kPublicKey = 1u << 2;
inline constexpr uint8_t kPrivateKey = 1u << 3;
inline constexpr uint8_t kSecretKey = 1u << 4;
inline constexpr uint8_t kAllKeys = kPublicKey | kPrivateKey | kSecretKey;
inline constexpr uint8_t kStorage = kData | kCertificate | kAllKeys;
}  // namespace clsbit

// One row of the rules table. A type may have several rows with disjoint scopes (e.g. CKA_VALUE
// of a data object vs. of a secret key). `key_types` lists the CKK_* types the row applies to
// (empty = every key type of the listed classes, and always for non-key classes);
// `required_on` says on which calls the template must carry it (req::k*); `default_value` is
// filled when absent (nullopt = no default; see also rule::kDefaultEmpty).
struct AttrRule {
    AttrType type;
    std::string_view name;  // "CKA_LABEL"
    ValueKind kind;
    uint8_t classes;
    std::span<const uint64_t> key_types;
    uint32_t flags;
    uint8_t required_on;
    std::optional<uint64_t> default_value;  // Bool or Ulong default
};

std::span<const AttrRule> attribute_rules() noexcept;
// The first row of the type (any scope); for names and kinds.
const AttrRule* find_attribute_rule(AttrType t);
// The row that applies to an object of this class and key type (key_type ignored for
// non-key classes), or nullptr when the object cannot have the attribute.
const AttrRule* find_attribute_rule(uint64_t object_class, std::optional<uint64_t> key_type,
                                    AttrType t);
// "CKA_LABEL", or "CKA_0x..." for unknown types.
std::string attribute_name(AttrType t);

// Whether the attribute of an object of this class is key material (sealed at rest).
// Constant time (an index built on first use; these may throw bad_alloc then).
bool is_secret_attribute(uint64_t object_class, AttrType t);
// Moves every secret-classified plain value of `attrs` (by its CKA_CLASS) to the secret map.
void classify_secrets(AttributeSet& attrs);

struct NewObjectContext {
    // The generating mechanism (CKA_KEY_GEN_MECHANISM) for Generate*, else unavailable.
    uint64_t mechanism = kUnavailableInformation;
    bool is_so = false;
    // Class and key type implied by the mechanism or call (nullopt: taken from the template).
    std::optional<uint64_t> object_class;
    std::optional<uint64_t> key_type;
    // Unwrap: the unwrapping key; Derive: the base key. Only ALWAYS_SENSITIVE and
    // NEVER_EXTRACTABLE are read (PKCS#11 §4.9 footnotes 9/11 derivation rules).
    const AttributeSet* base_key = nullptr;
};

// Validates a new object's template for `origin`, fills defaults and sets the token-set
// attributes (LOCAL, ALWAYS_SENSITIVE, NEVER_EXTRACTABLE, KEY_GEN_MECHANISM); secret values
// end up in the secret map. Does not assign CKA_OUID (the engine does). Key material for
// Generate*/Unwrap/Derive is merged by the engine afterwards (attributes_from_key), so
// "required" checks for material attributes apply to Create only.
// Errors: TemplateIncomplete, TemplateInconsistent, AttributeTypeInvalid,
// AttributeValueInvalid, AttributeReadOnly.
Result<AttributeSet> prepare_new_object(AttributeSet tmpl, Origin origin,
                                        const NewObjectContext& ctx);

// C_SetAttributeValue: ActionProhibited when CKA_MODIFIABLE is false; AttributeReadOnly for
// fixed / token-set attributes and for one-way or SO-only violations; AttributeTypeInvalid
// for types the object cannot have; AttributeValueInvalid for malformed values.
Status check_set_attributes(const AttributeSet& current, const AttributeSet& changes, bool is_so);

// C_CopyObject: ActionProhibited when CKA_COPYABLE is false; the template may change only
// TOKEN, PRIVATE, MODIFIABLE, DESTROYABLE and the one-way attributes in their allowed
// direction (else AttributeReadOnly). The copy keeps LOCAL etc. and has no CKA_OUID.
Result<AttributeSet> prepare_copy(const AttributeSet& source, const AttributeSet& changes,
                                  bool is_so);

// C_GetAttributeValue per attribute.
enum class Readable { Yes, Sensitive, Invalid };
Readable readable(const AttributeSet& obj, AttrType t);

// C_FindObjects: every attribute of `tmpl` is present in `obj` with an equal value. Secret
// attributes never match (a search must not reveal key bytes).
bool matches(const AttributeSet& obj, const AttributeSet& tmpl);

// `op` is one crypto::op::k* flag; the key's CKA_SIGN / VERIFY / ENCRYPT / DECRYPT / WRAP /
// UNWRAP / DERIVE must be true, else KeyFunctionNotPermitted.
Status check_key_usage(const AttributeSet& key, uint32_t op);
// CKA_ALLOWED_MECHANISMS, when present, must list `mechanism` (else MechanismInvalid).
Status check_mechanism_allowed(const AttributeSet& key, uint64_t mechanism);

// C_WrapKey: KeyUnextractable when the key is not extractable; KeyNotWrappable when it has
// CKA_WRAP_WITH_TRUSTED and the wrapping key is not CKA_TRUSTED.
Status check_wrappable(const AttributeSet& key, const AttributeSet& wrapping_key);

}  // namespace sr::hsm
