#include "plugnode/plugs/logger.hpp"

#include <catch2/catch.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/testing.hpp"
#include "plugnode/runtime/log.hpp"

using namespace plugnode::plugs;

namespace {

std::shared_ptr<spdlog::logger> capture(std::ostringstream& out) {
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto log = std::make_shared<spdlog::logger>("test", sink);
  log->set_pattern("%l %v");
  return log;
}

} // namespace

TEST_CASE("logger logs the request and, when it is sent, status and duration, with the request id",
          "[logger]") {
  std::ostringstream out;
  pipeline p{request_id{}, logger(spdlog::level::info, capture(out)),
             [](conn& c) { c.send_resp(201, "made"); }};
  auto c = call(p, test_conn("POST", "/things?x=1"));
  auto id = request_id_of(c);
  auto text = out.str();
  CHECK_THAT(text, Catch::StartsWith("info POST /things request_id=" + id + "\n"));
  CHECK_THAT(text, Catch::Matches("(.|\n)*info Sent 201 in [0-9]+\\.[0-9]{3}ms request_id=" + id + "\n"));
}

TEST_CASE("logger logs nothing below the logger's level", "[logger]") {
  std::ostringstream out;
  auto log = capture(out);
  log->set_level(spdlog::level::warn);
  auto c = call(pipeline{logger(spdlog::level::info, log), [](conn& x) { x.send_resp(200, ""); }},
                test_conn("GET", "/"));
  CHECK(out.str().empty());
}

TEST_CASE("in JSON, the request's method, path, status, duration and id are keys of their own", "[logger]") {
  std::ostringstream out;
  auto log = capture(out);
  log->set_formatter(plugnode::runtime::make_formatter(plugnode::runtime::log_format::json));
  auto c =
      call(pipeline{request_id{}, logger(spdlog::level::info, log), [](conn& x) { x.send_resp(404, ""); }},
           test_conn("GET", "/a%20b"));
  auto id = request_id_of(c);
  auto text = out.str();
  CHECK_THAT(text, Catch::Contains(R"("msg":"GET /a%20b request_id=)" + id +
                                   R"(","method":"GET","path":"/a%20b","request_id":")" + id + "\"}\n"));
  CHECK_THAT(text, Catch::Matches(
                       R"((.|\n)*"method":"GET","path":"/a%20b","status":404,"duration_ms":[0-9]+\.[0-9]{3},)"
                       R"("request_id":")" +
                       id + "\"}\n"));
}
