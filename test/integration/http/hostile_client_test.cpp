// What a hostile client tries against the HTTP listener, over real sockets from 127.0.0.x addresses: a
// Connection list with empty elements, a client that resets while its large response is written (with
// SIGPIPE at its default disposition), and a flood of large bodies that hold their memory by trickling.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <malloc.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "plugnode/plugs/router.hpp"
#include "plugnode/test/ports.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::raw_connection;
using plugnode::test::served;
using plugnode::test::split_responses;
using plugnode::test::status_of;
using steady = std::chrono::steady_clock;

namespace {

const std::string get_root = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  std::string hex;
  for (auto byte : digest)
    hex += fmt::format("{:02x}", byte);
  return hex;
}

// Answers a body's length and SHA-256, so a client can tell it arrived intact.
router digest_app() {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "ok"); });
  r.get("/big", [](conn& c) { c.send_resp(200, std::string(std::size_t{16} << 20, 'x')); });
  r.post("/digest",
         [](conn& c) { c.send_resp(200, std::to_string(c.body.size()) + " " + sha256_hex(c.body)); });
  return r;
}

double metric(served& server, const std::string& name) {
  for (const auto& family : server.endpoint().connection_metrics()->Collect())
    if (family.name == name)
      return family.type == prometheus::MetricType::Counter ? family.metric.at(0).counter.value
                                                            : family.metric.at(0).gauge.value;
  FAIL("no metric " << name);
  return 0;
}

std::size_t rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoul(line.substr(6)) * 1024;
  return 0;
}

} // namespace

