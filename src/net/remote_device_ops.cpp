// RemoteDevice: objects, key management, the dual-function updates, cloning and masking — each a
// one-to-one call of service strongroom.v1.Device. Plaintext a call returns (decryption) goes
// into SecretBytes and its wire copy is wiped; so are secret attribute values in templates.
#include <string.h>  // explicit_bzero

#include <utility>
#include <vector>

#include "net/remote_device_impl.h"

namespace sr::net {
namespace {

using hsm::ObjectHandle;
using hsm::SessionId;

pb::SessionData session_data(SessionId s, ByteView data) {
    pb::SessionData req;
    req.set_session(s);
    req.set_data(data.data(), data.size());
    return req;
}

pb::ObjectRef object_ref(SessionId s, ObjectHandle h) {
    pb::ObjectRef ref;
    ref.set_session(s);
    ref.set_handle(h);
    return ref;
}

Bytes to_bytes_value(const std::string& s) { return Bytes(s.begin(), s.end()); }

Result<Bytes> bytes_reply(Result<pb::BytesValue> reply) {
    if (!reply) return std::move(reply).status();
    return to_bytes_value(reply->value());
}

Result<SecretBytes> secret_reply(Result<pb::BytesValue> reply) {
    if (!reply) return std::move(reply).status();
    std::string* value = reply->mutable_value();
    SecretBytes out(as_bytes(*value));
    wipe(value);
    return out;
}

Result<ObjectHandle> handle_reply(Result<pb::HandleValue> reply) {
    if (!reply) return std::move(reply).status();
    return reply->handle();
}

template <class Container>
void add_handles(std::span<const ObjectHandle> handles, Container* out) {
    out->Reserve(static_cast<int>(handles.size()));
    for (ObjectHandle h : handles) out->Add(h);
}

}  // namespace

// ---------------------------------------------------------------- objects

Result<ObjectHandle> RemoteDevice::create_object(SessionId s, const hsm::AttributeSet& tmpl) {
    pb::CreateObjectRequest req;
    req.set_session(s);
    to_proto(tmpl, req.mutable_template_());
    auto reply = call(&Stub::CreateObject, req);
    wipe_secrets(req.mutable_template_());
    return handle_reply(std::move(reply));
}

Result<ObjectHandle> RemoteDevice::copy_object(SessionId s, ObjectHandle h,
                                               const hsm::AttributeSet& changes) {
    pb::CopyObjectRequest req;
    req.set_session(s);
    req.set_handle(h);
    to_proto(changes, req.mutable_changes());
    auto reply = call(&Stub::CopyObject, req);
    wipe_secrets(req.mutable_changes());
    return handle_reply(std::move(reply));
}

Status RemoteDevice::destroy_object(SessionId s, ObjectHandle h) {
    Invalidation invalidation(*this);
    return call_status(&Stub::DestroyObject, object_ref(s, h));
}

Result<hsm::AttributeReadout> RemoteDevice::get_attributes(SessionId s, ObjectHandle h,
                                                           std::span<const hsm::AttrType> types) {
    pb::GetAttributesRequest req;
    req.set_session(s);
    req.set_handle(h);
    add_handles(types, req.mutable_types());
    SR_ASSIGN_OR_RETURN(pb::AttributeReadout reply, call(&Stub::GetAttributes, req));
    auto out = from_proto(reply);
    wipe_secrets(reply.mutable_values());
    return out;
}

Status RemoteDevice::set_attributes(SessionId s, ObjectHandle h,
                                    const hsm::AttributeSet& changes) {
    Invalidation invalidation(*this);
    pb::SetAttributesRequest req;
    req.set_session(s);
    req.set_handle(h);
    to_proto(changes, req.mutable_changes());
    Status st = call_status(&Stub::SetAttributes, req);
    wipe_secrets(req.mutable_changes());
    return st;
}

Status RemoteDevice::find_init(SessionId s, const hsm::AttributeSet& tmpl) {
    pb::FindInitRequest req;
    req.set_session(s);
    to_proto(tmpl, req.mutable_template_());
    Status st = call_status(&Stub::FindInit, req);
    wipe_secrets(req.mutable_template_());
    return st;
}

Result<std::vector<ObjectHandle>> RemoteDevice::find_next(SessionId s, size_t max_count) {
    pb::FindNextRequest req;
    req.set_session(s);
    req.set_max_count(max_count);
    SR_ASSIGN_OR_RETURN(pb::HandleList reply, call(&Stub::FindNext, req));
    return std::vector<ObjectHandle>(reply.handles().begin(), reply.handles().end());
}

Status RemoteDevice::find_final(SessionId s) {
    return call_status(&Stub::FindFinal, session_ref(s));
}

// ---------------------------------------------------------------- key management

Result<ObjectHandle> RemoteDevice::generate_key(SessionId s, const crypto::Mechanism& m,
                                                const hsm::AttributeSet& tmpl) {
    pb::GenerateKeyRequest req;
    req.set_session(s);
    to_proto(m, req.mutable_mechanism());
    to_proto(tmpl, req.mutable_template_());
    return handle_reply(call(&Stub::GenerateKey, req));
}

Result<hsm::KeyPairHandles> RemoteDevice::generate_key_pair(SessionId s,
                                                           const crypto::Mechanism& m,
                                                           const hsm::AttributeSet& public_tmpl,
                                                           const hsm::AttributeSet& private_tmpl) {
    pb::GenerateKeyPairRequest req;
    req.set_session(s);
    to_proto(m, req.mutable_mechanism());
    to_proto(public_tmpl, req.mutable_public_template());
    to_proto(private_tmpl, req.mutable_private_template());
    SR_ASSIGN_OR_RETURN(pb::KeyPairHandles reply, call(&Stub::GenerateKeyPair, req));
    return hsm::KeyPairHandles{reply.public_key(), reply.private_key()};
}

Result<Bytes> RemoteDevice::wrap_key(SessionId s, const crypto::Mechanism& m,
                                     ObjectHandle wrapping, ObjectHandle key) {
    pb::WrapKeyRequest req;
    req.set_session(s);
    to_proto(m, req.mutable_mechanism());
    req.set_wrapping(wrapping);
    req.set_key(key);
    return bytes_reply(call(&Stub::WrapKey, req));
}

Result<ObjectHandle> RemoteDevice::unwrap_key(SessionId s, const crypto::Mechanism& m,
                                              ObjectHandle unwrapping, ByteView wrapped,
                                              const hsm::AttributeSet& tmpl) {
    pb::UnwrapKeyRequest req;
    req.set_session(s);
    to_proto(m, req.mutable_mechanism());
    req.set_unwrapping(unwrapping);
    req.set_wrapped(wrapped.data(), wrapped.size());
    to_proto(tmpl, req.mutable_template_());
    auto reply = call(&Stub::UnwrapKey, req);
    wipe_secrets(req.mutable_template_());
    return handle_reply(std::move(reply));
}

Result<ObjectHandle> RemoteDevice::derive_key(SessionId s, const crypto::Mechanism& m,
                                              ObjectHandle base, const hsm::AttributeSet& tmpl) {
    pb::DeriveKeyRequest req;
    req.set_session(s);
    to_proto(m, req.mutable_mechanism());
    req.set_base(base);
    to_proto(tmpl, req.mutable_template_());
    auto reply = call(&Stub::DeriveKey, req);
    wipe_secrets(req.mutable_template_());
    return handle_reply(std::move(reply));
}

// ---------------------------------------------------------------- cryptographic operations
// Their init, single-part, update and final steps are in remote_operations.cpp; what stays
// here are the calls without an operation of their own.

Status RemoteDevice::digest_key(SessionId s, ObjectHandle key) {
    return call_status(&Stub::DigestKey, object_ref(s, key));
}

Result<Bytes> RemoteDevice::digest_encrypt_update(SessionId s, ByteView data) {
    return bytes_reply(call(&Stub::DigestEncryptUpdate, session_data(s, data)));
}
Result<SecretBytes> RemoteDevice::decrypt_digest_update(SessionId s, ByteView data) {
    return secret_reply(call(&Stub::DecryptDigestUpdate, session_data(s, data)));
}
Result<Bytes> RemoteDevice::sign_encrypt_update(SessionId s, ByteView data) {
    return bytes_reply(call(&Stub::SignEncryptUpdate, session_data(s, data)));
}
Result<SecretBytes> RemoteDevice::decrypt_verify_update(SessionId s, ByteView data) {
    return secret_reply(call(&Stub::DecryptVerifyUpdate, session_data(s, data)));
}

Result<uint32_t> RemoteDevice::active_operations(SessionId s) {
    SR_ASSIGN_OR_RETURN(pb::Uint32Value reply, call(&Stub::ActiveOperations, session_ref(s)));
    return reply.value();
}

Result<Bytes> RemoteDevice::generate_random(SessionId s, size_t length) {
    pb::RandomRequest req;
    req.set_session(s);
    req.set_length(length);
    return bytes_reply(call(&Stub::GenerateRandom, req));
}

// ---------------------------------------------------------------- cloning, proof, masking

Result<Bytes> RemoteDevice::clone_hello(SessionId target) {
    return bytes_reply(call(&Stub::CloneHello, session_ref(target)));
}

Result<hsm::CloneSourceResult> RemoteDevice::clone_source(
    SessionId source, ByteView hello, std::span<const ObjectHandle> objects) {
    pb::CloneSourceRequest req;
    req.set_session(source);
    req.set_hello(hello.data(), hello.size());
    add_handles(objects, req.mutable_objects());
    SR_ASSIGN_OR_RETURN(pb::CloneSourceResult reply, call(&Stub::CloneSource, req));
    return from_proto(reply);
}

Result<hsm::CloneTargetResult> RemoteDevice::clone_target(SessionId target, ByteView sealed) {
    SR_ASSIGN_OR_RETURN(pb::CloneTargetResult reply,
                        call(&Stub::CloneTarget, session_data(target, sealed)));
    return from_proto(reply);
}

Result<std::vector<hsm::ObjectFingerprint>> RemoteDevice::object_fingerprints(
    SessionId s, std::span<const ObjectHandle> objects) {
    pb::FingerprintsRequest req;
    req.set_session(s);
    add_handles(objects, req.mutable_objects());
    SR_ASSIGN_OR_RETURN(pb::FingerprintList reply, call(&Stub::ObjectFingerprints, req));
    std::vector<hsm::ObjectFingerprint> out;
    out.reserve(static_cast<size_t>(reply.fingerprints_size()));
    for (const pb::ObjectFingerprint& f : reply.fingerprints()) out.push_back(from_proto(f));
    return out;
}

Result<Bytes> RemoteDevice::extract_masked(SessionId s, ObjectHandle h) {
    return bytes_reply(call(&Stub::ExtractMasked, object_ref(s, h)));
}

Result<ObjectHandle> RemoteDevice::insert_masked(SessionId s, ByteView blob) {
    return handle_reply(call(&Stub::InsertMasked, session_data(s, blob)));
}

}  // namespace sr::net
