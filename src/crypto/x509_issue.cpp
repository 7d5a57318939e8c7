// Certificate issuance: the self-signed CA, device identity certificates and TLS certificates.
// One builder fills what every profile shares; each profile adds its extensions.
#include <openssl/crypto.h>

#include <array>
#include <string>

#include "crypto/primitives.h"
#include "crypto/x509_internal.h"

namespace sr::crypto {
namespace {

// Clock skew between hosts should not make a fresh certificate "not yet valid".
constexpr auto kBackdate = std::chrono::hours(1);
constexpr size_t kSerialBytes = 16;

struct SubjectSpec {
    std::string common_name;
    std::string organization;
    std::string serial_number;  // subject serialNumber attribute; empty = none
};

class CertBuilder final {
  public:
    // `issuer` null means self-signed: the new certificate is its own issuer.
    static Result<CertBuilder> start(const Certificate* issuer, EVP_PKEY* subject_public,
                                     const SubjectSpec& subject, TimePoint now,
                                     std::chrono::days validity);

    // A standard extension from its OpenSSL config text ("critical,CA:TRUE").
    Status add(int nid, const char* value);
    Status add_ext(X509_EXTENSION* ext);
    Status add_subject_alt_names(const std::vector<std::string>& dns,
                                 const std::vector<std::string>& ips);
    Result<Certificate> sign(EVP_PKEY* issuer_key);

  private:
    CertBuilder(X509Ptr x509, X509* issuer) : m_x509(std::move(x509)), m_issuer(issuer) {}
    X509* issuer_cert() const { return m_issuer != nullptr ? m_issuer : m_x509.get(); }

    X509Ptr m_x509;
    X509* m_issuer;  // borrowed; null when self-signed
};

Result<X509NamePtr> build_name(const SubjectSpec& spec) {
    if (spec.common_name.empty()) return error(Err::ArgumentsBad, "certificate needs a CN");
    X509NamePtr name(X509_NAME_new());
    if (!name) return ossl_error("X509_NAME_new");
    const std::array<std::pair<int, const std::string*>, 3> entries{{
        {NID_organizationName, &spec.organization},
        {NID_serialNumber, &spec.serial_number},
        {NID_commonName, &spec.common_name},
    }};
    for (const auto& [nid, value] : entries) {
        if (value->empty()) continue;
        if (X509_NAME_add_entry_by_NID(name.get(), nid, MBSTRING_UTF8,
                                       reinterpret_cast<const unsigned char*>(value->data()),
                                       static_cast<int>(value->size()), -1, 0) != 1)
            return ossl_error(
                std::string("subject ") + OBJ_nid2sn(nid) + " \"" + *value + "\" is not acceptable",
                Err::ArgumentsBad);
    }
    return name;
}

Status set_random_serial(X509* x509) {
    Bytes serial(kSerialBytes);
    SR_TRY(random_bytes(serial));
    // Positive and exactly 16 bytes long: top bit clear, next bit set.
    serial[0] = static_cast<uint8_t>((serial[0] & 0x7F) | 0x40);
    BnPtr bn(BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr));
    detail::Asn1IntegerPtr asn1(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
    if (!asn1 || X509_set_serialNumber(x509, asn1.get()) != 1) return ossl_error("serial number");
    return {};
}

Status set_validity(X509* x509, TimePoint now, std::chrono::days validity) {
    auto from = std::chrono::system_clock::to_time_t(now - kBackdate);
    auto until = std::chrono::system_clock::to_time_t(now + validity);
    detail::Asn1TimePtr nb(ASN1_TIME_set(nullptr, from));
    detail::Asn1TimePtr na(ASN1_TIME_set(nullptr, until));
    if (!nb || !na || X509_set1_notBefore(x509, nb.get()) != 1 ||
        X509_set1_notAfter(x509, na.get()) != 1)
        return ossl_error("validity");
    return {};
}

Result<CertBuilder> CertBuilder::start(const Certificate* issuer, EVP_PKEY* subject_public,
                                       const SubjectSpec& subject, TimePoint now,
                                       std::chrono::days validity) {
    if (subject_public == nullptr) return error(Err::ArgumentsBad, "no subject public key");
    ossl_clear_errors();
    SR_ASSIGN_OR_RETURN(X509NamePtr name, build_name(subject));
    X509Ptr x509(X509_new());
    if (!x509 || X509_set_version(x509.get(), X509_VERSION_3) != 1 ||
        X509_set_subject_name(x509.get(), name.get()) != 1 ||
        X509_set_issuer_name(x509.get(), issuer != nullptr ? X509_get_subject_name(issuer->get())
                                                           : name.get()) != 1 ||
        X509_set_pubkey(x509.get(), subject_public) != 1)
        return ossl_error("building certificate");
    SR_TRY(set_random_serial(x509.get()));
    SR_TRY(set_validity(x509.get(), now, validity));
    CertBuilder b(std::move(x509), issuer != nullptr ? issuer->get() : nullptr);
    SR_TRY(b.add(NID_subject_key_identifier, "hash"));
    if (issuer != nullptr) SR_TRY(b.add(NID_authority_key_identifier, "keyid:always"));
    return b;
}

Status CertBuilder::add(int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer_cert(), m_x509.get(), nullptr, nullptr, 0);
    detail::X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext) return ossl_error(std::string("extension ") + OBJ_nid2sn(nid));
    return add_ext(ext.get());
}

