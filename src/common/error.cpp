#include "common/error.h"

#include <array>

namespace sr {
namespace {

struct Entry {
    Err code;
    std::string_view name;
    std::string_view text;
};

constexpr std::array kEntries = {
#define SR_ERR_ENTRY(name, text) Entry{Err::name, #name, text},
    SR_ERROR_CODES(SR_ERR_ENTRY)
#undef SR_ERR_ENTRY
};

constexpr std::array<Err, kEntries.size()> make_codes() {
    std::array<Err, kEntries.size()> out{};
    for (size_t i = 0; i < kEntries.size(); ++i) out[i] = kEntries[i].code;
    return out;
}
constexpr auto kCodes = make_codes();

// The enum is generated from the same list, so index == value; checked once at compile time.
constexpr bool indices_match() {
    for (size_t i = 0; i < kEntries.size(); ++i)
        if (static_cast<size_t>(kEntries[i].code) != i) return false;
    return true;
}
static_assert(indices_match());

}  // namespace

std::string_view err_name(Err e) noexcept {
    auto i = static_cast<size_t>(e);
    return i < kEntries.size() ? kEntries[i].name : std::string_view{"Unknown"};
}

std::optional<Err> err_from_name(std::string_view name) noexcept {
    for (const Entry& e : kEntries)
        if (e.name == name) return e.code;
    return std::nullopt;
}

std::string_view err_text(Err e) noexcept {
    auto i = static_cast<size_t>(e);
    return i < kEntries.size() ? kEntries[i].text : std::string_view{"unknown error"};
}

std::span<const Err> all_errors() noexcept { return kCodes; }

}  // namespace sr
