#include "net/status.h"

#include <array>
#include <string>
#include <utility>

namespace sr::net {
namespace {

using grpc::StatusCode;

// The class of failure each code travels with; a code not listed is Internal. Precise codes
// ride in the details, so this only has to be sensible for generic gRPC tooling.
constexpr std::pair<Err, StatusCode> kClasses[] = {
    {Err::Ok, StatusCode::OK},
    {Err::Cancel, StatusCode::CANCELLED},
    {Err::FunctionCanceled, StatusCode::CANCELLED},
    // The caller's arguments, templates, attributes or mechanism are wrong.
    {Err::ArgumentsBad, StatusCode::INVALID_ARGUMENT},
    {Err::AttributeReadOnly, StatusCode::INVALID_ARGUMENT},
    {Err::AttributeTypeInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::AttributeValueInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::DataInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::DataLenRange, StatusCode::INVALID_ARGUMENT},
    {Err::EncryptedDataInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::EncryptedDataLenRange, StatusCode::INVALID_ARGUMENT},
    {Err::KeySizeRange, StatusCode::INVALID_ARGUMENT},
    {Err::KeyTypeInconsistent, StatusCode::INVALID_ARGUMENT},
    {Err::KeyNotNeeded, StatusCode::INVALID_ARGUMENT},
    {Err::KeyNeeded, StatusCode::INVALID_ARGUMENT},
    {Err::KeyIndigestible, StatusCode::INVALID_ARGUMENT},
    {Err::MechanismInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::MechanismParamInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::PinInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::PinLenRange, StatusCode::INVALID_ARGUMENT},
    {Err::PinTooWeak, StatusCode::INVALID_ARGUMENT},
    {Err::SignatureInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::SignatureLenRange, StatusCode::INVALID_ARGUMENT},
    {Err::TemplateIncomplete, StatusCode::INVALID_ARGUMENT},
    {Err::TemplateInconsistent, StatusCode::INVALID_ARGUMENT},
    {Err::UnwrappingKeySizeRange, StatusCode::INVALID_ARGUMENT},
    {Err::UnwrappingKeyTypeInconsistent, StatusCode::INVALID_ARGUMENT},
    {Err::UserTypeInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::WrappedKeyInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::WrappedKeyLenRange, StatusCode::INVALID_ARGUMENT},
    {Err::WrappingKeySizeRange, StatusCode::INVALID_ARGUMENT},
    {Err::WrappingKeyTypeInconsistent, StatusCode::INVALID_ARGUMENT},
    {Err::DomainParamsInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::CurveNotSupported, StatusCode::INVALID_ARGUMENT},
    {Err::BufferTooSmall, StatusCode::INVALID_ARGUMENT},
    {Err::SavedStateInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::PublicKeyInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::CertificateDataMissing, StatusCode::INVALID_ARGUMENT},
    {Err::CertificateDataInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::CertificateInvalid, StatusCode::INVALID_ARGUMENT},
    {Err::CloningParameterMissing, StatusCode::INVALID_ARGUMENT},
    {Err::BadMac, StatusCode::INVALID_ARGUMENT},
    {Err::ObjectTypeInvalid, StatusCode::INVALID_ARGUMENT},
    // Something named by handle or id does not exist (for this caller).
    {Err::SlotIdInvalid, StatusCode::NOT_FOUND},
    {Err::KeyHandleInvalid, StatusCode::NOT_FOUND},
    {Err::ObjectHandleInvalid, StatusCode::NOT_FOUND},
    {Err::SessionHandleInvalid, StatusCode::NOT_FOUND},
    {Err::SessionClosed, StatusCode::NOT_FOUND},
    {Err::UnwrappingKeyHandleInvalid, StatusCode::NOT_FOUND},
    {Err::WrappingKeyHandleInvalid, StatusCode::NOT_FOUND},
    {Err::ContainerHandleInvalid, StatusCode::NOT_FOUND},
    {Err::NotFound, StatusCode::NOT_FOUND},
    // Who the caller is could not be established (credential wrong, locked, unregistered).
    {Err::PinIncorrect, StatusCode::UNAUTHENTICATED},
    {Err::PinExpired, StatusCode::UNAUTHENTICATED},
    {Err::PinLocked, StatusCode::UNAUTHENTICATED},
    {Err::UserLockedOut, StatusCode::UNAUTHENTICATED},
    {Err::SoLoginFailureThreshold, StatusCode::UNAUTHENTICATED},
    {Err::UserNotAuthorized, StatusCode::UNAUTHENTICATED},
    // The caller is known but may not do this.
    {Err::UserNotLoggedIn, StatusCode::PERMISSION_DENIED},
    {Err::ActionProhibited, StatusCode::PERMISSION_DENIED},
    {Err::AttributeSensitive, StatusCode::PERMISSION_DENIED},
    {Err::KeyFunctionNotPermitted, StatusCode::PERMISSION_DENIED},
    {Err::KeyNotWrappable, StatusCode::PERMISSION_DENIED},
    {Err::KeyUnextractable, StatusCode::PERMISSION_DENIED},
    {Err::SessionReadOnly, StatusCode::PERMISSION_DENIED},
    {Err::TokenWriteProtected, StatusCode::PERMISSION_DENIED},
    {Err::InformationSensitive, StatusCode::PERMISSION_DENIED},
    {Err::OperationNotAllowed, StatusCode::PERMISSION_DENIED},
    {Err::FunctionRejected, StatusCode::PERMISSION_DENIED},
    {Err::ObjectReadOnly, StatusCode::PERMISSION_DENIED},
    {Err::PartitionDisabled, StatusCode::PERMISSION_DENIED},
    // The call is valid but not in the current state of the session, role or device.
    {Err::OperationActive, StatusCode::FAILED_PRECONDITION},
    {Err::OperationNotInitialized, StatusCode::FAILED_PRECONDITION},
    {Err::UserAlreadyLoggedIn, StatusCode::FAILED_PRECONDITION},
    {Err::UserAnotherAlreadyLoggedIn, StatusCode::FAILED_PRECONDITION},
    {Err::UserPinNotInitialized, StatusCode::FAILED_PRECONDITION},
    {Err::UserTooManyTypes, StatusCode::FAILED_PRECONDITION},
    {Err::SessionExists, StatusCode::FAILED_PRECONDITION},
    {Err::SessionReadOnlyExists, StatusCode::FAILED_PRECONDITION},
    {Err::SessionReadWriteSoExists, StatusCode::FAILED_PRECONDITION},
    {Err::SessionParallelNotSupported, StatusCode::FAILED_PRECONDITION},
    {Err::FunctionNotParallel, StatusCode::FAILED_PRECONDITION},
    {Err::CryptokiNotInitialized, StatusCode::FAILED_PRECONDITION},
    {Err::CryptokiAlreadyInitialized, StatusCode::FAILED_PRECONDITION},
    {Err::PartitionNotInitialized, StatusCode::FAILED_PRECONDITION},
    {Err::HsmNotInitialized, StatusCode::FAILED_PRECONDITION},
    {Err::StateUnsaveable, StatusCode::FAILED_PRECONDITION},
    {Err::KeyChanged, StatusCode::FAILED_PRECONDITION},
    {Err::ConfigFailsDependencies, StatusCode::FAILED_PRECONDITION},
    {Err::FailedDependencies, StatusCode::FAILED_PRECONDITION},
    {Err::NewPinMode, StatusCode::FAILED_PRECONDITION},
    {Err::NextOtp, StatusCode::FAILED_PRECONDITION},
    {Err::TokenNotRecognized, StatusCode::FAILED_PRECONDITION},
    {Err::CloneNotAttempted, StatusCode::FAILED_PRECONDITION},
    {Err::NoEvent, StatusCode::FAILED_PRECONDITION},
    // Already there.
    {Err::AlreadyExists, StatusCode::ALREADY_EXISTS},
    {Err::ObjectAlreadyExists, StatusCode::ALREADY_EXISTS},
    {Err::CloningParameterAlreadyExists, StatusCode::ALREADY_EXISTS},
    // Capacity.
    {Err::HostMemory, StatusCode::RESOURCE_EXHAUSTED},
    {Err::DeviceMemory, StatusCode::RESOURCE_EXHAUSTED},
    {Err::SessionCount, StatusCode::RESOURCE_EXHAUSTED},
    {Err::TooManyContainers, StatusCode::RESOURCE_EXHAUSTED},
    {Err::MaxObjectCountExceeded, StatusCode::RESOURCE_EXHAUSTED},
    {Err::HsmStorageFull, StatusCode::RESOURCE_EXHAUSTED},
    {Err::ContainerObjectStorageFull, StatusCode::RESOURCE_EXHAUSTED},
    // Not in this version.
    {Err::NotImplemented, StatusCode::UNIMPLEMENTED},
    {Err::FunctionNotSupported, StatusCode::UNIMPLEMENTED},
    {Err::RandomSeedNotSupported, StatusCode::UNIMPLEMENTED},
    {Err::RandomNoRng, StatusCode::UNIMPLEMENTED},
    // The device (or the way to it) is not there: a retry later may work.
    {Err::DeviceError, StatusCode::UNAVAILABLE},
    {Err::DeviceRemoved, StatusCode::UNAVAILABLE},
    {Err::TokenNotPresent, StatusCode::UNAVAILABLE},
    {Err::UnableToConnect, StatusCode::UNAVAILABLE},
};

constexpr size_t kErrCount = 0
#define SR_COUNT_ERR(name, text) +1
    SR_ERROR_CODES(SR_COUNT_ERR)
#undef SR_COUNT_ERR
    ;

constexpr std::array<StatusCode, kErrCount> make_table() {
    std::array<StatusCode, kErrCount> out{};
    for (auto& c : out) c = StatusCode::INTERNAL;
    for (const auto& [err, code] : kClasses) out[static_cast<size_t>(err)] = code;
    return out;
}
constexpr auto kTable = make_table();

}  // namespace

grpc::StatusCode grpc_code(Err e) noexcept {
    auto i = static_cast<size_t>(e);
    return i < kTable.size() ? kTable[i] : StatusCode::INTERNAL;
}

grpc::Status to_grpc(const Status& st) {
    if (st.is_ok()) return grpc::Status::OK;
    return grpc::Status(grpc_code(st.code()), st.message(), std::string(err_name(st.code())));
}

Status from_grpc(const grpc::Status& st) {
    if (st.ok()) return Status::ok();
    if (st.error_details().empty()) {
        // gRPC drops the details of a status an AuthMetadataProcessor returns: strongroomd's
        // refusal of an unregistered certificate arrives bare. gRPC itself answers a failed TLS
        // handshake with UNAVAILABLE, so a bare UNAUTHENTICATED is the server's refusal.
        if (st.error_code() == StatusCode::UNAUTHENTICATED)
            return Status(Err::UserNotAuthorized, st.error_message());
        return Status(Err::DeviceError, "network: " + st.error_message());
    }
    std::optional<Err> e = err_from_name(st.error_details());
    if (!e || *e == Err::Ok)
        return Status(Err::DeviceError, "server error " + st.error_details().substr(0, 64) + ": " +
                                            st.error_message());
    return Status(*e, st.error_message());
}

}  // namespace sr::net
