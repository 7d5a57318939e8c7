// Internal to src/net: the RemoteDevice class behind connect_remote / connect_admin_socket, split
// over remote_device.cpp (applications, administration, sessions, roles, policies),
// remote_device_ops.cpp (objects, keys, cloning, masking) and remote_operations.cpp (the
// steps of cryptographic operations, over reused batch streams with deferred inits).
// Thread-safe: the stub and the stream pool are; the application map is guarded by m_mu; the
// deferred-init state has its own lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "common/mutex.h"
#include "common/result.h"
#include "hsm/device.h"
#include "net/batch_streams.h"
#include "net/convert.h"
#include "net/deferred_inits.h"
#include "net/status.h"
#include "strongroom/v1/device.grpc.pb.h"

namespace sr::net {

// Generous: a long clone batch must fit. A down server fails at once (wait_for_ready false).
inline constexpr std::chrono::seconds kCallDeadline{60};

// Zeroes a string that held a password or key bytes before it is freed.
void wipe(std::string* s) noexcept;
// Wipes the values of secret attributes in a request template.
void wipe_secrets(pb::AttributeSet* set) noexcept;
pb::SessionRef session_ref(hsm::SessionId s);

class RemoteDevice final : public hsm::Device {
public:
    using Stub = pb::Device::Stub;
    template <class Req, class Resp>
    using Rpc = grpc::Status (Stub::*)(grpc::ClientContext*, const Req&, Resp*);

    // `peer` names the server in transport error messages ("strongroomd at 10.0.0.5:1792").
    RemoteDevice(std::shared_ptr<grpc::Channel> channel, std::string peer);
    // Detaches the apps this client still holds (best effort, bounded wait).
    ~RemoteDevice() override;
    RemoteDevice(const RemoteDevice&) = delete;
    RemoteDevice& operator=(const RemoteDevice&) = delete;

    // One unary call: deadline, fail-fast when the server is unreachable, errors mapped by
    // from_grpc; a failure of the transport itself names the server.
    template <class Req, class Resp>
    Result<Resp> call(Rpc<Req, Resp> rpc, const Req& req,
                      std::chrono::system_clock::time_point deadline =
                          std::chrono::system_clock::now() + kCallDeadline) const {
        // An init deferred on this session goes first, so the server sees the calls in the
        // application's order.
        if constexpr (requires { req.session(); }) flush_session(req.session());
        grpc::ClientContext ctx;
        ctx.set_deadline(deadline);
        ctx.set_wait_for_ready(false);
        Resp resp;
        grpc::Status st = (m_stub.get()->*rpc)(&ctx, req, &resp);
        if (!st.ok()) return transport_context(st);
        return resp;
    }
    template <class Req>
    Status call_status(Rpc<Req, pb::Empty> rpc, const Req& req) const {
        return call(rpc, req).status();
    }

    // ---- hsm::Device
    Result<hsm::DeviceInfo> info() override;
    Result<std::vector<hsm::MechanismDescription>> mechanisms() override;
    Result<hsm::AppId> attach() override;
    Status detach(hsm::AppId app) override;
    Status init_hsm(hsm::AppId app, const hsm::HsmInitParams& params) override;
    Result<std::vector<hsm::PartitionInfo>> partitions() override;
    Result<hsm::PartitionInfo> partition_info(hsm::PartitionId id) override;
    Result<hsm::PartitionId> create_partition(hsm::AppId app,
                                              const hsm::PartitionCreateParams& p) override;
    Status delete_partition(hsm::AppId app, hsm::PartitionId id) override;
    Status init_partition(hsm::AppId app, hsm::PartitionId id,
                          const hsm::PartitionInitParams& p) override;
    Result<hsm::SessionId> open_session(hsm::AppId app, hsm::PartitionId partition,
                                        bool read_write) override;
    Status close_session(hsm::SessionId s) override;
    Status close_all_sessions(hsm::AppId app, hsm::PartitionId partition) override;
    Result<hsm::SessionInfo> session_info(hsm::SessionId s) override;
    Status login(hsm::SessionId s, hsm::Role role, std::string_view password) override;
    Status logout(hsm::SessionId s) override;
    Status init_role(hsm::SessionId s, hsm::Role role, std::string_view password) override;
    Status change_password(hsm::SessionId s, hsm::Role role, std::string_view old_password,
                           std::string_view new_password) override;
    Status reset_password(hsm::SessionId s, hsm::Role role,
                          std::string_view new_password) override;
    Result<hsm::RoleState> role_state(hsm::PartitionId partition, hsm::Role role) override;
    Result<std::vector<hsm::PolicyValue>> hsm_policies() override;
    Result<std::vector<hsm::PolicyValue>> partition_policies(hsm::PartitionId partition) override;
    Result<hsm::PolicyChangeResult> set_hsm_policies(
        hsm::AppId app, std::span<const hsm::PolicyValue> changes) override;
    Result<hsm::PolicyChangeResult> set_partition_policies(
        hsm::AppId app, hsm::PartitionId partition,
        std::span<const hsm::PolicyValue> changes) override;

