// PKCS#11 v2.40 §5.14 key management: generate key / key pair, wrap, unwrap, derive (ECDH).
// Template and wrapping-policy checks are the engine's.
#include "pkcs11/entry.h"

namespace sr::p11 {
namespace {

Status generate_key(ClientSession& s, CK_MECHANISM_PTR mech, CK_ATTRIBUTE_PTR tmpl,
                    CK_ULONG count, CK_OBJECT_HANDLE_PTR out) {
    SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    SR_ASSIGN_OR_RETURN(auto h, s.dev().generate_key(s.id(), m, attrs));
    *out = h;
    return {};
}

Status generate_key_pair(ClientSession& s, CK_MECHANISM_PTR mech, CK_ATTRIBUTE_PTR pub_tmpl,
                         CK_ULONG pub_count, CK_ATTRIBUTE_PTR priv_tmpl, CK_ULONG priv_count,
                         CK_OBJECT_HANDLE_PTR pub_out, CK_OBJECT_HANDLE_PTR priv_out) {
    SR_TRY(need(pub_out));
    SR_TRY(need(priv_out));
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    SR_ASSIGN_OR_RETURN(auto pub, in_template(pub_tmpl, pub_count));
    SR_ASSIGN_OR_RETURN(auto priv, in_template(priv_tmpl, priv_count));
    SR_ASSIGN_OR_RETURN(auto pair, s.dev().generate_key_pair(s.id(), m, pub, priv));
    *pub_out = pair.public_key;
    *priv_out = pair.private_key;
    return {};
}

Status wrap_key(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE wrapping,
                CK_OBJECT_HANDLE key, CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    // A wrap is one call, not a session operation: a kept result answers only a repeat with
    // the same mechanism and keys, and a new length query always wraps afresh.
    if (out == nullptr) forget_pending(s, {PendingCall::WrapKey});
    const uint64_t request = (m.id * 0x9E3779B97F4A7C15ULL) ^ (wrapping << 32) ^ key;
    return produce(s, PendingCall::WrapKey,
                   [&] { return s.dev().wrap_key(s.id(), m, wrapping, key); }, out, out_len,
                   request);
}

Status unwrap_key(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE unwrapping,
                  CK_BYTE_PTR wrapped, CK_ULONG wrapped_len, CK_ATTRIBUTE_PTR tmpl,
                  CK_ULONG count, CK_OBJECT_HANDLE_PTR out) {
    SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    SR_TRY(need(wrapped));
    SR_ASSIGN_OR_RETURN(ByteView blob, in_bytes(wrapped, wrapped_len));
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    SR_ASSIGN_OR_RETURN(auto h, s.dev().unwrap_key(s.id(), m, unwrapping, blob, attrs));
    *out = h;
    return {};
}

Status derive_key(ClientSession& s, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE base,
                  CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR out) {
    SR_TRY(need(out));
    SR_ASSIGN_OR_RETURN(auto m, parse_mechanism(mech));
    SR_ASSIGN_OR_RETURN(auto attrs, in_template(tmpl, count));
    SR_ASSIGN_OR_RETURN(auto h, s.dev().derive_key(s.id(), m, base, attrs));
    *out = h;
    return {};
}

}  // namespace
}  // namespace sr::p11

using namespace sr;
using namespace sr::p11;

SR_P11_EXPORT CK_RV C_GenerateKey(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                  CK_ATTRIBUTE_PTR tmpl, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
    return guard("C_GenerateKey", [&] {
        return with_session(session, [&](ClientSession& s) {
            return generate_key(s, mech, tmpl, count, key);
        });
    });
}

SR_P11_EXPORT CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                      CK_ATTRIBUTE_PTR pub_tmpl, CK_ULONG pub_count,
                                      CK_ATTRIBUTE_PTR priv_tmpl, CK_ULONG priv_count,
                                      CK_OBJECT_HANDLE_PTR pub_key, CK_OBJECT_HANDLE_PTR priv_key) {
    return guard("C_GenerateKeyPair", [&] {
        return with_session(session, [&](ClientSession& s) {
            return generate_key_pair(s, mech, pub_tmpl, pub_count, priv_tmpl, priv_count, pub_key,
                                     priv_key);
        });
    });
}

SR_P11_EXPORT CK_RV C_WrapKey(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                              CK_OBJECT_HANDLE wrapping, CK_OBJECT_HANDLE key, CK_BYTE_PTR out,
                              CK_ULONG_PTR out_len) {
    return guard("C_WrapKey", [&] {
        return with_session(session, [&](ClientSession& s) {
            return wrap_key(s, mech, wrapping, key, out, out_len);
        });
    });
}

SR_P11_EXPORT CK_RV C_UnwrapKey(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                CK_OBJECT_HANDLE unwrapping, CK_BYTE_PTR wrapped,
                                CK_ULONG wrapped_len, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                                CK_OBJECT_HANDLE_PTR key) {
    return guard("C_UnwrapKey", [&] {
        return with_session(session, [&](ClientSession& s) {
            return unwrap_key(s, mech, unwrapping, wrapped, wrapped_len, tmpl, count, key);
        });
    });
}

SR_P11_EXPORT CK_RV C_DeriveKey(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mech,
                                CK_OBJECT_HANDLE base, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                                CK_OBJECT_HANDLE_PTR key) {
    return guard("C_DeriveKey", [&] {
        return with_session(session, [&](ClientSession& s) {
            return derive_key(s, mech, base, tmpl, count, key);
        });
    });
}
