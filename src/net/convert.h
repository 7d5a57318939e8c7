// Conversions between the engine's plain values (hsm/device.h) and the protobuf messages of
// proto/strongroom/v1/device.proto. Decoding is of untrusted bytes on the server side: every
// from_proto checks what it reads (unknown enum names, bad hash names) and fails with
// ArgumentsBad / MechanismParamInvalid rather than guessing. Pure functions.
#pragma once

#include "common/result.h"
#include "hsm/device.h"
#include "strongroom/v1/device.pb.h"

namespace sr::net {

namespace pb = ::strongroom::v1;

void to_proto(const hsm::AttributeSet& in, pb::AttributeSet* out);
Result<hsm::AttributeSet> from_proto(const pb::AttributeSet& in);

void to_proto(const crypto::Mechanism& in, pb::Mechanism* out);
Result<crypto::Mechanism> from_proto(const pb::Mechanism& in);

void to_proto(const hsm::DeviceInfo& in, pb::DeviceInfo* out);
Result<hsm::DeviceInfo> from_proto(const pb::DeviceInfo& in);

void to_proto(const hsm::PartitionInfo& in, pb::PartitionInfo* out);
hsm::PartitionInfo from_proto(const pb::PartitionInfo& in);

// Roles travel by name (role_short_name, else the display name); parsing accepts both.
std::string role_to_wire(hsm::Role r);
Result<hsm::Role> role_from_wire(std::string_view name);

void to_proto(const hsm::RoleState& in, pb::RoleState* out);
Result<hsm::RoleState> from_proto(const pb::RoleState& in);

void to_proto(const hsm::SessionInfo& in, pb::SessionInfo* out);
Result<hsm::SessionInfo> from_proto(const pb::SessionInfo& in);

void to_proto(const hsm::AttributeReadout& in, pb::AttributeReadout* out);
Result<hsm::AttributeReadout> from_proto(const pb::AttributeReadout& in);

void to_proto(const hsm::CloneSourceResult& in, pb::CloneSourceResult* out);
Result<hsm::CloneSourceResult> from_proto(const pb::CloneSourceResult& in);
void to_proto(const hsm::CloneTargetResult& in, pb::CloneTargetResult* out);
Result<hsm::CloneTargetResult> from_proto(const pb::CloneTargetResult& in);

void to_proto(const hsm::ObjectFingerprint& in, pb::ObjectFingerprint* out);
hsm::ObjectFingerprint from_proto(const pb::ObjectFingerprint& in);

}  // namespace sr::net
