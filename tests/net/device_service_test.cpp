// The Device service over real mutual TLS on loopback: who the caller is, what it may see,
// whose apps and sessions are whose, ids across server runs, errors on the wire, the batch
// stream (docs/design/network-protocol.md).
#include "crypto/mechanism.h"
#include "hsm/attributes.h"
#include "net/convert.h"
#include "service_fixture.h"

#include <atomic>
#include <thread>

namespace sr::net::test {
namespace {

namespace mech = crypto::mech;
constexpr uint64_t kOtherBoot = uint64_t{1} << 40;  // flips one bit of the boot prefix

using DeviceService = ServiceFixture;

Err err_of(const grpc::Status& st) {
    return from_grpc(st).code();
}

TEST_F(DeviceService, UnregisteredCertificateIsRefused) {
    TlsIdentity stranger = make_identity(crypto::TlsRole::Client, "stranger");
    auto s = stub(stranger);
    pb::DeviceInfo out;
    grpc::Status st = s->Info(ctx().get(), pb::Empty{}, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(st.error_details(), "UserNotAuthorized");
    pb::AppRef app;
    EXPECT_EQ(err_of(s->Attach(ctx().get(), pb::Empty{}, &app)), Err::UserNotAuthorized);
}

TEST_F(DeviceService, DeletedClientIsRefusedOnItsNextCall) {
    auto a = stub(m_a);
    pb::DeviceInfo out;
    ASSERT_TRUE(a->Info(ctx().get(), pb::Empty{}, &out).ok());
    m_directory.remove("a");
    EXPECT_EQ(err_of(a->Info(ctx().get(), pb::Empty{}, &out)), Err::UserNotAuthorized);
}

TEST_F(DeviceService, ClientSeesOnlyItsPartitionsInAssignmentOrder) {
    auto a = stub(m_a);
    auto b = stub(m_b);
    EXPECT_EQ(partition_ids(*a), (std::vector<uint64_t>{m_p1}));
    EXPECT_EQ(partition_ids(*b), (std::vector<uint64_t>{m_p3, m_p2}));
    pb::DeviceInfo info;
    ASSERT_TRUE(a->Info(ctx().get(), pb::Empty{}, &info).ok());
    EXPECT_EQ(info.partition_count(), 1u);
    ASSERT_TRUE(b->Info(ctx().get(), pb::Empty{}, &info).ok());
    EXPECT_EQ(info.partition_count(), 2u);
}

TEST_F(DeviceService, AdminSocketSeesEverything) {
    auto admin = admin_stub();
    auto ids = partition_ids(*admin);
    EXPECT_NE(std::find(ids.begin(), ids.end(), m_p1), ids.end());
    EXPECT_NE(std::find(ids.begin(), ids.end(), m_p2), ids.end());
    EXPECT_NE(std::find(ids.begin(), ids.end(), m_p3), ids.end());
    pb::PolicyList policies;
    EXPECT_TRUE(admin->HsmPolicies(ctx().get(), pb::Empty{}, &policies).ok());
    uint64_t app = attach(*admin);
    EXPECT_TRUE(open(*admin, app, hsm::kAdminPartition).is_ok());
}

TEST_F(DeviceService, UnassignedPartitionAnswersExactlyLikeANonexistentOne) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    for (hsm::PartitionId p : {m_p2, hsm::kAdminPartition, hsm::PartitionId{9999}}) {
        SCOPED_TRACE(p);
        pb::PartitionRef ref;
        ref.set_partition(p);
        pb::PartitionInfo info;
        Status st = from_grpc(a->GetPartitionInfo(ctx().get(), ref, &info));
        EXPECT_EQ(st.code(), Err::SlotIdInvalid);
        EXPECT_EQ(st.message(), "no partition with id " + std::to_string(p));
        EXPECT_EQ(open(*a, app, p).code(), Err::SlotIdInvalid);
        pb::PolicyList policies;
        EXPECT_EQ(err_of(a->PartitionPolicies(ctx().get(), ref, &policies)), Err::SlotIdInvalid);
        pb::RoleStateRequest role;
        role.set_partition(p);
        role.set_role("co");
        pb::RoleState state;
        EXPECT_EQ(err_of(a->GetRoleState(ctx().get(), role, &state)), Err::SlotIdInvalid);
        pb::CloseAllSessionsRequest close;
        close.set_app(app);
        close.set_partition(p);
        pb::Empty empty;
        EXPECT_EQ(err_of(a->CloseAllSessions(ctx().get(), close, &empty)), Err::SlotIdInvalid);
    }
    // The nonexistent partition gives the same words through the admin socket (the engine's).
    auto admin = admin_stub();
    pb::PartitionRef ref;
    ref.set_partition(9999);
    pb::PartitionInfo info;
    EXPECT_EQ(from_grpc(admin->GetPartitionInfo(ctx().get(), ref, &info)).message(),
              "no partition with id 9999");
}

TEST_F(DeviceService, HsmAdministrationIsRefusedForNetworkClients) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    pb::Empty empty;
    pb::HsmInitRequest init;
    init.set_app(app);
    EXPECT_EQ(err_of(a->InitHsm(ctx().get(), init, &empty)), Err::OperationNotAllowed);
    pb::CreatePartitionRequest create;
    create.set_app(app);
    create.set_name("p9");
    pb::PartitionRef ref;
    EXPECT_EQ(err_of(a->CreatePartition(ctx().get(), create, &ref)), Err::OperationNotAllowed);
    pb::DeletePartitionRequest del;
    del.set_app(app);
    del.set_partition(m_p1);
    EXPECT_EQ(err_of(a->DeletePartition(ctx().get(), del, &empty)), Err::OperationNotAllowed);
    pb::SetHsmPoliciesRequest set;
    set.set_app(app);
    pb::PolicyChangeResult change;
    EXPECT_EQ(err_of(a->SetHsmPolicies(ctx().get(), set, &change)), Err::OperationNotAllowed);
    pb::PolicyList policies;
    EXPECT_EQ(err_of(a->HsmPolicies(ctx().get(), pb::Empty{}, &policies)),
              Err::OperationNotAllowed);
    EXPECT_EQ(partition_ids(*admin_stub()).size(), 3u);  // nothing was deleted
}

TEST_F(DeviceService, PartitionPoliciesOfAnAssignedPartitionAreReadable) {
    auto a = stub(m_a);
    pb::PartitionRef ref;
    ref.set_partition(m_p1);
    pb::PolicyList policies;
    grpc::Status st = a->PartitionPolicies(ctx().get(), ref, &policies);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_GT(policies.policies_size(), 0);
}

TEST_F(DeviceService, PartitionSoWorkIsAllowedOnAnAssignedPartitionOnly) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    ASSERT_TRUE(login(*a, *s, "po", kPoPw).is_ok());
    pb::PartitionRef ref;
    ref.set_partition(m_p1);
    pb::PolicyList current;
    ASSERT_TRUE(a->PartitionPolicies(ctx().get(), ref, &current).ok());
    ASSERT_GT(current.policies_size(), 0);

