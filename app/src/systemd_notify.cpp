// systemd_notify.hpp on libsystemd's sd_notify, which speaks the notify socket's protocol (an abstract or a
// path socket, the credentials systemd checks) the way systemd itself expects.
#include "systemd_notify.hpp"

#include <systemd/sd-daemon.h>

#include <spdlog/spdlog.h>

#include <cstring>

namespace plugnode::app {
namespace {

void notify(const std::string& state) {
  // 0: NOTIFY_SOCKET stays set, for STOPPING=1 at the end.
  if (int result = sd_notify(0, state.c_str()); result < 0)
    spdlog::warn("systemd: cannot send {} to NOTIFY_SOCKET: {}", state.substr(0, state.find('\n')),
                 std::strerror(-result));
}

} // namespace

void notify_ready(const std::string& status) {
  notify("READY=1\nSTATUS=" + status);
}

void notify_stopping() {
  notify("STOPPING=1\nSTATUS=stopping: leaving the cluster, finishing requests");
}

} // namespace plugnode::app
