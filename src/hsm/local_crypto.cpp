// LocalDevice: encrypt / decrypt / sign / verify / digest (single- and multi-part) and random.
// Operation state lives in the session and is touched only under the session's lock; keys come
// from the partition's cache, so a signature neither unseals nor re-parses its key.
#include "crypto/mechanism.h"
#include "crypto/primitives.h"
#include "hsm/local_device.h"

namespace sr::hsm {
namespace {

const crypto::MechanismRegistry& registry() { return crypto::MechanismRegistry::standard(); }

SecretBytes to_secret(Bytes&& b) {
    SecretBytes out(b);
    std::fill(b.begin(), b.end(), uint8_t{0});
    return out;
}

// Runs one step of an active operation; any failure (and a final step) ends the operation.
template <class Op, class Fn>
auto step(std::optional<Op>& active, bool last, Fn&& fn) -> decltype(fn(*active->op)) {
    if (!active) return error(Err::OperationNotInitialized);
    auto result = fn(*active->op);
    if (last || !result.is_ok()) active.reset();
    return result;
}

}  // namespace

Result<LocalDevice::OperationKey> LocalDevice::operation_key(SessionId s, ObjectHandle h,
                                                            uint32_t op) {
    OperationKey out;
    SR_ASSIGN_OR_RETURN(out.ctx, object_context(s));
    auto obj = load_object(out.ctx, h);
    if (!obj) {
        if (obj.code() == Err::ObjectHandleInvalid) return error(Err::KeyHandleInvalid);
        return obj.status();
    }
    out.obj = std::move(*obj);
    SR_TRY(check_key_usage(out.obj->attrs(), op));
    SR_ASSIGN_OR_RETURN(out.key, out.obj->key());
    return out;
}

Status LocalDevice::encrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(OperationKey k, operation_key(s, h, crypto::op::kEncrypt));
    SR_ASSIGN_OR_RETURN(auto op, registry().encrypt(m, *k.key));
    auto& ctx = k.ctx;
    auto& key = k.key;
    MutexLock lock(ctx.session->mu);
    if (ctx.session->encrypt) return error(Err::OperationActive);
    ctx.session->encrypt = ActiveCipher{std::move(key), std::move(op)};
    return {};
}

Result<Bytes> LocalDevice::encrypt(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->encrypt, true, [&](crypto::CipherOp& op) -> Result<Bytes> {
        SR_ASSIGN_OR_RETURN(Bytes out, op.update(data));
        SR_ASSIGN_OR_RETURN(Bytes tail, op.final());
        out.insert(out.end(), tail.begin(), tail.end());
        return out;
    });
}

Result<Bytes> LocalDevice::encrypt_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->encrypt, false,
                [&](crypto::CipherOp& op) -> Result<Bytes> { return op.update(data); });
}

Result<Bytes> LocalDevice::encrypt_final(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->encrypt, true,
                [&](crypto::CipherOp& op) -> Result<Bytes> { return op.final(); });
}

Status LocalDevice::decrypt_init(SessionId s, const crypto::Mechanism& m, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(OperationKey k, operation_key(s, h, crypto::op::kDecrypt));
    SR_ASSIGN_OR_RETURN(auto op, registry().decrypt(m, *k.key));
    auto& ctx = k.ctx;
    auto& key = k.key;
    MutexLock lock(ctx.session->mu);
    if (ctx.session->decrypt) return error(Err::OperationActive);
    ctx.session->decrypt = ActiveCipher{std::move(key), std::move(op)};
    return {};
}

Result<SecretBytes> LocalDevice::decrypt(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->decrypt, true, [&](crypto::CipherOp& op) -> Result<SecretBytes> {
        SR_ASSIGN_OR_RETURN(Bytes out, op.update(data));
        SecretBytes plain = to_secret(std::move(out));
        SR_ASSIGN_OR_RETURN(Bytes tail, op.final());
        plain.append(to_secret(std::move(tail)).span());
        return plain;
    });
}