    pb::SetPartitionPoliciesRequest set;
    set.set_app(app);
    set.set_partition(m_p1);
    *set.add_changes() = current.policies(0);  // unchanged value: allowed, not destructive
    pb::PolicyChangeResult result;
    grpc::Status st = a->SetPartitionPolicies(ctx().get(), set, &result);
    EXPECT_TRUE(st.ok()) << st.error_details() << ": " << st.error_message();
    set.set_partition(m_p2);
    EXPECT_EQ(err_of(a->SetPartitionPolicies(ctx().get(), set, &result)), Err::SlotIdInvalid);

    pb::InitPartitionRequest init;
    init.set_app(app);
    init.set_partition(m_p2);
    init.set_label("taken");
    init.set_so_password(kPoPw);
    init.set_domain("other-domain");
    pb::Empty empty;
    EXPECT_EQ(err_of(a->InitPartition(ctx().get(), init, &empty)), Err::SlotIdInvalid);
    pb::PartitionInfo info;
    ref.set_partition(m_p2);
    ASSERT_TRUE(admin_stub()->GetPartitionInfo(ctx().get(), ref, &info).ok());
    EXPECT_NE(info.label(), "taken");
}

TEST_F(DeviceService, AnotherClientsSessionAndAppDoNotExistForIt) {
    auto a = stub(m_a);
    auto b = stub(m_b);
    uint64_t app_a = attach(*a);
    auto session_a = open(*a, app_a, m_p1);
    ASSERT_TRUE(session_a.is_ok()) << session_a.status().to_string();
    // B may even be assigned the same partition: ownership is per client.
    m_directory.assign("b", m_p1);

    EXPECT_EQ(session_info(*b, *session_a).code(), Err::SessionHandleInvalid);
    EXPECT_EQ(login(*b, *session_a, "co", kCoPw).code(), Err::SessionHandleInvalid);
    pb::SessionRef ref;
    ref.set_session(*session_a);
    pb::Empty empty;
    EXPECT_EQ(err_of(b->CloseSession(ctx().get(), ref, &empty)), Err::SessionHandleInvalid);
    // Another client's app answers as an app the engine does not know.
    EXPECT_EQ(open(*b, app_a, m_p1).code(), Err::ArgumentsBad);
    pb::AppRef app_ref;
    app_ref.set_app(app_a);
    EXPECT_EQ(err_of(b->Detach(ctx().get(), app_ref, &empty)), Err::ArgumentsBad);
    // A's session is untouched by all of that.
    EXPECT_TRUE(session_info(*a, *session_a).is_ok());
}

