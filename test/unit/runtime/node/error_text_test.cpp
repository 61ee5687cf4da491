// error_text: errors as people read them, and exception_reason carrying an actor's exception text to the
// caller of the request that threw.
#include "plugnode/runtime/error_text.hpp"

#include <sstream>
#include <stdexcept>

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/log.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;

namespace {

caf::behavior fragile(caf::event_based_actor* self, int limit) {
  self->set_exception_handler(exception_reason);
  return {[limit](int n) {
    if (n > limit)
      throw std::out_of_range("no account number " + std::to_string(n));
    return n;
  }};
}

} // namespace

TEST_CASE("error_text: plugnode's errors by name and context, CAF's by their enum names", "[error_text]") {
  CHECK(error_text(make_runtime_error(runtime_errc::unknown_node, "greeter@10.0.0.7")) ==
        "unknown_node: greeter@10.0.0.7");
  CHECK(error_text(make_runtime_error(runtime_errc::exception, "boom")) == "exception: boom");
  CHECK(error_text(caf::make_error(caf::sec::request_timeout)) == "request_timeout");
  CHECK(error_text(caf::make_error(caf::sec::unexpected_message, std::string("point"))) ==
        "unexpected_message: point");
  CHECK(error_text(caf::exit_reason::user_shutdown) == "exit: user_shutdown");
  CHECK(error_text(caf::error{}) == "none");
}

TEST_CASE("exception_reason: the caller gets the exception's text, the actor ends with it", "[error_text]") {
  caf::actor_system_config cfg;
  cfg.add_error_category(runtime_error_category(), render_runtime_error);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto actor = system.spawn(fragile, 10);
  CHECK(ask<int>(*self.ptr(), actor, 1s, 3) == 3);
  self->monitor(actor);
  auto failed = ask<int>(*self.ptr(), actor, 1s, 11);
  REQUIRE_FALSE(failed);
  CHECK(error_text(failed.error()) == "exception: no account number 11");
  caf::error reason;
  self->receive([&](const caf::down_msg& down) { reason = down.reason; }, caf::after(2s) >> [] {});
  CHECK(error_text(reason) == "exception: no account number 11");
}

TEST_CASE("exception_reason: the crash is one line of the node's log, JSON with LOG_FORMAT=json",
          "[error_text]") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(make_formatter(log_format::json));
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("crash-test", sink));
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg};
    caf::scoped_actor self{system};
    CHECK_FALSE(ask<int>(*self.ptr(), system.spawn(fragile, 0), 1s, 1));
  }
  spdlog::set_default_logger(previous);
  auto line = nlohmann::json::parse(out.str());
  CHECK(line["level"] == "error");
  CHECK_THAT(line["msg"].get<std::string>(), Catch::EndsWith("crashed: no account number 1"));
}
