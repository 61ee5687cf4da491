// What a hostile client tries against the HTTP listener, over real sockets from 127.0.0.x addresses: a
// Connection list with empty elements, a client that resets while its large response is written (with
// SIGPIPE at its default disposition), and a flood of large bodies that hold their memory by trickling.
#include <catch2/catch.hpp>
#include <malloc.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "plugnode/plugs/router.hpp"
#include "plugnode/test/body_flood.hpp"
#include "plugnode/test/ports.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::metric;
using plugnode::test::planned_digest;
using plugnode::test::raw_connection;
using plugnode::test::served;
using plugnode::test::split_responses;
using plugnode::test::status_of;
using steady = std::chrono::steady_clock;

namespace {

const std::string get_root = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

router digest_app() {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "ok"); });
  r.get("/big", [](conn& c) { c.send_resp(200, std::string(std::size_t{16} << 20, 'x')); });
  r.post("/digest", plugnode::test::answer_digest);
  return r;
}

} // namespace

TEST_CASE("Connection lists with empty elements still close (a leading comma, two commas in a row)",
          "[hostile]") {
  served server(digest_app());
  for (std::string value : {", close", "keep-alive, ,close"}) {
    raw_connection client(server.port(), "127.0.0.3");
    client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: " + value + "\r\n\r\n");
    auto r = client.read_responses(2, 2s); // one answer, then the close (not the timeout)
    INFO(value);
    CHECK(split_responses(r.response).size() == 1);
    CHECK(r.response.find("Connection: close\r\n") != std::string::npos);
    CHECK(r.closed);
  }
}

TEST_CASE("clients that go away while a large response is written cost no SIGPIPE", "[hostile]") {
  // At its default disposition, SIGPIPE from one write without MSG_NOSIGNAL would end this whole process,
  // as it would a library user's own main that does not ignore it.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  struct sigaction saved {};
  ::sigaction(SIGPIPE, &default_action, &saved);
  {
    served server(digest_app());
    for (int i = 0; i < 20; ++i) {
      raw_connection client(server.port(), "127.0.0." + std::to_string(10 + i));
      client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
      if (i % 2 == 0) {
        // A reset at once (SO_LINGER 0), perhaps before the response has started.
        linger reset{1, 0};
        ::setsockopt(client.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      } else {
        // A plain close once the response is under way: the rest of it draws a reset from this side's
        // kernel, and the server's next write meets a socket the peer has closed.
        client.read_responses(1, 20ms);
      }
    }
    std::this_thread::sleep_for(200ms);
    raw_connection fresh(server.port(), "127.0.0.40");
    fresh.send(get_root);
    CHECK(status_of(fresh.read_responses(1, 2s).response) == 200);
  }
  ::sigaction(SIGPIPE, &saved, nullptr);
}

TEST_CASE("a flood of large trickled bodies holds no more memory than the body buffer while GET / stays "
          "fast and completed bodies arrive intact",
          "[hostile][body_flood]") {
  using plugnode::test::upload;
  using plugnode::test::upload_plan;
  REQUIRE(plugnode::test::raise_open_files_limit() > 400);
  endpoint_options options;
  options.workers = 8;
  options.max_body = std::size_t{4} << 20;
  options.body_buffer = std::size_t{16} << 20;
  // A hog's 3 MB sent fast would buy it 3 s + 1.5 s at 2 MB/s on average; but while bodies wait, a holder
  // below 2 MB/s over its last whole second is answered at once: about 2 s after it got its bytes. A body
  // that waits 3 s for room gets 503.
  options.read_timeout = 3s;
  options.body_min_rate = std::size_t{2} << 20;
  options.body_spool = options.max_body; // bodies in memory: this is the body buffer's flood
  served server(digest_app(), options);
  plugnode::test::planned_digest({}); // the clients' shared pattern, made before the baseline
  ::malloc_trim(0);                   // what earlier tests freed goes back: the baseline is this test's own
  auto rss_before = plugnode::test::rss_bytes();

  // A fresh client's GET / every 100 ms, from its own address, and the process's RSS, while the flood runs.
  std::atomic<bool> flooding{true};
  std::vector<std::int64_t> probe_ms; // the probe thread's until it is joined
  std::atomic<std::size_t> rss_peak{0};
  std::thread probe([&] {
    while (flooding) {
      auto start = steady::now();
      raw_connection client(server.port(), "127.0.0.2");
      client.send(get_root);
      auto ok = status_of(client.read_responses(1, 2s).response) == 200;
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
      probe_ms.push_back(ok ? took : 2000);
      rss_peak = std::max(rss_peak.load(), plugnode::test::rss_bytes());
      std::this_thread::sleep_for(100ms);
    }
  });

  // 40 hogs of 4 MB each (160 MB if each were held); 1.5 s later, 20 uploaders; once all have their
  // answers, 20 more uploaders.
  std::vector<std::unique_ptr<upload>> first, second;
  std::size_t four_mb = std::size_t{4} << 20;
  auto address = [](int i) { return "127.0.0." + std::to_string(i); };
  for (int i = 0; i < 40; ++i)
    first.push_back(std::make_unique<upload>(
        server.port(), upload_plan{address(10 + i), four_mb, static_cast<std::size_t>(i), false, true}));
  auto start = steady::now();
  run_uploads(first, start + 1500ms);
  for (int i = 0; i < 20; ++i)
    first.push_back(std::make_unique<upload>(
        server.port(), upload_plan{address(50 + i), four_mb - static_cast<std::size_t>(i) * 65536,
                                   static_cast<std::size_t>(100 + i), i % 2 == 1}));
  run_uploads(first, start + 12s);
  auto hogs_answered = std::chrono::milliseconds(0);
  for (auto& u : first)
    if (u->plan().hog)
      hogs_answered =
          std::max(hogs_answered, std::chrono::duration_cast<std::chrono::milliseconds>(u->answered_after()));
  for (int i = 0; i < 20; ++i)
    second.push_back(std::make_unique<upload>(
        server.port(), upload_plan{address(70 + i), four_mb - static_cast<std::size_t>(i) * 40000,
                                   static_cast<std::size_t>(200 + i), i % 2 == 0}));
  run_uploads(second, steady::now() + 10s);
  flooding = false;
  probe.join();

  std::size_t early_served = 0;
  for (auto& u : first) {
    INFO("client " << u->plan().from << " answered " << u->answer().substr(0, 40));
    CHECK(u->done());
    if (u->plan().hog) {
      CHECK((u->status() == 408 || u->status() == 503)); // a hog never completes its body
    } else {
      CHECK((u->status() == 200 || u->status() == 503));
      if (u->status() == 200) {
        CHECK(u->answer_body() == planned_digest(u->plan()));
        ++early_served;
      }
    }
  }
  for (auto& u : second) {
    INFO("late client " << u->plan().from << " answered " << u->answer().substr(0, 40));
    CHECK(u->status() == 200);
    CHECK(u->answer_body() == planned_digest(u->plan()));
  }
  // Waiting hogs after 3 s; holders after about 2 s while others wait, else at most 3 s + 1.5 s; the last
  // admitted at most 3 s in.
  CHECK(hogs_answered < 10s);
  CHECK(metric(server, "plugnode_http_body_buffer_peak_bytes") <= static_cast<double>(options.body_buffer));
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == 0);
  CHECK(metric(server, "plugnode_http_body_timeouts_total") >= 1);
  CHECK(metric(server, "plugnode_http_body_buffer_refusals_total") >= 1);
  // GET / is answered at once throughout (the target is < 200 ms; the bound leaves room for a
  // machine shared with builds, where one probe in a few runs took 277 ms).
  std::sort(probe_ms.begin(), probe_ms.end());
  REQUIRE(probe_ms.size() > 20);
  CHECK(probe_ms[probe_ms.size() / 2] < 50);
  CHECK(probe_ms.back() < 1000);
  // This process holds the clients too, but they send from one shared pattern: what grows is the server's:
  // the 16 MB budget, read buffers, allocator slack, 15-20 MB here; without the budget the hogs alone pin
  // more than 200 MB. Not under ThreadSanitizer, whose shadow memory grows with every byte touched, nor
  // under AddressSanitizer, whose quarantine keeps up to 256 MB of what was freed (the 4 MB bodies that
  // came and went: 278 MB of growth measured alone on a quiet machine); the budget's own peak, checked
  // above, is the bound there.
#if !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
  CHECK(rss_peak - std::min(rss_peak.load(), rss_before) < std::size_t{48} << 20);
#endif
  WARN("hogs answered after " << hogs_answered.count() << " ms; early uploaders served " << early_served
                              << " of 20; GET / median " << probe_ms[probe_ms.size() / 2] << " ms, slowest "
                              << probe_ms.back() << " ms; RSS " << (rss_before >> 20) << " MB -> peak "
                              << (rss_peak >> 20) << " MB");
}

