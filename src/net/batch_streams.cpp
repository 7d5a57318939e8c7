#include "net/batch_streams.h"

#include <utility>

namespace sr::net {

Status from_batch_error(const pb::BatchError& e) {
    std::optional<Err> code = err_from_name(e.code());
    if (!code || *code == Err::Ok)
        return Status(Err::DeviceError, "the server answered an unknown error " + e.code() +
                                            ": " + e.message());
    return Status(*code, e.message());
}

BatchStreams::BatchStreams(pb::Device::Stub& stub, ErrorMap map_error,
                           std::chrono::seconds call_deadline)
    : m_stub(stub), m_map_error(std::move(map_error)), m_call_deadline(call_deadline) {}

BatchStreams::~BatchStreams() {
    std::vector<std::unique_ptr<Stream>> idle;
    {
        MutexLock lock(m_mu);
        idle.swap(m_idle);
    }
    // Cancelled rather than half-closed: ending costs no round trip, and the server's handler
    // for each stream ends at once.
    for (auto& s : idle) {
        s->ctx.TryCancel();
        (void)s->rw->Finish();
    }
}

size_t BatchStreams::idle_count() const {
    MutexLock lock(m_mu);
    return m_idle.size();
}

std::unique_ptr<BatchStreams::Stream> BatchStreams::checkout() {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Stream>> expired;
    std::unique_ptr<Stream> out;
    {
        MutexLock lock(m_mu);
        while (!m_idle.empty() && !out) {
            std::unique_ptr<Stream> s = std::move(m_idle.back());
            m_idle.pop_back();
            if (now - s->born < kMaxStreamAge) out = std::move(s);
            else expired.push_back(std::move(s));
        }
    }
    for (auto& s : expired) {
        s->rw->WritesDone();
        (void)s->rw->Finish();
    }
    if (out) return out;
    out = std::make_unique<Stream>();
    out->born = now;
    out->ctx.set_deadline(std::chrono::system_clock::now() + kMaxStreamAge + m_call_deadline);
    out->ctx.set_wait_for_ready(false);
    out->rw = m_stub.Batch(&out->ctx);
    return out;
}

void BatchStreams::give_back(std::unique_ptr<Stream> s) {
    {
        MutexLock lock(m_mu);
        if (m_idle.size() < kMaxIdleStreams) {
            m_idle.push_back(std::move(s));
            return;
        }
    }
    s->rw->WritesDone();
    (void)s->rw->Finish();
}

Status BatchStreams::failure(Stream& s) {
    grpc::Status st = s.rw->Finish();
    if (st.ok())
        st = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server ended the batch stream");
    return m_map_error(st);
}

Result<pb::BatchReply> BatchStreams::exchange(const pb::BatchRequest& rq) {
    for (int attempt = 0;; ++attempt) {
        std::unique_ptr<Stream> s = checkout();
        if (!s->rw->Write(rq)) {
            // The request never left: the stream had failed while idle. One fresh stream.
            const bool stale = s->used;
            Status st = failure(*s);
            if (stale && attempt == 0) continue;
            return st;
        }
        pb::BatchReply reply;
        if (!s->rw->Read(&reply)) return failure(*s);
        s->used = true;
        give_back(std::move(s));
        return reply;
    }
}

}  // namespace sr::net
