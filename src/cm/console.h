// srcm's console is the shells' shared one (shell/console.h), under the names srcm's code uses.
#pragma once

#include "shell/console.h"

namespace sr::cm {

using shell::Console;
using shell::stream_console;
using shell::terminal_console;

}  // namespace sr::cm
