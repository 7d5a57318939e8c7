// The Strongroom version this engine was built as (from the CMake project version).
#pragma once

#include <string_view>

namespace sr::hsm {
std::string_view version() noexcept;
}  // namespace sr::hsm