Result<SecretBytes> LocalDevice::decrypt_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->decrypt, false, [&](crypto::CipherOp& op) -> Result<SecretBytes> {
        SR_ASSIGN_OR_RETURN(Bytes out, op.update(data));
        return to_secret(std::move(out));
    });
}

Result<SecretBytes> LocalDevice::decrypt_final(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->decrypt, true, [&](crypto::CipherOp& op) -> Result<SecretBytes> {
        SR_ASSIGN_OR_RETURN(Bytes out, op.final());
        return to_secret(std::move(out));
    });
}

Status LocalDevice::sign_init(SessionId s, const crypto::Mechanism& m, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(OperationKey k, operation_key(s, h, crypto::op::kSign));
    SR_ASSIGN_OR_RETURN(auto op, registry().sign(m, *k.key));
    auto& ctx = k.ctx;
    auto& key = k.key;
    MutexLock lock(ctx.session->mu);
    if (ctx.session->sign) return error(Err::OperationActive);
    ctx.session->sign = ActiveSign{std::move(key), std::move(op)};
    return {};
}

Result<Bytes> LocalDevice::sign(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->sign, true, [&](crypto::SignOp& op) -> Result<Bytes> {
        SR_TRY(op.update(data));
        return op.final();
    });
}

Status LocalDevice::sign_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->sign, false, [&](crypto::SignOp& op) -> Status { return op.update(data); });
}

Result<Bytes> LocalDevice::sign_final(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->sign, true, [&](crypto::SignOp& op) -> Result<Bytes> { return op.final(); });
}

Status LocalDevice::verify_init(SessionId s, const crypto::Mechanism& m, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(OperationKey k, operation_key(s, h, crypto::op::kVerify));
    SR_ASSIGN_OR_RETURN(auto op, registry().verify(m, *k.key));
    auto& ctx = k.ctx;
    auto& key = k.key;
    MutexLock lock(ctx.session->mu);
    if (ctx.session->verify) return error(Err::OperationActive);
    ctx.session->verify = ActiveVerify{std::move(key), std::move(op)};
    return {};
}

Status LocalDevice::verify(SessionId s, ByteView data, ByteView signature) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->verify, true, [&](crypto::VerifyOp& op) -> Status {
        SR_TRY(op.update(data));
        return op.final(signature);
    });
}

Status LocalDevice::verify_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->verify, false,
                [&](crypto::VerifyOp& op) -> Status { return op.update(data); });
}

Status LocalDevice::verify_final(SessionId s, ByteView signature) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    return step(session->verify, true,
                [&](crypto::VerifyOp& op) -> Status { return op.final(signature); });
}

Status LocalDevice::digest_init(SessionId s, const crypto::Mechanism& m) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    SR_ASSIGN_OR_RETURN(auto op, registry().digest(m));
    MutexLock lock(session->mu);
    if (session->digest) return error(Err::OperationActive);
    session->digest = std::move(op);
    return {};
}

Result<Bytes> LocalDevice::digest(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    if (!session->digest) return error(Err::OperationNotInitialized);
    auto op = std::move(session->digest);
    SR_TRY(op->update(data));
    return op->final();
}

Status LocalDevice::digest_update(SessionId s, ByteView data) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    if (!session->digest) return error(Err::OperationNotInitialized);
    Status st = session->digest->update(data);
    if (!st.is_ok()) session->digest.reset();
    return st;
}

Result<Bytes> LocalDevice::digest_final(SessionId s) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    MutexLock lock(session->mu);
    if (!session->digest) return error(Err::OperationNotInitialized);
    auto op = std::move(session->digest);
    return op->final();
}

Result<Bytes> LocalDevice::generate_random(SessionId s, size_t length) {
    SR_ASSIGN_OR_RETURN(auto session, find_session(s));
    return crypto::random_public(length);
}

}  // namespace sr::hsm
