// The one Err <-> gRPC status mapping (src/net/status.cpp).
#include "net/status.h"

#include <gtest/gtest.h>

namespace sr::net {
namespace {

TEST(NetStatus, EveryErrorRoundTripsWithItsMessage) {
    for (Err e : all_errors()) {
        if (e == Err::Ok) continue;
        Status back = from_grpc(to_grpc(Status(e, "detail for " + std::string(err_name(e)))));
        EXPECT_EQ(back.code(), e) << err_name(e);
        EXPECT_EQ(back.message(), "detail for " + std::string(err_name(e)));
    }
}

TEST(NetStatus, OkIsOkBothWays) {
    EXPECT_TRUE(to_grpc(Status::ok()).ok());
    EXPECT_TRUE(from_grpc(grpc::Status::OK).is_ok());
    EXPECT_EQ(grpc_code(Err::Ok), grpc::StatusCode::OK);
}

TEST(NetStatus, OnlyOkTravelsAsGrpcOk) {
    for (Err e : all_errors()) {
        if (e == Err::Ok) continue;
        EXPECT_NE(grpc_code(e), grpc::StatusCode::OK) << err_name(e);
        EXPECT_EQ(to_grpc(Status(e)).error_details(), err_name(e));
    }
}

TEST(NetStatus, ClassesFollowTheKindOfFailure) {
    EXPECT_EQ(grpc_code(Err::ArgumentsBad), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(grpc_code(Err::TemplateInconsistent), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(grpc_code(Err::MechanismParamInvalid), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(grpc_code(Err::SessionHandleInvalid), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(grpc_code(Err::SlotIdInvalid), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(grpc_code(Err::PinIncorrect), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(grpc_code(Err::PinLocked), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(grpc_code(Err::UserNotAuthorized), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(grpc_code(Err::UserNotLoggedIn), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(grpc_code(Err::OperationNotInitialized), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(grpc_code(Err::ObjectAlreadyExists), grpc::StatusCode::ALREADY_EXISTS);
    EXPECT_EQ(grpc_code(Err::MaxObjectCountExceeded), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(grpc_code(Err::FunctionNotSupported), grpc::StatusCode::UNIMPLEMENTED);
    EXPECT_EQ(grpc_code(Err::DeviceRemoved), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(grpc_code(Err::StoreCorrupt), grpc::StatusCode::INTERNAL);
}

TEST(NetStatus, TransportFailureWithoutDetailsIsDeviceError) {
    Status st = from_grpc(grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused"));
    EXPECT_EQ(st.code(), Err::DeviceError);
    EXPECT_NE(st.message().find("connection refused"), std::string::npos);
}

// strongroomd's AuthMetadataProcessor refusal arrives without details (gRPC drops them).
TEST(NetStatus, UnauthenticatedWithoutDetailsIsUserNotAuthorizedWithTheServersMessage) {
    const std::string why = "the client certificate is not registered with this appliance";
    Status st = from_grpc(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, why));
    EXPECT_EQ(st.code(), Err::UserNotAuthorized);
    EXPECT_EQ(st.message(), why);
}

TEST(NetStatus, UnknownOrOkNameInDetailsIsDeviceError) {
    EXPECT_EQ(from_grpc(grpc::Status(grpc::StatusCode::INTERNAL, "m", "NoSuchCode")).code(),
              Err::DeviceError);
    EXPECT_EQ(from_grpc(grpc::Status(grpc::StatusCode::INTERNAL, "m", "Ok")).code(),
              Err::DeviceError);
}

TEST(ErrorNames, NameLookupInvertsErrName) {
    for (Err e : all_errors()) EXPECT_EQ(err_from_name(err_name(e)), e);
    EXPECT_FALSE(err_from_name("pinincorrect").has_value());
    EXPECT_FALSE(err_from_name("").has_value());
}

}  // namespace
}  // namespace sr::net
