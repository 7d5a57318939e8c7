// Fuzz target: the Device service itself, fed untrusted BatchRequests over a real gRPC stream
// (in-process channel) to a real engine. The bytes are parsed as a BatchRequest; a small
// `session` value is replaced by one of the sessions this target opened (index), so inputs reach
// the engine instead of stopping at "unknown session". Every request must get exactly one
// reply with its tag — a result or a BatchError — and the stream must survive; a crash, a hang
// or a dropped stream is a finding.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include "common/env.h"
#include "hsm/factory.h"
#include "hsm/local_device.h"
#include "net/device_service.h"

namespace {

namespace pb = ::strongroom::v1;
namespace fs = std::filesystem;
using namespace sr;  // NOLINT: fuzz target brevity

void check(bool ok) {
    if (!ok) std::abort();
}

// One engine, service, server and stream for the whole run.
struct Harness {
    PosixEnv env;
    fs::path root;
    std::unique_ptr<hsm::LocalDevice> device;
    std::unique_ptr<pb::Device::Service> service;
    std::unique_ptr<grpc::Server> server;
    std::unique_ptr<pb::Device::Stub> stub;
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::ClientReaderWriter<pb::BatchRequest, pb::BatchReply>> stream;
    std::vector<uint64_t> sessions;  // wire ids: a logged-in CO session, a public session

    Harness() {
        root = fs::temp_directory_path() / ("sr-fuzz-net-service-" + std::to_string(::getpid()));
        fs::remove_all(root);
        hsm::NewDeviceSpec spec;
        spec.home = root;
        spec.form_factor = hsm::FormFactor::Pcie;
        spec.serial = 424242;
        spec.hsm_label = "fuzz";
        spec.so_password = "so-password-1";
        spec.partitions = {"p1"};
        spec.domain = "fuzz-domain";
        spec.po_password = "po-password-1";
        spec.co_password = "co-password-1";
        auto made = hsm::make_device(env, spec);
        check(made.is_ok());
        auto dev = hsm::LocalDevice::open(env, made->folder);
        check(dev.is_ok());
        device = std::move(*dev);
        // No directory: the admin view (every partition), so inputs reach everything.
        service = net::make_device_service(*device, nullptr);
        grpc::ServerBuilder builder;
        builder.RegisterService(service.get());
        server = builder.BuildAndStart();
        check(server != nullptr);
        stub = pb::Device::NewStub(server->InProcessChannel(grpc::ChannelArguments()));

        const hsm::PartitionId p1 = made->partitions.at(0).id;
        grpc::ClientContext c1;
        pb::AppRef app;
        check(stub->Attach(&c1, pb::Empty{}, &app).ok());
        for (int i = 0; i < 2; ++i) {
            grpc::ClientContext c;
            pb::OpenSessionRequest rq;
            rq.set_app(app.app());
            rq.set_partition(p1);
            rq.set_read_write(true);
            pb::SessionRef s;
            check(stub->OpenSession(&c, rq, &s).ok());
            sessions.push_back(s.session());
        }
        grpc::ClientContext c2;
        pb::LoginRequest login;
        login.set_session(sessions.front());
        login.set_role("co");
        login.set_password("co-password-1");
        pb::Empty none;
        check(stub->Login(&c2, login, &none).ok());
        stream = stub->Batch(&ctx);
    }
};

// Never destroyed: gRPC's threads outlive main, and tearing the server down during static
// destruction races them. Still reachable, so not a leak; only the folder is removed at exit.
fs::path g_root;
Harness& harness() {
    static Harness* h = [] {
        auto* made = new Harness;
        g_root = made->root;
        std::atexit([] { fs::remove_all(g_root); });
        return made;
    }();
    return *h;
}

// The call's `session` field, when small, names one of the harness's sessions.
void aim_sessions(pb::BatchRequest* rq, const std::vector<uint64_t>& sessions) {
    const google::protobuf::Reflection* refl = rq->GetReflection();
    const google::protobuf::OneofDescriptor* call = rq->GetDescriptor()->FindOneofByName("call");
    const google::protobuf::FieldDescriptor* set = refl->GetOneofFieldDescriptor(*rq, call);
    if (set == nullptr || set->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) return;
    google::protobuf::Message* msg = refl->MutableMessage(rq, set);
    const google::protobuf::FieldDescriptor* session =
        msg->GetDescriptor()->FindFieldByName("session");
    using Field = google::protobuf::FieldDescriptor;
    if (session == nullptr || session->cpp_type() != Field::CPPTYPE_UINT64) return;
    const uint64_t v = msg->GetReflection()->GetUInt64(*msg, session);
    if (v < sessions.size()) msg->GetReflection()->SetUInt64(msg, session, sessions[v]);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    pb::BatchRequest rq;
    if (!rq.ParseFromArray(data, static_cast<int>(size))) return 0;
    Harness& h = harness();
    aim_sessions(&rq, h.sessions);
    check(h.stream->Write(rq));
    pb::BatchReply reply;
    check(h.stream->Read(&reply));
    check(reply.tag() == rq.tag());
    check(reply.result_case() != pb::BatchReply::RESULT_NOT_SET);
    return 0;
}
