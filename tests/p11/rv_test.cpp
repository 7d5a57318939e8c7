// The one Err -> CK_RV mapping: total, and each vendor code where luna-reference §6.5 puts it.
#include <gtest/gtest.h>

#include <set>

#include "pkcs11/rv.h"

namespace sr::p11 {
namespace {

TEST(ErrorMapping, EveryErrMapsToACodeAndOnlyOkMapsToCkrOk) {
    std::set<CK_RV> seen;
    for (Err e : all_errors()) {
        const CK_RV rv = to_ck_rv(e);
        if (e == Err::Ok) {
            EXPECT_EQ(rv, CKR_OK);
        } else {
            EXPECT_NE(rv, CKR_OK) << err_name(e);
        }
        // Nothing falls through to the switch's safety net.
        if (e != Err::GeneralError) {
            EXPECT_NE(rv, CKR_GENERAL_ERROR) << err_name(e);
        }
        seen.insert(rv);
    }
    EXPECT_GT(seen.size(), 100u);
}

TEST(ErrorMapping, StandardCodesKeepTheirSpecValues) {
    EXPECT_EQ(to_ck_rv(Err::PinIncorrect), 0xA0u);
    EXPECT_EQ(to_ck_rv(Err::BufferTooSmall), 0x150u);
    EXPECT_EQ(to_ck_rv(Err::UserAnotherAlreadyLoggedIn), 0x104u);
    EXPECT_EQ(to_ck_rv(Err::SessionHandleInvalid), 0xB3u);
}

TEST(ErrorMapping, LunaVendorCodesUseTheReferenceValues) {
    EXPECT_EQ(to_ck_rv(Err::UserLockedOut), 0x80000007u);
    EXPECT_EQ(to_ck_rv(Err::CloningParameterAlreadyExists), 0x80000008u);
    EXPECT_EQ(to_ck_rv(Err::CloningParameterMissing), 0x80000009u);
    EXPECT_EQ(to_ck_rv(Err::UserNotAuthorized), 0x8000001Au);
    EXPECT_EQ(to_ck_rv(Err::SoLoginFailureThreshold), 0x8000001Cu);
    EXPECT_EQ(to_ck_rv(Err::OperationNotAllowed), 0x80000030u);
    EXPECT_EQ(to_ck_rv(Err::FailedToCloneAnObject), 0x80000106u);
    EXPECT_EQ(to_ck_rv(Err::CloneNotAttempted), 0x80000107u);
    EXPECT_EQ(to_ck_rv(Err::ObjectReadOnly), 0x80000114u);
}

TEST(ErrorMapping, CodesWithoutPublishedValuesSitInTheVendorRange) {
    for (Err e : {Err::CertificateInvalid, Err::ConfigFailsDependencies, Err::FailedDependencies}) {
        const CK_RV rv = to_ck_rv(e);
        EXPECT_GE(rv, CKR_VENDOR_DEFINED) << err_name(e);
    }
    EXPECT_NE(to_ck_rv(Err::CertificateInvalid), to_ck_rv(Err::ConfigFailsDependencies));
    EXPECT_NE(to_ck_rv(Err::ConfigFailsDependencies), to_ck_rv(Err::FailedDependencies));
}

}  // namespace
}  // namespace sr::p11
