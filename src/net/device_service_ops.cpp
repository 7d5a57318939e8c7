// Device service: objects, key management and cryptographic operations. All of them act on a
// session the caller owns (on_session); the engine checks the rest.
#include "net/device_service_impl.h"

namespace sr::net {

// ---------------------------------------------------------------- objects

Status DeviceService::create_object_call(const Caller& who, const pb::CreateObjectRequest& rq,
                                         pb::HandleValue* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet tmpl, from_proto(rq.template_()));
        return put(out, m_device.create_object(s, tmpl));
    });
}

grpc::Status DeviceService::CreateObject(Ctx* c, const pb::CreateObjectRequest* rq,
                                         pb::HandleValue* out) {
    return serve(c, [&](const Caller& who) { return create_object_call(who, *rq, out); });
}

grpc::Status DeviceService::CopyObject(Ctx* c, const pb::CopyObjectRequest* rq,
                                       pb::HandleValue* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet changes, from_proto(rq->changes()));
        return put(out, m_device.copy_object(s, rq->handle(), changes));
    });
}

grpc::Status DeviceService::DestroyObject(Ctx* c, const pb::ObjectRef* rq, pb::Empty*) {
    return on_session(c, rq->session(),
                      [&](hsm::SessionId s) { return m_device.destroy_object(s, rq->handle()); });
}

grpc::Status DeviceService::GetAttributes(Ctx* c, const pb::GetAttributesRequest* rq,
                                          pb::AttributeReadout* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        std::vector<hsm::AttrType> types(rq->types().begin(), rq->types().end());
        SR_ASSIGN_OR_RETURN(hsm::AttributeReadout r,
                            m_device.get_attributes(s, rq->handle(), types));
        to_proto(r, out);
        return {};
    });
}

grpc::Status DeviceService::SetAttributes(Ctx* c, const pb::SetAttributesRequest* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet changes, from_proto(rq->changes()));
        return m_device.set_attributes(s, rq->handle(), changes);
    });
}

Status DeviceService::find_init_call(const Caller& who, const pb::FindInitRequest& rq) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet tmpl, from_proto(rq.template_()));
        return m_device.find_init(s, tmpl);
    });
}

grpc::Status DeviceService::FindInit(Ctx* c, const pb::FindInitRequest* rq, pb::Empty*) {
    return serve(c, [&](const Caller& who) { return find_init_call(who, *rq); });
}

Status DeviceService::find_next_call(const Caller& who, const pb::FindNextRequest& rq,
                                     pb::HandleList* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(auto found, m_device.find_next(s, rq.max_count()));
        for (hsm::ObjectHandle h : found) out->add_handles(h);
        return {};
    });
}

grpc::Status DeviceService::FindNext(Ctx* c, const pb::FindNextRequest* rq, pb::HandleList* out) {
    return serve(c, [&](const Caller& who) { return find_next_call(who, *rq, out); });
}

grpc::Status DeviceService::FindFinal(Ctx* c, const pb::SessionRef* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) { return m_device.find_final(s); });
}

// ---------------------------------------------------------------- key management

Status DeviceService::generate_key_call(const Caller& who, const pb::GenerateKeyRequest& rq,
                                        pb::HandleValue* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq.mechanism()));
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet tmpl, from_proto(rq.template_()));
        return put(out, m_device.generate_key(s, m, tmpl));
    });
}

grpc::Status DeviceService::GenerateKey(Ctx* c, const pb::GenerateKeyRequest* rq,
                                        pb::HandleValue* out) {
    return serve(c, [&](const Caller& who) { return generate_key_call(who, *rq, out); });
}

grpc::Status DeviceService::GenerateKeyPair(Ctx* c, const pb::GenerateKeyPairRequest* rq,
                                            pb::KeyPairHandles* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq->mechanism()));
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet pub, from_proto(rq->public_template()));
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet priv, from_proto(rq->private_template()));
        SR_ASSIGN_OR_RETURN(hsm::KeyPairHandles kp, m_device.generate_key_pair(s, m, pub, priv));
        out->set_public_key(kp.public_key);
        out->set_private_key(kp.private_key);
        return {};
    });
}

