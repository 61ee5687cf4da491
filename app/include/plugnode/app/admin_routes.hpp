// admin_routes: the admin listener's pipeline (PLUGNODE_ADMIN_ADDR/PORT): the operator dashboard, read-only.
//   GET /                      the page (app/dashboard/, compiled in)
//   GET /dashboard/<file>      its script and style sheet
//   GET /dashboard/snapshot    the newest snapshot (dashboard_snapshot.hpp) as JSON
//   GET /dashboard/events      the snapshots as server-sent events, one a second (64 streams at most: 503)
//   GET /cluster, /status      the same as on the public port (always here; there only with
//                              PLUGNODE_OPERATOR_ROUTES=public)
// Every request passes admin_access first (the token). Only GET and HEAD are routed: nothing here changes
// the node. The page may load nothing from elsewhere (Content-Security-Policy: 'self' only).
#pragma once

#include <memory>
#include <string>

#include "plugnode/app/dashboard_snapshot.hpp"
#include "plugnode/app/node_routes.hpp"
#include "plugnode/plugs/plug.hpp"

namespace plugnode::app {

// The admin listener's whole pipeline; `token` empty: no token required (a loopback listener).
plugs::plug admin_pipeline(const node_services& services, std::shared_ptr<dashboard_snapshot> snapshot,
                           const std::string& token);

} // namespace plugnode::app
