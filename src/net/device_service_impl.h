// The Device service implementation shared by its source files: device_service.cpp (device,
// apps, administration, sessions, roles, policies), device_service_ops.cpp (objects, keys,
// cryptographic operations), device_service_batch.cpp (cloning, masking, the batch stream),
// device_service_operation.cpp (operation steps on the batch stream).
// Every handler is one serve()/on_session() call; see device_service.h for the contract.
#pragma once

#include <map>
#include <new>

#include "common/log.h"
#include "common/mutex.h"
#include "net/convert.h"
#include "net/device_service.h"
#include "net/device_service_access.h"
#include "net/status.h"

namespace sr::net {

using Ctx = grpc::ServerContext;

std::string wire_bytes(ByteView b);
ByteView view(const std::string& s);

// Batch is served with gRPC's callback API (a reactor run on the thread that completed the
// read, no hand-off to a handler thread per message); every other call is a sync handler.
class DeviceService final : public pb::Device::WithCallbackMethod_Batch<pb::Device::Service> {
public:
    DeviceService(hsm::Device& device, const ClientDirectory* directory)
        : m_device(device), m_access(directory) {}

    grpc::Status Info(Ctx* c, const pb::Empty* rq, pb::DeviceInfo* out) override;
    grpc::Status Mechanisms(Ctx* c, const pb::Empty* rq, pb::MechanismList* out) override;
    grpc::Status Attach(Ctx* c, const pb::Empty* rq, pb::AppRef* out) override;
    grpc::Status Detach(Ctx* c, const pb::AppRef* rq, pb::Empty* out) override;
    grpc::Status InitHsm(Ctx* c, const pb::HsmInitRequest* rq, pb::Empty* out) override;
    grpc::Status Partitions(Ctx* c, const pb::Empty* rq, pb::PartitionList* out) override;
    grpc::Status GetPartitionInfo(Ctx* c, const pb::PartitionRef* rq,
                                  pb::PartitionInfo* out) override;
    grpc::Status CreatePartition(Ctx* c, const pb::CreatePartitionRequest* rq,
                                 pb::PartitionRef* out) override;
    grpc::Status DeletePartition(Ctx* c, const pb::DeletePartitionRequest* rq,
                                 pb::Empty* out) override;
    grpc::Status InitPartition(Ctx* c, const pb::InitPartitionRequest* rq, pb::Empty* out) override;
    grpc::Status OpenSession(Ctx* c, const pb::OpenSessionRequest* rq,
                             pb::SessionRef* out) override;
    grpc::Status CloseSession(Ctx* c, const pb::SessionRef* rq, pb::Empty* out) override;
    grpc::Status CloseAllSessions(Ctx* c, const pb::CloseAllSessionsRequest* rq,
                                  pb::Empty* out) override;
    grpc::Status GetSessionInfo(Ctx* c, const pb::SessionRef* rq, pb::SessionInfo* out) override;
    grpc::Status Login(Ctx* c, const pb::LoginRequest* rq, pb::Empty* out) override;
    grpc::Status Logout(Ctx* c, const pb::SessionRef* rq, pb::Empty* out) override;
    grpc::Status InitRole(Ctx* c, const pb::RoleRequest* rq, pb::Empty* out) override;
    grpc::Status ChangePassword(Ctx* c, const pb::ChangePasswordRequest* rq,
                                pb::Empty* out) override;
    grpc::Status ResetPassword(Ctx* c, const pb::RoleRequest* rq, pb::Empty* out) override;
    grpc::Status GetRoleState(Ctx* c, const pb::RoleStateRequest* rq, pb::RoleState* out) override;
    grpc::Status HsmPolicies(Ctx* c, const pb::Empty* rq, pb::PolicyList* out) override;
    grpc::Status PartitionPolicies(Ctx* c, const pb::PartitionRef* rq,
                                   pb::PolicyList* out) override;
    grpc::Status SetHsmPolicies(Ctx* c, const pb::SetHsmPoliciesRequest* rq,
                                pb::PolicyChangeResult* out) override;
    grpc::Status SetPartitionPolicies(Ctx* c, const pb::SetPartitionPoliciesRequest* rq,
                                      pb::PolicyChangeResult* out) override;
    grpc::Status CreateObject(Ctx* c, const pb::CreateObjectRequest* rq,
                              pb::HandleValue* out) override;
    grpc::Status CopyObject(Ctx* c, const pb::CopyObjectRequest* rq, pb::HandleValue* out) override;
    grpc::Status DestroyObject(Ctx* c, const pb::ObjectRef* rq, pb::Empty* out) override;
    grpc::Status GetAttributes(Ctx* c, const pb::GetAttributesRequest* rq,
                               pb::AttributeReadout* out) override;
    grpc::Status SetAttributes(Ctx* c, const pb::SetAttributesRequest* rq, pb::Empty* out) override;
    grpc::Status FindInit(Ctx* c, const pb::FindInitRequest* rq, pb::Empty* out) override;
    grpc::Status FindNext(Ctx* c, const pb::FindNextRequest* rq, pb::HandleList* out) override;
    grpc::Status FindFinal(Ctx* c, const pb::SessionRef* rq, pb::Empty* out) override;
    grpc::Status GenerateKey(Ctx* c, const pb::GenerateKeyRequest* rq,
                             pb::HandleValue* out) override;
    grpc::Status GenerateKeyPair(Ctx* c, const pb::GenerateKeyPairRequest* rq,
                                 pb::KeyPairHandles* out) override;
    grpc::Status WrapKey(Ctx* c, const pb::WrapKeyRequest* rq, pb::BytesValue* out) override;
    grpc::Status UnwrapKey(Ctx* c, const pb::UnwrapKeyRequest* rq, pb::HandleValue* out) override;
    grpc::Status DeriveKey(Ctx* c, const pb::DeriveKeyRequest* rq, pb::HandleValue* out) override;
    grpc::Status EncryptInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status Encrypt(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status EncryptUpdate(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status EncryptFinal(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) override;
    grpc::Status DecryptInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status Decrypt(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status DecryptUpdate(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status DecryptFinal(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) override;
    grpc::Status SignInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status Sign(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status SignUpdate(Ctx* c, const pb::SessionData* rq, pb::Empty* out) override;
    grpc::Status SignFinal(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) override;
    grpc::Status VerifyInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status Verify(Ctx* c, const pb::VerifyRequest* rq, pb::Empty* out) override;
    grpc::Status VerifyUpdate(Ctx* c, const pb::SessionData* rq, pb::Empty* out) override;
    grpc::Status VerifyFinal(Ctx* c, const pb::VerifyRequest* rq, pb::Empty* out) override;
    grpc::Status DigestInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status Digest(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status DigestUpdate(Ctx* c, const pb::SessionData* rq, pb::Empty* out) override;
    grpc::Status DigestFinal(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) override;
    grpc::Status DigestKey(Ctx* c, const pb::ObjectRef* rq, pb::Empty* out) override;
    grpc::Status DigestEncryptUpdate(Ctx* c, const pb::SessionData* rq,
                                     pb::BytesValue* out) override;
    grpc::Status DecryptDigestUpdate(Ctx* c, const pb::SessionData* rq,
                                     pb::BytesValue* out) override;
    grpc::Status SignEncryptUpdate(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status DecryptVerifyUpdate(Ctx* c, const pb::SessionData* rq,
                                     pb::BytesValue* out) override;
    grpc::Status SignRecoverInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status SignRecover(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status VerifyRecoverInit(Ctx* c, const pb::OperationInit* rq, pb::Empty* out) override;
    grpc::Status VerifyRecover(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) override;
    grpc::Status ActiveOperations(Ctx* c, const pb::SessionRef* rq, pb::Uint32Value* out) override;
    grpc::Status GenerateRandom(Ctx* c, const pb::RandomRequest* rq, pb::BytesValue* out) override;
    grpc::Status CloneHello(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) override;
    grpc::Status CloneSource(Ctx* c, const pb::CloneSourceRequest* rq,
                             pb::CloneSourceResult* out) override;
    grpc::Status CloneTarget(Ctx* c, const pb::SessionData* rq,
                             pb::CloneTargetResult* out) override;
    grpc::Status ObjectFingerprints(Ctx* c, const pb::FingerprintsRequest* rq,
                                    pb::FingerprintList* out) override;
    grpc::Status ExtractMasked(Ctx* c, const pb::ObjectRef* rq, pb::BytesValue* out) override;
    grpc::Status InsertMasked(Ctx* c, const pb::SessionData* rq, pb::HandleValue* out) override;
    using pb::Device::WithCallbackMethod_Batch<pb::Device::Service>::Batch;
    grpc::ServerBidiReactor<pb::BatchRequest, pb::BatchReply>* Batch(
        grpc::CallbackServerContext* c) override;

    // See drain_device_service.
    void drain();

private:
    // The one guard around every call: identifies the caller, runs `fn(caller)`, maps the
    // result with to_grpc. Nothing thrown escapes into gRPC.
    template <class Fn>
    grpc::Status serve(Ctx* c, Fn&& fn) {
        try {
            Result<Caller> who = m_access.identify(*c);
            if (!who) return to_grpc(who.status());
            return to_grpc(fn(*who));
        } catch (const std::bad_alloc&) {
            return to_grpc(error(Err::HostMemory));
        } catch (...) {
            log::error("net: unexpected exception in a Device call");
            return to_grpc(error(Err::GeneralError, "internal error in the network service"));
        }
    }
    // `fn(session)` -> Status on a session the caller owns.
    template <class Fn>
    Status in_session(const Caller& who, uint64_t wire, Fn&& fn) {
        SR_ASSIGN_OR_RETURN(hsm::SessionId s, m_access.session(who, wire));
        return m_access.observe(s, fn(s));
    }
    template <class Fn>
    grpc::Status on_session(Ctx* c, uint64_t wire, Fn&& fn) {
        return serve(c, [&](const Caller& who) { return in_session(who, wire, fn); });
    }
    // C_*Init with a mechanism and a key: encrypt, decrypt, sign, verify, the recover forms.
    template <class Init>
    Status op_init(const Caller& who, const pb::OperationInit& rq, Init&& init) {
        return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
            SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq.mechanism()));
            return init(s, m, rq.key());
        });
    }

    // The calls the batch stream carries, shared with their unary handlers.
    Status sign_call(const Caller& who, const pb::SessionData& rq, pb::BytesValue* out);
    Status create_object_call(const Caller& who, const pb::CreateObjectRequest& rq,
                              pb::HandleValue* out);
    Status generate_key_call(const Caller& who, const pb::GenerateKeyRequest& rq,
                             pb::HandleValue* out);
    Status find_init_call(const Caller& who, const pb::FindInitRequest& rq);
    Status find_next_call(const Caller& who, const pb::FindNextRequest& rq, pb::HandleList* out);
    Status clone_hello_call(const Caller& who, const pb::SessionRef& rq, pb::BytesValue* out);
    Status clone_source_call(const Caller& who, const pb::CloneSourceRequest& rq,
                             pb::CloneSourceResult* out);
    Status clone_target_call(const Caller& who, const pb::SessionData& rq,
                             pb::CloneTargetResult* out);
    Status fingerprints_call(const Caller& who, const pb::FingerprintsRequest& rq,
                             pb::FingerprintList* out);
    // One step of a cryptographic operation, with the init the client deferred into it
    // (device_service_operation.cpp).
    Status operation_call(const Caller& who, const pb::OperationRequest& rq,
                          pb::BatchReply* reply);
    // One batch entry; the reply's result is set on success.
    Status batch_call(const Caller& who, const pb::BatchRequest& rq, pb::BatchReply* reply);

    class BatchReactor;
    // One batch entry answered into `reply` (its result or its BatchError, and the tag), the
    // caller identified again first; nothing thrown escapes.
    void batch_entry(const grpc::ServerContextBase& c, const pb::BatchRequest& rq,
                     pb::BatchReply* reply);
    // The open Batch streams (busy while an entry runs), so drain() can end the idle ones.
    // False when the service drains: the stream must end.
    bool stream_opened(grpc::ServerContextBase* c);
    bool stream_busy(grpc::ServerContextBase* c, bool busy);
    void stream_closed(grpc::ServerContextBase* c);

    hsm::Device& m_device;
    ServiceAccess m_access;
    Mutex m_streams_mu;
    std::map<grpc::ServerContextBase*, bool> m_streams SR_GUARDED_BY(m_streams_mu);
    bool m_draining SR_GUARDED_BY(m_streams_mu) = false;
};

// Output helpers: set the reply from a successful Result, pass its failure on.
Status put(pb::BytesValue* out, Result<Bytes> r);
Status put(pb::BytesValue* out, Result<SecretBytes> r);
Status put(pb::HandleValue* out, Result<hsm::ObjectHandle> r);

}  // namespace sr::net