grpc::Status DeviceService::WrapKey(Ctx* c, const pb::WrapKeyRequest* rq, pb::BytesValue* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq->mechanism()));
        return put(out, m_device.wrap_key(s, m, rq->wrapping(), rq->key()));
    });
}

grpc::Status DeviceService::UnwrapKey(Ctx* c, const pb::UnwrapKeyRequest* rq,
                                      pb::HandleValue* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq->mechanism()));
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet tmpl, from_proto(rq->template_()));
        return put(out, m_device.unwrap_key(s, m, rq->unwrapping(), view(rq->wrapped()), tmpl));
    });
}

grpc::Status DeviceService::DeriveKey(Ctx* c, const pb::DeriveKeyRequest* rq,
                                      pb::HandleValue* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq->mechanism()));
        SR_ASSIGN_OR_RETURN(hsm::AttributeSet tmpl, from_proto(rq->template_()));
        return put(out, m_device.derive_key(s, m, rq->base(), tmpl));
    });
}

// ---------------------------------------------------------------- cryptographic operations

// A lambda rather than a pointer to member: GCC's -O1 sanitizer builds warn (maybe-uninitialized)
// on calls through member pointers here.
#define SR_NET_INIT(Rpc, method)                                                               \
    grpc::Status DeviceService::Rpc(Ctx* c, const pb::OperationInit* rq, pb::Empty*) {         \
        return serve(c, [&](const Caller& who) {                                               \
            return op_init(who, *rq,                                                           \
                           [&](hsm::SessionId s, const crypto::Mechanism& m,                   \
                               hsm::ObjectHandle key) { return m_device.method(s, m, key); }); \
        });                                                                                    \
    }
SR_NET_INIT(EncryptInit, encrypt_init)
SR_NET_INIT(DecryptInit, decrypt_init)
SR_NET_INIT(SignInit, sign_init)
SR_NET_INIT(VerifyInit, verify_init)
SR_NET_INIT(SignRecoverInit, sign_recover_init)
SR_NET_INIT(VerifyRecoverInit, verify_recover_init)
#undef SR_NET_INIT

// Data in, bytes out: single-part calls, updates, dual-function updates.
#define SR_NET_DATA_TO_BYTES(Rpc, method)                                                     \
    grpc::Status DeviceService::Rpc(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) { \
        return on_session(c, rq->session(), [&](hsm::SessionId s) {                           \
            return put(out, m_device.method(s, view(rq->data())));                            \
        });                                                                                   \
    }
SR_NET_DATA_TO_BYTES(Encrypt, encrypt)
SR_NET_DATA_TO_BYTES(EncryptUpdate, encrypt_update)
SR_NET_DATA_TO_BYTES(Decrypt, decrypt)
SR_NET_DATA_TO_BYTES(DecryptUpdate, decrypt_update)
SR_NET_DATA_TO_BYTES(Digest, digest)
SR_NET_DATA_TO_BYTES(DigestEncryptUpdate, digest_encrypt_update)
SR_NET_DATA_TO_BYTES(DecryptDigestUpdate, decrypt_digest_update)
SR_NET_DATA_TO_BYTES(SignEncryptUpdate, sign_encrypt_update)
SR_NET_DATA_TO_BYTES(DecryptVerifyUpdate, decrypt_verify_update)
SR_NET_DATA_TO_BYTES(SignRecover, sign_recover)
SR_NET_DATA_TO_BYTES(VerifyRecover, verify_recover)
#undef SR_NET_DATA_TO_BYTES

// Finals: bytes out of the session's active operation.
#define SR_NET_FINAL(Rpc, method)                                                            \
    grpc::Status DeviceService::Rpc(Ctx* c, const pb::SessionRef* rq, pb::BytesValue* out) { \
        return on_session(c, rq->session(),                                                  \
                          [&](hsm::SessionId s) { return put(out, m_device.method(s)); });   \
    }
