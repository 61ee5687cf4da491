// process_metrics: /proc read into the standard process_* metrics, in a form promtool accepts.
#include "plugnode/app/process_metrics.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <ctime>
#include <thread>
#include <vector>

using namespace plugnode::app;

TEST_CASE("a sample of this process is plausible", "[process_metrics]") {
  std::vector<char> ballast(64 << 20, 1); // touched: 64 MB resident
  auto s = sample_process();
  CHECK(s.resident_bytes > 64.0 * (1 << 20));
  CHECK(s.virtual_bytes >= s.resident_bytes);
  CHECK(s.open_fds >= 3); // stdin, stdout, stderr
  CHECK(s.max_fds >= s.open_fds);
  CHECK(s.threads >= 1);
  auto now = static_cast<double>(std::time(nullptr));
  CHECK(s.start_time_seconds <= now + 1);
  CHECK(s.start_time_seconds > now - 3600);
  CHECK(s.cpu_seconds >= 0);
  CHECK(ballast[12345] == 1);
}

TEST_CASE("threads and fds are counted as they come and go", "[process_metrics]") {
  auto before = sample_process();
  std::thread t([] { std::this_thread::sleep_for(std::chrono::milliseconds(200)); });
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  auto during = sample_process();
  CHECK(during.threads == before.threads + 1);
  CHECK(during.open_fds == before.open_fds + 2);
  t.join();
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("the metrics carry the names every Prometheus client library uses", "[process_metrics]") {
  prometheus::Registry registry;
  process_metrics metrics(registry);
  metrics.update();
  metrics.update(); // a counter only grows: the second scrape adds what was spent since
  auto text = prometheus::TextSerializer().Serialize(registry.Collect());
  for (auto name :
       {"process_resident_memory_bytes", "process_virtual_memory_bytes", "process_cpu_seconds_total",
        "process_open_fds", "process_max_fds", "process_threads", "process_start_time_seconds"}) {
    INFO(name);
    CHECK_THAT(text, Catch::Contains(std::string("# TYPE ") + name));
  }
  CHECK_THAT(text, Catch::Contains("# TYPE process_cpu_seconds_total counter"));
}
