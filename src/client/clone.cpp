// Clone orchestration: chunks the handles, relays one hello and one sealed message per batch,
// and merges the per-batch results into one report.
#include "client/clone.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace sr::client {
namespace {

constexpr size_t kListChunk = 4096;

// One exchange: hello from the target, sealed by the source, imported by the target.
Status clone_batch(hsm::Device& source, hsm::SessionId source_session, hsm::Device& target,
                   hsm::SessionId target_session, std::span<const hsm::ObjectHandle> batch,
                   CloneReport& report) {
    SR_ASSIGN_OR_RETURN(Bytes hello, target.clone_hello(target_session));
    report.bytes_relayed += hello.size();
    SR_ASSIGN_OR_RETURN(hsm::CloneSourceResult sealed,
                        source.clone_source(source_session, hello, batch));
    for (hsm::CloneRefusal& r : sealed.refused)
        report.refused.push_back({CloneSide::Source, std::move(r)});
    if (sealed.sent.empty()) return {};  // nothing to carry; the hello simply expires
    report.bytes_relayed += sealed.sealed.size();
    SR_ASSIGN_OR_RETURN(hsm::CloneTargetResult landed,
                        target.clone_target(target_session, sealed.sealed));
    std::move(landed.imported.begin(), landed.imported.end(), std::back_inserter(report.cloned));
    std::move(landed.skipped.begin(), landed.skipped.end(), std::back_inserter(report.skipped));
    for (hsm::CloneRefusal& r : landed.refused)
        report.refused.push_back({CloneSide::Target, std::move(r)});
    return {};
}

}  // namespace

Result<CloneReport> clone_objects(hsm::Device& source, hsm::SessionId source_session,
                                  hsm::Device& target, hsm::SessionId target_session,
                                  std::span<const hsm::ObjectHandle> objects,
                                  const CloneOptions& options, const CloneProgressFn& progress) {
    if (options.batch_size == 0) return error(Err::ArgumentsBad, "the clone batch size is 0");
    CloneReport report;
    const size_t total = objects.size();
    for (size_t done = 0; done < total;) {
        const size_t n = std::min(options.batch_size, total - done);
        Status st = clone_batch(source, source_session, target, target_session,
                                objects.subspan(done, n), report);
        if (!st) {
            if (done == 0) return st;
            return error(st.code(), "cloning stopped after " + std::to_string(done) + " of " +
                                        std::to_string(total) + " objects (" +
                                        std::to_string(report.cloned.size()) +
                                        " cloned; run it again to finish): " + st.message());
        }
        done += n;
        ++report.batches;
        if (progress) progress({done, total});
    }
    return report;
}

Result<std::vector<hsm::ObjectHandle>> list_token_objects(hsm::Device& device,
                                                          hsm::SessionId session) {
    SR_TRY(device.find_init(session, hsm::AttributeSet{}));
    std::vector<hsm::ObjectHandle> all;
    Status st;
    for (;;) {
        auto chunk = device.find_next(session, kListChunk);
        if (!chunk) {
            st = chunk.status();
            break;
        }
        // An empty template also finds the session's own session objects; they never clone.
        for (hsm::ObjectHandle h : *chunk)
            if (h < hsm::kSessionHandleBase) all.push_back(h);
        if (chunk->size() < kListChunk) break;
    }
    Status fin = device.find_final(session);
    if (!st) return st;
    if (!fin) return fin;
    return all;
}

}  // namespace sr::client
