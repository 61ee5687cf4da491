// logger: one log line when a request comes in and one when its response goes out (Plug.Logger):
// "GET /x request_id=..." and "Sent 200 in 1.234ms request_id=...". Lines go through plugnode's runtime
// logging, so LOG_FORMAT=json makes each one a JSON object. Put request_id before it in the pipeline.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/plug.hpp"

namespace plugnode::plugs {

class logger {
public:
  // `log` defaults to the process-wide logger (runtime::logger()) at the time of each request.
  explicit logger(spdlog::level::level_enum level = spdlog::level::info,
                  std::shared_ptr<spdlog::logger> log = nullptr)
      : level_(level), log_(std::move(log)) {}
  void call(conn& c) const;
  bool blocks(const request_path&) const { return false; } // never waits: runs on the event loop too

private:
  spdlog::level::level_enum level_;
  std::shared_ptr<spdlog::logger> log_;
};

} // namespace plugnode::plugs
