// LocalDevice: C_DigestKey, the dual-function updates and signatures with message recovery
// (PKCS#11 v2.40 §5.10, §5.13, §5.11-5.12), and which operations a session has active (for
// C_GetOperationState). Digest-key and dual updates run over the operations the session already
// holds, under the session's lock, so a dual update is one step of two operations that no other
// call on the session can interleave with.
#include "crypto/mechanism.h"
#include "hsm/local_device.h"

namespace sr::hsm {
namespace {

Status both_active(bool first, bool second) {
    if (first && second) return Status::ok();
    return error(Err::OperationNotInitialized,
                 "a dual-function update needs both of its operations active");
}

// One dual step: on any failure both operations end (PKCS#11 §5.2: a failed update ends the
// operation, and the pair cannot continue with one half advanced).
template <class A, class B, class Fn>
auto dual_step(A& first, B& second, Fn&& fn) -> decltype(fn()) {
    auto result = fn();
    if (!result.is_ok()) {
        first.reset();
        second.reset();
    }
    return result;
}

// A decrypt update whose output leaves no copy outside SecretBytes.
Result<SecretBytes> decrypt_step(crypto::CipherOp& op, ByteView data) {
    SR_ASSIGN_OR_RETURN(Bytes out, op.update(data));
    SecretBytes plain{ByteView(out)};
    std::fill(out.begin(), out.end(), uint8_t{0});
    return plain;
}

}  // namespace

Status LocalDevice::digest_key(SessionId s, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    auto key = [&]() -> Result<std::shared_ptr<const crypto::Key>> {
        auto obj = load_object(ctx, h);
        if (!obj) {
            if (obj.code() == Err::ObjectHandleInvalid) return error(Err::KeyHandleInvalid);
            return obj.status();
        }
        const uint64_t c = (*obj)->object_class();
        // Only a secret key has a value a digest can take; asymmetric keys are refused rather
        // than digested in some encoding no other token would reproduce.
        if (c == cls::kPublicKey || c == cls::kPrivateKey)
            return error(Err::KeyIndigestible, "C_DigestKey takes secret keys only");
        if (c != cls::kSecretKey)
            return error(Err::KeyHandleInvalid, "C_DigestKey: the object is not a key");
        return (*obj)->key();
    }();
    MutexLock lock(ctx.session->mu);
    auto& digest = ctx.session->digest;
    if (!digest) return error(Err::OperationNotInitialized);
    // Any failure ends the digest (PKCS#11 §5.2), a refused key included.
    Status st = key ? digest->update((*key)->value().span()) : key.status();
    if (!st.is_ok()) digest.reset();
    return st;
}

Result<Bytes> LocalDevice::digest_encrypt_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    auto& digest = session->digest;
    auto& encrypt = session->encrypt;
    SR_TRY(both_active(digest != nullptr, encrypt.has_value()));
    return dual_step(digest, encrypt, [&]() -> Result<Bytes> {
        SR_TRY(digest->update(data));
        return encrypt->op->update(data);
    });
}

Result<SecretBytes> LocalDevice::decrypt_digest_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    auto& decrypt = session->decrypt;
    auto& digest = session->digest;
    SR_TRY(both_active(decrypt.has_value(), digest != nullptr));
    return dual_step(decrypt, digest, [&]() -> Result<SecretBytes> {
        SR_ASSIGN_OR_RETURN(SecretBytes plain, decrypt_step(*decrypt->op, data));
        SR_TRY(digest->update(plain.span()));
        return plain;
    });
}

Result<Bytes> LocalDevice::sign_encrypt_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    auto& sign = session->sign;
    auto& encrypt = session->encrypt;
    SR_TRY(both_active(sign.has_value(), encrypt.has_value()));
    return dual_step(sign, encrypt, [&]() -> Result<Bytes> {
        SR_TRY(sign->op->update(data));
        return encrypt->op->update(data);
    });
}

Result<SecretBytes> LocalDevice::decrypt_verify_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    auto& decrypt = session->decrypt;
    auto& verify = session->verify;
    SR_TRY(both_active(decrypt.has_value(), verify.has_value()));
    return dual_step(decrypt, verify, [&]() -> Result<SecretBytes> {
        SR_ASSIGN_OR_RETURN(SecretBytes plain, decrypt_step(*decrypt->op, data));
        SR_TRY(verify->op->update(plain.span()));
        return plain;
    });
}

Result<LocalDevice::OperationKey> LocalDevice::recover_key(SessionId s, ObjectHandle h,
                                                          AttrType usage) {
    OperationKey out;
    SR_ASSIGN_OR_RETURN(out.ctx, object_context(s));
    auto obj = load_object(out.ctx, h);
    if (!obj) {
        if (obj.code() == Err::ObjectHandleInvalid) return error(Err::KeyHandleInvalid);
        return obj.status();
    }
    out.obj = std::move(*obj);
    if (!out.obj->attrs().flag(usage)) {
        return error(Err::KeyFunctionNotPermitted,
                     "the key does not permit this operation (" + attribute_name(usage) +
                         " is false)");
    }
    SR_ASSIGN_OR_RETURN(out.key, out.obj->key());
    return out;
}

Status LocalDevice::sign_recover_init(SessionId s, const crypto::Mechanism& m, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(OperationKey k, recover_key(s, h, attr::kSignRecover));
    SR_ASSIGN_OR_RETURN(auto op, crypto::MechanismRegistry::standard().sign_recover(m, *k.key));
    MutexLock lock(k.ctx.session->mu);
    auto& active = k.ctx.session->sign_recover;
    if (active) return error(Err::OperationActive);
    active = ActiveSign{std::move(k.key), std::move(op)};
    return {};
}

Result<Bytes> LocalDevice::sign_recover(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    auto& active = session->sign_recover;
    if (!active) return error(Err::OperationNotInitialized);
    // Single-part: the operation ends here whatever the outcome.
    ActiveSign taken = std::move(*active);
    active.reset();
    SR_TRY(taken.op->update(data));
    return taken.op->final();
}

Status LocalDevice::verify_recover_init(SessionId s, const crypto::Mechanism& m,
                                        ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(OperationKey k, recover_key(s, h, attr::kVerifyRecover));
    SR_ASSIGN_OR_RETURN(auto op,
                        crypto::MechanismRegistry::standard().verify_recover(m, *k.key));
    MutexLock lock(k.ctx.session->mu);
    auto& active = k.ctx.session->verify_recover;
    if (active) return error(Err::OperationActive);
    active = ActiveVerifyRecover{std::move(k.key), std::move(op)};
    return {};
}

Result<Bytes> LocalDevice::verify_recover(SessionId s, ByteView signature) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    auto& active = session->verify_recover;
    if (!active) return error(Err::OperationNotInitialized);
    ActiveVerifyRecover taken = std::move(*active);
    active.reset();
    return taken.op->recover(signature);
}

Result<uint32_t> LocalDevice::active_operations(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    const std::pair<bool, uint32_t> kinds[] = {
        {session->encrypt.has_value(), crypto::op::kEncrypt},
        {session->decrypt.has_value(), crypto::op::kDecrypt},
        {session->digest != nullptr, crypto::op::kDigest},
        {session->sign.has_value(), crypto::op::kSign},
        {session->verify.has_value(), crypto::op::kVerify},
        {session->sign_recover.has_value(), crypto::op::kSignRecover},
        {session->verify_recover.has_value(), crypto::op::kVerifyRecover},
    };
    uint32_t out = 0;
    for (const auto& [active, flag] : kinds)
        if (active) out |= flag;
    return out;
}

}  // namespace sr::hsm
