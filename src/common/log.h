// Logging over spdlog. A secret cannot be logged: SecretBytes has no formatter, and these
// wrappers refuse it at compile time even if one were added. Log to the process's spdlog default
// logger, which the hosting program (daemon, shell, PKCS#11 module) configures once.
#pragma once

#include <spdlog/spdlog.h>

#include <type_traits>

#include "common/secret.h"

namespace sr::log {

template <class... Args>
constexpr bool kNoSecrets = (!std::is_same_v<std::remove_cvref_t<Args>, SecretBytes> && ...);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
    static_assert(kNoSecrets<Args...>, "secrets are never logged");
    spdlog::debug(f, std::forward<Args>(args)...);
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
    static_assert(kNoSecrets<Args...>, "secrets are never logged");
    spdlog::info(f, std::forward<Args>(args)...);
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
    static_assert(kNoSecrets<Args...>, "secrets are never logged");
    spdlog::warn(f, std::forward<Args>(args)...);
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
    static_assert(kNoSecrets<Args...>, "secrets are never logged");
    spdlog::error(f, std::forward<Args>(args)...);
}

// Level from a name ("debug", "info", "warn", "error", "off"); unknown names leave it unchanged.
void set_level(std::string_view name);

}  // namespace sr::log
