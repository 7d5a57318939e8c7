#include "net/convert.h"
