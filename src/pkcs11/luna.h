/* The Luna-compatible vendor extension of libstrongroom.so: user types, vendor return codes,
 * the CA_ROLE_STATE / CK_HA_STATUS structures, and the CA_* and SR_* entry points with a
 * function-pointer typedef each (for dlsym). Plain C, usable from C and C++ (docs/pkcs11.md
 * "Vendor functions"; signatures from luna-reference.md section 6). */
#ifndef STRONGROOM_PKCS11_LUNA_H
#define STRONGROOM_PKCS11_LUNA_H

#include <p11-kit/pkcs11.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Luna user types (CK_USER_TYPE), beside CKU_SO 0, CKU_USER 1, CKU_CONTEXT_SPECIFIC 2. */
#define CKU_CRYPTO_OFFICER CKU_USER
#define CKU_LIMITED_USER 0x80000001UL
#define CKU_CRYPTO_USER CKU_LIMITED_USER
#define CKU_LIMITED_USER_OLD 0x8000001UL /* the legacy value, still accepted */
#define CKU_AUDIT 0x80000002UL
#define CKU_LIMITED_CRYPTO_OFFICER 0x80000003UL

/* ---- The object's unique id attribute: 12 bytes, kept by cloning and masking. */
#define CKA_OUID 0x80000005UL
#define SR_OUID_LEN 12

/* ---- Luna vendor return codes (luna-reference section 6.5). The three the vendor documents
 * without a value (CERTIFICATE_INVALID, CONFIG_FAILS_DEPENDENCIES, FAILED_DEPENDENCIES) use
 * Strongroom's values in the 0x80000F0x block. src/pkcs11/rv.cpp maps errors onto these. */
#define CKR_CONTAINER_HANDLE_INVALID 0x80000005UL
#define CKR_TOO_MANY_CONTAINERS 0x80000006UL
#define CKR_USER_LOCKED_OUT 0x80000007UL
#define CKR_CLONING_PARAMETER_ALREADY_EXISTS 0x80000008UL
#define CKR_CLONING_PARAMETER_MISSING 0x80000009UL
#define CKR_CERTIFICATE_DATA_MISSING 0x8000000AUL
#define CKR_CERTIFICATE_DATA_INVALID 0x8000000BUL
#define CKR_BAD_MAC 0x80000014UL
#define CKR_USER_NOT_AUTHORIZED 0x8000001AUL
#define CKR_MAX_OBJECT_COUNT_EXCEEDED 0x8000001BUL
#define CKR_SO_LOGIN_FAILURE_THRESHOLD 0x8000001CUL
#define CKR_UNABLE_TO_CONNECT 0x8000001FUL
#define CKR_PARTITION_DISABLED 0x80000020UL
#define CKR_HSM_STORAGE_FULL 0x8000002AUL
#define CKR_CONTAINER_OBJECT_STORAGE_FULL 0x8000002CUL
#define CKR_OPERATION_NOT_ALLOWED 0x80000030UL
#define CKR_OBJECT_ALREADY_EXISTS 0x8000006FUL
#define CKR_HSM_TAMPERED 0x80000076UL
#define CKR_FAILED_TO_CLONE_AN_OBJECT 0x80000106UL
#define CKR_CLONE_NOT_ATTEMPTED 0x80000107UL
#define CKR_OBJECT_TYPE_INVALID 0x80000112UL
#define CKR_OBJECT_READ_ONLY 0x80000114UL
#define CKR_CERTIFICATE_INVALID 0x80000F01UL
#define CKR_CONFIG_FAILS_DEPENDENCIES 0x80000F02UL
#define CKR_FAILED_DEPENDENCIES 0x80000F03UL

/* ---- Cloning. Part 1 (the target's hello) and part 2 (one sealed object) are opaque. */
#define CK_CLONING_PART1_OVERHEAD 8192UL
#define LUNA_CLONING_PART2_OVERHEAD 76UL

/* ---- Roles (CA_RoleStateGet). */
typedef struct CA_ROLE_STATE {
    CK_BYTE flags;
    CK_BYTE loginAttemptsLeft;
    CK_BYTE primaryAuthMech;
    CK_BYTE secondaryAuthMech;
} CA_ROLE_STATE;