SR_NET_FINAL(EncryptFinal, encrypt_final)
SR_NET_FINAL(DecryptFinal, decrypt_final)
SR_NET_FINAL(SignFinal, sign_final)
SR_NET_FINAL(DigestFinal, digest_final)
#undef SR_NET_FINAL

// Data in, nothing out: updates of sign, verify and digest.
#define SR_NET_UPDATE(Rpc, method)                                                                 \
    grpc::Status DeviceService::Rpc(Ctx* c, const pb::SessionData* rq, pb::Empty*) {               \
        return on_session(c, rq->session(),                                                        \
                          [&](hsm::SessionId s) { return m_device.method(s, view(rq->data())); }); \
    }
SR_NET_UPDATE(SignUpdate, sign_update)
SR_NET_UPDATE(VerifyUpdate, verify_update)
SR_NET_UPDATE(DigestUpdate, digest_update)
#undef SR_NET_UPDATE

Status DeviceService::sign_call(const Caller& who, const pb::SessionData& rq, pb::BytesValue* out) {
    return in_session(who, rq.session(), [&](hsm::SessionId s) {
        return put(out, m_device.sign(s, view(rq.data())));
    });
}

grpc::Status DeviceService::Sign(Ctx* c, const pb::SessionData* rq, pb::BytesValue* out) {
    return serve(c, [&](const Caller& who) { return sign_call(who, *rq, out); });
}

grpc::Status DeviceService::Verify(Ctx* c, const pb::VerifyRequest* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) {
        return m_device.verify(s, view(rq->data()), view(rq->signature()));
    });
}

grpc::Status DeviceService::VerifyFinal(Ctx* c, const pb::VerifyRequest* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) {
        return m_device.verify_final(s, view(rq->signature()));
    });
}

grpc::Status DeviceService::DigestInit(Ctx* c, const pb::OperationInit* rq, pb::Empty*) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(crypto::Mechanism m, from_proto(rq->mechanism()));
        return m_device.digest_init(s, m);
    });
}

grpc::Status DeviceService::DigestKey(Ctx* c, const pb::ObjectRef* rq, pb::Empty*) {
    return on_session(c, rq->session(),
                      [&](hsm::SessionId s) { return m_device.digest_key(s, rq->handle()); });
}

grpc::Status DeviceService::ActiveOperations(Ctx* c, const pb::SessionRef* rq,
                                             pb::Uint32Value* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        SR_ASSIGN_OR_RETURN(uint32_t ops, m_device.active_operations(s));
        out->set_value(ops);
        return {};
    });
}

grpc::Status DeviceService::GenerateRandom(Ctx* c, const pb::RandomRequest* rq,
                                           pb::BytesValue* out) {
    // A reply must fit in one gRPC message (4 MiB by default); a remote caller cannot make
    // the server allocate without bound.
    constexpr uint64_t kMaxRandomPerCall = uint64_t{1} << 20;
    return on_session(c, rq->session(), [&](hsm::SessionId s) -> Status {
        if (rq->length() > kMaxRandomPerCall)
            return error(Err::DataLenRange, "at most 1 MiB of random data per call");
        return put(out, m_device.generate_random(s, rq->length()));
    });
}

// ---------------------------------------------------------------- masking

grpc::Status DeviceService::ExtractMasked(Ctx* c, const pb::ObjectRef* rq, pb::BytesValue* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) {
        return put(out, m_device.extract_masked(s, rq->handle()));
    });
}

grpc::Status DeviceService::InsertMasked(Ctx* c, const pb::SessionData* rq, pb::HandleValue* out) {
    return on_session(c, rq->session(), [&](hsm::SessionId s) {
        return put(out, m_device.insert_masked(s, view(rq->data())));
    });
}

}  // namespace sr::net
