// Caller memory is hostile (STYLE.md item 6): every read of a caller pointer or template goes
// through these helpers, which check lengths and copy; every variable-length output goes through
// out_bytes, which implements the length-query and CKR_BUFFER_TOO_SMALL rules (PKCS#11 v2.40
// §5.2). This is the only file that converts a CK_VOID_PTR. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "hsm/attributes.h"
#include "hsm/object_rules.h"
#include "pkcs11/ck.h"

namespace sr::p11 {

// Bounds on what a caller may hand in, so a bogus length cannot make us allocate gigabytes.
inline constexpr CK_ULONG kMaxTemplateCount = 1024;
inline constexpr CK_ULONG kMaxInputBytes = 64UL << 20;

// Null with a non-zero length, or a length past kMaxInputBytes -> ArgumentsBad.
Result<ByteView> in_bytes(const void* p, CK_ULONG len);
Result<std::string_view> in_text(const CK_UTF8CHAR* p, CK_ULONG len);
// A pointer the call cannot do without -> ArgumentsBad when null.
Status need(const void* p);

// A caller template as an AttributeSet (values copied; key material moved to the secret map).
// Nested templates (CKF_ARRAY_ATTRIBUTE types) are encoded with the attribute codec.
// Errors: ArgumentsBad (null array or value with a length), TemplateInconsistent (a type
// given twice).
Result<hsm::AttributeSet> in_template(const CK_ATTRIBUTE* tmpl, CK_ULONG count);
// The attribute types of a C_GetAttributeValue template.
Result<std::vector<hsm::AttrType>> in_types(const CK_ATTRIBUTE* tmpl, CK_ULONG count);
// A parameter block of exactly sizeof(T) bytes, copied.
template <class T>
Result<T> in_struct(const void* p, CK_ULONG len);

// The length-query rule: `out` null -> *out_len = size, ok; *out_len too small -> *out_len =
// size, BufferTooSmall; else copy and *out_len = size. `out_len` null -> ArgumentsBad.
Status out_bytes(ByteView value, CK_BYTE_PTR out, CK_ULONG_PTR out_len);

// Fixed-width blank-padded text fields (CK_INFO, CK_SLOT_INFO, CK_TOKEN_INFO); truncated to fit.
void out_padded(unsigned char* field, size_t width, std::string_view text);

// C_GetAttributeValue's per-attribute rules (v2.40 §5.7): fills every entry it can, sets
// ulValueLen = CK_UNAVAILABLE_INFORMATION for the others, and returns the code the spec
// requires (AttributeSensitive, AttributeTypeInvalid, BufferTooSmall, or ok).
Status out_attributes(const hsm::AttributeSet& values,
                      const std::map<hsm::AttrType, hsm::Readable>& unavailable,
                      CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);

template <class T>
Result<T> in_struct(const void* p, CK_ULONG len) {
    if (p == nullptr || len != sizeof(T))
        return error(Err::MechanismParamInvalid, "parameter block has the wrong size");
    T out;
    SR_ASSIGN_OR_RETURN(ByteView raw, in_bytes(p, len));
    std::memcpy(&out, raw.data(), sizeof(T));
    return out;
}

}  // namespace sr::p11
