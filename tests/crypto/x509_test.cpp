#include "crypto/x509.h"

#include <gtest/gtest.h>
#include <openssl/obj_mac.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "common/fault_env.h"
#include "crypto/primitives.h"

namespace sr::crypto {
namespace {

namespace fs = std::filesystem;
using std::chrono::days;
using std::chrono::hours;

// A private temporary folder per test, safe under ctest -j.
class TempDir final {
  public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_path = fs::temp_directory_path() /
                 ("sr_identity_" + std::to_string(::getpid()) + "_" + info->test_suite_name() +
                  "_" + info->name() + "_" + std::to_string(s_count++));
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    const fs::path& path() const { return m_path; }

  private:
    static inline int s_count = 0;
    fs::path m_path;
};

DeviceProfile pcie_profile(std::string serial = "154438") {
    return {"Strongroom PCIe HSM", std::move(serial), "pcie", "7.8.4"};
}

struct Device {
    PkeyPtr key;
    Certificate cert;
};

Device make_device(const ManufacturerRoot& root, Env& env, std::string serial = "154438") {
    auto key = generate_ec_key(EcCurve::P256);
    EXPECT_TRUE(key.is_ok()) << key.status().to_string();
    auto cert = root.issue_device(env, key->get(), pcie_profile(std::move(serial)));
    EXPECT_TRUE(cert.is_ok()) << cert.status().to_string();
    return {std::move(key).value(), std::move(cert).value()};
}

mode_t file_mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
}

class IdentityTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto root = ManufacturerRoot::create(env, "Test Factory");
        ASSERT_TRUE(root.is_ok()) << root.status().to_string();
        m_root.emplace(std::move(root).value());
    }
    const ManufacturerRoot& root() const { return *m_root; }

    PosixEnv env;

  private:
    std::optional<ManufacturerRoot> m_root;
};

// ---- Keys

TEST(IdentityKeys, PrivateKeyPemIsPkcs8AndRoundTrips) {
    auto key = generate_ec_key(EcCurve::P256);
    ASSERT_TRUE(key.is_ok());
    auto pem = private_key_to_pem(key->get());
    ASSERT_TRUE(pem.is_ok()) << pem.status().to_string();
    std::string text = to_string(pem->span());
    EXPECT_EQ(text.rfind("-----BEGIN PRIVATE KEY-----", 0), 0U);
    auto back = private_key_from_pem(pem->span());
    ASSERT_TRUE(back.is_ok()) << back.status().to_string();
    EXPECT_EQ(EVP_PKEY_eq(key->get(), back->get()), 1);

    auto der = private_key_to_der(key->get());
    ASSERT_TRUE(der.is_ok());
    auto from_der = private_key_from_der(der->span());
    ASSERT_TRUE(from_der.is_ok()) << from_der.status().to_string();
    EXPECT_EQ(EVP_PKEY_eq(key->get(), from_der->get()), 1);
    EXPECT_EQ(*ec_curve_of(from_der->get()), EcCurve::P256);
}

TEST(IdentityKeys, PublicKeyIsNotExportedAsPrivate) {
    auto key = *generate_ec_key(EcCurve::P384);
    auto spki = public_key_to_der(key.get());
    ASSERT_TRUE(spki.is_ok());
    auto pub = public_key_from_der(*spki);
    ASSERT_TRUE(pub.is_ok());
    EXPECT_EQ(*ec_curve_of(pub->get()), EcCurve::P384);
    EXPECT_FALSE(private_key_to_pem(pub->get()).is_ok());
    // SPKI handed to the private-key parser is refused rather than taken for a key pair.
    EXPECT_EQ(private_key_from_der(*spki).code(), Err::DataInvalid);
    auto pem = public_key_to_pem(key.get());
    ASSERT_TRUE(pem.is_ok());
    EXPECT_EQ(pem->rfind("-----BEGIN PUBLIC KEY-----", 0), 0U);
}

