// http_window: the dashboard's request figures from successive samples of the request metrics, as
// Prometheus's rate() and histogram_quantile() would compute them.
#include "plugnode/app/http_window.hpp"

#include <catch2/catch.hpp>

#include <limits>

#include "plugnode/plugs/metrics.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode;
using namespace plugnode::app;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
} // namespace

TEST_CASE("bucket_quantile interpolates inside the bucket, as histogram_quantile does", "[http_window]") {
  // 10 observations up to 1 ms, 10 more up to 2 ms.
  std::vector<std::pair<double, double>> buckets{{0.001, 10}, {0.002, 20}, {inf, 20}};
  CHECK(bucket_quantile(0.5, buckets) == Approx(0.001));
  CHECK(bucket_quantile(0.75, buckets) == Approx(0.0015));
  CHECK(bucket_quantile(0.25, buckets) == Approx(0.0005));
  CHECK(bucket_quantile(0.99, {{0.001, 0}, {inf, 5}}) == Approx(0.001)); // past the last bound: that bound
  CHECK(bucket_quantile(0.5, {{0.001, 0}, {inf, 0}}) == -1);             // no observation
}

TEST_CASE("the window reads the request metrics: rate, quantiles and status classes of the window",
          "[http_window]") {
  plugs::metrics counted;
  auto serve = [&](int status, int n) {
    for (int i = 0; i < n; ++i)
      plugs::call(plugs::pipeline{counted, [status](plugs::conn& c) { c.send_resp(status, ""); }},
                  plugs::test_conn("GET", "/"));
  };
  http_window window(300, 2);
  window.add(http_sample_of(counted.collect(), 0));
  serve(200, 30);
  window.add(http_sample_of(counted.collect(), 1));
  serve(200, 5);
  serve(503, 5);
  window.add(http_sample_of(counted.collect(), 2));
  auto f = window.figures();
  CHECK(f.requests_per_second == Approx(10));
  CHECK(f.rate_history == std::vector<double>{30, 10});
  CHECK(f.window_seconds == Approx(2));
  CHECK(f.classes[1] == 35);
  CHECK(f.classes[4] == 5);
  CHECK(f.p50_ms > 0);
  CHECK(f.p99_ms >= f.p50_ms);

  // Past the window, only its samples count: the next second saw nothing, so 2 s back is 10 requests.
  window.add(http_sample_of(counted.collect(), 3));
  CHECK(window.figures().requests_per_second == 0);
  CHECK(window.figures().classes[1] + window.figures().classes[4] == 10);
}
