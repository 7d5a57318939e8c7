// Firmware personalities: versions, generations, form factors and auth types.
// Roles, names and lockout live in roles.cpp; slot strings and cloning direction in
// slot_strings.cpp.
#include "hsm/personality.h"

#include <charconv>

namespace sr::hsm {
namespace {

constexpr FirmwareVersion kFirstPpso{6, 22, 0};

Result<uint32_t> parse_part(std::string_view part, std::string_view whole) {
    uint32_t v = 0;
    const char* end = part.data() + part.size();
    auto [ptr, ec] = std::from_chars(part.data(), end, v);
    if (part.empty() || part.size() > 9 || ec != std::errc{} || ptr != end) {
        return error(Err::ArgumentsBad, "bad firmware version '" + std::string(whole) +
                                            "': expected MAJOR.MINOR[.PATCH] in decimal");
    }
    return v;
}

}  // namespace

Result<FirmwareVersion> FirmwareVersion::parse(std::string_view text) {
    FirmwareVersion fw;
    uint32_t* parts[] = {&fw.major, &fw.minor, &fw.patch};
    size_t count = 0;
    std::string_view rest = text;
    while (true) {
        const size_t dot = rest.find('.');
        const std::string_view part = rest.substr(0, dot);
        if (count == 3) {
            return error(Err::ArgumentsBad, "bad firmware version '" + std::string(text) +
                                                "': at most three numbers");
        }
        SR_ASSIGN_OR_RETURN(*parts[count], parse_part(part, text));
        ++count;
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    if (count < 2) {
        return error(Err::ArgumentsBad, "bad firmware version '" + std::string(text) +
                                            "': expected MAJOR.MINOR[.PATCH]");
    }
    return fw;
}

std::string FirmwareVersion::to_string() const {
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

Generation generation(const FirmwareVersion& fw) noexcept {
    if (fw.major >= 7) return Generation::Luna7;
    if (fw >= kFirstPpso) return Generation::Ppso;
    return Generation::PrePpso;
}

std::string_view generation_name(Generation g) noexcept {
    switch (g) {
        case Generation::PrePpso: return "pre-PPSO";
        case Generation::Ppso: return "PPSO";
        case Generation::Luna7: return "Luna 7";
    }
    return "?";
}

namespace {
struct FormFactorName {
    FormFactor value;
    std::string_view name;
};
constexpr FormFactorName kFormFactors[] = {{FormFactor::Network, "network"},
                                           {FormFactor::Pcie, "pcie"},
                                           {FormFactor::Usb, "usb"},
                                           {FormFactor::Backup, "backup"}};
}  // namespace

std::string_view form_factor_name(FormFactor f) noexcept {
    for (const auto& e : kFormFactors) {
        if (e.value == f) return e.name;
    }
    return "?";
}

Result<FormFactor> parse_form_factor(std::string_view name) {
    for (const auto& e : kFormFactors) {
        if (e.name == name) return e.value;
    }
    return error(Err::ArgumentsBad, "unknown form factor '" + std::string(name) +
                                        "' (expected network, pcie, usb or backup)");
}

std::string_view auth_type_name(AuthType a) noexcept {
    return a == AuthType::Password ? "password" : "ped";
}

Result<AuthType> parse_auth_type(std::string_view name) {
    if (name == "password") return AuthType::Password;
    if (name == "ped") return AuthType::Ped;
    return error(Err::ArgumentsBad,
                 "unknown auth type '" + std::string(name) + "' (expected password or ped)");
}

Status check_password_length(size_t length) {
    if (length < kMinPasswordLength || length > kMaxPasswordLength) {
        return error(Err::PinLenRange, "a password must be " + std::to_string(kMinPasswordLength) +
                                           " to " + std::to_string(kMaxPasswordLength) +
                                           " characters long (got " + std::to_string(length) + ")");
    }
    return Status::ok();
}

}  // namespace sr::hsm
