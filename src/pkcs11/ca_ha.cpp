// Luna HA state (luna-reference §6.3). HA groups and their virtual slots do not exist yet, so
// every slot is a plain (non-HA) slot: CA_GetHAState answers CKR_OK with an empty state
// (blank group serial, no members) — "this slot belongs to no HA group" (docs/pkcs11.md).
#include <cstring>

#include "pkcs11/entry.h"
#include "pkcs11/luna.h"

namespace sr::p11 {
namespace {

Status get_ha_state(CK_SLOT_ID slot_id, CK_HA_STATUS* out) {
    SR_ASSIGN_OR_RETURN(Module * m, Module::get());
    SR_TRY(m->client().slot(slot_id).status());
    SR_TRY(need(out));
    CK_HA_STATUS st{};
    std::memset(st.groupSerial, ' ', sizeof st.groupSerial);
    st.listSize = 0;
    *out = st;
    return {};
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV CA_GetHAState(CK_SLOT_ID slot, CK_HA_STATE_PTR state) {
    return guard("CA_GetHAState", [&] { return get_ha_state(slot, state); });
}
