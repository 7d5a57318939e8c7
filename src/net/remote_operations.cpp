// RemoteDevice: the steps of cryptographic operations (encrypt, decrypt, sign, verify, digest,
// the recover forms) as OperationRequests on reused batch streams, with repeated inits deferred
// into the next step (docs/design/network-protocol.md, "Operation steps" and "Deferred
// initialisation"). Plaintext a step returns goes into SecretBytes and its wire copy is wiped.
#include <mutex>
#include <utility>

#include "net/remote_device_impl.h"

namespace sr::net {
namespace {

using hsm::ObjectHandle;
using hsm::SessionId;
using Kind = pb::OperationKind;
using Step = pb::OperationStep;

pb::OperationRequest request(SessionId s, Kind kind, Step step) {
    pb::OperationRequest rq;
    rq.set_session(s);
    rq.set_kind(kind);
    rq.set_step(step);
    return rq;
}

// The init's mechanism and key into `rq`; false when the stored mechanism does not parse
// (it was serialized by this process, so only memory corruption gets here).
bool add_init(const OperationInitCall& init, pb::OperationRequest* rq) {
    rq->set_key(init.key);
    return rq->mutable_mechanism()->ParseFromString(init.mechanism);
}

bool session_gone(const Status& st) {
    return st.code() == Err::SessionHandleInvalid || st.code() == Err::SessionClosed;
}

}  // namespace

// ---------------------------------------------------------------- invalidation

RemoteDevice::Invalidation::Invalidation(const RemoteDevice& d) : m_device(d) {
    m_device.flush_everything();
    m_device.m_deferred.invalidate();
}

RemoteDevice::Invalidation::~Invalidation() {
    // Again afterwards: an init that succeeded while the call ran vouches for nothing either.
    m_device.m_deferred.invalidate();
    // Sessions the call may have closed wholesale (close-all, detach, a restart) go.
    m_device.m_deferred.prune();
}

// ---------------------------------------------------------------- sending

Result<pb::BatchReply> RemoteDevice::send_operation(const pb::OperationRequest& rq) const {
    pb::BatchRequest batch;
    *batch.mutable_operation() = rq;
    SR_ASSIGN_OR_RETURN(pb::BatchReply reply, m_streams.exchange(batch));
    if (reply.has_error()) {
        Status st = from_batch_error(reply.error());
        if (session_gone(st)) m_deferred.drop(rq.session());
        return st;
    }
    return reply;
}

void RemoteDevice::flush_locked(SessionId s, Kind except) const {
    for (const OperationInitCall& init : m_deferred.take_all(s, except)) {
        pb::OperationRequest rq = request(s, init.kind, pb::OPERATION_STEP_INIT);
        Status st = add_init(init, &rq)
                        ? send_operation(rq).status()
                        : error(Err::GeneralError, "a deferred init could not be re-read");
        if (!st) m_deferred.hold_error(s, init.kind, std::move(st));
    }
}

void RemoteDevice::flush_session(uint64_t s) const {
    if (!m_deferred.any_deferred(s)) return;
    std::shared_ptr<std::mutex> gate = m_deferred.gate(s);
    std::lock_guard<std::mutex> lock(*gate);
    flush_locked(s);
}

void RemoteDevice::flush_everything() const {
    for (SessionId s : m_deferred.sessions_with_deferred()) flush_session(s);
}

// ---------------------------------------------------------------- init and steps

Status RemoteDevice::op_init(SessionId s, Kind kind, const crypto::Mechanism& m,
                             ObjectHandle key) {
    pb::OperationRequest rq = request(s, kind, pb::OPERATION_STEP_INIT);
    to_proto(m, rq.mutable_mechanism());
    rq.set_key(key);
    OperationInitCall init{kind, rq.mechanism().SerializeAsString(), key};

    std::shared_ptr<std::mutex> gate = m_deferred.gate(s);
    std::lock_guard<std::mutex> lock(*gate);
    // Inits deferred earlier go first, so a second init of the same operation answers
    // OperationActive as it would have.
    flush_locked(s);
    if (m_deferred.defer(s, init)) return {};
    Status st = send_operation(rq).status();
    m_deferred.answered(s, init, st.is_ok());
    return st;
}

Result<pb::BatchReply> RemoteDevice::op_step(SessionId s, Kind kind, Step step, ByteView data,
                                             ByteView signature) {
    pb::OperationRequest rq = request(s, kind, step);
    rq.set_data(data.data(), data.size());
    rq.set_signature(signature.data(), signature.size());

    std::shared_ptr<std::mutex> gate = m_deferred.gate(s);
    std::lock_guard<std::mutex> lock(*gate);
    // The application saw this operation's init succeed; a deferred init that failed when
    // sent alone answers here.
    if (std::optional<Status> held = m_deferred.take_error(s, kind)) return std::move(*held);
    flush_locked(s, kind);
    std::optional<OperationInitCall> init = m_deferred.take(s, kind);
    if (init && !add_init(*init, &rq))
        return error(Err::GeneralError, "a deferred init could not be re-read");
    Result<pb::BatchReply> reply = send_operation(rq);
    if (init && !reply) m_deferred.forget(s, kind);
    if (reply && (step == pb::OPERATION_STEP_SINGLE || step == pb::OPERATION_STEP_FINAL))
        m_deferred.finished(s, kind);
    return reply;
}

Result<Bytes> RemoteDevice::op_bytes(SessionId s, Kind kind, Step step, ByteView data) {
    SR_ASSIGN_OR_RETURN(pb::BatchReply reply, op_step(s, kind, step, data));
    const std::string& v = reply.bytes().value();
    return Bytes(v.begin(), v.end());
}

Result<SecretBytes> RemoteDevice::op_secret(SessionId s, Kind kind, Step step, ByteView data) {
    SR_ASSIGN_OR_RETURN(pb::BatchReply reply, op_step(s, kind, step, data));
    std::string* v = reply.mutable_bytes()->mutable_value();
    SecretBytes out(as_bytes(*v));
    wipe(v);
    return out;
}

// ---------------------------------------------------------------- hsm::Device

Status RemoteDevice::encrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) {
    return op_init(s, pb::OPERATION_ENCRYPT, m, key);
}
Result<Bytes> RemoteDevice::encrypt(SessionId s, ByteView data) {
    return op_bytes(s, pb::OPERATION_ENCRYPT, pb::OPERATION_STEP_SINGLE, data);
}
Result<Bytes> RemoteDevice::encrypt_update(SessionId s, ByteView data) {
    return op_bytes(s, pb::OPERATION_ENCRYPT, pb::OPERATION_STEP_UPDATE, data);
}
Result<Bytes> RemoteDevice::encrypt_final(SessionId s) {
    return op_bytes(s, pb::OPERATION_ENCRYPT, pb::OPERATION_STEP_FINAL, {});
}

