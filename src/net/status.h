// The one mapping between Strongroom error codes and gRPC status (docs/design/network-protocol.md
// "Errors"). A failed call carries a gRPC code chosen from the Err (so generic gRPC tooling sees
// a sensible class of failure), the Err's stable name in the status details, and the message.
#pragma once

#include <grpcpp/support/status.h>

#include "common/result.h"

namespace sr::net {

// Ok -> grpc::Status::OK; otherwise code from the table, details = err_name(code), message.
grpc::Status to_grpc(const Status& st);

// The Err named in the details when present (an unknown name is DeviceError: a newer server
// speaking a code this client does not know). Without details the failure happened in the
// transport (server unreachable, deadline, TLS refused): DeviceError with the gRPC message —
// except UNAUTHENTICATED, the server's refusal of the client certificate before any service
// ran (gRPC drops details there): UserNotAuthorized with the server's message.
Status from_grpc(const grpc::Status& st);

// The gRPC code an Err travels with (exposed for tests that walk every code).
grpc::StatusCode grpc_code(Err e) noexcept;

}  // namespace sr::net