#define CA_ROLE_STATE_INITIALIZED 0x01
#define CA_ROLE_STATE_LOCKED_OUT 0x02
#define CA_ROLE_STATE_ACTIVATED 0x04
#define CA_ROLE_STATE_HAS_RDK 0x08
#define CA_ROLE_STATE_PIN_CHANGE 0x10
#define CA_ROLE_STATE_CHALLENGE_CHANGE 0x20

#define CKA_ROLE_AUTH_NONE 0
#define CKA_ROLE_AUTH_PASSWORD 1
#define CKA_ROLE_AUTH_PED 2
#define CKA_ROLE_AUTH_INVALID 0xFF

/* ---- HA (CA_GetHAState). */
#define CK_HA_MAX_MEMBERS 32

typedef struct CK_HA_MEMBER {
    CK_CHAR memberSerial[20];
    CK_RV memberStatus;
} CK_HA_MEMBER;

typedef struct CK_HA_STATUS {
    CK_CHAR groupSerial[20];
    CK_HA_MEMBER memberList[CK_HA_MAX_MEMBERS];
    CK_ULONG listSize;
} CK_HA_STATUS;

typedef CK_HA_STATUS* CK_HA_STATE_PTR;

/* ---- Entry points. Each has a CK_<name> pointer typedef for dlsym. */
#if defined(__GNUC__)
#define SR_LUNA_VISIBLE __attribute__((visibility("default")))
#else
#define SR_LUNA_VISIBLE
#endif
#define SR_LUNA_FN(ret, name, args) \
    SR_LUNA_VISIBLE ret name args;  \
    typedef ret(*CK_##name) args

/* Cloning */
SR_LUNA_FN(CK_RV, CA_CloneAsTargetInit,
           (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pTWC, CK_ULONG ulTWCLen, CK_BYTE_PTR pCWC,
            CK_ULONG ulCWCLen, CK_BBOOL bReplicate, CK_BYTE_PTR pPart1, CK_ULONG_PTR pulPart1Len));
SR_LUNA_FN(CK_RV, CA_CloneAsSource,
           (CK_SESSION_HANDLE hSession, CK_ULONG hType, CK_ULONG hHandle, CK_BYTE_PTR pPart1,
            CK_ULONG ulPart1Len, CK_BBOOL bReplicate, CK_BYTE_PTR pPart2,
            CK_ULONG_PTR pulPart2Len));
SR_LUNA_FN(CK_RV, CA_CloneAsTarget,
           (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart1, CK_ULONG ulPart1Len, CK_BYTE_PTR pPart2,
            CK_ULONG ulPart2Len, CK_ULONG hType, CK_ULONG hHandle, CK_BBOOL bReplicate,
            CK_OBJECT_HANDLE_PTR phClonedHandle));
SR_LUNA_FN(CK_RV, CA_CloneObject,
           (CK_SESSION_HANDLE hTargetSession, CK_SESSION_HANDLE hSourceSession,
            CK_ULONG ulObjectType, CK_OBJECT_HANDLE hObject, CK_OBJECT_HANDLE_PTR phClone));

/* Object ids, masking, fingerprints */
SR_LUNA_FN(CK_RV, CA_GetTokenObjectUID,
           (CK_SLOT_ID slotId, CK_ULONG ulObjectType, CK_ULONG ulObjectHandle, CK_BYTE* pOUID));
SR_LUNA_FN(CK_RV, CA_GetTokenObjectHandle,
           (CK_SLOT_ID slotId, CK_BYTE* pOUID, CK_ULONG_PTR phObject, CK_ULONG_PTR pulObjectType));
SR_LUNA_FN(CK_RV, CA_ExtractMaskedObject,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulObjectHandle, CK_BYTE_PTR pMaskedKey,
            CK_ULONG_PTR pulMaskedKeyLen));
SR_LUNA_FN(CK_RV, CA_InsertMaskedObject,
           (CK_SESSION_HANDLE hSession, CK_ULONG_PTR pulObjectHandle, CK_BYTE_PTR pMaskedKey,
            CK_ULONG ulMaskedKeyLen));
SR_LUNA_FN(CK_RV, SR_GetObjectFingerprint,
           (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_BYTE_PTR pAttrDigest,
            CK_ULONG_PTR pulAttrDigestLen, CK_BYTE_PTR pValueMac, CK_ULONG_PTR pulValueMacLen));

