// PKCS#11 v2.40 §5.5 slot and token management: slot list and info, token info, mechanisms,
// C_InitToken (HSM init on the admin slot, partition init on a partition slot), C_InitPIN
// (the Partition SO initializes the Crypto Officer) and C_SetPIN.
#include <algorithm>
#include <cstdlib>
#include <string>

#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

using client::Slot;

constexpr uint32_t kEcMechanismFlags = CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;

bool is_ec_mechanism(crypto::MechanismId id) {
    namespace m = crypto::mech;
    return id == m::kEcKeyPairGen || id == m::kEcdh1Derive || (id >= m::kEcdsa && id <= m::kEcdsaSha512);
}

Status get_slot_list(CK_BBOOL, CK_SLOT_ID_PTR list, CK_ULONG_PTR count) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_TRY(need(count));
    // v2.40 §5.5: the list may change only on a call that asks for its size.
    if (list == nullptr) SR_TRY(m->client().refresh());
    auto slots = m->client().slots();
    const CK_ULONG n = slots.size();
    if (list == nullptr) {
        *count = n;
        return {};
    }
    if (*count < n) {
        *count = n;
        return error(Err::BufferTooSmall);
    }
    for (CK_ULONG i = 0; i < n; ++i) list[i] = slots[i]->id;
    *count = n;
    return {};
}

Status get_slot_info(CK_SLOT_ID id, CK_SLOT_INFO_PTR info) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(id));
    SR_TRY(need(info));
    CK_SLOT_INFO out{};
    const auto ident = slot->identity();
    out_padded(out.slotDescription, sizeof out.slotDescription, hsm::slot_configuration(ident));
    out_padded(out.manufacturerID, sizeof out.manufacturerID, "Strongroom");
    out.flags = CKF_TOKEN_PRESENT | CKF_HW_SLOT;
    const auto ff = slot->device->info.form_factor;
    if (ff == hsm::FormFactor::Usb || ff == hsm::FormFactor::Backup) out.flags |= CKF_REMOVABLE_DEVICE;
    out.hardwareVersion = {1, 0};
    out.firmwareVersion = {static_cast<CK_BYTE>(ident.firmware.major),
                           static_cast<CK_BYTE>(ident.firmware.minor)};
    *info = out;
    return {};
}

// Flags of the token's roles: the Crypto Officer is the PKCS#11 user, the Partition SO (HSM SO
// on the admin slot) the SO.
Result<CK_FLAGS> role_flags(const Slot& slot) {
    CK_FLAGS flags = 0;
    auto& dev = slot.dev();
    const auto& fw = slot.device->info.firmware;
    auto has = [](std::span<const hsm::Role> roles, hsm::Role r) {
        return std::find(roles.begin(), roles.end(), r) != roles.end();
    };
    if (slot.admin()) return flags;
    const auto roles = hsm::partition_roles(fw);
    if (has(roles, hsm::Role::CryptoOfficer)) {
        SR_ASSIGN_OR_RETURN(auto co, dev.role_state(slot.partition, hsm::Role::CryptoOfficer));
        if (co.initialized) flags |= CKF_USER_PIN_INITIALIZED;
        if (co.locked_out) flags |= CKF_USER_PIN_LOCKED;
        else if (co.failed_logins > 0) flags |= CKF_USER_PIN_COUNT_LOW;
        if (co.must_change_password) flags |= CKF_USER_PIN_TO_BE_CHANGED;
    }
    if (has(roles, hsm::Role::PartitionSo)) {
        SR_ASSIGN_OR_RETURN(auto po, dev.role_state(slot.partition, hsm::Role::PartitionSo));
        if (po.locked_out) flags |= CKF_SO_PIN_LOCKED;
        else if (po.failed_logins > 0) flags |= CKF_SO_PIN_COUNT_LOW;
        if (po.must_change_password) flags |= CKF_SO_PIN_TO_BE_CHANGED;
    }
    return flags;
}

