// gRPC channels to a strongroomd: mutual TLS to a network server that trusts exactly the
// server.pem this client holds (no system CAs), or the appliance's local admin socket (the
// socket's file mode is the authentication). Plain functions; channels are thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include <grpcpp/channel.h>
#include <grpcpp/support/channel_arguments.h>

#include "common/result.h"
#include "net/remote_device.h"

namespace sr::net {

// Large enough for one clone batch message (both directions).
inline constexpr int kMaxMessageBytes = 64 * 1024 * 1024;
// A connection attempt (TCP + TLS handshake) gives up after this; a call on a channel that
// cannot connect fails then with DeviceError instead of waiting for its deadline.
inline constexpr std::chrono::milliseconds kConnectTimeout{5000};
// Reconnect backoff: a restarted server is reachable again within about a second.
inline constexpr std::chrono::milliseconds kReconnectBackoffInitial{100};
inline constexpr std::chrono::milliseconds kReconnectBackoffMax{1000};
// Keepalive pings while calls are in flight, so a server that vanished without closing the
// connection is noticed. strongroomd must accept pings this often
// (GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS <= kKeepaliveTime).
inline constexpr std::chrono::milliseconds kKeepaliveTime{20000};
inline constexpr std::chrono::milliseconds kKeepaliveTimeout{10000};

// The channel arguments every Strongroom channel uses (message sizes, keepalive, backoff).
grpc::ChannelArguments channel_arguments();

// A TLS channel to server.address presenting the client certificate. The certificates must
// parse (CertificateInvalid naming which one otherwise) and the key must be present
// (ArgumentsBad). The server's certificate is checked against the address's host name when it
// names that host; otherwise against the first name it does carry — the pinned server.pem, not
// the name, is what the client trusts (the Luna NTLS model). Does not connect.
Result<std::shared_ptr<grpc::Channel>> tls_channel(const ServerEndpoint& server);

// An insecure channel to "unix:<socket>". Does not connect.
std::shared_ptr<grpc::Channel> admin_socket_channel(const std::filesystem::path& socket);

}  // namespace sr::net
