#include "plugnode/plugs/metrics.hpp"

#include <catch2/catch.hpp>
#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <thread>
#include <vector>

#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

namespace {

pipeline instrumented(const metrics& m) {
  router r;
  r.get("/hello/:name", [](conn& c) { c.send_resp(200, "hi"); });
  return pipeline{m, r};
}

} // namespace

TEST_CASE("metrics count and time requests by method, route pattern and status", "[metrics]") {
  metrics m;
  auto app = instrumented(m);
  call(app, test_conn("GET", "/hello/ada"));
  call(app, test_conn("GET", "/hello/bob"));
  call(app, test_conn("GET", "/nothing"));
  call(app, test_conn("POST", "/hello/x"));
  auto text = m.render();
  CHECK_THAT(text, Catch::Contains("# TYPE plugnode_http_requests_total counter"));
  CHECK_THAT(text, Catch::Contains(
                       R"(plugnode_http_requests_total{method="GET",route="/hello/:name",status="200"} 2)"));
  CHECK_THAT(text, Catch::Contains(
                       R"(plugnode_http_requests_total{method="GET",route="unmatched",status="404"} 1)"));
  CHECK_THAT(text, Catch::Contains(
                       R"(plugnode_http_requests_total{method="POST",route="unmatched",status="405"} 1)"));
  CHECK_THAT(text, Catch::Contains("# TYPE plugnode_http_request_duration_seconds histogram"));
  CHECK_THAT(
      text,
      Catch::Contains(
          R"(plugnode_http_request_duration_seconds_count{method="GET",route="/hello/:name",status="200"} 2)"));
  CHECK_THAT(
      text,
      Catch::Contains(
          R"(plugnode_http_request_duration_seconds_bucket{method="GET",route="/hello/:name",status="200",le="+Inf"} 2)"));
}

TEST_CASE("metrics render the application's own metrics from the shared registry", "[metrics]") {
  metrics m;
  auto& family = prometheus::BuildCounter().Name("app_checks_total").Help("checks").Register(m.registry());
  family.Add({}).Increment(3);
  CHECK_THAT(m.render(), Catch::Contains("app_checks_total 3"));
}

TEST_CASE("metrics count correctly from many threads at once", "[metrics]") {
  metrics m;
  auto app = instrumented(m);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&app] {
      for (int i = 0; i < 500; ++i)
        call(app, test_conn("GET", "/hello/x"));
    });
  for (auto& t : threads)
    t.join();
  CHECK_THAT(m.render(),
             Catch::Contains(
                 R"(plugnode_http_requests_total{method="GET",route="/hello/:name",status="200"} 2000)"));
}
