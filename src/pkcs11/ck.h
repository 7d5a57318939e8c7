// The PKCS#11 header, from p11-kit (standard CK_* names). Only src/pkcs11 includes this.
#pragma once

#include <p11-kit/pkcs11.h>
