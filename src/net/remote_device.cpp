#include "net/remote_device.h"
