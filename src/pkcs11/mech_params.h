// The one place mechanism parameters are read from caller memory and checked (IV, CTR, GCM,
// PSS, OAEP, ECDH1 derive, RSA-AES key wrap, AES key wrap IV) into crypto::Mechanism.
// Pure; thread-safe.
#pragma once

#include "common/result.h"
#include "crypto/mechanism.h"
#include "pkcs11/ck.h"

namespace sr::p11 {

// Errors: ArgumentsBad (null mechanism), MechanismParamInvalid (wrong size or content; a
// parameter given to a mechanism that takes none). Unknown mechanisms pass through with no
// parameters: the engine answers MechanismInvalid.
Result<crypto::Mechanism> parse_mechanism(const CK_MECHANISM* m);

}  // namespace sr::p11
