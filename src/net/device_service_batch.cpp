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

bool DeviceService::stream_opened(grpc::ServerContextBase* c) {
    MutexLock lock(m_streams_mu);
    if (m_draining) return false;
    m_streams[c] = false;
    return true;
}

bool DeviceService::stream_busy(grpc::ServerContextBase* c, bool busy) {
    MutexLock lock(m_streams_mu);
    m_streams[c] = busy;
    return !m_draining;
}

void DeviceService::stream_closed(grpc::ServerContextBase* c) {
    MutexLock lock(m_streams_mu);
    m_streams.erase(c);
}

void DeviceService::drain() {
    MutexLock lock(m_streams_mu);
    m_draining = true;
    for (const auto& [ctx, busy] : m_streams)
        if (!busy) ctx->TryCancel();
}

void DeviceService::batch_entry(const grpc::ServerContextBase& c, const pb::BatchRequest& rq,
                                pb::BatchReply* reply) {
    Status st;
    try {
        // Each entry is checked like the unary call it stands for: the caller identified
        // again (a client deleted from the registry loses its open streams at their next
        // entry), then session ownership and partition visibility.
        Result<Caller> who = m_access.identify(c);
        st = who ? batch_call(*who, rq, reply) : who.status();
    } catch (const std::bad_alloc&) {
        st = error(Err::HostMemory);
    } catch (...) {
        log::error("net: unexpected exception in a batch entry");
        st = error(Err::GeneralError, "internal error in the network service");
    }
    if (!st) {
        reply->Clear();
        reply->mutable_error()->set_code(std::string(err_name(st.code())));
        reply->mutable_error()->set_message(st.message());
    }
    reply->set_tag(rq.tag());
}

// One stream: read an entry, answer it, read the next. Runs on gRPC's callback threads; owns
// itself (deleted in OnDone).
class DeviceService::BatchReactor final
    : public grpc::ServerBidiReactor<pb::BatchRequest, pb::BatchReply> {
public:
    BatchReactor(DeviceService& service, grpc::CallbackServerContext* ctx)
        : m_service(service), m_ctx(ctx) {
        m_open = m_service.stream_opened(ctx);
        if (!m_open) {
            Finish(to_grpc(error(Err::DeviceError, "the appliance is shutting down")));
            return;
        }
        StartRead(&m_request);
    }
    void OnReadDone(bool ok) override {
        if (!ok) {  // the client half-closed, went away, or drain() cancelled an idle stream
            Finish(grpc::Status::OK);
            return;
        }
        m_service.stream_busy(m_ctx, true);
        if (m_ctx->IsCancelled()) {  // cancelled between the read and the mark: not run
            Finish(grpc::Status::OK);
            return;
        }
        m_reply.Clear();
        m_service.batch_entry(*m_ctx, m_request, &m_reply);
        StartWrite(&m_reply);
    }
    void OnWriteDone(bool ok) override {
        // Not ok: the client has gone. Draining: this entry was the last.
        if (!m_service.stream_busy(m_ctx, false) || !ok) {
            Finish(grpc::Status::OK);
            return;
        }
        StartRead(&m_request);
    }
    void OnDone() override {
        if (m_open) m_service.stream_closed(m_ctx);
        delete this;
    }

private:
    DeviceService& m_service;
    grpc::CallbackServerContext* m_ctx;
    bool m_open = false;
    pb::BatchRequest m_request;
    pb::BatchReply m_reply;
};

grpc::ServerBidiReactor<pb::BatchRequest, pb::BatchReply>* DeviceService::Batch(
    grpc::CallbackServerContext* c) {
    return new BatchReactor(*this, c);
}

}  // namespace sr::net
