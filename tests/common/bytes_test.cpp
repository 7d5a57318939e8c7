#include "common/bytes.h"

#include <gtest/gtest.h>

namespace sr {
namespace {

TEST(Hex, RoundTrips) {
    Bytes b = {0x00, 0x01, 0xab, 0xff};
    EXPECT_EQ(to_hex(b), "0001abff");
    EXPECT_EQ(*from_hex("0001ABff"), b);
}

TEST(Hex, RejectsMalformed) {
    EXPECT_EQ(from_hex("abc").code(), Err::DataInvalid);
    EXPECT_EQ(from_hex("zz").code(), Err::DataInvalid);
}

TEST(Reader, ReadsWhatWasWritten) {
    Bytes out;
    put_u32(out, 0xdeadbeef);
    put_u64(out, 42);
    put_blob(out, as_bytes("hi"));
    Reader r(out);
    EXPECT_EQ(*r.u32(), 0xdeadbeefU);
    EXPECT_EQ(*r.u64(), 42U);
    auto blob = r.blob();
    ASSERT_TRUE(blob.is_ok());
    EXPECT_EQ(to_string(*blob), "hi");
    EXPECT_TRUE(r.done());
}

TEST(Reader, TruncatedInputFailsCleanly) {
    Bytes out;
    put_u32(out, 100);  // claims 100 bytes follow
    out.push_back(1);
    Reader r(out);
    EXPECT_EQ(r.blob().code(), Err::DataInvalid);
    Reader empty(ByteView{});
    EXPECT_EQ(empty.u8().code(), Err::DataInvalid);
}

TEST(EqualCt, ComparesContentAndLength) {
    Bytes a = {1, 2, 3};
    Bytes b = {1, 2, 3};
    Bytes c = {1, 2, 4};
    EXPECT_TRUE(equal_ct(a, b));
    EXPECT_FALSE(equal_ct(a, c));
    EXPECT_FALSE(equal_ct(a, Bytes{1, 2}));
}

}  // namespace
}  // namespace sr
