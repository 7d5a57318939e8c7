// Certificate: parsing from untrusted DER/PEM, encoding, and read-only accessors.
#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <cstring>
#include <ctime>
#include <limits>

#include "crypto/primitives.h"
#include "crypto/x509_internal.h"

namespace sr::crypto {
namespace detail {

Result<Asn1ObjectPtr> device_info_oid() {
    Asn1ObjectPtr oid(OBJ_txt2obj(kDeviceInfoOid, 1));
    if (!oid) return ossl_error("device-info OID");
    return oid;
}

TimePoint to_time_point(const ASN1_TIME* t) {
    struct tm tm {};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

}  // namespace detail

namespace {

std::string name_entry(const X509* x509, int nid) {
    const X509_NAME* name = X509_get_subject_name(x509);
    int idx = X509_NAME_get_index_by_NID(name, nid, -1);
    if (idx < 0) return {};
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char* utf8 = nullptr;
    int len = ASN1_STRING_to_UTF8(&utf8, value);
    if (len < 0) {
        ossl_clear_errors();
        return {};
    }
    std::string out(reinterpret_cast<const char*>(utf8), static_cast<size_t>(len));
    OPENSSL_free(utf8);
    return out;
}

Result<Bytes> encode_der(X509* x509) {
    int len = i2d_X509(x509, nullptr);
    if (len <= 0) return ossl_error("encoding certificate", Err::CertificateInvalid);
    Bytes der(static_cast<size_t>(len));
    unsigned char* p = der.data();
    if (i2d_X509(x509, &p) != len)
        return ossl_error("encoding certificate", Err::CertificateInvalid);
    return der;
}

detail::GeneralNamesPtr subject_alt_names(const X509* x509) {
    auto* raw =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr));
    ossl_clear_errors();
    return detail::GeneralNamesPtr(raw);
}

}  // namespace

Result<Certificate> Certificate::from_der(ByteView der) {
    if (der.empty()) return error(Err::CertificateInvalid, "certificate: empty input");
    ossl_clear_errors();
    const unsigned char* p = der.data();
    X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x509) return ossl_error("certificate is malformed", Err::CertificateInvalid);
    if (p != der.data() + der.size())
        return error(Err::CertificateInvalid, "certificate has trailing bytes after the DER");
    return Certificate(std::move(x509), Bytes(der.begin(), der.end()));
}

Result<Certificate> Certificate::from_pem(ByteView pem) {
    if (pem.empty()) return error(Err::CertificateInvalid, "certificate: empty PEM input");
    if (pem.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        return error(Err::CertificateInvalid, "certificate: PEM input too large");
    ossl_clear_errors();
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return ossl_error("certificate PEM");
    // Skip other blocks (a key before the certificate) until the first CERTIFICATE.
    for (;;) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long len = 0;
        if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1)
            return ossl_error("no CERTIFICATE block in PEM input", Err::CertificateInvalid);
        bool is_cert = std::strcmp(name, "CERTIFICATE") == 0;
        Bytes der(data, data + len);
        OPENSSL_free(name);
        OPENSSL_free(header);
        OPENSSL_clear_free(data, static_cast<size_t>(len));
        if (is_cert) return from_der(der);
    }
}

Result<Certificate> Certificate::adopt(X509Ptr x509) {
    if (!x509) return error(Err::ArgumentsBad, "no certificate to adopt");
    SR_ASSIGN_OR_RETURN(Bytes der, encode_der(x509.get()));
    return Certificate(std::move(x509), std::move(der));
}

Certificate::Certificate(const Certificate& other) : m_der(other.m_der) {
    if (other.m_x509 && X509_up_ref(other.m_x509.get()) == 1) m_x509.reset(other.m_x509.get());
}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) *this = Certificate(other);
    return *this;
}

std::string Certificate::pem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio(bio.get(), "CERTIFICATE", "", m_der.data(),
                              static_cast<long>(m_der.size())) <= 0) {
        ossl_clear_errors();
        return {};
    }
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

std::string Certificate::subject_cn() const {
    return name_entry(get(), NID_commonName);
}
std::string Certificate::subject_serial_number() const {
    return name_entry(get(), NID_serialNumber);
}
std::string Certificate::subject_organization() const {
    return name_entry(get(), NID_organizationName);
}

std::string Certificate::serial_hex() const {
    const ASN1_INTEGER* serial = X509_get0_serialNumber(get());
    return to_hex(
        ByteView(ASN1_STRING_get0_data(serial), static_cast<size_t>(ASN1_STRING_length(serial))));
}

std::string Certificate::fingerprint_sha256() const {
    auto d = digest(Hash::Sha256, m_der);
    return d.is_ok() ? to_hex(*d) : std::string();
}

Bytes Certificate::public_key_spki() const {
    auto der = public_key_to_der(X509_get0_pubkey(get()));
    ossl_clear_errors();
    return der.is_ok() ? std::move(der).value() : Bytes();
}

PkeyPtr Certificate::public_key() const {
    PkeyPtr key(X509_get_pubkey(get()));
    ossl_clear_errors();
    return key;
}

TimePoint Certificate::not_before() const {
    return detail::to_time_point(X509_get0_notBefore(get()));
}
TimePoint Certificate::not_after() const {
    return detail::to_time_point(X509_get0_notAfter(get()));
}

bool Certificate::is_ca() const {
    return (X509_get_extension_flags(get()) & EXFLAG_CA) != 0;
}

std::vector<std::string> Certificate::san_dns_names() const {
    std::vector<std::string> out;
    auto names = subject_alt_names(get());
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type != GEN_DNS) continue;
        const ASN1_IA5STRING* s = gn->d.dNSName;
        out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s)));
    }
    return out;
}

std::vector<std::string> Certificate::san_ip_addresses() const {
    std::vector<std::string> out;
    auto names = subject_alt_names(get());
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
        if (gn->type != GEN_IPADD) continue;
        const ASN1_OCTET_STRING* s = gn->d.iPAddress;
        int len = ASN1_STRING_length(s);
        int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : -1;
        char text[INET6_ADDRSTRLEN] = {};
        if (family < 0 || inet_ntop(family, ASN1_STRING_get0_data(s), text, sizeof text) == nullptr)
            continue;
        out.emplace_back(text);
    }
    return out;
}

}  // namespace sr::crypto
