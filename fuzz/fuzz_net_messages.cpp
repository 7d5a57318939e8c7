// Fuzz target: protocol messages (proto/strongroom/v1/device.proto) arriving from an untrusted
// peer — requests at the server, replies at the client. The same bytes are parsed as every
// message type that carries values needing conversion, and whatever parses is decoded with
// src/net/convert.h. Decoding must fail cleanly, never crash; what decodes must survive an
// encode/decode round trip unchanged in shape.
#include <climits>
#include <cstdint>
#include <cstdlib>

#include "net/batch_streams.h"
#include "net/convert.h"
#include "net/status.h"

namespace {

namespace pb = ::strongroom::v1;
using namespace sr;       // NOLINT: fuzz target brevity
using namespace sr::net;  // NOLINT

void check(bool ok) {
    if (!ok) std::abort();
}

void attributes(const pb::AttributeSet& in) {
    auto set = from_proto(in);
    if (!set) return;
    pb::AttributeSet again;
    to_proto(*set, &again);
    auto back = from_proto(again);
    check(back.is_ok() && back->types() == set->types());
    for (auto t : set->types()) check(back->is_secret(t) == set->is_secret(t));
}

void mechanism(const pb::Mechanism& in) {
    auto m = from_proto(in);
    if (!m) return;
    pb::Mechanism again;
    to_proto(*m, &again);
    auto back = from_proto(again);
    check(back.is_ok() && back->id == m->id && back->params.index() == m->params.index());
}

void role(const std::string& name) {
    if (auto r = role_from_wire(name)) check(role_from_wire(role_to_wire(*r)).value() == *r);
}

template <class M, class Fn>
void as(const uint8_t* data, size_t size, Fn&& fn) {
    M msg;
    if (msg.ParseFromArray(data, static_cast<int>(size))) fn(msg);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > static_cast<size_t>(INT_MAX)) return 0;
    // ---- requests, as the server decodes them
    as<pb::CreateObjectRequest>(data, size, [](const auto& m) { attributes(m.template_()); });
    as<pb::CopyObjectRequest>(data, size, [](const auto& m) { attributes(m.changes()); });
    as<pb::SetAttributesRequest>(data, size, [](const auto& m) { attributes(m.changes()); });
    as<pb::FindInitRequest>(data, size, [](const auto& m) { attributes(m.template_()); });
    as<pb::GenerateKeyRequest>(data, size, [](const auto& m) {
        mechanism(m.mechanism());
        attributes(m.template_());
    });
    as<pb::GenerateKeyPairRequest>(data, size, [](const auto& m) {
        mechanism(m.mechanism());
        attributes(m.public_template());
        attributes(m.private_template());
    });
    as<pb::WrapKeyRequest>(data, size, [](const auto& m) { mechanism(m.mechanism()); });
    as<pb::UnwrapKeyRequest>(data, size, [](const auto& m) {
        mechanism(m.mechanism());
        attributes(m.template_());
    });
    as<pb::DeriveKeyRequest>(data, size, [](const auto& m) {
        mechanism(m.mechanism());
        attributes(m.template_());
    });
    as<pb::OperationInit>(data, size, [](const auto& m) { mechanism(m.mechanism()); });
    as<pb::LoginRequest>(data, size, [](const auto& m) { role(m.role()); });
    as<pb::RoleRequest>(data, size, [](const auto& m) { role(m.role()); });
    as<pb::ChangePasswordRequest>(data, size, [](const auto& m) { role(m.role()); });
    as<pb::RoleStateRequest>(data, size, [](const auto& m) { role(m.role()); });
    as<pb::BatchRequest>(data, size, [](const auto& m) {
        if (m.has_sign_init()) mechanism(m.sign_init().mechanism());
        if (m.has_create_object()) attributes(m.create_object().template_());
        if (m.has_generate_key()) {
            mechanism(m.generate_key().mechanism());
            attributes(m.generate_key().template_());
        }
        if (m.has_find_init()) attributes(m.find_init().template_());
        if (m.has_operation() && m.operation().has_mechanism())
            mechanism(m.operation().mechanism());
    });
    // ---- replies, as the client decodes them
    as<pb::DeviceInfo>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::PartitionInfo>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::RoleState>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::SessionInfo>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::AttributeReadout>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::CloneSourceResult>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::CloneTargetResult>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::ObjectFingerprint>(data, size, [](const auto& m) { (void)from_proto(m); });
    as<pb::BatchReply>(data, size, [](const auto& m) {
        if (m.has_error()) check(!from_batch_error(m.error()).is_ok());
        if (m.has_error())
            (void)from_grpc(
                grpc::Status(grpc::StatusCode::INTERNAL, m.error().message(), m.error().code()));
    });
    return 0;
}
