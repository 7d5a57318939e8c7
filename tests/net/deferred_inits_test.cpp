// DeferredInits: which inits a RemoteDevice may defer into the next step, and what it keeps
// for later (the logic alone; tests/net/remote_operations_test.cpp runs it over the wire).
#include <gtest/gtest.h>

#include "net/deferred_inits.h"

namespace sr::net {
namespace {

OperationInitCall sign_with(uint64_t key, const std::string& mech = "ecdsa") {
    return {pb::OPERATION_SIGN, mech, key};
}

// The init succeeded and its operation ended with a successful step.
void succeeded(DeferredInits& d, hsm::SessionId s, const OperationInitCall& init) {
    d.answered(s, init, true);
    d.finished(s, init.kind);
}

TEST(DeferredInits, AnInitIsDeferredOnlyAfterTheSameInitSucceededOnThatSession) {
    DeferredInits d;
    EXPECT_FALSE(d.defer(1, sign_with(7)));  // never answered
    d.answered(1, sign_with(7), true);
    EXPECT_FALSE(d.defer(1, sign_with(7)));  // its operation may still be active
    d.finished(1, pb::OPERATION_SIGN);
    EXPECT_FALSE(d.defer(2, sign_with(7)));  // another session
    EXPECT_FALSE(d.defer(1, sign_with(8)));  // another key
    EXPECT_FALSE(d.defer(1, sign_with(7, "rsa")));  // another mechanism
    EXPECT_FALSE(d.defer(1, {pb::OPERATION_VERIFY, "ecdsa", 7}));  // another operation
    EXPECT_TRUE(d.defer(1, sign_with(7)));
    EXPECT_TRUE(d.any_deferred(1));
}

TEST(DeferredInits, AFailedInitIsNeverDeferred) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    d.answered(1, sign_with(7), false);
    EXPECT_FALSE(d.defer(1, sign_with(7)));
}

TEST(DeferredInits, InvalidationStopsDeferralUntilTheInitSucceedsAgain) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    d.invalidate();
    EXPECT_FALSE(d.defer(1, sign_with(7)));
    succeeded(d, 1, sign_with(7));
    EXPECT_TRUE(d.defer(1, sign_with(7)));
}

TEST(DeferredInits, TheDeferredInitIsTakenOnceByItsOperationsStep) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    ASSERT_TRUE(d.defer(1, sign_with(7)));
    EXPECT_FALSE(d.take(1, pb::OPERATION_VERIFY).has_value());
    auto taken = d.take(1, pb::OPERATION_SIGN);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(*taken, sign_with(7));
    EXPECT_FALSE(d.take(1, pb::OPERATION_SIGN).has_value());
    EXPECT_FALSE(d.any_deferred(1));
    // Not again until the step carrying it has ended the operation.
    EXPECT_FALSE(d.defer(1, sign_with(7)));
    d.finished(1, pb::OPERATION_SIGN);
    EXPECT_TRUE(d.defer(1, sign_with(7)));
}

TEST(DeferredInits, NothingMoreIsDeferredWhileAnInitWaitsOnTheSession) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    succeeded(d, 1, {pb::OPERATION_DIGEST, "sha256", 0});
    ASSERT_TRUE(d.defer(1, sign_with(7)));
    // A second one would have to be sent after the first: both go out in order instead.
    EXPECT_FALSE(d.defer(1, {pb::OPERATION_DIGEST, "sha256", 0}));
}

TEST(DeferredInits, TakeAllReturnsTheWaitingInitsButTheExceptedKind) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    ASSERT_TRUE(d.defer(1, sign_with(7)));
    EXPECT_TRUE(d.take_all(1, pb::OPERATION_SIGN).empty());
    auto all = d.take_all(1);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all.front(), sign_with(7));
    EXPECT_TRUE(d.sessions_with_deferred().empty());
}

TEST(DeferredInits, AHeldErrorAnswersTheNextStepOnceAndForgetsTheSuccess) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    d.hold_error(1, pb::OPERATION_SIGN, error(Err::KeyHandleInvalid, "gone"));
    EXPECT_FALSE(d.take_error(1, pb::OPERATION_VERIFY).has_value());
    auto held = d.take_error(1, pb::OPERATION_SIGN);
    ASSERT_TRUE(held.has_value());
    EXPECT_EQ(held->code(), Err::KeyHandleInvalid);
    EXPECT_FALSE(d.take_error(1, pb::OPERATION_SIGN).has_value());
    EXPECT_FALSE(d.defer(1, sign_with(7)));
}

TEST(DeferredInits, DroppingASessionForgetsEverythingAboutIt) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));
    ASSERT_TRUE(d.defer(1, sign_with(7)));
    d.drop(1);
    EXPECT_FALSE(d.any_deferred(1));
    EXPECT_FALSE(d.defer(1, sign_with(7)));
}

TEST(DeferredInits, PruningForgetsIdleSessionsButKeepsWhatIsDeferredOrHeld) {
    DeferredInits d;
    succeeded(d, 1, sign_with(7));  // idle: forgotten
    succeeded(d, 2, sign_with(7));
    ASSERT_TRUE(d.defer(2, sign_with(7)));  // deferred: kept
    succeeded(d, 3, sign_with(7));
    d.hold_error(3, pb::OPERATION_SIGN, error(Err::KeyHandleInvalid, "gone"));  // held: kept
    d.prune();
    EXPECT_FALSE(d.defer(1, sign_with(7)));  // its success is forgotten
    EXPECT_TRUE(d.take(2, pb::OPERATION_SIGN).has_value());
    EXPECT_TRUE(d.take_error(3, pb::OPERATION_SIGN).has_value());
}

TEST(DeferredInits, UnknownOperationKindsAreNeverDeferred) {
    DeferredInits d;
    const OperationInitCall odd{pb::OPERATION_KIND_UNSPECIFIED, "x", 1};
    succeeded(d, 1, odd);
    EXPECT_FALSE(d.defer(1, odd));
}

}  // namespace
}  // namespace sr::net
