#include "net/device_service.h"