Status CertBuilder::add_ext(X509_EXTENSION* ext) {
    if (X509_add_ext(m_x509.get(), ext, -1) != 1) return ossl_error("adding extension");
    return {};
}

Status CertBuilder::add_subject_alt_names(const std::vector<std::string>& dns,
                                          const std::vector<std::string>& ips) {
    if (dns.empty() && ips.empty()) return {};
    detail::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
    if (!names) return ossl_error("subjectAltName");
    auto push = [&](int type, ASN1_STRING* value) -> Status {
        detail::GeneralNamePtr gn(GENERAL_NAME_new());
        if (!gn) {
            ASN1_STRING_free(value);
            return ossl_error("subjectAltName");
        }
        GENERAL_NAME_set0_value(gn.get(), type, value);
        if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) return ossl_error("subjectAltName");
        (void)gn.release();
        return {};
    };
    for (const auto& d : dns) {
        detail::Asn1StringPtr s(ASN1_IA5STRING_new());
        if (d.empty()) return error(Err::ArgumentsBad, "empty DNS name");
        if (!s || ASN1_STRING_set(s.get(), d.data(), static_cast<int>(d.size())) != 1)
            return ossl_error("DNS name");
        SR_TRY(push(GEN_DNS, s.release()));
    }
    for (const auto& ip : ips) {
        ASN1_OCTET_STRING* s = a2i_IPADDRESS(ip.c_str());
        if (s == nullptr) {
            ossl_clear_errors();
            return error(Err::ArgumentsBad, "\"" + ip + "\" is not an IP address");
        }
        SR_TRY(push(GEN_IPADD, s));
    }
    detail::X509ExtensionPtr ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, names.get()));
    if (!ext) return ossl_error("encoding subjectAltName");
    return add_ext(ext.get());
}

Result<Certificate> CertBuilder::sign(EVP_PKEY* issuer_key) {
    SR_ASSIGN_OR_RETURN(const char* md_name, detail::digest_for(issuer_key));
    MdPtr md(EVP_MD_fetch(nullptr, md_name, nullptr));
    if (!md || X509_sign(m_x509.get(), issuer_key, md.get()) <= 0)
        return ossl_error("signing certificate");
    return Certificate::adopt(std::move(m_x509));
}

Result<detail::X509ExtensionPtr> device_info_extension(const DeviceProfile& p) {
    SR_ASSIGN_OR_RETURN(auto oid, detail::device_info_oid());
    detail::SequenceAnyPtr seq(sk_ASN1_TYPE_new_null());
    if (!seq) return ossl_error("device-info");
    for (const std::string* field : {&p.form_factor, &p.firmware}) {
        detail::Asn1TypePtr t(ASN1_TYPE_new());
        detail::Asn1StringPtr s(ASN1_UTF8STRING_new());
        if (!t || !s ||
            ASN1_STRING_set(s.get(), field->data(), static_cast<int>(field->size())) != 1)
            return ossl_error("device-info");
        ASN1_TYPE_set(t.get(), V_ASN1_UTF8STRING, s.release());
        if (sk_ASN1_TYPE_push(seq.get(), t.get()) <= 0) return ossl_error("device-info");
        (void)t.release();
    }
    unsigned char* der = nullptr;
    int len = i2d_ASN1_SEQUENCE_ANY(seq.get(), &der);
    if (len <= 0) return ossl_error("encoding device-info");
    detail::Asn1OctetStringPtr os(ASN1_OCTET_STRING_new());
    int set = os ? ASN1_OCTET_STRING_set(os.get(), der, len) : 0;
    OPENSSL_free(der);
    detail::X509ExtensionPtr ext(
        set == 1 ? X509_EXTENSION_create_by_OBJ(nullptr, oid.get(), 0, os.get()) : nullptr);
    if (!ext) return ossl_error("device-info extension");
    return ext;
}

