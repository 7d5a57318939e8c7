// Device service: steps of cryptographic operations carried by the batch stream, each with the
// C_*Init a client may have deferred into it (docs/design/network-protocol.md, "Operation
// steps"). One table row per operation kind; a step an operation does not have is null.
#include <array>

#include "net/device_service_impl.h"

namespace sr::net {
namespace {

using hsm::Device;
using hsm::ObjectHandle;
using hsm::SessionId;
using Request = pb::OperationRequest;
using Reply = pb::BatchReply;

using InitFn = Status (*)(Device&, SessionId, const crypto::Mechanism&, ObjectHandle);
using StepFn = Status (*)(Device&, SessionId, const Request&, Reply*);

struct Steps {
    InitFn init = nullptr;
    StepFn single = nullptr;
    StepFn update = nullptr;
    StepFn final = nullptr;
};

Status bytes_out(Reply* out, Result<Bytes> r) { return put(out->mutable_bytes(), std::move(r)); }
Status secret_out(Reply* out, Result<SecretBytes> r) {
    return put(out->mutable_bytes(), std::move(r));
}
Status done_out(Reply* out, Status st) {
    if (st) out->mutable_done();
    return st;
}

Steps encrypt_steps() {
    return {
        [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle k) {
            return d.encrypt_init(s, m, k);
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return bytes_out(out, d.encrypt(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return bytes_out(out, d.encrypt_update(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request&, Reply* out) {
            return bytes_out(out, d.encrypt_final(s));
        },
    };
}

Steps decrypt_steps() {
    return {
        [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle k) {
            return d.decrypt_init(s, m, k);
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return secret_out(out, d.decrypt(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return secret_out(out, d.decrypt_update(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request&, Reply* out) {
            return secret_out(out, d.decrypt_final(s));
        },
    };
}

Steps sign_steps() {
    return {
        [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle k) {
            return d.sign_init(s, m, k);
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return bytes_out(out, d.sign(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return done_out(out, d.sign_update(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request&, Reply* out) {
            return bytes_out(out, d.sign_final(s));
        },
    };
}

Steps verify_steps() {
    return {
        [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle k) {
            return d.verify_init(s, m, k);
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return done_out(out, d.verify(s, view(rq.data()), view(rq.signature())));
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return done_out(out, d.verify_update(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return done_out(out, d.verify_final(s, view(rq.signature())));
        },
    };
}

Steps digest_steps() {
    return {
        [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle) {
            return d.digest_init(s, m);
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return bytes_out(out, d.digest(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request& rq, Reply* out) {
            return done_out(out, d.digest_update(s, view(rq.data())));
        },
        [](Device& d, SessionId s, const Request&, Reply* out) {
            return bytes_out(out, d.digest_final(s));
        },
    };
}

Steps sign_recover_steps() {
    Steps st;
    st.init = [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle k) {
        return d.sign_recover_init(s, m, k);
    };
    st.single = [](Device& d, SessionId s, const Request& rq, Reply* out) {
        return bytes_out(out, d.sign_recover(s, view(rq.data())));
    };
    return st;
}

Steps verify_recover_steps() {
    Steps st;
    st.init = [](Device& d, SessionId s, const crypto::Mechanism& m, ObjectHandle k) {
        return d.verify_recover_init(s, m, k);
    };
    st.single = [](Device& d, SessionId s, const Request& rq, Reply* out) {
        return bytes_out(out, d.verify_recover(s, view(rq.signature())));
    };
    return st;
}

// The row of an operation kind; nullptr for UNSPECIFIED and kinds newer than this server.
const Steps* steps_for(pb::OperationKind kind) {
    static const std::array<Steps, 8> kTable = {
        Steps{},         encrypt_steps(),      decrypt_steps(),       sign_steps(),
        verify_steps(),  digest_steps(),       sign_recover_steps(),  verify_recover_steps(),
    };
    const auto i = static_cast<size_t>(kind);
    if (kind == pb::OPERATION_KIND_UNSPECIFIED || i >= kTable.size()) return nullptr;
    return &kTable[i];
}

StepFn step_fn(const Steps& steps, pb::OperationStep step) {
    switch (step) {
        case pb::OPERATION_STEP_SINGLE:
            return steps.single;
        case pb::OPERATION_STEP_UPDATE:
            return steps.update;
        case pb::OPERATION_STEP_FINAL:
            return steps.final;
        default:
            return nullptr;
    }
}

}  // namespace

Status DeviceService::operation_call(const Caller& who, const pb::OperationRequest& rq,
                                     pb::BatchReply* reply) {
    const Steps* steps = steps_for(rq.kind());
    if (steps == nullptr) return error(Err::FunctionNotSupported, "unknown operation kind");
    const bool init_step = rq.step() == pb::OPERATION_STEP_INIT;
    const StepFn fn = init_step ? nullptr : step_fn(*steps, rq.step());
    // Refused before anything runs, so a deferred init never starts an operation whose step
    // cannot follow.
    if (!init_step && fn == nullptr)
        return error(Err::FunctionNotSupported, "unknown step for this operation");
    if (init_step && !rq.has_mechanism())
        return error(Err::ArgumentsBad, "an operation init step needs a mechanism");
    return in_session(who, rq.session(), [&](SessionId s) -> Status {
        if (rq.has_mechanism()) {
            SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq.mechanism()));
            SR_TRY(steps->init(m_device, s, m, rq.key()));
            if (init_step) {
                reply->mutable_done();
                return {};
            }
        }
        return fn(m_device, s, rq, reply);
    });
}

}  // namespace sr::net