Status get_token_info(CK_SLOT_ID id, CK_TOKEN_INFO_PTR info) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(id));
    SR_TRY(need(info));
    auto& dev = slot->dev();
    const auto ident = slot->identity();
    CK_TOKEN_INFO out{};
    std::string label;
    uint64_t serial = 0;
    bool initialized = false;
    if (slot->admin()) {
        SR_ASSIGN_OR_RETURN(auto di, dev.info());
        label = di.hsm_label;
        serial = di.serial;
        initialized = di.hsm_initialized;
    } else {
        SR_ASSIGN_OR_RETURN(auto pi, dev.partition_info(slot->partition));
        // An uninitialized partition shows its name as its label (BEHAVIOUR.md).
        label = pi.initialized ? pi.label : pi.name;
        serial = pi.serial;
        initialized = pi.initialized;
    }
    out_padded(out.label, sizeof out.label, label);
    out_padded(out.manufacturerID, sizeof out.manufacturerID, "Strongroom");
    out_padded(out.model, sizeof out.model, hsm::model_name(ident));
    out_padded(out.serialNumber, sizeof out.serialNumber, std::to_string(serial));
    out.flags = CKF_RNG | CKF_LOGIN_REQUIRED;
    if (initialized) out.flags |= CKF_TOKEN_INITIALIZED;
    if (ident.auth == hsm::AuthType::Ped) out.flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
    if (initialized) {
        SR_ASSIGN_OR_RETURN(CK_FLAGS rf, role_flags(*slot));
        out.flags |= rf;
    }
    const auto counts = m->client().session_counts(id);
    out.ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    out.ulSessionCount = counts.all;
    out.ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
    out.ulRwSessionCount = counts.read_write;
    out.ulMaxPinLen = hsm::kMaxPasswordLength;
    out.ulMinPinLen = hsm::kMinPasswordLength;
    out.ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    out.ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    out.ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    out.ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    out.hardwareVersion = {1, 0};
    out.firmwareVersion = {static_cast<CK_BYTE>(ident.firmware.major),
                           static_cast<CK_BYTE>(ident.firmware.minor)};
    out_padded(out.utcTime, sizeof out.utcTime, "");
    *info = out;
    return {};
}

// The admin slot holds no keys and runs no mechanisms.
Result<std::vector<hsm::MechanismDescription>> slot_mechanisms(const Slot& slot) {
    if (slot.admin()) return std::vector<hsm::MechanismDescription>{};
    return slot.dev().mechanisms();
}

Status get_mechanism_list(CK_SLOT_ID id, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(id));
    SR_TRY(need(count));
    SR_ASSIGN_OR_RETURN(auto mechs, slot_mechanisms(*slot));
    const CK_ULONG n = mechs.size();
    if (list == nullptr) {
        *count = n;
        return {};
    }
    if (*count < n) {
        *count = n;
        return error(Err::BufferTooSmall);
    }
    for (CK_ULONG i = 0; i < n; ++i) list[i] = mechs[i].id;
    *count = n;
    return {};
}

Status get_mechanism_info(CK_SLOT_ID id, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(id));
    SR_TRY(need(info));
    SR_ASSIGN_OR_RETURN(auto mechs, slot_mechanisms(*slot));
    for (const auto& d : mechs) {
        if (d.id != type) continue;
        CK_MECHANISM_INFO out{};
        out.ulMinKeySize = d.min_key_size;
        out.ulMaxKeySize = d.max_key_size;
        // CKF_HW: the device (the emulated HSM's engine) runs the mechanism, not the library.
        out.flags = d.flags | CKF_HW;
        if (is_ec_mechanism(d.id)) out.flags |= kEcMechanismFlags;
        *info = out;
        return {};
    }
    return error(Err::MechanismInvalid);
}

// The cloning domain C_InitToken gives a new partition or HSM: PKCS#11 has no argument for it,
// so it comes from STRONGROOM_CLONING_DOMAIN, else the SO PIN (docs/pkcs11.md).
std::string init_domain(std::string_view so_pin) {
    if (const char* d = std::getenv("STRONGROOM_CLONING_DOMAIN"); d != nullptr && *d != '\0')
        return d;
    return std::string(so_pin);
}

std::string trimmed_label(const CK_UTF8CHAR* label) {
    std::string out(reinterpret_cast<const char*>(label), 32);
    while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
    return out;
}

