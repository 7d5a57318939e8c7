// A TCP relay for the traffic test: accepts on 127.0.0.1:0, forwards every connection to a
// target port and records every byte each way (per connection, in order). Owns its threads;
// stop() (or the destructor) closes everything and joins. Recordings are read after stop().
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace sr::netsys {

class TcpRelay final {
public:
    struct Connection {
        std::vector<uint8_t> to_server;  // client -> server bytes
        std::vector<uint8_t> to_client;  // server -> client bytes
    };

    explicit TcpRelay(int target_port) : m_target(target_port) {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a = loopback(0);
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
            ::listen(m_listen, 16) != 0)
            return;
        socklen_t len = sizeof a;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        m_accept = std::thread([this] { accept_loop(); });
    }
    ~TcpRelay() { stop(); }
    TcpRelay(const TcpRelay&) = delete;
    TcpRelay& operator=(const TcpRelay&) = delete;

    int port() const noexcept { return m_port; }

    void stop() {
        if (m_stopping.exchange(true)) return;
        ::shutdown(m_listen, SHUT_RDWR);
        ::close(m_listen);
        if (m_accept.joinable()) m_accept.join();
        for (auto& t : m_pumps) t.join();
    }

    // Valid after stop().
    const std::vector<Connection>& connections() const noexcept { return m_connections; }

private:
    static sockaddr_in loopback(int port) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return a;
    }

    void accept_loop() {
        for (;;) {
            pollfd p{m_listen, POLLIN, 0};
            if (::poll(&p, 1, 50) < 0 || m_stopping) return;
            if ((p.revents & POLLIN) == 0) continue;
            const int client = ::accept(m_listen, nullptr, nullptr);
            if (client < 0) return;
            const int server = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in a = loopback(m_target);
            if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
                ::close(client);
                ::close(server);
                continue;
            }
            size_t index = 0;
            {
                std::lock_guard lock(m_mu);
                m_connections.emplace_back();
                index = m_connections.size() - 1;
            }
            m_pumps.emplace_back([this, client, server, index] { pump(client, server, index); });
        }
    }

    // Both directions of one connection until either side closes or the relay stops.
    void pump(int client, int server, size_t index) {
        uint8_t buf[16384];
        pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        while (!m_stopping) {
            if (::poll(fds, 2, 50) < 0) break;
            bool closed = false;
            for (int i = 0; i < 2 && !closed; ++i) {
                if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
                const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
                if (n <= 0) {
                    closed = true;
                    break;
                }
                {
                    std::lock_guard lock(m_mu);
                    auto& rec = i == 0 ? m_connections[index].to_server
                                       : m_connections[index].to_client;
                    rec.insert(rec.end(), buf, buf + n);
                }
                if (!write_all(fds[1 - i].fd, buf, static_cast<size_t>(n))) closed = true;
            }
            if (closed) break;
        }
        ::close(client);
        ::close(server);
    }

    static bool write_all(int fd, const uint8_t* p, size_t n) {
        while (n > 0) {
            const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
            if (w <= 0) return false;
            p += w;
            n -= static_cast<size_t>(w);
        }
        return true;
    }

    int m_target;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::thread m_accept;
    std::vector<std::thread> m_pumps;  // touched by the accept thread, then by stop() after it
    std::mutex m_mu;
    std::vector<Connection> m_connections;  // guarded by m_mu while running
};

}  // namespace sr::netsys
