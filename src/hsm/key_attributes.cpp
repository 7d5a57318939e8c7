#include "hsm/key_attributes.h"

// Skeleton: replaced once crypto/key.cpp lands.
namespace sr::hsm {

Result<crypto::Key> key_from_attributes(const AttributeSet&) {
    return error(Err::NotImplemented, "key_from_attributes");
}
Result<AttributeSet> attributes_from_key(const crypto::Key&) {
    return error(Err::NotImplemented, "attributes_from_key");
}
Result<Bytes> key_check_value(const crypto::Key&) {
    return error(Err::NotImplemented, "key_check_value");
}

}  // namespace sr::hsm
