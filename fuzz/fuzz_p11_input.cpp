// Fuzz target: what an application hands the PKCS#11 module — attribute templates and mechanism
// parameter blocks (src/pkcs11/abi.h, src/pkcs11/mech_params.h) — and the attribute rules that
// judge a parsed template (hsm/object_rules.h). Pointers inside the structures always point at
// memory the target owns (a real caller's wild pointer cannot be defended against); lengths,
// counts, nulls, types and contents are the fuzzer's.
#include <cstdint>
#include <deque>
#include <vector>

#include "hsm/object_rules.h"
#include "pkcs11/abi.h"
#include "pkcs11/mech_params.h"

namespace {

class Input {
public:
    Input(const uint8_t* d, size_t n) : m_d(d), m_n(n) {}
    uint8_t u8() { return m_i < m_n ? m_d[m_i++] : 0; }
    CK_ULONG ulong() {
        CK_ULONG v = 0;
        for (int i = 0; i < 4; ++i) v = (v << 8) | u8();
        return v;
    }
    // A caller-owned buffer of up to `max` bytes taken from the input (stable address).
    std::vector<uint8_t>& bytes(size_t max) {
        size_t n = max == 0 ? 0 : u8() % (max + 1);
        auto& b = m_pool.emplace_back();
        for (size_t i = 0; i < n; ++i) b.push_back(u8());
        return b;
    }
    // Pointer to `b`, or null when the fuzzer says so (a null with a length is a caller error).
    CK_VOID_PTR ptr(std::vector<uint8_t>& b) { return (u8() & 7) == 0 ? nullptr : b.data(); }

private:
    const uint8_t* m_d;
    size_t m_n;
    size_t m_i = 0;
    std::deque<std::vector<uint8_t>> m_pool;
};

constexpr CK_ATTRIBUTE_TYPE kTypes[] = {
    CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_VALUE, CKA_KEY_TYPE, CKA_ID, CKA_SENSITIVE,
    CKA_ENCRYPT, CKA_DECRYPT, CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_VERIFY, CKA_DERIVE,
    CKA_MODULUS, CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_VALUE_LEN,
    CKA_EXTRACTABLE, CKA_LOCAL, CKA_MODIFIABLE, CKA_EC_PARAMS, CKA_EC_POINT, CKA_TRUSTED,
    CKA_WRAP_TEMPLATE, CKA_CERTIFICATE_TYPE, CKA_PRIME, CKA_SUBPRIME, CKA_BASE};

void fuzz_template(Input& in) {
    const CK_ULONG count = in.u8() % 12;
    std::vector<CK_ATTRIBUTE> tmpl(count);
    for (auto& a : tmpl) {
        const uint8_t pick = in.u8();
        a.type = pick < 200 ? kTypes[pick % std::size(kTypes)] : in.ulong();
        auto& b = in.bytes(48);
        a.pValue = in.ptr(b);
        a.ulValueLen = a.pValue == nullptr ? in.u8() % 3 : b.size();
    }
    const bool null_array = count > 0 && (in.u8() & 15) == 0;
    auto set = sr::p11::in_template(null_array ? nullptr : tmpl.data(), count);
    if (!set) return;
    static constexpr sr::hsm::Origin kOrigins[] = {
        sr::hsm::Origin::Create, sr::hsm::Origin::Generate,
        sr::hsm::Origin::GenerateKeyPairPublic, sr::hsm::Origin::GenerateKeyPairPrivate,
        sr::hsm::Origin::Unwrap, sr::hsm::Origin::Derive};
    sr::hsm::NewObjectContext ctx;
    ctx.is_so = (in.u8() & 1) != 0;
    (void)sr::hsm::prepare_new_object(std::move(*set),
                                      kOrigins[in.u8() % std::size(kOrigins)], ctx);
}

// Fills `m.pParameter` with a parameter block of the mechanism's own shape whose inner pointers
// and lengths come from the input.
void fuzz_mechanism(Input& in) {
    static constexpr CK_MECHANISM_TYPE kMechs[] = {
        CKM_AES_CBC, CKM_AES_CBC_PAD, CKM_DES3_CBC, CKM_AES_CTR, CKM_AES_GCM, CKM_RSA_PKCS_PSS,
        CKM_SHA256_RSA_PKCS_PSS, CKM_RSA_PKCS_OAEP, CKM_ECDH1_DERIVE, CKM_RSA_AES_KEY_WRAP,
        CKM_AES_KEY_WRAP, CKM_AES_KEY_WRAP_PAD, CKM_SHA256_RSA_PKCS, CKM_ECDSA};
    CK_MECHANISM m{kMechs[in.u8() % std::size(kMechs)], nullptr, 0};
    CK_AES_CTR_PARAMS ctr{};
    CK_GCM_PARAMS gcm{};
    CK_RSA_PKCS_PSS_PARAMS pss{};
    CK_RSA_PKCS_OAEP_PARAMS oaep{};
    CK_ECDH1_DERIVE_PARAMS ecdh{};
    struct {
        CK_ULONG bits;
        CK_RSA_PKCS_OAEP_PARAMS_PTR oaep;
    } rsa_aes{};
    auto& raw = in.bytes(40);
    const uint8_t shape = in.u8() % 8;
    auto set = [&](auto& s) {
        m.pParameter = &s;
        m.ulParameterLen = (in.u8() & 7) == 0 ? sizeof s - 1 : sizeof s;
    };
    switch (shape) {
        case 0:
            ctr.ulCounterBits = in.ulong();
            for (auto& c : ctr.cb) c = in.u8();
            set(ctr);
            break;
        case 1: {
            auto& iv = in.bytes(32);
            auto& aad = in.bytes(32);
            gcm.pIv = static_cast<CK_BYTE_PTR>(in.ptr(iv));
            gcm.ulIvLen = iv.size();
            gcm.ulIvBits = in.ulong();
            gcm.pAAD = static_cast<CK_BYTE_PTR>(in.ptr(aad));
            gcm.ulAADLen = aad.size();
            gcm.ulTagBits = in.u8();
            set(gcm);
            break;
        }
        case 2:
            pss.hashAlg = in.u8() < 128 ? CKM_SHA256 : in.ulong();
            pss.mgf = in.u8() < 128 ? CKG_MGF1_SHA256 : in.ulong();
            pss.sLen = in.u8();
            set(pss);
            break;
        case 3:
        case 4: {
            auto& label = in.bytes(16);
            oaep.hashAlg = in.u8() < 128 ? CKM_SHA_1 : in.ulong();
            oaep.mgf = in.u8() < 128 ? CKG_MGF1_SHA1 : in.ulong();
            oaep.source = in.u8() & 1;
            oaep.pSourceData = in.ptr(label);
            oaep.ulSourceDataLen = label.size();
            if (shape == 3) {
                set(oaep);
            } else {
                rsa_aes.bits = in.ulong();
                rsa_aes.oaep = (in.u8() & 7) == 0 ? nullptr : &oaep;
                set(rsa_aes);
            }
            break;
        }
        case 5: {
            auto& shared = in.bytes(16);
            auto& pub = in.bytes(80);
            ecdh.kdf = in.u8() < 200 ? CKD_NULL : in.ulong();
            ecdh.pSharedData = static_cast<CK_BYTE_PTR>(in.ptr(shared));
            ecdh.ulSharedDataLen = shared.size();
            ecdh.pPublicData = static_cast<CK_BYTE_PTR>(in.ptr(pub));
            ecdh.ulPublicDataLen = pub.size();
            set(ecdh);
            break;
        }
        default:
            m.pParameter = in.ptr(raw);
            m.ulParameterLen = m.pParameter == nullptr ? in.u8() % 2 : raw.size();
            break;
    }
    (void)sr::p11::parse_mechanism((in.u8() & 31) == 0 ? nullptr : &m);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Input in(data, size);
    if (in.u8() & 1)
        fuzz_template(in);
    else
        fuzz_mechanism(in);
    return 0;
}
