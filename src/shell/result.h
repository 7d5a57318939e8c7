// The shells' one mapping from a command's outcome to what the operator and scripts see: the
// `Command Result` line (BEHAVIOUR.md "Shell grammar") and the process exit status.
#pragma once

#include <string>

#include "common/result.h"

namespace sr::shell {

// "Command Result : No Error", or "Command Result : 0x<hex> (<CKR_NAME>)" with the PKCS#11 or
// Luna vendor code of the error (the code libstrongroom.so would return for it).
std::string result_line(const Status& st);

// The numeric code the result line shows (0 for success).
unsigned long result_code(const Status& st);

// Process exit status of a shell run: 0 when every command succeeded, 2 when the last failure
// was a usage error (bad command line), 1 for any other failure.
int exit_status(const Status& last_failure);

}  // namespace sr::shell