TEST(IdentityKeys, MalformedKeyInputsAreErrors) {
    auto random = *random_public(200);
    auto key = *generate_ec_key(EcCurve::P256);
    auto der = *private_key_to_der(key.get());
    ByteView truncated = der.span().first(der.size() / 2);
    for (ByteView in : {ByteView{}, ByteView(random), truncated}) {
        EXPECT_EQ(private_key_from_pem(in).code(), Err::DataInvalid);
        EXPECT_EQ(private_key_from_der(in).code(), Err::DataInvalid);
        EXPECT_EQ(public_key_from_der(in).code(), Err::PublicKeyInvalid);
    }
    EXPECT_EQ(private_key_from_pem(as_bytes("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                            "-----END PRIVATE KEY-----\n"))
                  .code(),
              Err::DataInvalid);
}

// ---- Manufacturer root

TEST_F(IdentityTest, RootIsSelfSignedP384Ca) {
    const Certificate& c = root().certificate();
    EXPECT_EQ(c.subject_cn(), "Strongroom Manufacturing Root Test Factory");
    EXPECT_EQ(c.subject_organization(), "Strongroom");
    EXPECT_TRUE(c.is_ca());
    EXPECT_EQ(c.serial_hex().size(), 32U);  // 16 bytes
    EXPECT_EQ(*ec_curve_of(root().authority().private_key.get()), EcCurve::P384);
    EXPECT_GT(c.not_after() - c.not_before(), days(365 * 29));
    EXPECT_TRUE(verify_certificate(c, c, env.now(), CertPurpose::Any).is_ok());
}

TEST_F(IdentityTest, RootSerialsAreRandom) {
    auto other = ManufacturerRoot::create(env, "Test Factory");
    ASSERT_TRUE(other.is_ok());
    EXPECT_NE(other->certificate().serial_hex(), root().certificate().serial_hex());
}

TEST_F(IdentityTest, RootSaveLoadRoundTripsWithFileModes) {
    TempDir dir;
    fs::path folder = dir.path() / "factory";
    ASSERT_TRUE(root().save(env, folder).is_ok());
    EXPECT_EQ(file_mode(folder / "root.pem"), 0644U);
    EXPECT_EQ(file_mode(folder / "root-key.pem"), 0600U);

    auto loaded = ManufacturerRoot::load(env, folder);
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    EXPECT_EQ(loaded->certificate().fingerprint_sha256(),
              root().certificate().fingerprint_sha256());
    EXPECT_EQ(
        EVP_PKEY_eq(loaded->authority().private_key.get(), root().authority().private_key.get()),
        1);
    // The loaded root issues certificates the original root's certificate accepts.
    Device d = make_device(*loaded, env);
    EXPECT_TRUE(verify_certificate(d.cert, root().certificate(), env.now()).is_ok());
}

TEST_F(IdentityTest, LoadFromEmptyFolderIsNotFound) {
    TempDir dir;
    EXPECT_EQ(ManufacturerRoot::load(env, dir.path()).code(), Err::NotFound);
}

TEST_F(IdentityTest, LoadRefusesKeyOfAnotherRoot) {
    TempDir dir;
    ASSERT_TRUE(root().save(env, dir.path()).is_ok());
    auto other = *ManufacturerRoot::create(env, "Other");
    ASSERT_TRUE(other.save(env, dir.path() / "other").is_ok());
    fs::copy_file(dir.path() / "other" / "root-key.pem", dir.path() / "root-key.pem",
                  fs::copy_options::overwrite_existing);
    auto loaded = ManufacturerRoot::load(env, dir.path());
    EXPECT_EQ(loaded.code(), Err::DataInvalid) << loaded.status().to_string();
}

TEST_F(IdentityTest, LoadRefusesGarbageCertificate) {
    TempDir dir;
    ASSERT_TRUE(root().save(env, dir.path()).is_ok());
    ASSERT_TRUE(
        env.write_file_atomic(dir.path() / "root.pem", as_bytes("not a cert"), 0644).is_ok());
    EXPECT_EQ(ManufacturerRoot::load(env, dir.path()).code(), Err::CertificateInvalid);
}

TEST_F(IdentityTest, SaveReportsWriteFailure) {
    TempDir dir;
    FaultInjectionEnv faulty(env);
    faulty.fail_writes_after(1);  // the folder is created, the key write fails
    EXPECT_EQ(root().save(faulty, dir.path() / "f").code(), Err::StoreIo);
    EXPECT_FALSE(fs::exists(dir.path() / "f" / "root.pem"));
}

TEST_F(IdentityTest, CertificatesUseTheEnvClock) {
    FaultInjectionEnv frozen(env);
    auto t = std::chrono::system_clock::from_time_t(1'700'000'000);
    frozen.freeze_clock(t);
    auto r = ManufacturerRoot::create(frozen, "Clock");
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r->certificate().not_before(), t - hours(1));
    Device d = make_device(*r, frozen);
    EXPECT_EQ(d.cert.not_before(), t - hours(1));
    EXPECT_EQ(d.cert.not_after(), t + kDeviceCertValidity);
}

// ---- Device certificates

TEST_F(IdentityTest, DeviceCertificateHasTheProfile) {
    Device d = make_device(root(), env);
    EXPECT_EQ(d.cert.subject_cn(), "Strongroom PCIe HSM 154438");
    EXPECT_EQ(d.cert.subject_serial_number(), "154438");
    EXPECT_EQ(d.cert.subject_organization(), "Strongroom");
    EXPECT_FALSE(d.cert.is_ca());
    EXPECT_EQ(X509_get_signature_nid(d.cert.get()), NID_ecdsa_with_SHA384);
    EXPECT_EQ(X509_get_key_usage(d.cert.get()), uint32_t{KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT});
    EXPECT_GE(d.cert.not_after() - d.cert.not_before(), days(365 * 20));
    auto profile = device_profile_of(d.cert);
    ASSERT_TRUE(profile.is_ok()) << profile.status().to_string();
    EXPECT_EQ(profile->model, "Strongroom PCIe HSM");
    EXPECT_EQ(profile->serial, "154438");
    EXPECT_EQ(profile->form_factor, "pcie");
    EXPECT_EQ(profile->firmware, "7.8.4");
    EXPECT_EQ(d.cert.public_key_spki(), *public_key_to_der(d.key.get()));
}

TEST_F(IdentityTest, DeviceCertificateVerifiesAgainstItsRoot) {
    Device d = make_device(root(), env);
    EXPECT_TRUE(verify_certificate(d.cert, root().certificate(), env.now()).is_ok());
    EXPECT_TRUE(verify_chain(d.cert.der(), root().certificate().der(), env.now()).is_ok());
}

TEST_F(IdentityTest, IncompleteProfileIsRefused) {
    auto key = *generate_ec_key(EcCurve::P256);
    DeviceProfile p = pcie_profile();
    p.firmware.clear();
    EXPECT_EQ(root().issue_device(env, key.get(), p).code(), Err::ArgumentsBad);
}

TEST_F(IdentityTest, SerialOutsidePrintableStringIsRefused) {
    auto key = *generate_ec_key(EcCurve::P256);
    DeviceProfile p = pcie_profile("15_44");
    EXPECT_EQ(root().issue_device(env, key.get(), p).code(), Err::ArgumentsBad);
    p = pcie_profile();
    p.model = std::string(70, 'M');  // CN over 64 characters
    EXPECT_EQ(root().issue_device(env, key.get(), p).code(), Err::ArgumentsBad);
}

TEST_F(IdentityTest, ForeignRootIsRefused) {
    auto foreign = *ManufacturerRoot::create(env, "Elsewhere");
    Device d = make_device(foreign, env);
    Status s = verify_chain(d.cert.der(), root().certificate().der(), env.now());
    EXPECT_EQ(s.code(), Err::CertificateInvalid);
    EXPECT_NE(s.message().find("not issued by the trusted root"), std::string::npos) << s.message();
}

TEST_F(IdentityTest, SameNameDifferentRootIsRefused) {
    // A root re-created under the same name has a different key: its devices are foreign.
    auto twin = *ManufacturerRoot::create(env, "Test Factory");
    Device d = make_device(twin, env);
    EXPECT_EQ(verify_certificate(d.cert, root().certificate(), env.now()).code(),
              Err::CertificateInvalid);
}

TEST_F(IdentityTest, ExpiredAndNotYetValidAreRefused) {
    Device d = make_device(root(), env);
    Status late = verify_certificate(d.cert, root().certificate(), env.now() + days(365 * 21));
    EXPECT_EQ(late.code(), Err::CertificateInvalid);
    EXPECT_NE(late.message().find("expired"), std::string::npos) << late.message();
    Status early = verify_certificate(d.cert, root().certificate(), env.now() - days(2));
    EXPECT_EQ(early.code(), Err::CertificateInvalid);
}

TEST_F(IdentityTest, TamperedSignatureIsRefused) {
    Device d = make_device(root(), env);
    Bytes der = d.cert.der();
    der[der.size() - 2] ^= 0x01;  // inside the ECDSA s value
    Status s = verify_chain(der, root().certificate().der(), env.now());
    EXPECT_EQ(s.code(), Err::CertificateInvalid) << s.to_string();
}

TEST_F(IdentityTest, TamperedTbsIsRefused) {
    Device d = make_device(root(), env);
    Bytes der = d.cert.der();
    // Change the device serial inside the subject: still well-formed DER, different TBS.
    std::string text(der.begin(), der.end());
    size_t pos = text.find("154438");
    ASSERT_NE(pos, std::string::npos);
    der[pos] = '9';
    auto parsed = Certificate::from_der(der);
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(parsed->subject_serial_number(), "954438");
    EXPECT_EQ(verify_certificate(*parsed, root().certificate(), env.now()).code(),
              Err::CertificateInvalid);
}

TEST_F(IdentityTest, TamperedRootIsRefused) {
    Device d = make_device(root(), env);
    Bytes root_der = root().certificate().der();
    root_der[root_der.size() - 2] ^= 0x01;
    EXPECT_EQ(verify_chain(d.cert.der(), root_der, env.now()).code(), Err::CertificateInvalid);
}

TEST_F(IdentityTest, MalformedCertificatesAreErrorsNotCrashes) {
    Device d = make_device(root(), env);
    const Bytes& good = d.cert.der();
    const Bytes& root_der = root().certificate().der();
    // Every truncation of a real certificate, and the certificate with a trailing byte.
    for (size_t n = 0; n < good.size(); ++n) {
        ByteView prefix = ByteView(good).first(n);
        EXPECT_EQ(Certificate::from_der(prefix).code(), Err::CertificateInvalid) << n;
        EXPECT_EQ(verify_chain(prefix, root_der, env.now()).code(), Err::CertificateInvalid);
        EXPECT_EQ(verify_chain(good, prefix, env.now()).code(), Err::CertificateInvalid);
    }
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_EQ(Certificate::from_der(longer).code(), Err::CertificateInvalid);
    for (int i = 0; i < 50; ++i) {
        auto random = *random_public(static_cast<size_t>(1 + i * 17));
        EXPECT_EQ(verify_chain(random, root_der, env.now()).code(), Err::CertificateInvalid);
        EXPECT_EQ(Certificate::from_pem(ByteView(random)).code(), Err::CertificateInvalid);
    }
    EXPECT_EQ(Certificate::from_pem(std::string_view()).code(), Err::CertificateInvalid);
    std::string pem = d.cert.pem();
    EXPECT_EQ(Certificate::from_pem(std::string_view(pem).substr(0, pem.size() / 2)).code(),
              Err::CertificateInvalid);
    EXPECT_EQ(Certificate::from_pem(std::string_view("-----BEGIN CERTIFICATE-----\n!!!!\n"
                                                     "-----END CERTIFICATE-----\n"))
                  .code(),
              Err::CertificateInvalid);
}

TEST_F(IdentityTest, CaCertificateIsNotADeviceIdentity) {
    const Certificate& c = root().certificate();
    EXPECT_EQ(verify_certificate(c, c, env.now(), CertPurpose::DeviceIdentity).code(),
              Err::CertificateInvalid);
}

TEST_F(IdentityTest, NonDeviceLeafIsNotADeviceIdentity) {
    auto key = *generate_ec_key(EcCurve::P256);
    TlsCertOptions o;
    o.role = TlsRole::Client;
    o.common_name = "client1";
    auto tls = *issue_tls_certificate(root().authority(), key.get(), o, env.now());
    EXPECT_TRUE(verify_certificate(tls, root().certificate(), env.now(), CertPurpose::Any).is_ok());
    EXPECT_EQ(verify_certificate(tls, root().certificate(), env.now()).code(),
              Err::CertificateInvalid);
    EXPECT_EQ(device_profile_of(tls).code(), Err::CertificateInvalid);
}

// ---- Certificate encodings and accessors

TEST_F(IdentityTest, PemAndDerRoundTripKeepTheFingerprint) {
    Device d = make_device(root(), env);
    std::string fp = d.cert.fingerprint_sha256();
    EXPECT_EQ(fp.size(), 64U);
    EXPECT_EQ(fp, to_hex(*digest(Hash::Sha256, d.cert.der())));
    std::string pem = d.cert.pem();
    EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0U);
    auto from_pem = Certificate::from_pem(pem);
    ASSERT_TRUE(from_pem.is_ok()) << from_pem.status().to_string();
    EXPECT_EQ(from_pem->fingerprint_sha256(), fp);
    auto from_der = Certificate::from_der(d.cert.der());
    ASSERT_TRUE(from_der.is_ok());
    EXPECT_EQ(from_der->fingerprint_sha256(), fp);
    Certificate copy = d.cert;
    EXPECT_EQ(copy.fingerprint_sha256(), fp);
    EXPECT_NE(make_device(root(), env, "154439").cert.fingerprint_sha256(), fp);
}

TEST_F(IdentityTest, PemWithKeyBeforeCertificateFindsTheCertificate) {
    Device d = make_device(root(), env);
    std::string bundle = to_string(private_key_to_pem(d.key.get())->span()) + d.cert.pem();
    auto c = Certificate::from_pem(bundle);
    ASSERT_TRUE(c.is_ok()) << c.status().to_string();
    EXPECT_EQ(c->der(), d.cert.der());
}

// ---- Identity signatures

TEST_F(IdentityTest, IdentitySignatureVerifiesWithTheCertificate) {
    Device d = make_device(root(), env);
    auto sig = identity_sign(d.key.get(), as_bytes("hello from target"));
    ASSERT_TRUE(sig.is_ok()) << sig.status().to_string();
    EXPECT_EQ(sig->size(), 64U);
    EXPECT_TRUE(identity_verify(d.cert, as_bytes("hello from target"), *sig).is_ok());
}

TEST_F(IdentityTest, IdentitySignatureFailsForAnotherDeviceOrAlteredData) {
    Device a = make_device(root(), env, "1001");
    Device b = make_device(root(), env, "1002");
    Bytes sig = *identity_sign(a.key.get(), as_bytes("hello"));
    EXPECT_EQ(identity_verify(b.cert, as_bytes("hello"), sig).code(), Err::SignatureInvalid);
    EXPECT_EQ(identity_verify(a.cert, as_bytes("hellO"), sig).code(), Err::SignatureInvalid);
    Bytes bent = sig;
    bent[10] ^= 0x80;
    EXPECT_EQ(identity_verify(a.cert, as_bytes("hello"), bent).code(), Err::SignatureInvalid);
    EXPECT_EQ(identity_verify(a.cert, as_bytes("hello"), ByteView(sig).first(63)).code(),
              Err::SignatureInvalid);
    EXPECT_EQ(identity_verify(a.cert, as_bytes("hello"), Bytes(64, 0)).code(),
              Err::SignatureInvalid);
    EXPECT_EQ(identity_verify(a.cert, as_bytes("hello"), {}).code(), Err::SignatureInvalid);
}

TEST_F(IdentityTest, RootKeySignsWithP384) {
    EVP_PKEY* key = root().authority().private_key.get();
    auto sig = identity_sign(key, as_bytes("x"));
    ASSERT_TRUE(sig.is_ok());
    EXPECT_EQ(sig->size(), 96U);
    EXPECT_TRUE(identity_verify(root().certificate(), as_bytes("x"), *sig).is_ok());
}

// ---- TLS

TEST_F(IdentityTest, TlsServerCertificateCarriesTheRequestedNames) {
    auto ca = create_self_signed_ca(
        {"Strongroom Appliance CA", "Strongroom", EcCurve::P256, days(3650)}, env.now());
    ASSERT_TRUE(ca.is_ok()) << ca.status().to_string();
    auto key = *generate_ec_key(EcCurve::P256);
    TlsCertOptions o;
    o.common_name = "hsm1.example.test";
    o.dns_names = {"hsm1.example.test", "localhost"};
    o.ip_addresses = {"127.0.0.1", "::1"};
    auto cert = issue_tls_certificate(*ca, key.get(), o, env.now());
    ASSERT_TRUE(cert.is_ok()) << cert.status().to_string();
    EXPECT_EQ(cert->san_dns_names(), o.dns_names);
    EXPECT_EQ(cert->san_ip_addresses(), o.ip_addresses);
    EXPECT_EQ(X509_get_signature_nid(cert->get()), NID_ecdsa_with_SHA256);
    const Certificate& ca_cert = ca->certificate;
    EXPECT_TRUE(verify_certificate(*cert, ca_cert, env.now(), CertPurpose::TlsServer).is_ok());
    EXPECT_EQ(verify_certificate(*cert, ca_cert, env.now(), CertPurpose::TlsClient).code(),
              Err::CertificateInvalid);
}

TEST_F(IdentityTest, TlsClientCertificateFitsOnlyClientPurpose) {
    auto key = *generate_ec_key(EcCurve::P256);
    TlsCertOptions o;
    o.role = TlsRole::Client;
    o.common_name = "client7";
    auto cert = issue_tls_certificate(root().authority(), key.get(), o, env.now());
    ASSERT_TRUE(cert.is_ok()) << cert.status().to_string();
    EXPECT_TRUE(cert->san_dns_names().empty());
    const Certificate& ca = root().certificate();
    EXPECT_TRUE(verify_certificate(*cert, ca, env.now(), CertPurpose::TlsClient).is_ok());
    EXPECT_EQ(verify_certificate(*cert, ca, env.now(), CertPurpose::TlsServer).code(),
              Err::CertificateInvalid);
}

TEST_F(IdentityTest, TlsBadNamesAreArgumentErrors) {
    auto key = *generate_ec_key(EcCurve::P256);
    TlsCertOptions o;
    o.common_name = "server";
    o.ip_addresses = {"300.1.2.3"};
    EXPECT_EQ(issue_tls_certificate(root().authority(), key.get(), o, env.now()).code(),
              Err::ArgumentsBad);
    o.ip_addresses.clear();
    o.dns_names = {""};
    EXPECT_EQ(issue_tls_certificate(root().authority(), key.get(), o, env.now()).code(),
              Err::ArgumentsBad);
    o.dns_names.clear();
    o.common_name.clear();
    EXPECT_EQ(issue_tls_certificate(root().authority(), key.get(), o, env.now()).code(),
              Err::ArgumentsBad);
}

TEST_F(IdentityTest, SelfSignedTlsCertificateIsSignedByItsOwnKey) {
    auto key = *generate_ec_key(EcCurve::P256);
    TlsCertOptions o;
    o.common_name = "appliance";
    o.ip_addresses = {"127.0.0.1"};
    auto cert = self_signed_tls_certificate(key.get(), o, env.now());
    ASSERT_TRUE(cert.is_ok()) << cert.status().to_string();
    EXPECT_EQ(X509_self_signed(cert->get(), 1), 1);
    EXPECT_FALSE(cert->is_ca());
    EXPECT_EQ(cert->san_ip_addresses(), o.ip_addresses);
}

}  // namespace
}  // namespace sr::crypto
