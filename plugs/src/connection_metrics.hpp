// connection_metrics: the HTTP server's connection counters as Prometheus families, read at scrape time
// (the server keeps plain atomics, so counting costs it nothing measurable).
#pragma once

#include <memory>

#include <prometheus/collectable.h>

#include "http_server.hpp"

namespace plugnode::plugs {

std::shared_ptr<const prometheus::Collectable>
make_connection_metrics(std::shared_ptr<const server_stats> stats);

} // namespace plugnode::plugs
