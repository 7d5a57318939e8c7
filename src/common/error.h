// Domain error codes for the whole project. Fine enough that every distinct PKCS#11 return code
// (and the Luna vendor codes of luna-reference.md §6.5) has exactly one code here; each outward
// mapping (CK_RV, gRPC status, shell result line) lives in exactly one place in its own layer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace sr {

// X(Name, "default human explanation"). Order is not significant; values are stable within a
// build only — persist names, never numbers.
#define SR_ERROR_CODES(X)                                                                  \
    X(Ok, "no error")                                                                      \
    X(Cancel, "operation cancelled")                                                       \
    X(HostMemory, "out of memory")                                                         \
    X(SlotIdInvalid, "no such slot")                                                       \
    X(GeneralError, "internal error")                                                      \
    X(FunctionFailed, "the function failed")                                               \
    X(ArgumentsBad, "bad arguments")                                                       \
    X(NoEvent, "no slot event")                                                            \
    X(NeedToCreateThreads, "library needs to create threads")                              \
    X(CantLock, "locking is not available")                                                \
    X(AttributeReadOnly, "attribute is read-only")                                         \
    X(AttributeSensitive, "attribute is sensitive")                                        \
    X(AttributeTypeInvalid, "attribute type is invalid")                                   \
    X(AttributeValueInvalid, "attribute value is invalid")                                 \
    X(ActionProhibited, "action prohibited")                                               \
    X(DataInvalid, "data is invalid")                                                      \
    X(DataLenRange, "data length out of range")                                            \
    X(DeviceError, "device error")                                                         \
    X(DeviceMemory, "device memory exhausted")                                             \
    X(DeviceRemoved, "device removed")                                                     \
    X(EncryptedDataInvalid, "encrypted data is invalid")                                   \
    X(EncryptedDataLenRange, "encrypted data length out of range")                         \
    X(FunctionCanceled, "function cancelled")                                              \
    X(FunctionNotParallel, "function not parallel")                                        \
    X(FunctionNotSupported, "function not supported")                                      \
    X(KeyHandleInvalid, "key handle is invalid")                                           \
    X(KeySizeRange, "key size out of range")                                               \
    X(KeyTypeInconsistent, "key type inconsistent with mechanism")                         \
    X(KeyNotNeeded, "key not needed")                                                      \
    X(KeyChanged, "key changed")                                                           \
    X(KeyNeeded, "key needed")                                                             \
    X(KeyIndigestible, "key cannot be digested")                                           \
    X(KeyFunctionNotPermitted, "key does not permit this function")                        \
    X(KeyNotWrappable, "key is not wrappable")                                             \
    X(KeyUnextractable, "key is unextractable")                                            \
    X(MechanismInvalid, "mechanism is invalid")                                            \
    X(MechanismParamInvalid, "mechanism parameter is invalid")                             \
    X(ObjectHandleInvalid, "object handle is invalid")                                     \
    X(OperationActive, "an operation is already active")                                   \
    X(OperationNotInitialized, "operation not initialized")                                \
    X(PinIncorrect, "incorrect password")                                                  \
    X(PinInvalid, "password has invalid characters")                                       \
    X(PinLenRange, "password length out of range")                                         \
    X(PinExpired, "password expired")                                                      \
    X(PinLocked, "password locked")                                                        \
    X(SessionClosed, "session closed")                                                     \
    X(SessionCount, "too many sessions")                                                   \
    X(SessionHandleInvalid, "session handle is invalid")                                   \
    X(SessionParallelNotSupported, "parallel sessions not supported")                      \
    X(SessionReadOnly, "session is read-only")                                             \
    X(SessionExists, "a session exists")                                                   \
    X(SessionReadOnlyExists, "a read-only session exists")                                 \
    X(SessionReadWriteSoExists, "a read-write SO session exists")                          \
    X(SignatureInvalid, "signature is invalid")                                            \
    X(SignatureLenRange, "signature length out of range")                                  \
    X(TemplateIncomplete, "template incomplete")                                           \
    X(TemplateInconsistent, "template inconsistent")                                       \
    X(TokenNotPresent, "token not present")                                                \
    X(TokenNotRecognized, "token not recognized")                                          \
    X(TokenWriteProtected, "token is write-protected")                                     \
    X(UnwrappingKeyHandleInvalid, "unwrapping key handle is invalid")                      \
    X(UnwrappingKeySizeRange, "unwrapping key size out of range")                          \
    X(UnwrappingKeyTypeInconsistent, "unwrapping key type inconsistent")                   \
    X(UserAlreadyLoggedIn, "user already logged in")                                       \
    X(UserNotLoggedIn, "user not logged in")                                               \
    X(UserPinNotInitialized, "user password not initialized")                             \
    X(UserTypeInvalid, "user type is invalid")                                             \
    X(UserAnotherAlreadyLoggedIn, "another user is already logged in")                     \
    X(UserTooManyTypes, "too many user types")                                             \
    X(WrappedKeyInvalid, "wrapped key is invalid")                                         \
    X(WrappedKeyLenRange, "wrapped key length out of range")                               \
    X(WrappingKeyHandleInvalid, "wrapping key handle is invalid")                          \
    X(WrappingKeySizeRange, "wrapping key size out of range")                              \
    X(WrappingKeyTypeInconsistent, "wrapping key type inconsistent")                       \
    X(RandomSeedNotSupported, "random seeding not supported")                              \
    X(RandomNoRng, "no random number generator")                                           \
    X(DomainParamsInvalid, "domain parameters are invalid")                                \
    X(CurveNotSupported, "curve not supported")                                            \
    X(BufferTooSmall, "buffer too small")                                                  \
    X(SavedStateInvalid, "saved state is invalid")                                         \
    X(InformationSensitive, "information is sensitive")                                    \
    X(StateUnsaveable, "state cannot be saved")                                            \
    X(CryptokiNotInitialized, "library not initialized")                                   \
    X(CryptokiAlreadyInitialized, "library already initialized")                           \
    X(MutexBad, "bad mutex")                                                               \
    X(MutexNotLocked, "mutex not locked")                                                  \
    X(NewPinMode, "new PIN mode")                                                          \
    X(NextOtp, "next OTP")                                                                 \
    X(ExceededMaxIterations, "exceeded max iterations")                                    \
    X(FipsSelfTestFailed, "FIPS self-test failed")                                         \
    X(LibraryLoadFailed, "library load failed")                                            \
    X(PinTooWeak, "password too weak")                                                     \
    X(PublicKeyInvalid, "public key is invalid")                                           \
    X(FunctionRejected, "function rejected")                                               \
    /* Luna vendor codes (luna-reference.md §6.5) */                                       \
    X(ContainerHandleInvalid, "partition handle is invalid")                               \
    X(TooManyContainers, "too many partitions")                                            \
    X(UserLockedOut, "user is locked out")                                                 \
    X(CloningParameterAlreadyExists, "cloning parameter already exists")                   \
    X(CloningParameterMissing, "cloning parameter missing")                                \
    X(CertificateDataMissing, "certificate data missing")                                  \
    X(CertificateDataInvalid, "certificate data invalid")                                  \
    X(CertificateInvalid, "certificate invalid (cloning domain or auth type mismatch)")    \
    X(ConfigFailsDependencies, "configuration fails policy dependencies")                  \
    X(FailedDependencies, "failed dependencies")                                           \
    X(BadMac, "bad MAC")                                                                   \
    X(SoLoginFailureThreshold, "SO login failure threshold reached; HSM zeroized")         \
    X(MaxObjectCountExceeded, "maximum object count exceeded")                             \
    X(HsmStorageFull, "HSM storage full")                                                  \
    X(ContainerObjectStorageFull, "partition storage full")                                \
    X(PartitionDisabled, "partition disabled")                                             \
    X(OperationNotAllowed, "operation not allowed")                                        \
    X(ObjectAlreadyExists, "object already exists")                                        \
    X(FailedToCloneAnObject, "failed to clone an object")                                  \
    X(CloneNotAttempted, "clone not attempted")                                            \
    X(ObjectTypeInvalid, "object type invalid")                                            \
    X(ObjectReadOnly, "object is read-only")                                               \
    X(HsmTampered, "HSM tampered")                                                         \
    X(UnableToConnect, "unable to connect")                                                \
    X(UserNotAuthorized, "user not authorized")                                            \
    X(PartitionNotInitialized, "partition not initialized")                                \
    X(HsmNotInitialized, "HSM not initialized")                                            \
    /* Strongroom-internal conditions; each maps to a standard code at the boundary */     \
    X(StoreCorrupt, "device store is corrupt")                                             \
    X(StoreSchemaUnknown, "device store schema version is unknown")                        \
    X(MasterKeyWrong, "device master key does not open this store")                        \
    X(StoreIo, "device storage I/O error")                                                 \
    X(NotFound, "not found")                                                               \
    X(AlreadyExists, "already exists")                                                     \
    X(NotImplemented, "not implemented in this version")                                   \
    X(Crypto, "cryptographic library error")

enum class Err : uint16_t {
#define SR_ERR_ENUM(name, text) name,
    SR_ERROR_CODES(SR_ERR_ENUM)
#undef SR_ERR_ENUM
};

// Stable symbolic name ("PinIncorrect").
std::string_view err_name(Err e) noexcept;
// The code with that exact name (the inverse of err_name), or nullopt; for names that crossed a
// boundary (gRPC status details, clone refusals).
std::optional<Err> err_from_name(std::string_view name) noexcept;
// Default human explanation ("incorrect password").
std::string_view err_text(Err e) noexcept;
// Every code, for tests that walk all mappings.
std::span<const Err> all_errors() noexcept;

}  // namespace sr