    Result<hsm::ObjectHandle> create_object(hsm::SessionId s,
                                            const hsm::AttributeSet& tmpl) override;
    Result<hsm::ObjectHandle> copy_object(hsm::SessionId s, hsm::ObjectHandle h,
                                          const hsm::AttributeSet& changes) override;
    Status destroy_object(hsm::SessionId s, hsm::ObjectHandle h) override;
    Result<hsm::AttributeReadout> get_attributes(hsm::SessionId s, hsm::ObjectHandle h,
                                                 std::span<const hsm::AttrType> types) override;
    Status set_attributes(hsm::SessionId s, hsm::ObjectHandle h,
                          const hsm::AttributeSet& changes) override;
    Status find_init(hsm::SessionId s, const hsm::AttributeSet& tmpl) override;
    Result<std::vector<hsm::ObjectHandle>> find_next(hsm::SessionId s, size_t max_count) override;
    Status find_final(hsm::SessionId s) override;

    Result<hsm::ObjectHandle> generate_key(hsm::SessionId s, const crypto::Mechanism& m,
                                           const hsm::AttributeSet& tmpl) override;
    Result<hsm::KeyPairHandles> generate_key_pair(hsm::SessionId s, const crypto::Mechanism& m,
                                                  const hsm::AttributeSet& public_tmpl,
                                                  const hsm::AttributeSet& private_tmpl) override;
    Result<Bytes> wrap_key(hsm::SessionId s, const crypto::Mechanism& m,
                           hsm::ObjectHandle wrapping, hsm::ObjectHandle key) override;
    Result<hsm::ObjectHandle> unwrap_key(hsm::SessionId s, const crypto::Mechanism& m,
                                         hsm::ObjectHandle unwrapping, ByteView wrapped,
                                         const hsm::AttributeSet& tmpl) override;
    Result<hsm::ObjectHandle> derive_key(hsm::SessionId s, const crypto::Mechanism& m,
                                         hsm::ObjectHandle base,
                                         const hsm::AttributeSet& tmpl) override;

