// Luna object-id and masking entry points (luna-reference §6.2, §6.4) and Strongroom's
// SR_GetObjectFingerprint (proof without export, issue 4). The OUID is the 12-byte vendor
// attribute CKA_OUID (hsm::attr::kOuid) that cloning and masking keep.
#include <cstring>
#include <vector>

#include "pkcs11/entry.h"
#include "pkcs11/luna.h"

namespace sr::p11 {
namespace {

static_assert(CKA_OUID == hsm::attr::kOuid);

// CA_GetTokenObjectUID / CA_GetTokenObjectHandle name a slot, not a session: the module opens
// a device session of its own application on that slot for the one call. It shares the
// application's login on the partition (logins are per application and partition), so it sees
// exactly what the application's sessions see; it is never the application's last session
// while the application holds one, so closing it ends no login.
class TransientSession final {
  public:
    static Result<TransientSession> open(const client::Slot& slot) {
        SR_ASSIGN_OR_RETURN(hsm::SessionId id,
                            slot.dev().open_session(slot.device->app, slot.partition, true));
        return TransientSession(slot.dev(), id);
    }
    TransientSession(TransientSession&& o) noexcept : m_dev(o.m_dev), m_id(o.m_id) {
        o.m_dev = nullptr;
    }
    TransientSession& operator=(TransientSession&&) = delete;
    ~TransientSession() {
        if (m_dev != nullptr) (void)m_dev->close_session(m_id);
    }
    hsm::Device& dev() const noexcept { return *m_dev; }
    hsm::SessionId id() const noexcept { return m_id; }

  private:
    TransientSession(hsm::Device& dev, hsm::SessionId id) : m_dev(&dev), m_id(id) {}
    hsm::Device* m_dev;
    hsm::SessionId m_id;
};

Result<std::shared_ptr<const client::Slot>> partition_slot(CK_SLOT_ID id) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(id));
    if (slot->admin())
        return error(Err::ObjectHandleInvalid, "the HSM admin slot holds no objects");
    return slot;
}

Status get_token_object_uid(CK_SLOT_ID slot_id, CK_ULONG handle, CK_BYTE* ouid) {
    SR_ASSIGN_OR_RETURN(auto slot, partition_slot(slot_id));
    SR_TRY(need(ouid));
    if (handle == CK_INVALID_HANDLE || handle >= hsm::kSessionHandleBase)
        return error(Err::ObjectHandleInvalid, "not a token object handle");
    SR_ASSIGN_OR_RETURN(auto t, TransientSession::open(*slot));
    const hsm::AttrType types[] = {hsm::attr::kOuid};
    SR_ASSIGN_OR_RETURN(auto readout, t.dev().get_attributes(t.id(), handle, types));
    auto v = readout.values.get(hsm::attr::kOuid);
    if (!v || v->size() != SR_OUID_LEN)
        return error(Err::GeneralError, "the object has no 12-byte OUID");
    std::memcpy(ouid, v->data(), SR_OUID_LEN);
    return {};
}

Status get_token_object_handle(CK_SLOT_ID slot_id, CK_BYTE* ouid, CK_ULONG_PTR out,
                               CK_ULONG_PTR object_class) {
    SR_ASSIGN_OR_RETURN(auto slot, partition_slot(slot_id));
    SR_TRY(need(ouid));
    SR_TRY(need(out));
    SR_TRY(need(object_class));
    SR_ASSIGN_OR_RETURN(ByteView id, in_bytes(ouid, SR_OUID_LEN));
    SR_ASSIGN_OR_RETURN(auto t, TransientSession::open(*slot));
    hsm::AttributeSet tmpl;
    tmpl.set_bytes(hsm::attr::kOuid, id);
    tmpl.set_bool(hsm::attr::kToken, true);
    SR_TRY(t.dev().find_init(t.id(), tmpl));
    auto found = t.dev().find_next(t.id(), 1);
    (void)t.dev().find_final(t.id());
    if (!found) return std::move(found).status();
    if (found->empty())
        return error(Err::ObjectHandleInvalid, "no token object with this OUID is visible");
    const hsm::AttrType types[] = {hsm::attr::kClass};
    SR_ASSIGN_OR_RETURN(auto readout, t.dev().get_attributes(t.id(), found->front(), types));
    *out = found->front();
    *object_class =
        readout.values.get_ulong(hsm::attr::kClass).value_or(CK_UNAVAILABLE_INFORMATION);
    return {};
}

