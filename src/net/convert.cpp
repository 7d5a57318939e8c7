#include "net/convert.h"

#include <fmt/format.h>

#include <string>
#include <utility>

namespace sr::net {
namespace {

Bytes to_bytes_of(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
std::string to_wire(ByteView b) {
    return std::string(b.begin(), b.end());
}

// ---- Hashes travel by lower-case name (device.proto "PssParams").
struct HashName {
    crypto::Hash hash;
    std::string_view name;
};
constexpr HashName kHashNames[] = {
    {crypto::Hash::Sha1, "sha1"},     {crypto::Hash::Sha224, "sha224"},
    {crypto::Hash::Sha256, "sha256"}, {crypto::Hash::Sha384, "sha384"},
    {crypto::Hash::Sha512, "sha512"},
};

std::string hash_to_wire(crypto::Hash h) {
    for (const auto& e : kHashNames)
        if (e.hash == h) return std::string(e.name);
    return {};
}

Result<crypto::Hash> hash_from_wire(const std::string& name) {
    for (const auto& e : kHashNames)
        if (e.name == name) return e.hash;
    return error(Err::MechanismParamInvalid,
                 fmt::format("unknown hash name '{}'", name.substr(0, 32)));
}

// Every engine role, for name lookups in both directions.
constexpr hsm::Role kRoles[] = {
    hsm::Role::HsmSo,         hsm::Role::HsmAuditor, hsm::Role::PartitionSo,
    hsm::Role::CryptoOfficer, hsm::Role::CryptoUser, hsm::Role::LimitedCryptoOfficer,
    hsm::Role::Auditor,
};

// ---- Mechanism parameters: one encoder per MechParams alternative.
void put_oaep(const crypto::OaepParams& p, pb::OaepParams* out) {
    out->set_hash(hash_to_wire(p.hash));
    out->set_mgf_hash(hash_to_wire(p.mgf_hash));
    out->set_label(to_wire(p.label));
}

struct ParamsEncoder {
    pb::Mechanism* out;
    void operator()(const crypto::NoParams&) const { out->mutable_none(); }
    void operator()(const crypto::IvParams& p) const { out->mutable_iv()->set_iv(to_wire(p.iv)); }
    void operator()(const crypto::CtrParams& p) const {
        out->mutable_ctr()->set_counter_block(to_wire(p.counter_block));
        out->mutable_ctr()->set_counter_bits(p.counter_bits);
    }
    void operator()(const crypto::GcmParams& p) const {
        auto* g = out->mutable_gcm();
        g->set_iv(to_wire(p.iv));
        g->set_aad(to_wire(p.aad));
        g->set_tag_bits(p.tag_bits);
    }
    void operator()(const crypto::PssParams& p) const {
        auto* s = out->mutable_pss();
        s->set_hash(hash_to_wire(p.hash));
        s->set_mgf_hash(hash_to_wire(p.mgf_hash));
        s->set_salt_len(p.salt_len);
    }
    void operator()(const crypto::OaepParams& p) const { put_oaep(p, out->mutable_oaep()); }
    void operator()(const crypto::EcdhParams& p) const {
        auto* e = out->mutable_ecdh();
        e->set_peer_public(to_wire(p.peer_public));
        e->set_kdf(p.kdf);
        e->set_shared_data(to_wire(p.shared_data));
    }
    void operator()(const crypto::RsaAesWrapParams& p) const {
        auto* w = out->mutable_rsa_aes_wrap();
        w->set_aes_key_bits(p.aes_key_bits);
        put_oaep(p.oaep, w->mutable_oaep());
    }
    void operator()(const crypto::WrapPadIv& p) const {
        out->mutable_wrap_pad_iv()->set_iv(to_wire(p.iv));
    }
};

Result<crypto::OaepParams> get_oaep(const pb::OaepParams& in) {
    SR_ASSIGN_OR_RETURN(crypto::Hash hash, hash_from_wire(in.hash()));
    SR_ASSIGN_OR_RETURN(crypto::Hash mgf, hash_from_wire(in.mgf_hash()));
    return crypto::OaepParams{hash, mgf, to_bytes_of(in.label())};
}

Result<crypto::MechParams> get_params(const pb::Mechanism& in) {
    using P = pb::Mechanism;
    switch (in.params_case()) {
        case P::PARAMS_NOT_SET:
        case P::kNone:
            return crypto::MechParams{crypto::NoParams{}};
        case P::kIv:
            return crypto::MechParams{crypto::IvParams{to_bytes_of(in.iv().iv())}};
        case P::kCtr:
            return crypto::MechParams{
                crypto::CtrParams{to_bytes_of(in.ctr().counter_block()), in.ctr().counter_bits()}};
        case P::kGcm:
            return crypto::MechParams{crypto::GcmParams{
                to_bytes_of(in.gcm().iv()), to_bytes_of(in.gcm().aad()), in.gcm().tag_bits()}};
        case P::kPss: {
            SR_ASSIGN_OR_RETURN(crypto::Hash hash, hash_from_wire(in.pss().hash()));
            SR_ASSIGN_OR_RETURN(crypto::Hash mgf, hash_from_wire(in.pss().mgf_hash()));
            return crypto::MechParams{crypto::PssParams{hash, mgf, in.pss().salt_len()}};
        }
        case P::kOaep: {
            SR_ASSIGN_OR_RETURN(crypto::OaepParams o, get_oaep(in.oaep()));
            return crypto::MechParams{std::move(o)};
        }
        case P::kEcdh:
            return crypto::MechParams{crypto::EcdhParams{to_bytes_of(in.ecdh().peer_public()),
                                                         in.ecdh().kdf(),
                                                         to_bytes_of(in.ecdh().shared_data())}};
        case P::kRsaAesWrap: {
            // The OAEP half is not optional: without it the hashes would silently default.
            if (!in.rsa_aes_wrap().has_oaep())
                return error(Err::MechanismParamInvalid,
                             "RSA AES key wrap without OAEP parameters");
            SR_ASSIGN_OR_RETURN(crypto::OaepParams o, get_oaep(in.rsa_aes_wrap().oaep()));
            return crypto::MechParams{
                crypto::RsaAesWrapParams{in.rsa_aes_wrap().aes_key_bits(), std::move(o)}};
        }
        case P::kWrapPadIv:
            return crypto::MechParams{crypto::WrapPadIv{to_bytes_of(in.wrap_pad_iv().iv())}};
    }
    return error(Err::MechanismParamInvalid, "unknown mechanism parameter kind");
}

// ---- Clone refusals: the code travels by name. An unknown name (a newer peer) keeps the
// refusal, with a generic code, rather than losing the whole result.
void put_refusal(const hsm::CloneRefusal& r, pb::CloneRefusal* out) {
    out->set_handle(r.handle);
    out->set_label(r.label);
    out->set_ouid(to_wire(r.ouid));
    out->set_code(std::string(err_name(r.code)));
    out->set_reason(r.reason);
}

hsm::CloneRefusal get_refusal(const pb::CloneRefusal& in) {
    std::optional<Err> code = err_from_name(in.code());
    return hsm::CloneRefusal{in.handle(), in.label(), to_bytes_of(in.ouid()),
                             code && *code != Err::Ok ? *code : Err::GeneralError, in.reason()};
}

void put_cloned(const hsm::ClonedObject& o, pb::ClonedObject* out) {
    out->set_ouid(to_wire(o.ouid));
    out->set_label(o.label);
    out->set_handle(o.handle);
}

hsm::ClonedObject get_cloned(const pb::ClonedObject& in) {
    return hsm::ClonedObject{to_bytes_of(in.ouid()), in.label(), in.handle()};
}

}  // namespace

// ---------------------------------------------------------------- attributes

void to_proto(const hsm::AttributeSet& in, pb::AttributeSet* out) {
    out->Clear();
    for (const auto& [type, value] : in.plain_values()) {
        auto* a = out->add_attributes();
        a->set_type(type);
        a->set_value(to_wire(value));
    }
    for (const auto& [type, value] : in.secret_values()) {
        auto* a = out->add_attributes();
        a->set_type(type);
        a->set_value(to_wire(value.span()));
        a->set_secret(true);
    }
}

Result<hsm::AttributeSet> from_proto(const pb::AttributeSet& in) {
    hsm::AttributeSet out;
    for (const auto& a : in.attributes()) {
        // A template naming a type twice is ambiguous; refuse instead of picking one.
        if (out.has(a.type()))
            return error(Err::ArgumentsBad,
                         fmt::format("attribute 0x{:x} appears twice", a.type()));
        ByteView value = as_bytes(a.value());
        if (a.secret())
            out.set_secret(a.type(), SecretBytes(value));
        else
            out.set_bytes(a.type(), value);
    }
    return out;
}

// ---------------------------------------------------------------- mechanisms

void to_proto(const crypto::Mechanism& in, pb::Mechanism* out) {
    out->Clear();
    out->set_id(in.id);
    std::visit(ParamsEncoder{out}, in.params);
}

Result<crypto::Mechanism> from_proto(const pb::Mechanism& in) {
    SR_ASSIGN_OR_RETURN(crypto::MechParams params, get_params(in));
    return crypto::Mechanism{in.id(), std::move(params)};
}

// ---------------------------------------------------------------- device and partitions

void to_proto(const hsm::DeviceInfo& in, pb::DeviceInfo* out) {
    out->set_serial(in.serial);
    out->set_model(in.model);
    out->set_form_factor(std::string(hsm::form_factor_name(in.form_factor)));
    out->set_firmware(in.firmware.to_string());
    out->set_auth(std::string(hsm::auth_type_name(in.auth)));
    out->set_hsm_label(in.hsm_label);
    out->set_hsm_initialized(in.hsm_initialized);
    out->set_hsm_domain_fingerprint(to_wire(in.hsm_domain_fingerprint));
    out->set_partition_count(in.partition_count);
    out->set_identity_certificate_der(to_wire(in.identity_certificate_der));
}

Result<hsm::DeviceInfo> from_proto(const pb::DeviceInfo& in) {
    hsm::DeviceInfo out;
    out.serial = in.serial();
    out.model = in.model();
    SR_ASSIGN_OR_RETURN(out.form_factor, hsm::parse_form_factor(in.form_factor()));
    SR_ASSIGN_OR_RETURN(out.firmware, hsm::FirmwareVersion::parse(in.firmware()));
    SR_ASSIGN_OR_RETURN(out.auth, hsm::parse_auth_type(in.auth()));
    out.hsm_label = in.hsm_label();
    out.hsm_initialized = in.hsm_initialized();
    out.hsm_domain_fingerprint = to_bytes_of(in.hsm_domain_fingerprint());
    out.partition_count = in.partition_count();
    out.identity_certificate_der = to_bytes_of(in.identity_certificate_der());
    return out;
}

void to_proto(const hsm::PartitionInfo& in, pb::PartitionInfo* out) {
    out->set_id(in.id);
    out->set_name(in.name);
    out->set_label(in.label);
    out->set_serial(in.serial);
    out->set_initialized(in.initialized);
    out->set_domain_fingerprint(to_wire(in.domain_fingerprint));
    out->set_so_can_reset_pin(in.so_can_reset_pin);
    out->set_object_count(in.object_count);
}

hsm::PartitionInfo from_proto(const pb::PartitionInfo& in) {
    return hsm::PartitionInfo{in.id(),
                              in.name(),
                              in.label(),
                              in.serial(),
                              in.initialized(),
                              to_bytes_of(in.domain_fingerprint()),
                              in.so_can_reset_pin(),
                              in.object_count()};
}

// ---------------------------------------------------------------- roles and sessions

std::string role_to_wire(hsm::Role r) {
    std::string_view s = hsm::role_short_name(r);
    return std::string(s.empty() ? hsm::role_display_name(r) : s);
}

Result<hsm::Role> role_from_wire(std::string_view name) {
    for (hsm::Role r : kRoles) {
        std::string_view s = hsm::role_short_name(r);
        if ((!s.empty() && s == name) || hsm::role_display_name(r) == name) return r;
    }
    return error(Err::ArgumentsBad, fmt::format("unknown role name '{}'", name.substr(0, 32)));
}

void to_proto(const hsm::RoleState& in, pb::RoleState* out) {
    out->set_role(role_to_wire(in.role));
    out->set_initialized(in.initialized);
    out->set_failed_logins(in.failed_logins);
    out->set_locked_out(in.locked_out);
    out->set_must_change_password(in.must_change_password);
    out->set_activated(in.activated);
}

Result<hsm::RoleState> from_proto(const pb::RoleState& in) {
    SR_ASSIGN_OR_RETURN(hsm::Role role, role_from_wire(in.role()));
    return hsm::RoleState{role,
                          in.initialized(),
                          in.failed_logins(),
                          in.locked_out(),
                          in.must_change_password(),
                          in.activated()};
}

void to_proto(const hsm::SessionInfo& in, pb::SessionInfo* out) {
    out->set_app(in.app);
    out->set_partition(in.partition);
    out->set_read_write(in.read_write);
    out->set_logged_in(in.logged_in ? role_to_wire(*in.logged_in) : std::string());
}

Result<hsm::SessionInfo> from_proto(const pb::SessionInfo& in) {
    hsm::SessionInfo out{in.app(), in.partition(), in.read_write(), std::nullopt};
    if (!in.logged_in().empty()) {
        SR_ASSIGN_OR_RETURN(out.logged_in, role_from_wire(in.logged_in()));
    }
    return out;
}

// ---------------------------------------------------------------- attribute readout

void to_proto(const hsm::AttributeReadout& in, pb::AttributeReadout* out) {
    to_proto(in.values, out->mutable_values());
    for (const auto& [type, why] : in.unavailable) {
        auto* u = out->add_unavailable();
        u->set_type(type);
        u->set_why(why == hsm::Readable::Sensitive ? pb::UnavailableAttribute::SENSITIVE
                   : why == hsm::Readable::Invalid ? pb::UnavailableAttribute::INVALID
                                                   : pb::UnavailableAttribute::WHY_UNSPECIFIED);
    }
}

Result<hsm::AttributeReadout> from_proto(const pb::AttributeReadout& in) {
    hsm::AttributeReadout out;
    SR_ASSIGN_OR_RETURN(out.values, from_proto(in.values()));
    for (const auto& u : in.unavailable()) {
        switch (u.why()) {
            case pb::UnavailableAttribute::SENSITIVE:
                out.unavailable[u.type()] = hsm::Readable::Sensitive;
                break;
            case pb::UnavailableAttribute::INVALID:
                out.unavailable[u.type()] = hsm::Readable::Invalid;
                break;
            default:
                return error(Err::ArgumentsBad,
                             fmt::format("attribute 0x{:x} unavailable for no reason", u.type()));
        }
    }
    return out;
}

// ---------------------------------------------------------------- cloning

void to_proto(const hsm::CloneSourceResult& in, pb::CloneSourceResult* out) {
    out->set_sealed(to_wire(in.sealed));
    for (hsm::ObjectHandle h : in.sent) out->add_sent(h);
    for (const auto& r : in.refused) put_refusal(r, out->add_refused());
}

Result<hsm::CloneSourceResult> from_proto(const pb::CloneSourceResult& in) {
    hsm::CloneSourceResult out;
    out.sealed = to_bytes_of(in.sealed());
    out.sent.assign(in.sent().begin(), in.sent().end());
    for (const auto& r : in.refused()) out.refused.push_back(get_refusal(r));
    return out;
}

void to_proto(const hsm::CloneTargetResult& in, pb::CloneTargetResult* out) {
    for (const auto& o : in.imported) put_cloned(o, out->add_imported());
    for (const auto& o : in.skipped) put_cloned(o, out->add_skipped());
    for (const auto& r : in.refused) put_refusal(r, out->add_refused());
}

Result<hsm::CloneTargetResult> from_proto(const pb::CloneTargetResult& in) {
    hsm::CloneTargetResult out;
    for (const auto& o : in.imported()) out.imported.push_back(get_cloned(o));
    for (const auto& o : in.skipped()) out.skipped.push_back(get_cloned(o));
    for (const auto& r : in.refused()) out.refused.push_back(get_refusal(r));
    return out;
}

void to_proto(const hsm::ObjectFingerprint& in, pb::ObjectFingerprint* out) {
    out->set_handle(in.handle);
    out->set_ouid(to_wire(in.ouid));
    out->set_object_class(in.object_class);
    out->set_label(in.label);
    out->set_attributes_digest(to_wire(in.attributes_digest));
    out->set_value_mac(to_wire(in.value_mac));
}

hsm::ObjectFingerprint from_proto(const pb::ObjectFingerprint& in) {
    return hsm::ObjectFingerprint{in.handle(),
                                  to_bytes_of(in.ouid()),
                                  in.object_class(),
                                  in.label(),
                                  to_bytes_of(in.attributes_digest()),
                                  to_bytes_of(in.value_mac())};
}

}  // namespace sr::net
