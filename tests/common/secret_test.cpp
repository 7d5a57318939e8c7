#include "common/secret.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <type_traits>

#include "common/log.h"

namespace sr {
namespace {

static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
// A secret can never be formatted, so it can never reach a log line.
static_assert(!fmt::is_formattable<SecretBytes>::value);
static_assert(!log::kNoSecrets<int, SecretBytes>);
static_assert(log::kNoSecrets<int, std::string>);

TEST(SecretBytes, CloneIsExplicitAndIndependent) {
    SecretBytes a(std::span<const uint8_t>(std::vector<uint8_t>{1, 2, 3}));
    SecretBytes b = a.clone();
    b[0] = 9;
    EXPECT_EQ(a[0], 1);
    EXPECT_EQ(b.size(), 3U);
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
    SecretBytes a(4);
    SecretBytes b = std::move(a);
    EXPECT_EQ(b.size(), 4U);
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the documented moved-from state
}

}  // namespace
}  // namespace sr
