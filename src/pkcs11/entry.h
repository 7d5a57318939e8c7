// What every chapter file needs to define entry points: the export attribute, the guard, the
// module and session access, the ABI helpers, and `produce` — the length-query rule for
// operation outputs (v2.40 §5.2) over a session's pending output.
#pragma once

#include <utility>

#include "client/client.h"
#include "pkcs11/abi.h"
#include "pkcs11/ck.h"
#include "pkcs11/guard.h"
#include "pkcs11/mech_params.h"
#include "pkcs11/module.h"

#define SR_P11_EXPORT extern "C" __attribute__((visibility("default")))

namespace sr::p11 {

using client::ClientSession;
using client::PendingCall;

// Forgets a pending output left by an abandoned length query of the same operation family
// (called by each *Init).
void forget_pending(ClientSession& s, std::initializer_list<PendingCall> family);

// Hands out the output of `compute` under the length-query rule. A call that cannot deliver
// (null or too-small buffer) keeps the result in the session, and the caller's repeat of the
// same call gets it without the engine computing again; any other outcome clears it.
// `request` identifies the arguments of calls that are not bound to a session operation.
template <class F>
Status produce(ClientSession& s, PendingCall call, F&& compute, CK_BYTE_PTR out,
               CK_ULONG_PTR out_len, uint64_t request = 0) {
    SR_TRY(need(out_len));
    if (!s.pending || s.pending->call != call || s.pending->request != request) {
        s.pending.reset();
        auto r = compute();
        if (!r.is_ok()) return std::move(r).status();
        s.pending = client::PendingOutput{call, request,
                                          SecretBytes(ByteView(r->data(), r->size()))};
    }
    Status st = out_bytes(s.pending->bytes.span(), out, out_len);
    if (out != nullptr && st.code() != Err::BufferTooSmall) s.pending.reset();
    return st;
}

}  // namespace sr::p11