TEST_F(DeviceService, ConcurrentClientsEachKeepOnlyTheirOwnSessions) {
    // Two clients open and close sessions at once from several threads; every session stays
    // usable by its owner and invisible to the other throughout.
    m_directory.assign("b", m_p1);
    auto a = stub(m_a);
    auto b = stub(m_b);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            pb::Device::Stub& mine = t % 2 ? *a : *b;
            pb::Device::Stub& other = t % 2 ? *b : *a;
            uint64_t app = attach(mine);
            for (int i = 0; i < 5; ++i) {
                auto s = open(mine, app, m_p1);
                if (!s || !session_info(mine, *s).is_ok() ||
                    session_info(other, *s).code() != Err::SessionHandleInvalid)
                    ++failures;
                pb::SessionRef ref;
                ref.set_session(s ? *s : 0);
                pb::Empty empty;
                if (!mine.CloseSession(ctx().get(), ref, &empty).ok()) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
}

TEST_F(DeviceService, RevokedAssignmentRefusesNewSessionsOnly) {
    auto a = stub(m_a);
    m_directory.assign("a", m_p3);
    uint64_t app = attach(*a);
    auto before = open(*a, app, m_p3);
    ASSERT_TRUE(before.is_ok()) << before.status().to_string();
    m_directory.revoke("a", m_p3);
    EXPECT_EQ(open(*a, app, m_p3).code(), Err::SlotIdInvalid);
    EXPECT_EQ(partition_ids(*a), (std::vector<uint64_t>{m_p1}));
    // Documented: an existing session goes on until it is closed.
    EXPECT_TRUE(session_info(*a, *before).is_ok());
}

TEST_F(DeviceService, DetachClosesTheAppsSessions) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    pb::AppRef ref;
    ref.set_app(app);
    pb::Empty empty;
    ASSERT_TRUE(a->Detach(ctx().get(), ref, &empty).ok());
    EXPECT_EQ(session_info(*a, *s).code(), Err::SessionHandleInvalid);
    EXPECT_EQ(open(*a, app, m_p1).code(), Err::ArgumentsBad);
}

TEST_F(DeviceService, IdsFromAnotherServerRunAreRecognised) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    pb::SessionInfo info;
    ASSERT_TRUE(session_info(*a, *s, &info).is_ok());
    EXPECT_EQ(info.app(), app);  // the session reports its app by wire id
    EXPECT_EQ(info.partition(), m_p1);

    EXPECT_EQ(session_info(*a, *s ^ kOtherBoot).code(), Err::SessionHandleInvalid);
    EXPECT_EQ(session_info(*a, *s & (kOtherBoot - 1)).code(), Err::SessionHandleInvalid);
    Status stale_app = open(*a, app ^ kOtherBoot, m_p1).status();
    EXPECT_EQ(stale_app.code(), Err::CryptokiNotInitialized);
    EXPECT_EQ(stale_app.message(), "unknown application (the server restarted?)");
}