TEST_CASE("Connection lists with empty elements still close: ', close' and 'keep-alive, ,close'",
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

namespace {

// The bytes the flood's bodies are cut from: each client sends its own slice, so each digest differs.
const std::string& pattern() {
  static const std::string bytes = [] {
    std::mt19937 random(7);
    std::string s(std::size_t{6} << 20, '\0');
    for (auto& c : s)
      c = static_cast<char>(random());
    return s;
  }();
  return bytes;
}

// One client of the body flood, non-blocking. An uploader sends its whole body as fast as the server takes
// it (Content-Length or chunked in 64 KB chunks); a hog sends most of it fast, then one byte every 500 ms.
struct upload {
  upload(std::uint16_t port, const std::string& from, std::size_t offset, std::size_t size, bool chunked,
         bool hog)
      : connection(port, from), offset(offset), size(size), chunked(chunked),
        hog_after(hog ? size * 3 / 4 : size) {
    framing = "POST /digest HTTP/1.1\r\nHost: x\r\n" +
              (chunked ? std::string("Transfer-Encoding: chunked\r\n")
                       : "Content-Length: " + std::to_string(size) + "\r\n") +
              "\r\n";
    expected = std::to_string(size) + " " + sha256_hex(std::string_view(pattern()).substr(offset, size));
  }

  // Sends what it may now; false once the server refused more (closed or reset).
  bool pump(steady::time_point now) {
    while (!finished_sending) {
      if (!framing.empty()) {
        auto n = ::send(connection.fd(), framing.data(), framing.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0)
          return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        framing.erase(0, static_cast<std::size_t>(n));
        continue;
      }
      if (sent == size) {
        if (chunked && !last_chunk) {
          framing = "0\r\n\r\n";
          last_chunk = true;
          continue;
        }
        finished_sending = true;
        break;
      }
      if (chunked && chunk_left == 0) {
        chunk_left = std::min<std::size_t>(64 * 1024, size - sent);
        framing = fmt::format("{:x}\r\n", chunk_left);
        continue;
      }
      auto limit = std::min(chunked ? chunk_left : size - sent, hog_after > sent ? hog_after - sent : 1);
      bool trickle = sent >= hog_after;
      if (trickle && now < next_trickle)
        return true;
      auto n = ::send(connection.fd(), pattern().data() + offset + sent, limit, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0)
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
      sent += static_cast<std::size_t>(n);
      if (chunked && (chunk_left -= static_cast<std::size_t>(n)) == 0)
        framing = "\r\n";
      if (trickle) {
        next_trickle = now + 500ms;
        return true;
      }
    }
    return true;
  }

  // Reads what came; true once the answer is complete or the connection closed.
  bool take_answer() {
    char buffer[4096];
    while (true) {
      auto n = ::recv(connection.fd(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (n > 0) {
        answer.append(buffer, static_cast<std::size_t>(n));
        continue;
      }
      return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || !split_responses(answer).empty();
    }
  }

  std::string body_of_answer() const {
    auto responses = split_responses(answer);
    return responses.empty() ? "" : responses[0].substr(responses[0].find("\r\n\r\n") + 4);
  }

  raw_connection connection;
  std::size_t offset, size;
  bool chunked;
  std::size_t hog_after;
  std::string framing;
  std::string expected; // the digest route's answer for this body
  std::size_t sent = 0;
  std::size_t chunk_left = 0;
  bool last_chunk = false;
  bool finished_sending = false;
  bool done = false;
  steady::time_point next_trickle;
  std::string answer;
};

// Runs the uploads until each is answered or closed, or until `deadline`.
void run_uploads(std::vector<std::unique_ptr<upload>>& uploads, steady::time_point deadline) {
  while (steady::now() < deadline) {
    std::vector<pollfd> waiting;
    std::vector<upload*> of;
    auto now = steady::now();
    for (auto& u : uploads) {
      if (u->done)
        continue;
      if (!u->pump(now))
        u->finished_sending = true; // refused: its answer (or the close) is what is left to read
      waiting.push_back(
          {u->connection.fd(),
           static_cast<short>(POLLIN | (u->finished_sending || u->sent >= u->hog_after ? 0 : POLLOUT)), 0});
      of.push_back(u.get());
    }
    if (waiting.empty())
      return;
    ::poll(waiting.data(), waiting.size(), 20);
    for (std::size_t i = 0; i < waiting.size(); ++i)
      if ((waiting[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && of[i]->take_answer())
        of[i]->done = true;
  }
}

} // namespace

TEST_CASE("a flood of large trickled bodies holds no more memory than the body buffer; GET / stays fast, "
          "bodies that complete arrive intact",
          "[hostile][body_flood]") {
  REQUIRE(plugnode::test::raise_open_files_limit() > 400);
  endpoint_options options;
  options.workers = 8;
  options.max_body = std::size_t{4} << 20;
  options.body_buffer = std::size_t{16} << 20;
  options.read_timeout = 1s;
  options.body_min_rate = std::size_t{1} << 20; // 3 MB sent fast buy a hog 1 s + 3 s
  served server(digest_app(), options);
  pattern();
  ::malloc_trim(0); // what earlier tests freed goes back to the system: the baseline is this test's own
  auto rss_before = rss_bytes();

  // A fresh client's GET / every 100 ms, from its own address, and the process's RSS, while the flood runs.
  std::atomic<bool> flooding{true};
  std::atomic<std::int64_t> slowest_ms{0};
  std::atomic<std::size_t> rss_peak{0};
  std::thread probe([&] {
    while (flooding) {
      auto start = steady::now();
      raw_connection client(server.port(), "127.0.0.2");
      client.send(get_root);
      auto ok = status_of(client.read_responses(1, 2s).response) == 200;
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
      slowest_ms = std::max<std::int64_t>(slowest_ms, ok ? took : 2000);
      rss_peak = std::max(rss_peak.load(), rss_bytes());
      std::this_thread::sleep_for(100ms);
    }
  });

  // 40 hogs of 4 MB each (160 MB if each were held) and 20 uploaders behind them, all at once; 20 more
  // uploaders once the hogs have their answers.
  std::vector<std::unique_ptr<upload>> first, second;
  std::size_t four_mb = std::size_t{4} << 20;
  for (int i = 0; i < 40; ++i)
    first.push_back(std::make_unique<upload>(server.port(), "127.0.0." + std::to_string(10 + i),
                                             static_cast<std::size_t>(i) * 4099, four_mb, false, true));
  for (int i = 0; i < 20; ++i)
    first.push_back(std::make_unique<upload>(server.port(), "127.0.0." + std::to_string(50 + i),
                                             static_cast<std::size_t>(i) * 7919, four_mb - i * 65536,
                                             i % 2 == 1, false));
  auto start = steady::now();
  run_uploads(first, start + 10s);
  auto hogs_answered = steady::now() - start;
  for (int i = 0; i < 20; ++i)
    second.push_back(std::make_unique<upload>(server.port(), "127.0.0." + std::to_string(70 + i),
                                              static_cast<std::size_t>(i) * 6007 + 1, four_mb - i * 40000,
                                              i % 2 == 0, false));
  run_uploads(second, steady::now() + 10s);
  flooding = false;
  probe.join();

  std::size_t hogs_refused = 0, early_served = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    auto& u = *first[i];
    auto status = status_of(u.answer);
    INFO("client " << i << " answered " << u.answer.substr(0, 40));
    CHECK(u.done);
    if (i < 40) {
      CHECK((status == 408 || status == 503)); // never served: a hog never completes its body
      hogs_refused += status == 408 || status == 503;
    } else {
      CHECK((status == 200 || status == 503));
      if (status == 200) {
        CHECK(u.body_of_answer() == u.expected);
        ++early_served;
      }
    }
  }
  for (auto& u : second) {
    INFO("late client answered " << u->answer.substr(0, 40));
    CHECK(status_of(u->answer) == 200);
    CHECK(u->body_of_answer() == u->expected);
  }
  CHECK(hogs_refused == 40);
  CHECK(hogs_answered < 8s); // 1 s of grace and 3 s bought by 3 MB at 1 MB/s, then at most a second more
  CHECK(metric(server, "plugnode_http_body_buffer_peak_bytes") <= static_cast<double>(options.body_buffer));
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == 0);
  CHECK(metric(server, "plugnode_http_body_timeouts_total") >= 1);
  CHECK(metric(server, "plugnode_http_body_buffer_refusals_total") >= 1);
  CHECK(slowest_ms < 200);
  // This process holds the clients too, but they send from one shared pattern: what grows is the server's.
  CHECK(rss_peak - std::min(rss_peak.load(), rss_before) < std::size_t{64} << 20);
  WARN("hogs answered after " << std::chrono::duration_cast<std::chrono::milliseconds>(hogs_answered).count()
                              << " ms; early uploaders served " << early_served << " of 20; slowest GET / "
                              << slowest_ms << " ms; RSS " << (rss_before >> 20) << " MB -> peak "
                              << (rss_peak >> 20) << " MB");
}
