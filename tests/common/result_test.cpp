#include "common/result.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace sr {
namespace {

Result<int> parse_positive(int v) {
    if (v <= 0) return error(Err::ArgumentsBad, "not positive");
    return v;
}

Result<int> doubled(int v) {
    SR_ASSIGN_OR_RETURN(int x, parse_positive(v));
    return x * 2;
}

Status check(int v) {
    SR_TRY(parse_positive(v));
    return {};
}

TEST(Result, CarriesValueOrStatus) {
    auto ok = doubled(4);
    ASSERT_TRUE(ok.is_ok());
    EXPECT_EQ(*ok, 8);
    auto bad = doubled(-1);
    ASSERT_FALSE(bad.is_ok());
    EXPECT_EQ(bad.code(), Err::ArgumentsBad);
    EXPECT_EQ(bad.status().message(), "not positive");
}

TEST(Result, TryPropagatesFailure) {
    EXPECT_TRUE(check(3).is_ok());
    EXPECT_EQ(check(0).code(), Err::ArgumentsBad);
}

TEST(Status, DefaultMessageComesFromCode) {
    Status s(Err::PinIncorrect);
    EXPECT_EQ(s.message(), "incorrect password");
    EXPECT_EQ(s.to_string(), "PinIncorrect: incorrect password");
    EXPECT_EQ(s.with_context("slot 3").message(), "slot 3: incorrect password");
    EXPECT_EQ(s.with_context("slot 3").code(), Err::PinIncorrect);
}

TEST(ErrorCodes, EveryCodeHasUniqueNameAndText) {
    std::set<std::string_view> names;
    for (Err e : all_errors()) {
        EXPECT_FALSE(err_text(e).empty()) << err_name(e);
        EXPECT_TRUE(names.insert(err_name(e)).second) << "duplicate " << err_name(e);
    }
    EXPECT_EQ(all_errors().front(), Err::Ok);
    EXPECT_GT(names.size(), 100U);
}

}  // namespace
}  // namespace sr
