#include "common/log.h"

#include <string>

namespace sr::log {

void set_level(std::string_view name) {
    auto level = spdlog::level::from_str(std::string(name));
    if (level != spdlog::level::off || name == "off") spdlog::set_level(level);
}

}  // namespace sr::log
