// Open Batch streams of one channel, reused across calls: an operation step sent on a stream
// that is already open costs one message each way instead of a new HTTP/2 stream, call
// metadata and authentication (docs/design/network-protocol.md, "Operation steps").
// Thread-safe: a stream carries one exchange at a time; concurrent callers get different ones.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>

#include "common/mutex.h"
#include "common/result.h"
#include "strongroom/v1/device.grpc.pb.h"

namespace sr::net {

namespace pb = ::strongroom::v1;

// A stream is taken for new exchanges only while younger than this; then it is closed, so a
// client's long-lived streams still meet the server's per-stream checks regularly and an
// exchange always has at least kCallDeadline (remote_device_impl.h) left.
inline constexpr std::chrono::seconds kMaxStreamAge{60};
// Idle streams kept open beyond this count are closed when returned.
inline constexpr size_t kMaxIdleStreams = 16;

// A BatchError reply as a Status (an unknown code name is DeviceError).
Status from_batch_error(const pb::BatchError& e);

class BatchStreams final {
public:
    // Maps a failed stream's gRPC status to the Status a caller sees (RemoteDevice names the
    // server there).
    using ErrorMap = std::function<Status(const grpc::Status&)>;

    BatchStreams(pb::Device::Stub& stub, ErrorMap map_error, std::chrono::seconds call_deadline);
    // Cancels the idle streams; no exchange may be running.
    ~BatchStreams();
    BatchStreams(const BatchStreams&) = delete;
    BatchStreams& operator=(const BatchStreams&) = delete;

    // Sends `rq` on an idle (or new) stream and waits for its reply; a reply carrying a
    // BatchError is returned as is (the caller decides). A pooled stream found broken before
    // `rq` left it (the server restarted or the connection dropped while it was idle) is
    // replaced once, so the request reaches the server that answers now; a failure after `rq`
    // left is the transport error (the request may have run).
    Result<pb::BatchReply> exchange(const pb::BatchRequest& rq);

    size_t idle_count() const;

private:
    struct Stream {
        grpc::ClientContext ctx;
        std::unique_ptr<grpc::ClientReaderWriter<pb::BatchRequest, pb::BatchReply>> rw;
        std::chrono::steady_clock::time_point born;
        bool used = false;
    };

    std::unique_ptr<Stream> checkout();
    void give_back(std::unique_ptr<Stream> s);
    // The stream's final status, mapped; a stream that ended OK mid-exchange is DeviceError.
    Status failure(Stream& s);

    pb::Device::Stub& m_stub;
    ErrorMap m_map_error;
    std::chrono::seconds m_call_deadline;
    mutable Mutex m_mu;
    std::vector<std::unique_ptr<Stream>> m_idle SR_GUARDED_BY(m_mu);
};

}  // namespace sr::net
