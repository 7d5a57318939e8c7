// Placeholder: this command group is being written; it registers no command yet.
#include "cm/commands.h"

namespace sr::cm {

Commands clone_commands() { return {}; }

}  // namespace sr::cm