TEST_F(DeviceService, AfterARestartOldIdsAreForeignAndNewOnesWork) {
    uint64_t old_app = 0;
    uint64_t old_session = 0;
    {
        auto a = stub(m_a);
        old_app = attach(*a);
        auto s = open(*a, old_app, m_p1);
        ASSERT_TRUE(s.is_ok());
        old_session = *s;
    }
    restart();
    auto a = stub(m_a);
    // The reopened engine numbers from 1 again: without the boot prefix the old ids would name
    // the new app and session below.
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    EXPECT_NE(app, old_app);
    EXPECT_NE(*s, old_session);
    EXPECT_EQ(app & (kOtherBoot - 1), old_app & (kOtherBoot - 1));
    EXPECT_EQ(session_info(*a, old_session).code(), Err::SessionHandleInvalid);
    Status stale = open(*a, old_app, m_p1).status();
    EXPECT_EQ(stale.code(), Err::CryptokiNotInitialized);
    EXPECT_EQ(stale.message(), "unknown application (the server restarted?)");
    EXPECT_TRUE(session_info(*a, *s).is_ok());
}

TEST_F(DeviceService, ErrorsArriveWithTheirCodeName) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    pb::LoginRequest rq;
    rq.set_session(*s);
    rq.set_role("co");
    rq.set_password("wrong-password-1");
    pb::Empty empty;
    grpc::Status st = a->Login(ctx().get(), rq, &empty);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(st.error_details(), "PinIncorrect");
    rq.set_role("root");
    EXPECT_EQ(err_of(a->Login(ctx().get(), rq, &empty)), Err::ArgumentsBad);
}

hsm::AttributeSet ec_public() {
    hsm::AttributeSet t;
    t.set_bool(hsm::attr::kToken, false);
    t.set_bool(hsm::attr::kVerify, true);
    t.set_bytes(hsm::attr::kEcParams, *crypto::curve_params_der("P-256"));
    return t;
}
hsm::AttributeSet ec_private() {
    hsm::AttributeSet t;
    t.set_bool(hsm::attr::kToken, false);
    t.set_bool(hsm::attr::kPrivate, true);
    t.set_bool(hsm::attr::kSensitive, true);
    t.set_bool(hsm::attr::kSign, true);
    return t;
}

TEST_F(DeviceService, LoginGenerateSignVerifyWorksEndToEnd) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    ASSERT_TRUE(login(*a, *s, "co", kCoPw).is_ok());

    pb::GenerateKeyPairRequest gen;
    gen.set_session(*s);
    to_proto(crypto::Mechanism{mech::kEcKeyPairGen, {}}, gen.mutable_mechanism());
    to_proto(ec_public(), gen.mutable_public_template());
    to_proto(ec_private(), gen.mutable_private_template());
    pb::KeyPairHandles kp;
    grpc::Status st = a->GenerateKeyPair(ctx().get(), gen, &kp);
    ASSERT_TRUE(st.ok()) << st.error_details() << ": " << st.error_message();

    pb::OperationInit init;
    init.set_session(*s);
    to_proto(crypto::Mechanism{mech::kEcdsaSha256, {}}, init.mutable_mechanism());
    init.set_key(kp.private_key());
    pb::Empty empty;
    ASSERT_TRUE(a->SignInit(ctx().get(), init, &empty).ok());
    pb::SessionData data;
    data.set_session(*s);
    data.set_data("signed over the network");
    pb::BytesValue sig;
    ASSERT_TRUE(a->Sign(ctx().get(), data, &sig).ok());
    EXPECT_EQ(sig.value().size(), 64u);

    init.set_key(kp.public_key());
    ASSERT_TRUE(a->VerifyInit(ctx().get(), init, &empty).ok());
    pb::VerifyRequest verify;
    verify.set_session(*s);
    verify.set_data(data.data());
    verify.set_signature(sig.value());
    EXPECT_TRUE(a->Verify(ctx().get(), verify, &empty).ok());
    ASSERT_TRUE(a->VerifyInit(ctx().get(), init, &empty).ok());
    verify.set_data("something else");
    EXPECT_EQ(err_of(a->Verify(ctx().get(), verify, &empty)), Err::SignatureInvalid);
}

