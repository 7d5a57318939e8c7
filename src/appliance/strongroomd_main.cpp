// strongroomd --home DIR --listen HOST:PORT: serves an appliance home until SIGTERM or SIGINT
// (docs/design/appliance.md). Exit 0 after a graceful shutdown, 1 when it cannot start.
#include <CLI/CLI.hpp>
#include <malloc.h>

#include <csignal>
#include <pthread.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "appliance/daemon.h"
#include "appliance/tls_policy.h"
#include "common/log.h"

namespace {

constexpr std::chrono::milliseconds kShutdownGrace{5000};

// Blocked in every thread (gRPC's threads inherit the mask), then taken by sigwait.
sigset_t stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

}  // namespace

int main(int argc, char** argv) {
    // gRPC serves calls on many threads, and glibc gives threads their own malloc arenas (up to
    // 8 per core), whose freed memory it keeps: under a load of new connections the daemon's RSS
    // grew 8-24 MiB per round without leaking. Two arenas keep it flat (tests/netsys/load_test).
    mallopt(M_ARENA_MAX, 2);
    CLI::App app{"strongroomd: the Strongroom network HSM appliance daemon"};
    sr::appliance::DaemonOptions options;
    std::string level = "info";
    app.add_option("--home", options.home, "Appliance home (made by strongroom factory new-appliance)")
        ->required();
    app.add_option("--listen", options.listen, "HOST:PORT for TLS clients (port 0: a free one)")
        ->required();
    app.add_option("--log-level", level, "debug, info, warn, error or off");
    CLI11_PARSE(app, argc, argv);

    spdlog::set_default_logger(spdlog::stderr_color_mt("strongroomd"));
    sr::log::set_level(level);

    const sigset_t signals = stop_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    sr::PosixEnv env;
    if (sr::Status st = sr::appliance::check_appliance_home(env, options.home); !st) {
        sr::log::error("strongroomd: {}", st.to_string());
        return 1;
    }
    // Before anything initializes OpenSSL: the policy is read once, at initialization.
    if (sr::Status st = sr::appliance::make_admin_dir(options.home); !st) {
        sr::log::error("strongroomd: {}", st.to_string());
        return 1;
    }
    if (sr::Status st = sr::appliance::enforce_tls13_only(sr::appliance::tls_config_path(options.home));
        !st) {
        sr::log::error("strongroomd: {}", st.to_string());
        return 1;
    }

    auto daemon = sr::appliance::Daemon::start(env, options);
    if (!daemon) {
        sr::log::error("strongroomd: cannot start: {}", daemon.status().to_string());
        return 1;
    }
    int sig = 0;
    sigwait(&signals, &sig);
    sr::log::info("strongroomd: signal {}: shutting down", sig);
    (*daemon)->shutdown(kShutdownGrace);
    sr::log::info("strongroomd: stopped");
    return 0;
}