/* Policies. A container number is the partition's id on its device (SR_GetContainerNumber). */
SR_LUNA_FN(CK_RV, SR_GetContainerNumber, (CK_SLOT_ID slotId, CK_ULONG_PTR pulContainer));
SR_LUNA_FN(CK_RV, CA_SetContainerPolicy,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulContainer, CK_ULONG ulPolicyId,
            CK_ULONG ulValue));
SR_LUNA_FN(CK_RV, CA_SetContainerPolicies,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulContainer, CK_ULONG ulCount,
            CK_ULONG_PTR pulPolicyIds, CK_ULONG_PTR pulValues));
SR_LUNA_FN(CK_RV, CA_GetContainerPolicySet,
           (CK_SLOT_ID slotId, CK_ULONG ulContainer, CK_ULONG_PTR pulIds, CK_ULONG_PTR pulIdCount,
            CK_ULONG_PTR pulValues, CK_ULONG_PTR pulValueCount));
SR_LUNA_FN(CK_RV, CA_GetContainerPolicySetting,
           (CK_SLOT_ID slotId, CK_ULONG ulContainer, CK_ULONG ulPolicyId, CK_ULONG_PTR pulValue));
SR_LUNA_FN(CK_RV, CA_GetContainerCapabilitySet,
           (CK_SLOT_ID slotId, CK_ULONG ulContainer, CK_ULONG_PTR pulIds, CK_ULONG_PTR pulIdCount,
            CK_ULONG_PTR pulValues, CK_ULONG_PTR pulValueCount));
SR_LUNA_FN(CK_RV, CA_GetContainerCapabilitySetting,
           (CK_SLOT_ID slotId, CK_ULONG ulContainer, CK_ULONG ulCapabilityId,
            CK_ULONG_PTR pulValue));
SR_LUNA_FN(CK_RV, CA_GetHSMCapabilitySet,
           (CK_SLOT_ID slotId, CK_ULONG_PTR pulIds, CK_ULONG_PTR pulIdCount, CK_ULONG_PTR pulValues,
            CK_ULONG_PTR pulValueCount));
SR_LUNA_FN(CK_RV, CA_GetHSMCapabilitySetting,
           (CK_SLOT_ID slotId, CK_ULONG ulCapabilityId, CK_ULONG_PTR pulValue));
SR_LUNA_FN(CK_RV, CA_GetHSMPolicySet,
           (CK_SLOT_ID slotId, CK_ULONG_PTR pulIds, CK_ULONG_PTR pulIdCount, CK_ULONG_PTR pulValues,
            CK_ULONG_PTR pulValueCount));
SR_LUNA_FN(CK_RV, CA_GetHSMPolicySetting,
           (CK_SLOT_ID slotId, CK_ULONG ulPolicyId, CK_ULONG_PTR pulValue));
SR_LUNA_FN(CK_RV, CA_SetHSMPolicy,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulPolicyId, CK_ULONG ulValue));
SR_LUNA_FN(CK_RV, CA_SetHSMPolicies,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulCount, CK_ULONG_PTR pulPolicyIds,
            CK_ULONG_PTR pulValues));
SR_LUNA_FN(CK_RV, CA_SetDestructiveHSMPolicy,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulPolicyId, CK_ULONG ulValue));
SR_LUNA_FN(CK_RV, CA_SetDestructiveHSMPolicies,
           (CK_SESSION_HANDLE hSession, CK_ULONG ulCount, CK_ULONG_PTR pulPolicyIds,
            CK_ULONG_PTR pulValues));

/* Roles */
SR_LUNA_FN(CK_RV, CA_InitRolePIN,
           (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
            CK_ULONG ulPinLen));
SR_LUNA_FN(CK_RV, CA_RoleStateGet,
           (CK_SLOT_ID slotId, CK_USER_TYPE userType, CA_ROLE_STATE* pState));

/* HA */
SR_LUNA_FN(CK_RV, CA_GetHAState, (CK_SLOT_ID slotId, CK_HA_STATE_PTR pState));

#undef SR_LUNA_FN
#undef SR_LUNA_VISIBLE

#ifdef __cplusplus
}
#endif

#endif /* STRONGROOM_PKCS11_LUNA_H */
