#include "hsm/object_rules.h"

// Skeleton: replaced by the table-driven implementation.
namespace sr::hsm {

std::string_view origin_name(Origin) noexcept { return "?"; }
std::span<const AttrRule> attribute_rules() noexcept { return {}; }
const AttrRule* find_attribute_rule(AttrType) noexcept { return nullptr; }
std::string attribute_name(AttrType) { return "CKA_?"; }
bool is_secret_attribute(uint64_t, AttrType) noexcept { return false; }
void classify_secrets(AttributeSet&) {}
Result<AttributeSet> prepare_new_object(AttributeSet, Origin, const NewObjectContext&) {
    return error(Err::NotImplemented, "prepare_new_object");
}
Status check_set_attributes(const AttributeSet&, const AttributeSet&, bool) {
    return error(Err::NotImplemented, "check_set_attributes");
}
Result<AttributeSet> prepare_copy(const AttributeSet&, const AttributeSet&, bool) {
    return error(Err::NotImplemented, "prepare_copy");
}
Readable readable(const AttributeSet&, AttrType) { return Readable::Invalid; }
bool matches(const AttributeSet&, const AttributeSet&) { return false; }
Status check_key_usage(const AttributeSet&, uint32_t) {
    return error(Err::NotImplemented, "check_key_usage");
}
Status check_wrappable(const AttributeSet&, const AttributeSet&) {
    return error(Err::NotImplemented, "check_wrappable");
}

}  // namespace sr::hsm
