#include "hsm/attributes.h"

#include <gtest/gtest.h>

namespace sr::hsm {
namespace {

TEST(AttributeCodec, RoundTripsPlainValues) {
    std::map<AttrType, Bytes> in{{attr::kLabel, to_bytes("key")}, {attr::kToken, encode_bool(true)}};
    auto out = decode_attributes(encode_attributes(in));
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ(*out, in);
}

}  // namespace
}  // namespace sr::hsm