TEST_CASE("a body that does not fit in the body buffer waits unread, without its 100 Continue, and runs as "
          "soon as the holder is done",
          "[hostile][body_buffer]") {
  endpoint_options options;
  options.body_buffer = std::size_t{1} << 20;
  served server(digest_app(), options);
  std::string megabyte(std::size_t{1} << 20, 'm');
  auto post = [](std::size_t length, bool expect_continue) {
    return "POST /digest HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n" +
           (expect_continue ? "Expect: 100-continue\r\n" : "") + "\r\n";
  };
  // The holder: its whole megabyte is granted, half of it sent.
  raw_connection holder(server.port(), "127.0.0.20");
  holder.send(post(megabyte.size(), false) + megabyte.substr(0, megabyte.size() / 2));
  std::this_thread::sleep_for(200ms);
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == static_cast<double>(megabyte.size()));
  // The waiter asks to continue: no interim answer while it waits.
  raw_connection waiter(server.port(), "127.0.0.21");
  waiter.send(post(300000, true));
  auto waiting = waiter.read_responses(1, 500ms);
  CHECK(waiting.response.empty());
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == static_cast<double>(megabyte.size()));
  // A small POST needs no room in the buffer and does not wait.
  raw_connection small(server.port(), "127.0.0.22");
  small.send(post(1000, false) + std::string(1000, 's'));
  CHECK(split_responses(small.read_responses(1, 1s).response).size() == 1);
  // The holder finishes: its bytes go to the waiter, which is told to continue and then served.
  holder.send(megabyte.substr(megabyte.size() / 2));
  auto held = holder.read_responses(1, 2s);
  CHECK(held.response.find(plugnode::test::body_digest(megabyte)) != std::string::npos);
  auto told = waiter.read_responses(1, 1s);
  CHECK(told.response.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0);
  waiter.send(std::string(300000, 'w'));
  auto served_late = waiter.read_responses(1, 2s);
  CHECK(served_late.response.find(plugnode::test::body_digest(std::string(300000, 'w'))) !=
        std::string::npos);
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == 0);
  CHECK(metric(server, "plugnode_http_body_buffer_peak_bytes") == static_cast<double>(megabyte.size()));
}
