#include "pkcs11/mech_params.h"

#include <optional>

#include "pkcs11/abi.h"

namespace sr::p11 {
namespace {

namespace mech = crypto::mech;

// CK_RSA_AES_KEY_WRAP_PARAMS (v2.40 §2.1.21); p11-kit's header does not declare it.
struct RsaAesKeyWrapParams {
    CK_ULONG ulAESKeyBits;
    CK_RSA_PKCS_OAEP_PARAMS_PTR pOAEPParams;
};

Status bad(const char* why) { return error(Err::MechanismParamInvalid, why); }

Result<crypto::Hash> hash_of(CK_MECHANISM_TYPE m) {
    switch (m) {
        case CKM_SHA_1: return crypto::Hash::Sha1;
        case CKM_SHA224: return crypto::Hash::Sha224;
        case CKM_SHA256: return crypto::Hash::Sha256;
        case CKM_SHA384: return crypto::Hash::Sha384;
        case CKM_SHA512: return crypto::Hash::Sha512;
        default: return bad("unsupported hash algorithm");
    }
}

Result<crypto::Hash> mgf_of(CK_RSA_PKCS_MGF_TYPE m) {
    switch (m) {
        case CKG_MGF1_SHA1: return crypto::Hash::Sha1;
        case CKG_MGF1_SHA224: return crypto::Hash::Sha224;
        case CKG_MGF1_SHA256: return crypto::Hash::Sha256;
        case CKG_MGF1_SHA384: return crypto::Hash::Sha384;
        case CKG_MGF1_SHA512: return crypto::Hash::Sha512;
        default: return bad("unsupported MGF");
    }
}

Result<crypto::MechParams> iv(const CK_MECHANISM& m, size_t block) {
    if (m.ulParameterLen != block) return bad("IV has the wrong length");
    SR_ASSIGN_OR_RETURN(ByteView v, in_bytes(m.pParameter, m.ulParameterLen));
    return crypto::MechParams{crypto::IvParams{Bytes(v.begin(), v.end())}};
}

Result<crypto::MechParams> ctr(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(auto p, in_struct<CK_AES_CTR_PARAMS>(m.pParameter, m.ulParameterLen));
    if (p.ulCounterBits == 0 || p.ulCounterBits > 128) return bad("counter bits out of range");
    return crypto::MechParams{crypto::CtrParams{Bytes(std::begin(p.cb), std::end(p.cb)),
                             static_cast<uint32_t>(p.ulCounterBits)}};
}

Result<crypto::MechParams> gcm(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(auto p, in_struct<CK_GCM_PARAMS>(m.pParameter, m.ulParameterLen));
    if (p.ulIvLen == 0 || p.ulIvLen > 256) return bad("GCM IV length out of range");
    if (p.ulTagBits > 128 || p.ulTagBits % 8 != 0) return bad("GCM tag length out of range");
    SR_ASSIGN_OR_RETURN(ByteView ivv, in_bytes(p.pIv, p.ulIvLen));
    SR_ASSIGN_OR_RETURN(ByteView aad, in_bytes(p.pAAD, p.ulAADLen));
    return crypto::MechParams{crypto::GcmParams{Bytes(ivv.begin(), ivv.end()), Bytes(aad.begin(), aad.end()),
                             static_cast<uint32_t>(p.ulTagBits)}};
}

Result<crypto::MechParams> pss(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(auto p,
                        in_struct<CK_RSA_PKCS_PSS_PARAMS>(m.pParameter, m.ulParameterLen));
    SR_ASSIGN_OR_RETURN(auto h, hash_of(p.hashAlg));
    SR_ASSIGN_OR_RETURN(auto g, mgf_of(p.mgf));
    if (p.sLen > 1024) return bad("PSS salt length out of range");
    return crypto::MechParams{crypto::PssParams{h, g, p.sLen}};
}

Result<crypto::OaepParams> oaep_from(const CK_RSA_PKCS_OAEP_PARAMS& p) {
    SR_ASSIGN_OR_RETURN(auto h, hash_of(p.hashAlg));
    SR_ASSIGN_OR_RETURN(auto g, mgf_of(p.mgf));
    if (p.source != 0 && p.source != CKZ_DATA_SPECIFIED) return bad("unsupported OAEP source");
    if (p.source == 0 && p.ulSourceDataLen != 0) return bad("OAEP label without a source");
    SR_ASSIGN_OR_RETURN(ByteView label, in_bytes(p.pSourceData, p.ulSourceDataLen));
    return crypto::OaepParams{h, g, Bytes(label.begin(), label.end())};
}

Result<crypto::MechParams> oaep(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(auto p,
                        in_struct<CK_RSA_PKCS_OAEP_PARAMS>(m.pParameter, m.ulParameterLen));
    SR_ASSIGN_OR_RETURN(auto o, oaep_from(p));
    return crypto::MechParams{std::move(o)};
}

Result<crypto::MechParams> ecdh(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(auto p,
                        in_struct<CK_ECDH1_DERIVE_PARAMS>(m.pParameter, m.ulParameterLen));
    if (p.ulPublicDataLen == 0) return bad("ECDH peer public key is missing");
    SR_ASSIGN_OR_RETURN(ByteView pub, in_bytes(p.pPublicData, p.ulPublicDataLen));
    SR_ASSIGN_OR_RETURN(ByteView shared, in_bytes(p.pSharedData, p.ulSharedDataLen));
    return crypto::MechParams{crypto::EcdhParams{Bytes(pub.begin(), pub.end()), p.kdf,
                              Bytes(shared.begin(), shared.end())}};
}

Result<crypto::MechParams> rsa_aes_wrap(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(auto p, in_struct<RsaAesKeyWrapParams>(m.pParameter, m.ulParameterLen));
    if (p.pOAEPParams == nullptr) return bad("RSA-AES wrap needs OAEP parameters");
    SR_ASSIGN_OR_RETURN(auto o, in_struct<CK_RSA_PKCS_OAEP_PARAMS>(
                                    p.pOAEPParams, sizeof(CK_RSA_PKCS_OAEP_PARAMS)));
    SR_ASSIGN_OR_RETURN(auto op, oaep_from(o));
    return crypto::MechParams{crypto::RsaAesWrapParams{p.ulAESKeyBits, std::move(op)}};
}

Result<crypto::MechParams> wrap_iv(const CK_MECHANISM& m) {
    SR_ASSIGN_OR_RETURN(ByteView v, in_bytes(m.pParameter, m.ulParameterLen));
    return crypto::MechParams{crypto::WrapPadIv{Bytes(v.begin(), v.end())}};
}

Result<crypto::MechParams> none(const CK_MECHANISM& m) {
    if (m.ulParameterLen != 0) return bad("this mechanism takes no parameter");
    return crypto::MechParams{crypto::NoParams{}};
}

Result<crypto::MechParams> params_for(const CK_MECHANISM& m) {
    switch (m.mechanism) {
        case mech::kAesCbc:
        case mech::kAesCbcPad: return iv(m, 16);
        case mech::kDes3Cbc:
        case mech::kDes3CbcPad: return iv(m, 8);
        case mech::kAesCtr: return ctr(m);
        case mech::kAesGcm: return gcm(m);
        case mech::kRsaPkcsPss:
        case mech::kSha1RsaPkcsPss:
        case mech::kSha224RsaPkcsPss:
        case mech::kSha256RsaPkcsPss:
        case mech::kSha384RsaPkcsPss:
        case mech::kSha512RsaPkcsPss: return pss(m);
        case mech::kRsaPkcsOaep: return oaep(m);
        case mech::kEcdh1Derive: return ecdh(m);
        case mech::kRsaAesKeyWrap: return rsa_aes_wrap(m);
        case mech::kAesKeyWrap:
        case mech::kAesKeyWrapPad: return wrap_iv(m);
        default: return none(m);
    }
}

}  // namespace

Result<crypto::Mechanism> parse_mechanism(const CK_MECHANISM* m) {
    SR_TRY(need(m));
    const CK_MECHANISM copy = *m;
    SR_ASSIGN_OR_RETURN(auto params, params_for(copy));
    return crypto::Mechanism{copy.mechanism, std::move(params)};
}

}  // namespace sr::p11
