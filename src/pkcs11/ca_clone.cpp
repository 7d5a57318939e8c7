// Luna cloning entry points (luna-reference §5.2, §6.1) over the engine's three-step protocol
// (docs/design/clone-protocol.md): CA_CloneAsTargetInit is the target's hello ("part 1"),
// CA_CloneAsSource seals one object for it ("part 2"), CA_CloneAsTarget lands it;
// CA_CloneObject runs all three between two sessions of this application. The module only
// relays opaque bytes. TWC/CWC and bReplicate are accepted and unused: the device certificate
// chain travels in the hello, and HA replication is the same exchange.
#include <functional>
#include <string>

#include "pkcs11/entry.h"
#include "pkcs11/luna.h"

namespace sr::p11 {
namespace {

// Tells apart repeats of CA_CloneAsSource with other arguments (the length-query rule keeps
// one sealed object per session).
uint64_t source_request(CK_ULONG handle, ByteView hello) {
    const std::string_view bytes(reinterpret_cast<const char*>(hello.data()), hello.size());
    return std::hash<std::string_view>{}(bytes) ^
           (static_cast<uint64_t>(handle) * 0x9E3779B97F4A7C15ULL);
}

std::string describe(const hsm::CloneRefusal& r) {
    std::string who = r.label.empty() ? std::string("an object") : "object '" + r.label + "'";
    if (r.handle != 0) who += " (handle " + std::to_string(r.handle) + ")";
    return who + " was not cloned: " + r.reason;
}

// The source side for one object. A refusal by the source (policy 0 / 4, a session object, a
// handle the session cannot see) keeps its own code, so the caller learns why.
Result<Bytes> seal_one(ClientSession& s, ByteView hello, CK_ULONG handle) {
    const hsm::ObjectHandle one[] = {handle};
    SR_ASSIGN_OR_RETURN(auto r, s.dev().clone_source(s.id(), hello, one));
    if (!r.refused.empty()) {
        const auto& why = r.refused.front();
        return error(why.code == Err::Ok ? Err::FailedToCloneAnObject : why.code, describe(why));
    }
    return std::move(r.sealed);
}

// The target side: the new handle. An OUID the partition already holds is skipped
// (ObjectAlreadyExists); an object the target cannot hold is FailedToCloneAnObject; a message
// carrying no object is CloneNotAttempted. A message with several objects (a Strongroom batch)
// lands them all and answers the first new handle.
Result<CK_OBJECT_HANDLE> land(ClientSession& s, ByteView sealed) {
    SR_ASSIGN_OR_RETURN(auto r, s.dev().clone_target(s.id(), sealed));
    if (!r.imported.empty()) return CK_OBJECT_HANDLE{r.imported.front().handle};
    if (!r.refused.empty())
        return error(Err::FailedToCloneAnObject, describe(r.refused.front()) + " (" +
                                                     std::string(err_name(r.refused.front().code)) +
                                                     ")");
    if (!r.skipped.empty())
        return error(Err::ObjectAlreadyExists, "the target partition already holds the object '" +
                                                   r.skipped.front().label +
                                                   "' (same OUID); it was skipped");
    return error(Err::CloneNotAttempted, "the clone message carries no object");
}

Status clone_as_target_init(CK_SESSION_HANDLE session, CK_BYTE_PTR twc, CK_ULONG twc_len,
                            CK_BYTE_PTR cwc, CK_ULONG cwc_len, CK_BYTE_PTR part1,
                            CK_ULONG_PTR part1_len) {
    SR_TRY(in_bytes(twc, twc_len).status());
    SR_TRY(in_bytes(cwc, cwc_len).status());
    return with_session(session, [&](ClientSession& s) {
        return produce(
            s, PendingCall::CloneHello, [&] { return s.dev().clone_hello(s.id()); }, part1,
            part1_len);
    });
}

Status clone_as_source(CK_SESSION_HANDLE session, CK_ULONG handle, CK_BYTE_PTR part1,
                       CK_ULONG part1_len, CK_BYTE_PTR part2, CK_ULONG_PTR part2_len) {
    SR_ASSIGN_OR_RETURN(ByteView hello, in_bytes(part1, part1_len));
    if (hello.empty()) return error(Err::ArgumentsBad, "part 1 (the target's hello) is empty");
    return with_session(session, [&](ClientSession& s) {
        return produce(
            s, PendingCall::CloneSource, [&] { return seal_one(s, hello, handle); }, part2,
            part2_len, source_request(handle, hello));
    });
}

Status clone_as_target(CK_SESSION_HANDLE session, CK_BYTE_PTR part1, CK_ULONG part1_len,
                       CK_BYTE_PTR part2, CK_ULONG part2_len, CK_OBJECT_HANDLE_PTR out) {
    SR_TRY(need(out));
    // Part 1 is not needed again: the target session remembers the hello it issued.
    SR_TRY(in_bytes(part1, part1_len).status());
    SR_ASSIGN_OR_RETURN(ByteView sealed, in_bytes(part2, part2_len));
    if (sealed.empty()) return error(Err::ArgumentsBad, "part 2 (the sealed object) is empty");
    *out = CK_INVALID_HANDLE;
    return with_session(session, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(*out, land(s, sealed));
        return {};
    });
}

// Each session is locked only for its own step, so the two locks are never held together.
Status clone_object(CK_SESSION_HANDLE target, CK_SESSION_HANDLE source, CK_OBJECT_HANDLE object,
                    CK_OBJECT_HANDLE_PTR out) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_TRY(m->client().session(target).status());
    SR_TRY(m->client().session(source).status());
    SR_TRY(need(out));
    *out = CK_INVALID_HANDLE;
    Bytes hello, sealed;
    SR_TRY(with_session(target, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(hello, s.dev().clone_hello(s.id()));
        return {};
    }));
    SR_TRY(with_session(source, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(sealed, seal_one(s, hello, object));
        return {};
    }));
    return with_session(target, [&](ClientSession& s) -> Status {
        SR_ASSIGN_OR_RETURN(*out, land(s, sealed));
        return {};
    });
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV CA_CloneAsTargetInit(CK_SESSION_HANDLE session, CK_BYTE_PTR twc,
                                         CK_ULONG twc_len, CK_BYTE_PTR cwc, CK_ULONG cwc_len,
                                         CK_BBOOL, CK_BYTE_PTR part1, CK_ULONG_PTR part1_len) {
    return guard("CA_CloneAsTargetInit", [&] {
        return clone_as_target_init(session, twc, twc_len, cwc, cwc_len, part1, part1_len);
    });
}

