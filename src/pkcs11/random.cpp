// PKCS#11 v2.40 §5.15 random number generation. The device RNG is the operating system's and
// takes no seed: C_SeedRandom answers CKR_RANDOM_SEED_NOT_SUPPORTED.
#include <cstring>

#include "pkcs11/entry.h"

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_SeedRandom(CK_SESSION_HANDLE session, CK_BYTE_PTR seed, CK_ULONG seed_len) {
    return guard("C_SeedRandom", [&] {
        return with_session(session, [&](ClientSession&) -> Status {
            SR_TRY(in_bytes(seed, seed_len).status());
            return error(Err::RandomSeedNotSupported);
        });
    });
}

SR_P11_EXPORT CK_RV C_GenerateRandom(CK_SESSION_HANDLE session, CK_BYTE_PTR out, CK_ULONG len) {
    return guard("C_GenerateRandom", [&] {
        return with_session(session, [&](ClientSession& s) -> Status {
            if (len == 0) return {};
            SR_TRY(need(out));
            if (len > kMaxInputBytes) return error(Err::ArgumentsBad, "length out of range");
            SR_ASSIGN_OR_RETURN(Bytes r, s.dev().generate_random(s.id(), len));
            if (r.size() != len) return error(Err::GeneralError, "short random output");
            std::memcpy(out, r.data(), len);
            return Status{};
        });
    });
}
