// systemd_notify: the node's side of systemd's Type=notify (sd_notify(3), the unit deploy/debian/service.in):
// READY=1 once the HTTP port listens, so `systemctl start` returns (and units ordered after it start) only
// when the node answers; STOPPING=1 when the graceful stop begins. Outside systemd (no NOTIFY_SOCKET) both
// do nothing.
#pragma once

#include <string>

namespace plugnode::app {

// `status` is what `systemctl status` shows beside the state.
void notify_ready(const std::string& status);
void notify_stopping();

} // namespace plugnode::app