Status RemoteDevice::decrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) {
    return op_init(s, pb::OPERATION_DECRYPT, m, key);
}
Result<SecretBytes> RemoteDevice::decrypt(SessionId s, ByteView data) {
    return op_secret(s, pb::OPERATION_DECRYPT, pb::OPERATION_STEP_SINGLE, data);
}
Result<SecretBytes> RemoteDevice::decrypt_update(SessionId s, ByteView data) {
    return op_secret(s, pb::OPERATION_DECRYPT, pb::OPERATION_STEP_UPDATE, data);
}
Result<SecretBytes> RemoteDevice::decrypt_final(SessionId s) {
    return op_secret(s, pb::OPERATION_DECRYPT, pb::OPERATION_STEP_FINAL, {});
}

Status RemoteDevice::sign_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) {
    return op_init(s, pb::OPERATION_SIGN, m, key);
}
Result<Bytes> RemoteDevice::sign(SessionId s, ByteView data) {
    return op_bytes(s, pb::OPERATION_SIGN, pb::OPERATION_STEP_SINGLE, data);
}
Status RemoteDevice::sign_update(SessionId s, ByteView data) {
    return op_step(s, pb::OPERATION_SIGN, pb::OPERATION_STEP_UPDATE, data).status();
}
Result<Bytes> RemoteDevice::sign_final(SessionId s) {
    return op_bytes(s, pb::OPERATION_SIGN, pb::OPERATION_STEP_FINAL, {});
}

Status RemoteDevice::verify_init(SessionId s, const crypto::Mechanism& m, ObjectHandle key) {
    return op_init(s, pb::OPERATION_VERIFY, m, key);
}
Status RemoteDevice::verify(SessionId s, ByteView data, ByteView signature) {
    return op_step(s, pb::OPERATION_VERIFY, pb::OPERATION_STEP_SINGLE, data, signature).status();
}
Status RemoteDevice::verify_update(SessionId s, ByteView data) {
    return op_step(s, pb::OPERATION_VERIFY, pb::OPERATION_STEP_UPDATE, data).status();
}
Status RemoteDevice::verify_final(SessionId s, ByteView signature) {
    return op_step(s, pb::OPERATION_VERIFY, pb::OPERATION_STEP_FINAL, {}, signature).status();
}

Status RemoteDevice::digest_init(SessionId s, const crypto::Mechanism& m) {
    return op_init(s, pb::OPERATION_DIGEST, m, 0);
}
Result<Bytes> RemoteDevice::digest(SessionId s, ByteView data) {
    return op_bytes(s, pb::OPERATION_DIGEST, pb::OPERATION_STEP_SINGLE, data);
}
Status RemoteDevice::digest_update(SessionId s, ByteView data) {
    return op_step(s, pb::OPERATION_DIGEST, pb::OPERATION_STEP_UPDATE, data).status();
}
Result<Bytes> RemoteDevice::digest_final(SessionId s) {
    return op_bytes(s, pb::OPERATION_DIGEST, pb::OPERATION_STEP_FINAL, {});
}

Status RemoteDevice::sign_recover_init(SessionId s, const crypto::Mechanism& m,
                                       ObjectHandle key) {
    return op_init(s, pb::OPERATION_SIGN_RECOVER, m, key);
}
Result<Bytes> RemoteDevice::sign_recover(SessionId s, ByteView data) {
    return op_bytes(s, pb::OPERATION_SIGN_RECOVER, pb::OPERATION_STEP_SINGLE, data);
}
Status RemoteDevice::verify_recover_init(SessionId s, const crypto::Mechanism& m,
                                         ObjectHandle key) {
    return op_init(s, pb::OPERATION_VERIFY_RECOVER, m, key);
}
Result<Bytes> RemoteDevice::verify_recover(SessionId s, ByteView signature) {
    SR_ASSIGN_OR_RETURN(pb::BatchReply reply, op_step(s, pb::OPERATION_VERIFY_RECOVER,
                                                      pb::OPERATION_STEP_SINGLE, {}, signature));
    const std::string& v = reply.bytes().value();
    return Bytes(v.begin(), v.end());
}

}  // namespace sr::net
