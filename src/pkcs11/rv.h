// The one mapping from sr::Err to CK_RV (STYLE.md item 5). Every Err maps to exactly one CK_RV;
// Luna vendor codes use the values of luna-reference §6.5, and the three codes the reference
// names without a value use values from the vendor range documented in docs/pkcs11.md.
#pragma once

#include "common/error.h"
#include "pkcs11/ck.h"
#include "pkcs11/luna.h"

namespace sr::p11 {

// Vendor codes (CKR_VENDOR_DEFINED + n); the values live in luna.h, shared with C callers.
namespace vendor {
inline constexpr CK_RV kContainerHandleInvalid = CKR_CONTAINER_HANDLE_INVALID;
inline constexpr CK_RV kTooManyContainers = CKR_TOO_MANY_CONTAINERS;
inline constexpr CK_RV kUserLockedOut = CKR_USER_LOCKED_OUT;
inline constexpr CK_RV kCloningParameterAlreadyExists = CKR_CLONING_PARAMETER_ALREADY_EXISTS;
inline constexpr CK_RV kCloningParameterMissing = CKR_CLONING_PARAMETER_MISSING;
inline constexpr CK_RV kCertificateDataMissing = CKR_CERTIFICATE_DATA_MISSING;
inline constexpr CK_RV kCertificateDataInvalid = CKR_CERTIFICATE_DATA_INVALID;
inline constexpr CK_RV kBadMac = CKR_BAD_MAC;
inline constexpr CK_RV kUserNotAuthorized = CKR_USER_NOT_AUTHORIZED;
inline constexpr CK_RV kMaxObjectCountExceeded = CKR_MAX_OBJECT_COUNT_EXCEEDED;
inline constexpr CK_RV kSoLoginFailureThreshold = CKR_SO_LOGIN_FAILURE_THRESHOLD;
inline constexpr CK_RV kUnableToConnect = CKR_UNABLE_TO_CONNECT;
inline constexpr CK_RV kPartitionDisabled = CKR_PARTITION_DISABLED;
inline constexpr CK_RV kHsmStorageFull = CKR_HSM_STORAGE_FULL;
inline constexpr CK_RV kContainerObjectStorageFull = CKR_CONTAINER_OBJECT_STORAGE_FULL;
inline constexpr CK_RV kOperationNotAllowed = CKR_OPERATION_NOT_ALLOWED;
inline constexpr CK_RV kObjectAlreadyExists = CKR_OBJECT_ALREADY_EXISTS;
inline constexpr CK_RV kHsmTampered = CKR_HSM_TAMPERED;
inline constexpr CK_RV kFailedToCloneAnObject = CKR_FAILED_TO_CLONE_AN_OBJECT;
inline constexpr CK_RV kCloneNotAttempted = CKR_CLONE_NOT_ATTEMPTED;
inline constexpr CK_RV kObjectTypeInvalid = CKR_OBJECT_TYPE_INVALID;
inline constexpr CK_RV kObjectReadOnly = CKR_OBJECT_READ_ONLY;
// Named by the vendor's documentation without a published value: Strongroom's choices, in a
// block of the vendor range no published Luna code uses.
inline constexpr CK_RV kCertificateInvalid = CKR_CERTIFICATE_INVALID;
inline constexpr CK_RV kConfigFailsDependencies = CKR_CONFIG_FAILS_DEPENDENCIES;
inline constexpr CK_RV kFailedDependencies = CKR_FAILED_DEPENDENCIES;
}  // namespace vendor

CK_RV to_ck_rv(Err e) noexcept;

}  // namespace sr::p11
