#include "pkcs11/entry.h"

#include <algorithm>

namespace sr::p11 {

void forget_pending(ClientSession& s, std::initializer_list<PendingCall> family) {
    if (s.pending && std::find(family.begin(), family.end(), s.pending->call) != family.end())
        s.pending.reset();
}

}  // namespace sr::p11
