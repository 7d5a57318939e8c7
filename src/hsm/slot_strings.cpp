// What a slot shows (luna-reference §1.2) and the cloning-direction rule (§5.1, §5.5, §8.1).
// Strings the reference does not show are chosen in the same style; see
// docs/design/object-model.md.
#include "hsm/personality.h"

namespace sr::hsm {
namespace {

constexpr FirmwareVersion kFirstKeyExport{7, 1, 0};
constexpr FirmwareVersion kFirstV0V1{7, 7, 0};
constexpr FirmwareVersion kBackup7ForV0V1{7, 7, 1};
constexpr FirmwareVersion kBackupG5ForV0V1{6, 28, 0};

std::string auth_tag(AuthType a) { return a == AuthType::Password ? "(PW)" : "(PED)"; }

// The mode suffix of user partitions: 7.1+ advertises that either cloning or key-export mode
// is possible (§3.4); older firmware is a signing-with-cloning partition.
std::string_view mode_suffix(const FirmwareVersion& fw) {
    return fw >= kFirstKeyExport ? "Key Export With Cloning Mode" : "Signing With Cloning Mode";
}

}  // namespace

std::string slot_configuration(const SlotIdentity& s) {
    const std::string auth = auth_tag(s.auth);
    if (s.form_factor == FormFactor::Backup) return "Luna Backup HSM " + auth;
    if (s.admin_slot) return "Luna HSM Admin Partition " + auth;
    const std::string mode(mode_suffix(s.firmware));
    if (generation(s.firmware) != Generation::PrePpso) {
        return "Luna User Partition With SO " + auth + " " + mode;
    }
    switch (s.form_factor) {
        case FormFactor::Pcie: return "Luna PCI " + auth + " " + mode;
        case FormFactor::Usb: return "Luna G5 " + auth + " " + mode;
        default: return "Luna User Partition " + auth + " " + mode;
    }
}

std::string model_name(const SlotIdentity& s) {
    const bool luna7 = generation(s.firmware) == Generation::Luna7;
    const std::string fw = s.firmware.to_string();
    switch (s.form_factor) {
        case FormFactor::Network: return "LunaSA " + fw;
        case FormFactor::Pcie: return luna7 ? "Luna K7 " + fw : std::string("K6 Base");
        case FormFactor::Usb: return luna7 ? "Luna USB HSM 7 " + fw : std::string("G5Base");
        case FormFactor::Backup: return luna7 ? "Luna Backup HSM 7 " + fw : std::string("G5Backup");
    }
    return fw;
}

std::string slot_description(const SlotIdentity& s) {
    if (s.form_factor == FormFactor::Network) return "Net Token Slot";
    if (s.form_factor == FormFactor::Backup) return "Backup Token Slot";
    return s.admin_slot ? "Admin Token Slot" : "User Token Slot";
}

std::string slot_set_description(const SlotIdentity& s) {
    const std::string fw = s.firmware.to_string();
    const std::string auth = auth_tag(s.auth);
    if (s.form_factor == FormFactor::Backup) return "Luna Backup HSM Slot " + fw + " " + auth;
    if (s.admin_slot) return "Luna HSM Admin Slot " + fw + " " + auth;
    return "Luna User Slot " + fw + " " + auth + " " + std::string(mode_suffix(s.firmware));
}

Status check_clone_direction(const CloneEndpoint& source, const CloneEndpoint& target) {
    const FirmwareVersion& src = source.firmware;
    const FirmwareVersion& dst = target.firmware;
    auto refuse = [&](std::string_view why) {
        return error(Err::OperationNotAllowed, "cannot clone from firmware " + src.to_string() +
                                                   " to firmware " + dst.to_string() + ": " +
                                                   std::string(why));
    };
    if (target.form_factor == FormFactor::Backup) {
        // A Backup HSM stores what it is given; only 7.7+ (V0/V1) objects need new enough
        // backup firmware (Backup HSM 7 >= 7.7.1, G5 >= 6.28.0).
        if (src < kFirstV0V1) return Status::ok();
        const bool ok = dst.major >= 7 ? dst >= kBackup7ForV0V1 : dst >= kBackupG5ForV0V1;
        if (ok) return Status::ok();
        return refuse("7.7+ objects need Backup HSM 7 firmware 7.7.1+ or Backup HSM G5 6.28.0+");
    }
    const Generation gs = generation(src);
    const Generation gt = generation(dst);
    if (gs < gt) return Status::ok();
    if (gs > gt) {
        return refuse("objects move to the same or a newer generation only (" +
                      std::string(generation_name(gs)) + " to " + std::string(generation_name(gt)) +
                      " is a downgrade)");
    }
    if (src >= kFirstV0V1 && dst < kFirstV0V1) {
        return refuse("7.7+ objects carry per-key data that pre-7.7 firmware cannot hold");
    }
    return Status::ok();
}

}  // namespace sr::hsm