Status init_token(CK_SLOT_ID id, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len, CK_UTF8CHAR_PTR label) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_ASSIGN_OR_RETURN(auto slot, m->client().slot(id));
    SR_TRY(need(label));
    SR_ASSIGN_OR_RETURN(std::string_view so_pin, in_text(pin, pin_len));
    if (m->client().session_counts(id).all != 0)
        return error(Err::SessionExists, "close the slot's sessions before C_InitToken");
    const std::string text = trimmed_label(label);
    if (slot->admin()) {
        hsm::HsmInitParams p{text, std::string(so_pin), init_domain(so_pin)};
        return slot->dev().init_hsm(slot->device->app, p);
    }
    hsm::PartitionInitParams p{text, std::string(so_pin), init_domain(so_pin)};
    return slot->dev().init_partition(slot->device->app, slot->partition, p);
}

Status init_pin(ClientSession& s, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
    SR_ASSIGN_OR_RETURN(std::string_view text, in_text(pin, pin_len));
    if (s.slot().admin())
        return error(Err::UserTypeInvalid, "the HSM admin slot has no Crypto Officer");
    return s.dev().init_role(s.id(), hsm::Role::CryptoOfficer, text);
}

Status set_pin(ClientSession& s, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len, CK_UTF8CHAR_PTR new_pin,
               CK_ULONG new_len) {
    SR_ASSIGN_OR_RETURN(std::string_view old_text, in_text(old_pin, old_len));
    SR_ASSIGN_OR_RETURN(std::string_view new_text, in_text(new_pin, new_len));
    if (!s.read_write()) return error(Err::SessionReadOnly);
    SR_ASSIGN_OR_RETURN(auto info, s.dev().session_info(s.id()));
    // v2.40 §5.6: not logged in, C_SetPIN changes the user's (Crypto Officer's) PIN.
    const hsm::Role role = info.logged_in.value_or(hsm::Role::CryptoOfficer);
    return s.dev().change_password(s.id(), role, old_text, new_text);
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_GetSlotList(CK_BBOOL token_present, CK_SLOT_ID_PTR list,
                                  CK_ULONG_PTR count) {
    return guard("C_GetSlotList", [&] { return get_slot_list(token_present, list, count); });
}

SR_P11_EXPORT CK_RV C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info) {
    return guard("C_GetSlotInfo", [&] { return get_slot_info(slot, info); });
}

SR_P11_EXPORT CK_RV C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info) {
    return guard("C_GetTokenInfo", [&] { return get_token_info(slot, info); });
}

// Devices are plugged in and out by moving folders; no event source exists yet.
SR_P11_EXPORT CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved) {
    return guard("C_WaitForSlotEvent", [&]() -> Status {
        SR_TRY(Module::get().status());
        if (reserved != nullptr) return error(Err::ArgumentsBad);
        SR_TRY(need(slot));
        if ((flags & CKF_DONT_BLOCK) != 0) return error(Err::NoEvent);
        return error(Err::FunctionNotSupported, "blocking slot events are not supported");
    });
}

SR_P11_EXPORT CK_RV C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list,
                                       CK_ULONG_PTR count) {
    return guard("C_GetMechanismList", [&] { return get_mechanism_list(slot, list, count); });
}

SR_P11_EXPORT CK_RV C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type,
                                       CK_MECHANISM_INFO_PTR info) {
    return guard("C_GetMechanismInfo", [&] { return get_mechanism_info(slot, type, info); });
}

SR_P11_EXPORT CK_RV C_InitToken(CK_SLOT_ID slot, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len,
                                CK_UTF8CHAR_PTR label) {
    return guard("C_InitToken", [&] { return init_token(slot, pin, pin_len, label); });
}

SR_P11_EXPORT CK_RV C_InitPIN(CK_SESSION_HANDLE session, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
    return guard("C_InitPIN", [&] {
        return with_session(session, [&](ClientSession& s) { return init_pin(s, pin, pin_len); });
    });
}

SR_P11_EXPORT CK_RV C_SetPIN(CK_SESSION_HANDLE session, CK_UTF8CHAR_PTR old_pin, CK_ULONG old_len,
                             CK_UTF8CHAR_PTR new_pin, CK_ULONG new_len) {
    return guard("C_SetPIN", [&] {
        return with_session(session, [&](ClientSession& s) {
            return set_pin(s, old_pin, old_len, new_pin, new_len);
        });
    });
}
