#include "appliance/server_identity.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "appliance/appliance_home.h"
#include "appliance/client_registry.h"
#include "crypto/x509.h"

namespace sr::appliance {
namespace {

bool is_ip_literal(const std::string& s) {
    std::array<unsigned char, 16> buf{};
    return inet_pton(AF_INET, s.c_str(), buf.data()) == 1 ||
           inet_pton(AF_INET6, s.c_str(), buf.data()) == 1;
}

std::filesystem::path pending(const std::filesystem::path& p) {
    return std::filesystem::path(p.string() + ".new");
}

std::string this_host_name() {
    std::array<char, 256> buf{};
    if (gethostname(buf.data(), buf.size() - 1) != 0) return {};
    return std::string(buf.data());
}

}  // namespace

std::vector<std::string> server_names(const std::vector<std::string>& extra_hostnames) {
    std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
    auto add = [&](const std::string& n) {
        if (!n.empty() && std::find(names.begin(), names.end(), n) == names.end())
            names.push_back(n);
    };
    add(this_host_name());
    for (const auto& h : extra_hostnames) add(h);
    return names;
}

Status write_server_identity(Env& env, const std::filesystem::path& home,
                             const std::vector<std::string>& extra_hostnames) {
    SR_ASSIGN_OR_RETURN(auto key, crypto::generate_ec_key(crypto::EcCurve::P256));
    crypto::TlsCertOptions options;
    options.role = crypto::TlsRole::Server;
    const auto names = server_names(extra_hostnames);
    // The first name beyond the loopback ones identifies the machine best.
    options.common_name = names.size() > 3 ? names[3] : names[0];
    for (const auto& n : names) {
        if (is_ip_literal(n))
            options.ip_addresses.push_back(n);
        else
            options.dns_names.push_back(n);
    }
    SR_ASSIGN_OR_RETURN(auto cert, crypto::self_signed_tls_certificate(key.get(), options, env.now()));
    SR_ASSIGN_OR_RETURN(SecretBytes key_pem, crypto::private_key_to_pem(key.get()));
    SR_TRY(env.create_dirs(home));
    // The pair must change together: both are written beside the old ones, the key last (its
    // presence commits the pair), then renamed; recover_server_identity finishes a torn switch.
    const std::string pem = cert.pem();
    SR_TRY(env.write_file_atomic(pending(server_cert_path(home)), as_bytes(pem), 0644));
    SR_TRY(env.write_file_atomic(pending(server_key_path(home)), key_pem.span(), 0600));
    return recover_server_identity(env, home);
}

Status recover_server_identity(Env& env, const std::filesystem::path& home) {
    const auto cert = server_cert_path(home), key = server_key_path(home);
    if (!env.exists(pending(key))) {
        if (env.exists(pending(cert))) SR_TRY(env.remove_all(pending(cert)));
        return {};
    }
    if (env.exists(pending(cert))) SR_TRY(env.rename(pending(cert), cert));
    return env.rename(pending(key), key);
}

Result<ServerIdentityInfo> read_server_identity(Env& env, const std::filesystem::path& home) {
    const auto path = server_cert_path(home);
    if (!env.exists(path)) return error(Err::NotFound, path.string() + " does not exist");
    SR_ASSIGN_OR_RETURN(Bytes pem, env.read_file(path));
    SR_ASSIGN_OR_RETURN(auto cert, crypto::Certificate::from_pem(ByteView(pem)));
    ServerIdentityInfo info;
    info.fingerprint = ClientRegistry::colon_fingerprint(cert.der());
    info.subject = "CN=" + cert.subject_cn();
    if (auto o = cert.subject_organization(); !o.empty()) info.subject += ", O=" + o;
    return info;
}

}  // namespace sr::appliance
