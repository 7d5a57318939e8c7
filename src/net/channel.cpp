#include "net/channel.h"

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "crypto/x509.h"

namespace sr::net {
namespace {

int millis(std::chrono::milliseconds ms) { return static_cast<int>(ms.count()); }

// "host:port" or "[v6]:port" -> host ("" when there is no port separator).
std::string_view host_of(std::string_view address) {
    if (address.starts_with('[')) {
        size_t close = address.find(']');
        return close == std::string_view::npos ? std::string_view{} : address.substr(1, close - 1);
    }
    size_t colon = address.rfind(':');
    return colon == std::string_view::npos ? address : address.substr(0, colon);
}

// The name the server certificate is checked against: the host when the certificate names
// it, else the first name it carries (DNS, then IP, then CN). Empty: keep gRPC's default.
std::string target_name_for(const crypto::Certificate& cert, std::string_view host) {
    std::vector<std::string> names = cert.san_dns_names();
    std::vector<std::string> ips = cert.san_ip_addresses();
    names.insert(names.end(), ips.begin(), ips.end());
    if (std::find(names.begin(), names.end(), host) != names.end()) return {};
    if (!names.empty()) return names.front();
    std::string cn = cert.subject_cn();
    return cn == host ? std::string{} : cn;
}

void wipe(std::string& s) {
    if (!s.empty()) explicit_bzero(s.data(), s.size());
    s.clear();
}

}  // namespace

grpc::ChannelArguments channel_arguments() {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(kMaxMessageBytes);
    args.SetMaxSendMessageSize(kMaxMessageBytes);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, millis(kKeepaliveTime));
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, millis(kKeepaliveTimeout));
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, millis(kReconnectBackoffInitial));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, millis(kReconnectBackoffMax));
    // gRPC also uses the "minimum backoff" as the connect timeout of one attempt.
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, millis(kConnectTimeout));
    return args;
}

Result<std::shared_ptr<grpc::Channel>> tls_channel(const ServerEndpoint& server) {
    if (server.address.empty()) return error(Err::ArgumentsBad, "server address is empty");
    auto server_cert = crypto::Certificate::from_pem(server.server_cert_pem);
    if (!server_cert) {
        return error(Err::CertificateInvalid,
                     "server certificate for " + server.address + ": " + server_cert.status().message());
    }
    auto client_cert = crypto::Certificate::from_pem(server.client_cert_pem);
    if (!client_cert) {
        return error(Err::CertificateInvalid,
                     "client certificate: " + client_cert.status().message());
    }
    if (server.client_key_pem.empty()) return error(Err::ArgumentsBad, "client private key is empty");

    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = server.server_cert_pem;
    ssl.pem_cert_chain = server.client_cert_pem;
    // gRPC takes the key as a std::string; this one copy is wiped once the credentials hold it.
    ssl.pem_private_key.assign(server.client_key_pem.span().begin(),
                               server.client_key_pem.span().end());
    std::shared_ptr<grpc::ChannelCredentials> creds = grpc::SslCredentials(ssl);
    wipe(ssl.pem_private_key);
    if (!creds) return error(Err::GeneralError, "gRPC refused the TLS credentials");

    grpc::ChannelArguments args = channel_arguments();
    std::string target_name = target_name_for(*server_cert, host_of(server.address));
    if (!target_name.empty()) args.SetSslTargetNameOverride(target_name);
    return grpc::CreateCustomChannel(server.address, creds, args);
}

std::shared_ptr<grpc::Channel> admin_socket_channel(const std::filesystem::path& socket) {
    return grpc::CreateCustomChannel("unix:" + socket.string(), grpc::InsecureChannelCredentials(),
                                     channel_arguments());
}

}  // namespace sr::net
