// PKCS#11 v2.40 §5.7 object management: create, copy, destroy, attribute get/set (with the
// per-attribute rules of C_GetAttributeValue) and object search. The attribute rules themselves
// (sensitive values, read-only attributes, copy rules) are the engine's.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

Status create_object(ClientSession& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                     CK_OBJECT_HANDLE_PTR out) {
    SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    SR_ASSIGN_OR_RETURN(auto h, s.dev().create_object(s.id(), attrs));
    *out = h;
    return {};
}

Status copy_object(ClientSession& s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                   CK_OBJECT_HANDLE_PTR out) {
    SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    SR_ASSIGN_OR_RETURN(auto copy, s.dev().copy_object(s.id(), h, attrs));
    *out = copy;
    return {};
}

// The size of an object is not exposed (v2.40 allows CK_UNAVAILABLE_INFORMATION); the handle
// is still checked.
Status get_object_size(ClientSession& s, CK_OBJECT_HANDLE h, CK_ULONG_PTR size) {
    SR_TRY(need(size));
    const hsm::AttrType cls[] = {hsm::attr::kClass};
    SR_TRY(s.dev().get_attributes(s.id(), h, cls).status());
    *size = CK_UNAVAILABLE_INFORMATION;
    return {};
}

Status get_attribute_value(ClientSession& s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR tmpl,
                           CK_ULONG count) {
    SR_ASSIGN_OR_RETURN(auto types, in_types(tmpl, count));
    SR_ASSIGN_OR_RETURN(auto readout, s.dev().get_attributes(s.id(), h, types));
    return out_attributes(readout.values, readout.unavailable, tmpl, count);
}

Status set_attribute_value(ClientSession& s, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_PTR tmpl,
                           CK_ULONG count) {
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    return s.dev().set_attributes(s.id(), h, attrs);
}

Status find_objects_init(ClientSession& s, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    return s.dev().find_init(s.id(), attrs);
}

Status find_objects(ClientSession& s, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count) {
    SR_TRY(need(count));
    if (max != 0) SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(auto found, s.dev().find_next(s.id(), max));
    const size_t n = std::min<size_t>(found.size(), max);
    for (size_t i = 0; i < n; ++i) out[i] = found[i];
    *count = n;
    return {};
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_CreateObject(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR tmpl,
                                   CK_ULONG count, CK_OBJECT_HANDLE_PTR object) {
    return guard("C_CreateObject", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return create_object(s, tmpl, count, object); });
    });
}

SR_P11_EXPORT CK_RV C_CopyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                 CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                                 CK_OBJECT_HANDLE_PTR new_object) {
    return guard("C_CopyObject", [&] {
        return with_session(session, [&](ClientSession& s) {
            return copy_object(s, object, tmpl, count, new_object);
        });
    });
}

SR_P11_EXPORT CK_RV C_DestroyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object) {
    return guard("C_DestroyObject", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return s.dev().destroy_object(s.id(), object); });
    });
}

SR_P11_EXPORT CK_RV C_GetObjectSize(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                    CK_ULONG_PTR size) {
    return guard("C_GetObjectSize", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return get_object_size(s, object, size); });
    });
}

SR_P11_EXPORT CK_RV C_GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
    return guard("C_GetAttributeValue", [&] {
        return with_session(session, [&](ClientSession& s) {
            return get_attribute_value(s, object, tmpl, count);
        });
    });
}

SR_P11_EXPORT CK_RV C_SetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                        CK_ATTRIBUTE_PTR tmpl, CK_ULONG count) {
    return guard("C_SetAttributeValue", [&] {
        return with_session(session, [&](ClientSession& s) {
            return set_attribute_value(s, object, tmpl, count);
        });
    });
}

SR_P11_EXPORT CK_RV C_FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR tmpl,
                                      CK_ULONG count) {
    return guard("C_FindObjectsInit", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return find_objects_init(s, tmpl, count); });
    });
}

SR_P11_EXPORT CK_RV C_FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects,
                                  CK_ULONG max, CK_ULONG_PTR count) {
    return guard("C_FindObjects", [&] {
        return with_session(session,
                            [&](ClientSession& s) { return find_objects(s, objects, max, count); });
    });
}

SR_P11_EXPORT CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE session) {
    return guard("C_FindObjectsFinal", [&] {
        return with_session(session, [](ClientSession& s) { return s.dev().find_final(s.id()); });
    });
}
