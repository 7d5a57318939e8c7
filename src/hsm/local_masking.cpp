// LocalDevice's proof-without-export and masking entry points (docs/design/fingerprint.md,
// docs/design/masking.md). Key material stays in the engine: fingerprints leave as digests and
// MACs, masked objects as AES-256-GCM ciphertext under a domain-derived key.
#include <optional>
#include <string>

#include "crypto/primitives.h"
#include "hsm/clone_engine.h"
#include "hsm/fingerprint.h"
#include "hsm/local_device.h"
#include "hsm/masking.h"
#include "hsm/policy.h"

namespace sr::hsm {
namespace {

// Masking exports and imports like cloning does: the partition's users only.
bool is_user(const SessionInfo& s) {
    return s.logged_in &&
           (*s.logged_in == Role::CryptoOfficer || *s.logged_in == Role::CryptoUser ||
            *s.logged_in == Role::LimitedCryptoOfficer);
}

uint64_t policy_value(const std::vector<PolicyValue>& values, uint32_t id) {
    for (const auto& v : values)
        if (v.id == id) return v.value;
    return 0;
}

std::string describe(ObjectHandle h) {
    return "object " + std::to_string(h);
}

}  // namespace

Result<std::vector<ObjectFingerprint>> LocalDevice::object_fingerprints(
    SessionId s, std::span<const ObjectHandle> objects) {
    SR_ASSIGN_OR_RETURN(ObjectContext ctx, object_context(s));
    std::optional<SecretBytes> mac_key;  // derived at most once per call, on first need
    std::vector<ObjectFingerprint> out;
    out.reserve(objects.size());
    for (ObjectHandle h : objects) {
        SR_ASSIGN_OR_RETURN(ObjectPtr obj, load_object(ctx, h));
        if (!obj->token())
            return error(Err::OperationNotAllowed,
                         describe(h) +
                             " is a session object: only token objects have a "
                             "fingerprint (session objects are never cloned)");
        if (!mac_key && !obj->attrs().secret_values().empty()) {
            SR_ASSIGN_OR_RETURN(SecretBytes domain, domain_key(ctx.runtime->id));
            SR_ASSIGN_OR_RETURN(mac_key, fingerprint::derive_mac_key(domain));
        }
        SR_ASSIGN_OR_RETURN(ObjectFingerprint f,
                            fingerprint::compute(h, obj->attrs(), mac_key ? &*mac_key : nullptr));
        out.push_back(std::move(f));
    }
    return out;
}

Result<Bytes> LocalDevice::extract_masked(SessionId s, ObjectHandle h) {
    SR_ASSIGN_OR_RETURN(SessionInfo session, session_info(s));
    if (!is_user(session))
        return error(Err::UserNotLoggedIn, "masking needs the partition's Crypto Officer");
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, export_object(s, h));
    SR_ASSIGN_OR_RETURN(PartitionInfo part, partition_info(session.partition));
    if (part.domain_fingerprint.empty())
        return error(Err::CloningParameterMissing, "the partition has no cloning domain");

    // The source rules of cloning (clone-protocol.md "Rules", source step 3 and 4).
    SR_ASSIGN_OR_RETURN(auto hsm_pol, hsm_policies());
    if (policy_value(hsm_pol, hsm_policy::kCloning) == 0)
        return error(Err::OperationNotAllowed, "HSM policy 7 (Allow cloning) is off");
    if (!attrs.flag(attr::kToken))
        return error(Err::OperationNotAllowed,
                     describe(h) + " is a session object: session objects are never masked");
    const uint64_t object_class = attrs.get_ulong(attr::kClass).value_or(cls::kData);
    SR_ASSIGN_OR_RETURN(auto part_pol, partition_policies(session.partition));
    if (object_class == cls::kPrivateKey && policy_value(part_pol, policy::kPrivateKeyCloning) == 0)
        return error(Err::OperationNotAllowed,
                     "partition policy 0 (Allow private key cloning) is off");
    if (object_class == cls::kSecretKey && policy_value(part_pol, policy::kSecretKeyCloning) == 0)
        return error(Err::OperationNotAllowed,
                     "partition policy 4 (Allow secret key cloning) is off");

    masking::Header header;
    header.firmware = m_config.firmware;
    header.form_factor = m_config.form_factor;
    header.auth = m_config.auth;
    header.domain_fingerprint = part.domain_fingerprint;
    if (auto v = attrs.get(attr::kOuid)) header.ouid.assign(v->begin(), v->end());
    header.object_class = object_class;
    SR_TRY(crypto::random_bytes(header.salt));
    SR_ASSIGN_OR_RETURN(SecretBytes domain, domain_key(session.partition));
    SR_ASSIGN_OR_RETURN(masking::Blob blob, masking::seal(domain, std::move(header),
                                                          clone::encode_object_payload(attrs)));
    return masking::encode(blob);
}

Result<ObjectHandle> LocalDevice::insert_masked(SessionId s, ByteView bytes) {
    SR_ASSIGN_OR_RETURN(SessionInfo session, session_info(s));
    if (!is_user(session))
        return error(Err::UserNotLoggedIn, "inserting a masked object needs the Crypto Officer");
    SR_ASSIGN_OR_RETURN(masking::Blob blob, masking::decode(bytes));
    SR_ASSIGN_OR_RETURN(PartitionInfo part, partition_info(session.partition));
    if (part.domain_fingerprint.empty())
        return error(Err::CloningParameterMissing, "the partition has no cloning domain");

    // The target rules of cloning: same auth type, same domain, a firmware direction allowed.
    const masking::Header& h = blob.header;
    if (h.auth != m_config.auth)
        return error(Err::CertificateInvalid,
                     "the masked object comes from a " + std::string(auth_type_name(h.auth)) +
                         "-authenticated device and this one is " +
                         std::string(auth_type_name(m_config.auth)) +
                         "-authenticated: masked objects move only between equal auth types");
    if (!equal_ct(h.domain_fingerprint, part.domain_fingerprint))
        return error(Err::CertificateInvalid,
                     "the masked object belongs to a different cloning domain than this partition");
    SR_TRY(check_clone_direction({h.firmware, h.form_factor},
                                 {m_config.firmware, m_config.form_factor}));

    SR_ASSIGN_OR_RETURN(SecretBytes domain, domain_key(session.partition));
    SR_ASSIGN_OR_RETURN(SecretBytes payload, masking::open(domain, blob));
    SR_ASSIGN_OR_RETURN(AttributeSet attrs, clone::decode_object_payload(payload));
    // The header is authenticated, but only an honest extractor makes it agree with the payload.
    auto ouid = attrs.get(attr::kOuid);
    if (!ouid || !equal_ct(*ouid, h.ouid) ||
        attrs.get_ulong(attr::kClass).value_or(cls::kData) != h.object_class)
        return error(Err::DataInvalid,
                     "the masked object's header disagrees with the object it seals (OUID or "
                     "class)");
    return import_object(s, std::move(attrs));
}

}  // namespace sr::hsm
