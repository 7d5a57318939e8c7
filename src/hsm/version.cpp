#include "hsm/version.h"

namespace sr::hsm {
std::string_view version() noexcept { return SR_VERSION; }
}  // namespace sr::hsm
