// bench_http_pipeline: the per-request CPU cost of bench_server's pipeline without sockets or cpp-httplib,
// built up plug by plug, so a change to a plug can be measured on a machine too noisy for wrk (or counted
// exactly: valgrind --tool=callgrind bench_http_pipeline 20000 1 3 runs only the full pipeline).
//   bench_http_pipeline [REQUESTS=200000] [THREADS=1] [STAGE]
// Logs through the runtime's logging to stdout, as the bench server does: redirect it to /dev/null.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/plugs/logger.hpp"
#include "plugnode/plugs/metrics.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugs = plugnode::plugs;

namespace {

// What the endpoint builds from wrk's request: "GET / HTTP/1.1" with a Host header.
plugs::conn request() {
  auto c = plugs::make_conn("GET", "/");
  c.req_headers.emplace("host", "127.0.0.1:8080");
  c.host = "127.0.0.1";
  c.port = 8080;
  c.remote_ip = "127.0.0.1";
  return c;
}

double ns_per_request(const plugs::plug& p, int requests, int threads) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < requests; ++i) {
        auto c = request();
        p.call(c);
        if (c.state != plugs::conn::resp_state::sent)
          throw std::logic_error("the pipeline did not answer");
      }
    });
  for (auto& w : workers)
    w.join();
  std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  return took.count() / requests;
}

} // namespace

int main(int argc, char** argv) {
  int requests = argc > 1 ? std::atoi(argv[1]) : 200000;
  int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  int only = argc > 3 ? std::atoi(argv[3]) : -1;
  plugnode::runtime::configure_logging({});
  plugs::metrics metrics;
  plugs::router router;
  router.get("/",
             [](plugs::conn& c) { c.put_resp_content_type("text/plain").send_resp(200, "Hello, World!"); });
  struct stage {
    const char* name;
    plugs::plug pipeline;
  };
  const std::vector<stage> stages = {
      {"router", plugs::pipeline{router}},
      {"+ metrics", plugs::pipeline{metrics, router}},
      {"+ request_id", plugs::pipeline{plugs::request_id{}, metrics, router}},
      {"+ logger", plugs::pipeline{plugs::request_id{}, plugs::logger{}, metrics, router}},
  };
  for (int i = 0; i < static_cast<int>(stages.size()); ++i)
    if (only < 0 || only == i)
      std::fprintf(stderr, "%-14s %7.0f ns/request (%d threads)\n", stages[static_cast<std::size_t>(i)].name,
                   ns_per_request(stages[static_cast<std::size_t>(i)].pipeline, requests, threads), threads);
}
