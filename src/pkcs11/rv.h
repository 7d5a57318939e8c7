// The one mapping from sr::Err to CK_RV (STYLE.md item 5). Every Err maps to exactly one CK_RV;
// Luna vendor codes use the values of luna-reference §6.5, and the three codes the reference
// names without a value use values from the vendor range documented in docs/pkcs11.md.
#pragma once

#include "common/error.h"
#include "pkcs11/ck.h"

namespace sr::p11 {

// Vendor codes (CKR_VENDOR_DEFINED + n).
namespace vendor {
inline constexpr CK_RV kContainerHandleInvalid = 0x80000005UL;
inline constexpr CK_RV kTooManyContainers = 0x80000006UL;
inline constexpr CK_RV kUserLockedOut = 0x80000007UL;
inline constexpr CK_RV kCloningParameterAlreadyExists = 0x80000008UL;
inline constexpr CK_RV kCloningParameterMissing = 0x80000009UL;
inline constexpr CK_RV kCertificateDataMissing = 0x8000000AUL;
inline constexpr CK_RV kCertificateDataInvalid = 0x8000000BUL;
inline constexpr CK_RV kBadMac = 0x80000014UL;
inline constexpr CK_RV kUserNotAuthorized = 0x8000001AUL;
inline constexpr CK_RV kMaxObjectCountExceeded = 0x8000001BUL;
inline constexpr CK_RV kSoLoginFailureThreshold = 0x8000001CUL;
inline constexpr CK_RV kUnableToConnect = 0x8000001FUL;
inline constexpr CK_RV kPartitionDisabled = 0x80000020UL;
inline constexpr CK_RV kHsmStorageFull = 0x8000002AUL;
inline constexpr CK_RV kContainerObjectStorageFull = 0x8000002CUL;
inline constexpr CK_RV kOperationNotAllowed = 0x80000030UL;
inline constexpr CK_RV kObjectAlreadyExists = 0x8000006FUL;
inline constexpr CK_RV kHsmTampered = 0x80000076UL;
inline constexpr CK_RV kFailedToCloneAnObject = 0x80000106UL;
inline constexpr CK_RV kCloneNotAttempted = 0x80000107UL;
inline constexpr CK_RV kObjectTypeInvalid = 0x80000112UL;
inline constexpr CK_RV kObjectReadOnly = 0x80000114UL;
// Named by the vendor's documentation without a published value: Strongroom's choices, in a
// block of the vendor range no published Luna code uses.
inline constexpr CK_RV kCertificateInvalid = 0x80000F01UL;
inline constexpr CK_RV kConfigFailsDependencies = 0x80000F02UL;
inline constexpr CK_RV kFailedDependencies = 0x80000F03UL;
}  // namespace vendor

CK_RV to_ck_rv(Err e) noexcept;

}  // namespace sr::p11
