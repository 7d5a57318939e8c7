#include "pkcs11/abi.h"

#include <algorithm>

namespace sr::p11 {
namespace {

bool is_array_attribute(CK_ATTRIBUTE_TYPE t) { return (t & CKF_ARRAY_ATTRIBUTE) != 0; }

const CK_ATTRIBUTE* as_attributes(const void* p) { return static_cast<const CK_ATTRIBUTE*>(p); }

// One level of nesting: a nested template inside a nested template is refused.
Result<hsm::AttributeSet> read_template(const CK_ATTRIBUTE* tmpl, CK_ULONG count, bool nested) {
    if (count == 0) return hsm::AttributeSet{};
    if (tmpl == nullptr) return error(Err::ArgumentsBad, "template is null");
    if (count > kMaxTemplateCount) return error(Err::ArgumentsBad, "template is too long");
    hsm::AttributeSet out;
    for (CK_ULONG i = 0; i < count; ++i) {
        const CK_ATTRIBUTE a = tmpl[i];  // one read of the caller's entry
        if (out.has(a.type))
            return error(Err::TemplateInconsistent,
                         "attribute " + hsm::attribute_name(a.type) + " is given twice");
        if (is_array_attribute(a.type)) {
            if (nested) return error(Err::AttributeValueInvalid, "nested template too deep");
            if (a.ulValueLen % sizeof(CK_ATTRIBUTE) != 0)
                return error(Err::AttributeValueInvalid,
                             hsm::attribute_name(a.type) + " is not an attribute array");
            if (a.ulValueLen != 0 && a.pValue == nullptr)
                return error(Err::ArgumentsBad, "attribute value is null");
            SR_ASSIGN_OR_RETURN(auto inner, read_template(as_attributes(a.pValue),
                                                          a.ulValueLen / sizeof(CK_ATTRIBUTE),
                                                          true));
            out.set_bytes(a.type, hsm::encode_attributes(inner.plain_values()));
            continue;
        }
        SR_ASSIGN_OR_RETURN(ByteView v, in_bytes(a.pValue, a.ulValueLen));
        out.set_bytes(a.type, v);
    }
    hsm::classify_secrets(out);
    return out;
}

// Writes one value under the v2.40 §5.7 rules 3-5; false when the buffer was too small.
bool write_value(CK_ATTRIBUTE& a, ByteView v) {
    if (a.pValue == nullptr) {
        a.ulValueLen = v.size();
        return true;
    }
    if (a.ulValueLen < v.size()) {
        a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return false;
    }
    if (!v.empty()) std::memcpy(a.pValue, v.data(), v.size());
    a.ulValueLen = v.size();
    return true;
}

// A nested template comes back as an array of CK_ATTRIBUTE the caller sized.
Result<bool> write_array(CK_ATTRIBUTE& a, ByteView encoded) {
    SR_ASSIGN_OR_RETURN(auto inner, hsm::decode_attributes(encoded));
    const CK_ULONG need_len = inner.size() * sizeof(CK_ATTRIBUTE);
    if (a.pValue == nullptr) {
        a.ulValueLen = need_len;
        return true;
    }
    if (a.ulValueLen < need_len) {
        a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return false;
    }
    auto* entries = static_cast<CK_ATTRIBUTE*>(a.pValue);
    bool all_fit = true;
    size_t i = 0;
    for (const auto& [type, value] : inner) {
        CK_ATTRIBUTE e;
        std::memcpy(&e, &entries[i], sizeof e);
        e.type = type;
        all_fit = write_value(e, value) && all_fit;
        std::memcpy(&entries[i], &e, sizeof e);
        ++i;
    }
    a.ulValueLen = need_len;
    return all_fit;
}

}  // namespace

Result<ByteView> in_bytes(const void* p, CK_ULONG len) {
    if (len == 0) return ByteView{};
    if (p == nullptr) return error(Err::ArgumentsBad, "buffer is null but its length is not 0");
    if (len > kMaxInputBytes) return error(Err::ArgumentsBad, "buffer length is out of range");
    return ByteView(static_cast<const uint8_t*>(p), len);
}

Result<std::string_view> in_text(const CK_UTF8CHAR* p, CK_ULONG len) {
    SR_ASSIGN_OR_RETURN(ByteView b, in_bytes(p, len));
    return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

Status need(const void* p) {
    if (p == nullptr) return error(Err::ArgumentsBad, "a required pointer is null");
    return {};
}

Result<hsm::AttributeSet> in_template(const CK_ATTRIBUTE* tmpl, CK_ULONG count) {
    return read_template(tmpl, count, false);
}

Result<std::vector<hsm::AttrType>> in_types(const CK_ATTRIBUTE* tmpl, CK_ULONG count) {
    if (count == 0) return std::vector<hsm::AttrType>{};
    if (tmpl == nullptr) return error(Err::ArgumentsBad, "template is null");
    if (count > kMaxTemplateCount) return error(Err::ArgumentsBad, "template is too long");
    std::vector<hsm::AttrType> out;
    out.reserve(count);
    for (CK_ULONG i = 0; i < count; ++i) out.push_back(tmpl[i].type);
    return out;
}

Status out_bytes(ByteView value, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    SR_TRY(need(out_len));
    if (out == nullptr) {
        *out_len = value.size();
        return {};
    }
    if (*out_len < value.size()) {
        *out_len = value.size();
        return error(Err::BufferTooSmall);
    }
    if (!value.empty()) std::memcpy(out, value.data(), value.size());
    *out_len = value.size();
    return {};
}

void out_padded(unsigned char* field, size_t width, std::string_view text) {
    std::memset(field, ' ', width);
    std::memcpy(field, text.data(), std::min(width, text.size()));
}

Status out_attributes(const hsm::AttributeSet& values,
                      const std::map<hsm::AttrType, hsm::Readable>& unavailable,
                      CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
    bool sensitive = false;
    bool invalid = false;
    bool too_small = false;
    for (CK_ULONG i = 0; i < count; ++i) {
        CK_ATTRIBUTE& a = tmpl[i];
        auto v = values.get(a.type);
        if (!v) {
            auto why = unavailable.find(a.type);
            if (why != unavailable.end() && why->second == hsm::Readable::Sensitive)
                sensitive = true;
            else
                invalid = true;
            a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            continue;
        }
        if (is_array_attribute(a.type)) {
            SR_ASSIGN_OR_RETURN(bool fit, write_array(a, *v));
            too_small = too_small || !fit;
        } else if (!write_value(a, *v)) {
            too_small = true;
        }
    }
    if (sensitive) return error(Err::AttributeSensitive);
    if (invalid) return error(Err::AttributeTypeInvalid);
    if (too_small) return error(Err::BufferTooSmall);
    return {};
}

}  // namespace sr::p11