SR_P11_EXPORT CK_RV CA_CloneAsSource(CK_SESSION_HANDLE session, CK_ULONG, CK_ULONG handle,
                                     CK_BYTE_PTR part1, CK_ULONG part1_len, CK_BBOOL,
                                     CK_BYTE_PTR part2, CK_ULONG_PTR part2_len) {
    return guard("CA_CloneAsSource", [&] {
        return clone_as_source(session, handle, part1, part1_len, part2, part2_len);
    });
}

SR_P11_EXPORT CK_RV CA_CloneAsTarget(CK_SESSION_HANDLE session, CK_BYTE_PTR part1,
                                     CK_ULONG part1_len, CK_BYTE_PTR part2, CK_ULONG part2_len,
                                     CK_ULONG, CK_ULONG, CK_BBOOL, CK_OBJECT_HANDLE_PTR cloned) {
    return guard("CA_CloneAsTarget", [&] {
        return clone_as_target(session, part1, part1_len, part2, part2_len, cloned);
    });
}

SR_P11_EXPORT CK_RV CA_CloneObject(CK_SESSION_HANDLE target, CK_SESSION_HANDLE source, CK_ULONG,
                                   CK_OBJECT_HANDLE object, CK_OBJECT_HANDLE_PTR clone) {
    return guard("CA_CloneObject", [&] { return clone_object(target, source, object, clone); });
}
