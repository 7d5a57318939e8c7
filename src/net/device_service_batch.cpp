// Device service: cloning, proof without export, and the batch stream (docs/design/
// network-protocol.md "Batch").
#include "net/device_service_impl.h"

namespace sr::net {
namespace {

std::vector<hsm::ObjectHandle> handles(const google::protobuf::RepeatedField<uint64_t>& in) {
    return {in.begin(), in.end()};
}

}  // namespace

// ---------------------------------------------------------------- cloning and fingerprints

Status DeviceService::clone_hello_call(const Caller& who, const pb::SessionRef& rq,
                                       pb::BytesValue* out) {
    return in_session(who, rq.session(),
                      [&](hsm::SessionId s) { return put(out, m_device.clone_hello(s)); });
}

grpc::Status DeviceService::CloneHello(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) {
    return serve(c, [&](const Caller& who) { return clone_hello_call(who, *rq, out); });
}

Status DeviceService::clone_source_call(const Caller& who, const pb::CloneSourceRequest& rq,
                                        pb::CloneSourceResult* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::CloneSourceResult r,
                            m_device.clone_source(s, view(rq.hello()), handles(rq.objects())));
        to_proto(r, out);
        return {};
    });
}

grpc::Status DeviceService::CloneSource(Ctx* c, const pb::CloneSourceRequest* rq,
                                        pb::CloneSourceResult* out) {
    return serve(c, [&](const Caller& who) { return clone_source_call(who, *rq, out); });
}

Status DeviceService::clone_target_call(const Caller& who, const pb::SessionData& rq,
                                        pb::CloneTargetResult* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::CloneTargetResult r, m_device.clone_target(s, view(rq.data())));
        to_proto(r, out);
        return {};
    });
}

grpc::Status DeviceService::CloneTarget(Ctx* c, const pb::SessionData* rq,
                                        pb::CloneTargetResult* out) {
    return serve(c, [&](const Caller& who) { return clone_target_call(who, *rq, out); });
}

Status DeviceService::fingerprints_call(const Caller& who, const pb::FingerprintsRequest& rq,
                                        pb::FingerprintList* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(auto list, m_device.object_fingerprints(s, handles(rq.objects())));
        for (const auto& f : list) to_proto(f, out->add_fingerprints());
        return {};
    });
}

grpc::Status DeviceService::ObjectFingerprints(Ctx* c, const pb::FingerprintsRequest* rq,
                                               pb::FingerprintList* out) {
    return serve(c, [&](const Caller& who) { return fingerprints_call(who, *rq, out); });
}

// ---------------------------------------------------------------- the batch stream

Status DeviceService::batch_call(const Caller& who, const pb::BatchRequest& rq,
                                 pb::BatchReply* reply) {
    using R = pb::BatchRequest;
    switch (rq.call_case()) {
        case R::kSignInit: {
            SR_TRY(op_init(who, rq.sign_init(),
                           [&](hsm::SessionId s, const crypto::Mechanism& m,
                               hsm::ObjectHandle key) { return m_device.sign_init(s, m, key); }));
            reply->mutable_done();
            return {};
        }
        case R::kSign:
            return sign_call(who, rq.sign(), reply->mutable_bytes());
        case R::kCreateObject:
            return create_object_call(who, rq.create_object(), reply->mutable_handle());
        case R::kGenerateKey:
            return generate_key_call(who, rq.generate_key(), reply->mutable_handle());
        case R::kCloneSource:
            return clone_source_call(who, rq.clone_source(), reply->mutable_clone_source());
        case R::kCloneTarget:
            return clone_target_call(who, rq.clone_target(), reply->mutable_clone_target());
        case R::kCloneHello:
            return clone_hello_call(who, rq.clone_hello(), reply->mutable_bytes());
        case R::kObjectFingerprints:
            return fingerprints_call(who, rq.object_fingerprints(), reply->mutable_fingerprints());
        case R::kFindInit: {
            SR_TRY(find_init_call(who, rq.find_init()));
            reply->mutable_done();
            return {};
        }
        case R::kFindNext:
            return find_next_call(who, rq.find_next(), reply->mutable_handles());
        case R::kFindFinal: {
            SR_TRY(in_session(who, rq.find_final().session(),
                              [&](hsm::SessionId s) { return m_device.find_final(s); }));
            reply->mutable_done();
            return {};
        }
        case R::kOperation:
            return operation_call(who, rq.operation(), reply);
        case R::CALL_NOT_SET:
            break;
    }
    // Also what a call added to the protocol after this server was built looks like.
    return error(Err::FunctionNotSupported, "batch request without a known call");
}

bool DeviceService::stream_opened(Ctx* c) {
    MutexLock lock(m_streams_mu);
    if (m_draining) return false;
    m_streams[c] = false;
    return true;
}

bool DeviceService::stream_busy(Ctx* c, bool busy) {
    MutexLock lock(m_streams_mu);
    m_streams[c] = busy;
    return !m_draining;
}

void DeviceService::stream_closed(Ctx* c) {
    MutexLock lock(m_streams_mu);
    m_streams.erase(c);
}

void DeviceService::drain() {
    MutexLock lock(m_streams_mu);
    m_draining = true;
    for (const auto& [ctx, busy] : m_streams)
        if (!busy) ctx->TryCancel();
}

grpc::Status DeviceService::Batch(
    Ctx* c, grpc::ServerReaderWriter<pb::BatchReply, pb::BatchRequest>* stream) {
    if (!stream_opened(c))
        return to_grpc(error(Err::DeviceError, "the appliance is shutting down"));
    // Each entry is checked like the unary call it stands for: the caller identified again
    // (a client deleted from the registry loses its open streams at their next entry), then
    // session ownership and partition visibility.
    grpc::Status result = serve(c, [&](const Caller&) -> Status {
        pb::BatchRequest rq;
        while (stream->Read(&rq)) {
            stream_busy(c, true);
            // Cancelled by drain() between the read and the mark: the client sees the stream
            // fail and the entry did not run.
            if (c->IsCancelled()) break;
            pb::BatchReply reply;
            Result<Caller> who = m_access.identify(*c);
            Status st = who ? batch_call(*who, rq, &reply) : who.status();
            if (!st) {
                reply.Clear();
                reply.mutable_error()->set_code(std::string(err_name(st.code())));
                reply.mutable_error()->set_message(st.message());
            }
            reply.set_tag(rq.tag());
            if (!stream->Write(reply)) break;  // the client has gone
            if (!stream_busy(c, false)) break;  // draining: this entry was the last
        }
        return {};
    });
    stream_closed(c);
    return result;
}

}  // namespace sr::net