Status extract_masked(CK_SESSION_HANDLE session, CK_ULONG handle, CK_BYTE_PTR out,
                      CK_ULONG_PTR out_len) {
    return with_session(session, [&](ClientSession& s) {
        return produce(
            s, PendingCall::ExtractMasked, [&] { return s.dev().extract_masked(s.id(), handle); },
            out, out_len, handle);
    });
}

Status insert_masked(CK_SESSION_HANDLE session, CK_ULONG_PTR out, CK_BYTE_PTR blob,
                     CK_ULONG blob_len) {
    return with_session(session, [&](ClientSession& s) -> Status {
        SR_TRY(need(out));
        SR_ASSIGN_OR_RETURN(ByteView bytes, in_bytes(blob, blob_len));
        if (bytes.empty()) return error(Err::ArgumentsBad, "the masked object is empty");
        SR_ASSIGN_OR_RETURN(*out, s.dev().insert_masked(s.id(), bytes));
        return {};
    });
}

// Two outputs under one length-query rule: a null buffer or a too-small one sets both lengths
// (and the second case answers BufferTooSmall) without copying either. The fingerprint is
// recomputed on each call: it is deterministic and carries no protocol state.
Status object_fingerprint(ClientSession& s, CK_OBJECT_HANDLE h, CK_BYTE_PTR digest,
                          CK_ULONG_PTR digest_len, CK_BYTE_PTR mac, CK_ULONG_PTR mac_len) {
    SR_TRY(need(digest_len));
    SR_TRY(need(mac_len));
    const hsm::ObjectHandle one[] = {h};
    SR_ASSIGN_OR_RETURN(auto prints, s.dev().object_fingerprints(s.id(), one));
    if (prints.size() != 1) return error(Err::GeneralError, "the device answered no fingerprint");
    const auto& fp = prints.front();
    if (digest == nullptr || mac == nullptr) {
        *digest_len = fp.attributes_digest.size();
        *mac_len = fp.value_mac.size();
        return {};
    }
    if (*digest_len < fp.attributes_digest.size() || *mac_len < fp.value_mac.size()) {
        *digest_len = fp.attributes_digest.size();
        *mac_len = fp.value_mac.size();
        return error(Err::BufferTooSmall);
    }
    SR_TRY(out_bytes(fp.attributes_digest, digest, digest_len));
    return out_bytes(fp.value_mac, mac, mac_len);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

// ulObjectType is accepted and unused: a handle names one object whatever its type.
SR_P11_EXPORT CK_RV CA_GetTokenObjectUID(CK_SLOT_ID slot, CK_ULONG, CK_ULONG handle,
                                         CK_BYTE* ouid) {
    return guard("CA_GetTokenObjectUID", [&] { return get_token_object_uid(slot, handle, ouid); });
}

SR_P11_EXPORT CK_RV CA_GetTokenObjectHandle(CK_SLOT_ID slot, CK_BYTE* ouid, CK_ULONG_PTR object,
                                            CK_ULONG_PTR object_class) {
    return guard("CA_GetTokenObjectHandle",
                 [&] { return get_token_object_handle(slot, ouid, object, object_class); });
}

SR_P11_EXPORT CK_RV CA_ExtractMaskedObject(CK_SESSION_HANDLE session, CK_ULONG handle,
                                           CK_BYTE_PTR masked, CK_ULONG_PTR masked_len) {
    return guard("CA_ExtractMaskedObject",
                 [&] { return extract_masked(session, handle, masked, masked_len); });
}

SR_P11_EXPORT CK_RV CA_InsertMaskedObject(CK_SESSION_HANDLE session, CK_ULONG_PTR handle,
                                          CK_BYTE_PTR masked, CK_ULONG masked_len) {
    return guard("CA_InsertMaskedObject",
                 [&] { return insert_masked(session, handle, masked, masked_len); });
}

SR_P11_EXPORT CK_RV SR_GetObjectFingerprint(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                            CK_BYTE_PTR digest, CK_ULONG_PTR digest_len,
                                            CK_BYTE_PTR mac, CK_ULONG_PTR mac_len) {
    return guard("SR_GetObjectFingerprint", [&] {
        return with_session(session, [&](ClientSession& s) {
            return object_fingerprint(s, object, digest, digest_len, mac, mac_len);
        });
    });
}