    Status encrypt_init(hsm::SessionId s, const crypto::Mechanism& m,
                        hsm::ObjectHandle key) override;
    Result<Bytes> encrypt(hsm::SessionId s, ByteView data) override;
    Result<Bytes> encrypt_update(hsm::SessionId s, ByteView data) override;
    Result<Bytes> encrypt_final(hsm::SessionId s) override;
    Status decrypt_init(hsm::SessionId s, const crypto::Mechanism& m,
                        hsm::ObjectHandle key) override;
    Result<SecretBytes> decrypt(hsm::SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_update(hsm::SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_final(hsm::SessionId s) override;
    Status sign_init(hsm::SessionId s, const crypto::Mechanism& m, hsm::ObjectHandle key) override;
    Result<Bytes> sign(hsm::SessionId s, ByteView data) override;
    Status sign_update(hsm::SessionId s, ByteView data) override;
    Result<Bytes> sign_final(hsm::SessionId s) override;
    Status verify_init(hsm::SessionId s, const crypto::Mechanism& m,
                       hsm::ObjectHandle key) override;
    Status verify(hsm::SessionId s, ByteView data, ByteView signature) override;
    Status verify_update(hsm::SessionId s, ByteView data) override;
    Status verify_final(hsm::SessionId s, ByteView signature) override;
    Status digest_init(hsm::SessionId s, const crypto::Mechanism& m) override;
    Result<Bytes> digest(hsm::SessionId s, ByteView data) override;
    Status digest_update(hsm::SessionId s, ByteView data) override;
    Result<Bytes> digest_final(hsm::SessionId s) override;
    Status digest_key(hsm::SessionId s, hsm::ObjectHandle key) override;
    Result<Bytes> digest_encrypt_update(hsm::SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_digest_update(hsm::SessionId s, ByteView data) override;
    Result<Bytes> sign_encrypt_update(hsm::SessionId s, ByteView data) override;
    Result<SecretBytes> decrypt_verify_update(hsm::SessionId s, ByteView data) override;
    Status sign_recover_init(hsm::SessionId s, const crypto::Mechanism& m,
                             hsm::ObjectHandle key) override;
    Result<Bytes> sign_recover(hsm::SessionId s, ByteView data) override;
    Status verify_recover_init(hsm::SessionId s, const crypto::Mechanism& m,
                               hsm::ObjectHandle key) override;
    Result<Bytes> verify_recover(hsm::SessionId s, ByteView signature) override;
    Result<uint32_t> active_operations(hsm::SessionId s) override;
    Result<Bytes> generate_random(hsm::SessionId s, size_t length) override;

    Result<Bytes> clone_hello(hsm::SessionId target) override;
    Result<hsm::CloneSourceResult> clone_source(
        hsm::SessionId source, ByteView hello,
        std::span<const hsm::ObjectHandle> objects) override;
    Result<hsm::CloneTargetResult> clone_target(hsm::SessionId target, ByteView sealed) override;
    Result<std::vector<hsm::ObjectFingerprint>> object_fingerprints(
        hsm::SessionId s, std::span<const hsm::ObjectHandle> objects) override;
    Result<Bytes> extract_masked(hsm::SessionId s, hsm::ObjectHandle h) override;
    Result<hsm::ObjectHandle> insert_masked(hsm::SessionId s, ByteView blob) override;

private:
    // Brackets a call that may change whether an init succeeds (login state, objects,
    // attributes, policies, partitions): inits deferred on any session are sent first, and
    // none is deferred on the strength of a success from before the call.
    class Invalidation final {
    public:
        explicit Invalidation(const RemoteDevice& d);
        ~Invalidation();
        Invalidation(const Invalidation&) = delete;
        Invalidation& operator=(const Invalidation&) = delete;

    private:
        const RemoteDevice& m_device;
    };

    // ---- operation steps (remote_operations.cpp)
    Status op_init(hsm::SessionId s, pb::OperationKind kind, const crypto::Mechanism& m,
                   hsm::ObjectHandle key);
    // One step; `bytes` replies are the step's output.
    Result<pb::BatchReply> op_step(hsm::SessionId s, pb::OperationKind kind,
                                   pb::OperationStep step, ByteView data,
                                   ByteView signature = {});
    Result<Bytes> op_bytes(hsm::SessionId s, pb::OperationKind kind, pb::OperationStep step,
                           ByteView data);
    Result<SecretBytes> op_secret(hsm::SessionId s, pb::OperationKind kind,
                                  pb::OperationStep step, ByteView data);
    // Sends one operation request on a batch stream; a BatchError reply becomes its Status.
    Result<pb::BatchReply> send_operation(const pb::OperationRequest& rq) const;
    // Sends the inits deferred on `s` (but one of `except`) alone, in order; a failure is held
    // for that operation's next step. The caller holds s's gate.
    void flush_locked(hsm::SessionId s,
                      pb::OperationKind except = pb::OPERATION_KIND_UNSPECIFIED) const;
    void flush_session(uint64_t s) const;
    void flush_everything() const;

    // from_grpc, plus the server's name when the transport (not the engine) failed.
    Status transport_context(const grpc::Status& st) const;

    // Runs f(server_app) for a local app; when the server no longer knows that app (it
    // restarted: CryptokiNotInitialized), attaches anew, remembers the new id and runs f once
    // more.
    template <class F>
    auto with_app(hsm::AppId local, F&& f) -> decltype(f(uint64_t{})) {
        SR_ASSIGN_OR_RETURN(uint64_t app, server_app(local));
        auto first = f(app);
        if (first.code() != Err::CryptokiNotInitialized) return first;
        SR_ASSIGN_OR_RETURN(uint64_t fresh, reattach(local, app));
        return f(fresh);
    }
    Result<uint64_t> server_app(hsm::AppId local) const;
    Result<uint64_t> reattach(hsm::AppId local, uint64_t stale);
    hsm::AppId local_app(uint64_t server_app) const;

    std::shared_ptr<grpc::Channel> m_channel;
    std::unique_ptr<Stub> m_stub;
    std::string m_peer;
    mutable DeferredInits m_deferred;
    // After m_stub (which it uses) so it is destroyed first.
    mutable BatchStreams m_streams;
    mutable Mutex m_mu;
    std::map<hsm::AppId, uint64_t> m_apps SR_GUARDED_BY(m_mu);  // local -> server app id
    hsm::AppId m_next_app SR_GUARDED_BY(m_mu) = 1;
};

}  // namespace sr::net