TEST_F(DeviceService, BatchStreamAnswersEveryEntryInOrderAndGoesOnAfterErrors) {
    auto a = stub(m_a);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    ASSERT_TRUE(login(*a, *s, "co", kCoPw).is_ok());
    pb::GenerateKeyPairRequest gen;
    gen.set_session(*s);
    to_proto(crypto::Mechanism{mech::kEcKeyPairGen, {}}, gen.mutable_mechanism());
    to_proto(ec_public(), gen.mutable_public_template());
    to_proto(ec_private(), gen.mutable_private_template());
    pb::KeyPairHandles kp;
    ASSERT_TRUE(a->GenerateKeyPair(ctx().get(), gen, &kp).ok());

    std::vector<pb::BatchRequest> requests(6);
    requests[0].set_tag(10);  // sign_init: ok
    requests[0].mutable_sign_init()->set_session(*s);
    to_proto(crypto::Mechanism{mech::kEcdsaSha256, {}},
             requests[0].mutable_sign_init()->mutable_mechanism());
    requests[0].mutable_sign_init()->set_key(kp.private_key());
    requests[1].set_tag(11);  // sign: ok
    requests[1].mutable_sign()->set_session(*s);
    requests[1].mutable_sign()->set_data("one");
    requests[2].set_tag(12);  // sign again: no active operation
    requests[2].mutable_sign()->set_session(*s);
    requests[2].mutable_sign()->set_data("two");
    requests[3].set_tag(13);  // a session of another boot
    requests[3].mutable_find_final()->set_session(*s ^ kOtherBoot);
    requests[4].set_tag(14);  // no call at all
    requests[5].set_tag(15);  // find over the session: ok
    requests[5].mutable_find_init()->set_session(*s);

    auto c = ctx();
    auto stream = a->Batch(c.get());
    for (const auto& rq : requests) ASSERT_TRUE(stream->Write(rq));
    ASSERT_TRUE(stream->WritesDone());
    std::vector<pb::BatchReply> replies;
    pb::BatchReply reply;
    while (stream->Read(&reply)) replies.push_back(reply);
    grpc::Status st = stream->Finish();
    ASSERT_TRUE(st.ok()) << st.error_message();

    ASSERT_EQ(replies.size(), requests.size());
    for (size_t i = 0; i < replies.size(); ++i) EXPECT_EQ(replies[i].tag(), 10 + i);
    EXPECT_TRUE(replies[0].has_done());
    ASSERT_TRUE(replies[1].has_bytes());
    EXPECT_EQ(replies[1].bytes().value().size(), 64u);
    EXPECT_EQ(replies[2].error().code(), "OperationNotInitialized");
    EXPECT_EQ(replies[3].error().code(), "SessionHandleInvalid");
    EXPECT_EQ(replies[4].error().code(), "FunctionNotSupported");
    EXPECT_TRUE(replies[5].has_done()) << replies[5].error().code();
}

TEST_F(DeviceService, BatchEntriesObeySessionOwnership) {
    auto a = stub(m_a);
    auto b = stub(m_b);
    uint64_t app = attach(*a);
    auto s = open(*a, app, m_p1);
    ASSERT_TRUE(s.is_ok());
    pb::BatchRequest rq;
    rq.set_tag(1);
    rq.mutable_find_init()->set_session(*s);
    auto c = ctx();
    auto stream = b->Batch(c.get());
    ASSERT_TRUE(stream->Write(rq));
    ASSERT_TRUE(stream->WritesDone());
    pb::BatchReply reply;
    ASSERT_TRUE(stream->Read(&reply));
    EXPECT_EQ(reply.error().code(), "SessionHandleInvalid");
    EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace sr::net::test
