#include "net/status.h"
