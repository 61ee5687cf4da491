#include "plugnode/plugs/logger.hpp"

#include <chrono>

#include "plugnode/plugs/request_id.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::plugs {

void logger::call(conn& c) const {
  spdlog::logger* log = log_ ? log_.get() : &runtime::logger();
  if (!log->should_log(level_))
    return;
  auto id = request_id_of(c);
  log->log(level_, "{} {} request_id={}", c.method, c.path, id);
  auto start = std::chrono::steady_clock::now();
  c.register_before_send([log, level = level_, start, id](conn& sent) {
    std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    log->log(level, "Sent {} in {:.3f}ms request_id={}", sent.status, took.count(), id);
  });
}

} // namespace plugnode::plugs
