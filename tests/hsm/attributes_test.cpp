#include "hsm/attributes.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sr::hsm {
namespace {

Bytes blob_of(std::initializer_list<uint8_t> b) { return Bytes(b); }

void put_entry(Bytes& out, uint64_t type, ByteView value) {
    put_u64(out, type);
    put_u32(out, static_cast<uint32_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
}

TEST(AttributeCodec, RoundTripsPlainValues) {
    std::map<AttrType, Bytes> in{{attr::kLabel, to_bytes("key")},
                                 {attr::kToken, encode_bool(true)},
                                 {attr::kId, {}},
                                 {attr::kOuid, Bytes(12, 0xAB)}};
    auto out = decode_attributes(encode_attributes(in));
    ASSERT_TRUE(out.is_ok()) << out.status().to_string();
    EXPECT_EQ(*out, in);
}

TEST(AttributeCodec, EmptyMapIsJustTheFormatByte) {
    EXPECT_EQ(encode_attributes({}), Bytes{kAttrCodecVersion});
    auto out = decode_attributes(Bytes{kAttrCodecVersion});
    ASSERT_TRUE(out.is_ok());
    EXPECT_TRUE(out->empty());
}

TEST(AttributeCodec, LayoutIsVersionThenBigEndianTypeLengthValue) {
    Bytes blob = encode_attributes({{attr::kLabel, to_bytes("ab")}});
    EXPECT_EQ(blob, blob_of({1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 'a', 'b'}));
}

TEST(AttributeCodec, RoundTripsSecretValues) {
    std::map<AttrType, SecretBytes> in;
    in.emplace(attr::kValue, SecretBytes(Bytes(32, 7)));
    in.emplace(attr::kPrime1, SecretBytes(Bytes{1, 2, 3}));
    SecretBytes blob = encode_secret_attributes(in);
    auto out = decode_secret_attributes(blob.span());
    ASSERT_TRUE(out.is_ok());
    ASSERT_EQ(out->size(), 2u);
    EXPECT_EQ(Bytes(out->at(attr::kValue).span().begin(), out->at(attr::kValue).span().end()),
              Bytes(32, 7));
}

TEST(AttributeCodec, RejectsEmptyBlob) {
    auto r = decode_attributes({});
    EXPECT_EQ(r.code(), Err::StoreCorrupt);
}

TEST(AttributeCodec, RejectsUnknownFormatVersion) {
    auto r = decode_attributes(blob_of({2}));
    EXPECT_EQ(r.code(), Err::StoreCorrupt);
    EXPECT_NE(r.status().message().find("version 2"), std::string::npos);
}

TEST(AttributeCodec, RejectsTruncatedTypeAndLength) {
    EXPECT_EQ(decode_attributes(blob_of({1, 0, 0, 0})).code(), Err::StoreCorrupt);
    EXPECT_EQ(decode_attributes(blob_of({1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0})).code(),
              Err::StoreCorrupt);
}

TEST(AttributeCodec, RejectsValueRunningPastTheEnd) {
    Bytes blob{1};
    put_u64(blob, attr::kLabel);
    put_u32(blob, 100);
    blob.push_back('x');
    auto r = decode_attributes(blob);
    EXPECT_EQ(r.code(), Err::StoreCorrupt);
    EXPECT_NE(r.status().message().find("offset 1"), std::string::npos);
}

TEST(AttributeCodec, RejectsHugeLengthWithoutAllocating) {
    Bytes blob{1};
    put_u64(blob, attr::kLabel);
    put_u32(blob, 0xFFFFFFFF);
    EXPECT_EQ(decode_attributes(blob).code(), Err::StoreCorrupt);
}

TEST(AttributeCodec, RejectsDuplicateTypes) {
    Bytes blob{1};
    put_entry(blob, attr::kLabel, as_bytes("a"));
    put_entry(blob, attr::kLabel, as_bytes("b"));
    auto r = decode_attributes(blob);
    EXPECT_EQ(r.code(), Err::StoreCorrupt);
    EXPECT_NE(r.status().message().find("duplicate"), std::string::npos);
}

TEST(AttributeCodec, RejectsTypesOutOfOrder) {
    Bytes blob{1};
    put_entry(blob, attr::kId, as_bytes("a"));
    put_entry(blob, attr::kLabel, as_bytes("b"));
    EXPECT_EQ(decode_attributes(blob).code(), Err::StoreCorrupt);
}

TEST(AttributeCodec, EveryTruncationOfAValidBlobFailsCleanly) {
    Bytes blob = encode_attributes({{attr::kLabel, to_bytes("label")}, {attr::kId, to_bytes("id")}});
    for (size_t n = 0; n < blob.size(); ++n) {
        auto r = decode_attributes(ByteView(blob.data(), n));
        // Cutting exactly between entries yields a valid shorter map; anything else must fail.
        if (n == 1 || n == 1 + 12 + 5) {
            EXPECT_TRUE(r.is_ok()) << n;
        } else {
            EXPECT_EQ(r.code(), Err::StoreCorrupt) << n;
        }
    }
}

TEST(AttributeValues, UlongIsNativeEightBytes) {
    Bytes b = encode_ulong(0x0102030405060708ULL);
    ASSERT_EQ(b.size(), 8u);
    unsigned long native = 0;
    std::memcpy(&native, b.data(), 8);
    EXPECT_EQ(native, 0x0102030405060708UL);
    EXPECT_EQ(decode_ulong(b), 0x0102030405060708ULL);
    EXPECT_FALSE(decode_ulong(Bytes(4, 0)).has_value());
}

TEST(AttributeValues, BoolIsOneByte) {
    EXPECT_EQ(encode_bool(true), Bytes{1});
    EXPECT_EQ(encode_bool(false), Bytes{0});
    EXPECT_FALSE(decode_bool(Bytes{1, 0}).has_value());
}

TEST(AttributeSetTest, SettersAndTypedGetters) {
    AttributeSet a;
    a.set_bool(attr::kToken, true);
    a.set_ulong(attr::kClass, cls::kSecretKey);
    a.set_string(attr::kLabel, "key");
    EXPECT_EQ(a.get_bool(attr::kToken), true);
    EXPECT_EQ(a.get_ulong(attr::kClass), cls::kSecretKey);
    EXPECT_EQ(to_string(*a.get(attr::kLabel)), "key");
    EXPECT_FALSE(a.get(attr::kId).has_value());
    EXPECT_FALSE(a.get_bool(attr::kLabel).has_value());  // malformed as a bool
    EXPECT_TRUE(a.flag(attr::kPrivate, true));
    EXPECT_EQ(a.size(), 3u);
}

TEST(AttributeSetTest, SecretAndPlainAreExclusive) {
    AttributeSet a;
    a.set_bytes(attr::kValue, Bytes{1, 2});
    a.set_secret(attr::kValue, SecretBytes(Bytes{3, 4}));
    EXPECT_TRUE(a.is_secret(attr::kValue));
    EXPECT_TRUE(a.plain_values().empty());
    EXPECT_EQ(Bytes(a.get(attr::kValue)->begin(), a.get(attr::kValue)->end()), (Bytes{3, 4}));
    a.set_bytes(attr::kValue, Bytes{5});
    EXPECT_FALSE(a.is_secret(attr::kValue));
    EXPECT_TRUE(a.secret_values().empty());
}

TEST(AttributeSetTest, MakeSecretMovesValue) {
    AttributeSet a;
    a.set_bytes(attr::kValue, Bytes{9, 9});
    a.make_secret(attr::kValue);
    EXPECT_TRUE(a.is_secret(attr::kValue));
    EXPECT_EQ(a.size(), 1u);
    a.make_secret(attr::kLabel);  // absent: no-op
    EXPECT_EQ(a.size(), 1u);
}

TEST(AttributeSetTest, CloneIsDeepAndIndependent) {
    AttributeSet a;
    a.set_secret(attr::kValue, SecretBytes(Bytes{1}));
    a.set_string(attr::kLabel, "x");
    AttributeSet b = a.clone();
    b.set_string(attr::kLabel, "y");
    b.erase(attr::kValue);
    EXPECT_EQ(to_string(*a.get(attr::kLabel)), "x");
    EXPECT_TRUE(a.has(attr::kValue));
}

TEST(AttributeSetTest, MergeOverridesAndTypesAreAscendingUnion) {
    AttributeSet a;
    a.set_string(attr::kLabel, "old");
    a.set_secret(attr::kValue, SecretBytes(Bytes{1}));
    AttributeSet b;
    b.set_string(attr::kLabel, "new");
    b.set_bytes(attr::kValue, Bytes{2});
    b.set_bool(attr::kToken, false);
    a.merge(std::move(b));
    EXPECT_EQ(to_string(*a.get(attr::kLabel)), "new");
    EXPECT_FALSE(a.is_secret(attr::kValue));
    EXPECT_EQ(a.types(), (std::vector<AttrType>{attr::kToken, attr::kLabel, attr::kValue}));
}

TEST(AttributeSetTest, FromPartsPrefersSecretHalf) {
    std::map<AttrType, Bytes> plain{{attr::kValue, Bytes{1}}, {attr::kLabel, Bytes{2}}};
    std::map<AttrType, SecretBytes> secret;
    secret.emplace(attr::kValue, SecretBytes(Bytes{3}));
    AttributeSet a = AttributeSet::from_parts(std::move(plain), std::move(secret));
    EXPECT_TRUE(a.is_secret(attr::kValue));
    EXPECT_EQ(a.size(), 2u);
}

}  // namespace
}  // namespace sr::hsm