Result<Certificate> build_tls(const CertificateAuthority* issuer, EVP_PKEY* subject_public,
                              EVP_PKEY* signing_key, const TlsCertOptions& o, TimePoint now) {
    SR_ASSIGN_OR_RETURN(
        CertBuilder b,
        CertBuilder::start(issuer != nullptr ? &issuer->certificate : nullptr, subject_public,
                           {o.common_name, o.organization, {}}, now, o.validity));
    SR_TRY(b.add(NID_basic_constraints, "critical,CA:FALSE"));
    SR_TRY(b.add(NID_key_usage, "critical,digitalSignature"));
    SR_TRY(b.add(NID_ext_key_usage, o.role == TlsRole::Server ? "serverAuth" : "clientAuth"));
    SR_TRY(b.add_subject_alt_names(o.dns_names, o.ip_addresses));
    return b.sign(signing_key);
}

}  // namespace

Result<CertificateAuthority> create_self_signed_ca(const CaOptions& o, TimePoint now) {
    SR_ASSIGN_OR_RETURN(PkeyPtr key, generate_ec_key(o.curve));
    SR_ASSIGN_OR_RETURN(CertBuilder b,
                        CertBuilder::start(nullptr, key.get(), {o.common_name, o.organization, {}},
                                           now, o.validity));
    SR_TRY(b.add(NID_basic_constraints, "critical,CA:TRUE"));
    SR_TRY(b.add(NID_key_usage, "critical,keyCertSign,cRLSign"));
    SR_ASSIGN_OR_RETURN(Certificate cert, b.sign(key.get()));
    return CertificateAuthority{std::move(cert), std::move(key)};
}

Result<Certificate> issue_device_certificate(const CertificateAuthority& issuer,
                                             EVP_PKEY* device_public, const DeviceProfile& p,
                                             TimePoint now) {
    if (p.model.empty() || p.serial.empty() || p.form_factor.empty() || p.firmware.empty())
        return error(Err::ArgumentsBad,
                     "device certificate needs model, serial, form factor and firmware");
    SR_ASSIGN_OR_RETURN(CertBuilder b,
                        CertBuilder::start(&issuer.certificate, device_public,
                                           {p.model + " " + p.serial, "Strongroom", p.serial}, now,
                                           kDeviceCertValidity));
    SR_TRY(b.add(NID_basic_constraints, "critical,CA:FALSE"));
    SR_TRY(b.add(NID_key_usage, "critical,digitalSignature,keyAgreement"));
    SR_ASSIGN_OR_RETURN(auto info, device_info_extension(p));
    SR_TRY(b.add_ext(info.get()));
    return b.sign(issuer.private_key.get());
}

Result<DeviceProfile> device_profile_of(const Certificate& cert) {
    auto bad = [](std::string why) {
        return error(Err::CertificateInvalid, "not a Strongroom device certificate: " + why);
    };
    SR_ASSIGN_OR_RETURN(auto oid, detail::device_info_oid());
    int idx = X509_get_ext_by_OBJ(cert.get(), oid.get(), -1);
    if (idx < 0) return bad("no device-info extension");
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(cert.get(), idx));
    const unsigned char* p = ASN1_STRING_get0_data(data);
    const unsigned char* end = p + ASN1_STRING_length(data);
    detail::SequenceAnyPtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, end - p));
    ossl_clear_errors();
    if (!seq || p != end || sk_ASN1_TYPE_num(seq.get()) < 2)
        return bad("malformed device-info extension");
    std::array<std::string, 2> fields;
    for (int i = 0; i < 2; ++i) {
        const ASN1_TYPE* t = sk_ASN1_TYPE_value(seq.get(), i);
        if (t->type != V_ASN1_UTF8STRING) return bad("device-info field is not a UTF8String");
        const ASN1_UTF8STRING* s = t->value.utf8string;
        fields[static_cast<size_t>(i)].assign(
            reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
            static_cast<size_t>(ASN1_STRING_length(s)));
    }
    DeviceProfile out;
    out.serial = cert.subject_serial_number();
    std::string cn = cert.subject_cn();
    std::string suffix = " " + out.serial;
    if (out.serial.empty() || cn.size() <= suffix.size() ||
        cn.compare(cn.size() - suffix.size(), suffix.size(), suffix) != 0)
        return bad("CN does not end with the device serial");
    out.model = cn.substr(0, cn.size() - suffix.size());
    out.form_factor = std::move(fields[0]);
    out.firmware = std::move(fields[1]);
    return out;
}

Result<Certificate> issue_tls_certificate(const CertificateAuthority& issuer,
                                          EVP_PKEY* subject_public, const TlsCertOptions& options,
                                          TimePoint now) {
    return build_tls(&issuer, subject_public, issuer.private_key.get(), options, now);
}

Result<Certificate> self_signed_tls_certificate(EVP_PKEY* key, const TlsCertOptions& options,
                                                TimePoint now) {
    return build_tls(nullptr, key, key, options, now);
}

}  // namespace sr::crypto
