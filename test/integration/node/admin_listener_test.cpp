// The admin listener of a real node over real sockets: the dashboard is served there and nowhere on the
// public port; off loopback start-up needs a token; a wrong token is a counted, rate-limited 401; a hostile
// client there meets the public port's budgets (connection cap, head deadline).
#include <catch2/catch.hpp>
#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include <thread>

#include "plugnode/test/http_get.hpp"
#include "plugnode/test/ports.hpp"
#include "plugnode/test/raw_client.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* token = "a-token-of-reasonable-length";

// The status line's code of a one-shot GET with `headers` (extra header lines, each ending in CRLF).
int status_of(const std::string& address, std::uint16_t port, const std::string& target,
              const std::string& headers = "") {
  raw_client client(address, port);
  client.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + "\r\n");
  auto answer = client.read_to_end(3s);
  return answer.size() >= 12 ? std::stoi(answer.substr(9, 3)) : -1;
}

std::string basic(const std::string& user_and_password) {
  std::string encoded(4 * ((user_and_password.size() + 2) / 3) + 1, '\0');
  auto n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                           reinterpret_cast<const unsigned char*>(user_and_password.data()),
                           static_cast<int>(user_and_password.size()));
  encoded.resize(static_cast<std::size_t>(n));
  return "Authorization: Basic " + encoded + "\r\n";
}

} // namespace

TEST_CASE("the dashboard is on the admin listener only, and the public port answers 404 for it", "[admin]") {
  auto admin_port = free_port("127.0.0.1");
  running_node node("app", "127.0.0.3", free_port("127.0.0.3"),
                    {{"PLUGNODE_ADMIN_PORT", std::to_string(admin_port)}});
  REQUIRE(eventually([&] { return port_open("127.0.0.1", admin_port); }, 5s));

  auto page = raw_get("127.0.0.1", admin_port, "/");
  CHECK(page.find("HTTP/1.1 200") == 0);
  CHECK(page.find("content-type: text/html") != std::string::npos);
  CHECK(page.find("content-security-policy: default-src 'none'") != std::string::npos);
  CHECK(page.find("/dashboard/dashboard.js") != std::string::npos);
  CHECK(status_of("127.0.0.1", admin_port, "/dashboard/dashboard.js") == 200);
  CHECK(status_of("127.0.0.1", admin_port, "/dashboard/nothing.js") == 404);
  auto snapshot = ok_body("127.0.0.1", admin_port, "/dashboard/snapshot");
  REQUIRE(snapshot);
  auto doc = nlohmann::json::parse(*snapshot);
  CHECK(doc["node"]["name"] == "app@127.0.0.3");
  for (const char* figure : {"version", "uptime_s", "rss_bytes", "threads", "open_files", "cpu_percent"})
    CHECK(doc["node"].contains(figure));
  CHECK(doc["node"]["rss_bytes"].get<double>() > 1e6);
  for (const char* figure : {"requests_per_s", "p50_ms", "p99_ms", "status_classes", "connections"})
    CHECK(doc["http"].contains(figure));
  CHECK(doc["discovery"]["strategy"] == "none");
  CHECK(doc["links"].is_array());
  CHECK(doc["timeline"].is_array());
  CHECK(doc["actors"].size() >= 5);
  CHECK(doc["cluster_state"].contains("entities"));
  CHECK(doc["log"].size() >= 1);

  // The event stream: a snapshot at once, then one a second.
  raw_client events("127.0.0.1", admin_port);
  events.send("GET /dashboard/events HTTP/1.1\r\nHost: x\r\n\r\n");
  auto streamed = events.read(1 << 20, 3200ms);
  CHECK(streamed.find("HTTP/1.1 200") == 0);
  CHECK(streamed.find("content-type: text/event-stream") != std::string::npos);
  CHECK(streamed.find("retry: 1000") != std::string::npos);
  std::size_t updates = 0;
  for (auto at = streamed.find("data: {"); at != std::string::npos; at = streamed.find("data: {", at + 1))
    ++updates;
  CHECK(updates >= 3);

  // Streams are shared among addresses: 8 per address (the first is `events`, from 127.0.0.1), 64 in all.
  std::vector<std::unique_ptr<raw_client>> streams;
  auto open_stream = [&](const std::string& from) {
    streams.push_back(std::make_unique<raw_client>(from, "127.0.0.1", admin_port));
    streams.back()->send("GET /dashboard/events HTTP/1.1\r\nHost: x\r\n\r\n");
    return streams.back()->read(300, 2s);
  };
  for (int i = 0; i < 7; ++i)
    REQUIRE(open_stream("127.0.0.1").find("data: {") != std::string::npos);
  CHECK(open_stream("127.0.0.1").find("HTTP/1.1 503") == 0);
  streams.pop_back();
  for (int a = 0; a < 7; ++a)
    for (int i = 0; i < 8; ++i)
      REQUIRE(open_stream("127.0.0." + std::to_string(20 + a)).find("data: {") != std::string::npos);
  // All 64 taken: a fresh address still gets one, and the oldest stream of an address holding the most
  // (127.0.0.1's `events`) is ended for it.
  CHECK(open_stream("127.0.0.40").find("data: {") != std::string::npos);
  auto rest = events.read_to_end(3s);
  CHECK(rest.size() >= 5);
  CHECK(rest.substr(rest.size() - std::min<std::size_t>(rest.size(), 5)) == "0\r\n\r\n"); // the final chunk
  CHECK(eventually([&] { return status_of("127.0.0.1", admin_port, "/dashboard/events") == 200; }, 3s));

  for (const char* path :
       {"/dashboard", "/dashboard/dashboard.js", "/dashboard/snapshot", "/dashboard/events"})
    CHECK(status_of(node.address(), node.http_port(), path) == 404);
  // The starter's place for these stays the default.
  CHECK(status_of(node.address(), node.http_port(), "/cluster") == 200);
  CHECK(status_of(node.address(), node.http_port(), "/metrics") == 200);

  // Read-only: nothing but GET and HEAD is routed.
  raw_client post("127.0.0.1", admin_port);
  post.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  CHECK(post.read_to_end(3s).find("HTTP/1.1 405") == 0);
}

TEST_CASE("PLUGNODE_OPERATOR_ROUTES=admin moves /cluster and /status, while probes and /metrics stay public",
          "[admin]") {
  auto admin_port = free_port("127.0.0.1");
  running_node node(
      "app", "127.0.0.3", free_port("127.0.0.3"),
      {{"PLUGNODE_ADMIN_PORT", std::to_string(admin_port)}, {"PLUGNODE_OPERATOR_ROUTES", "admin"}});
  REQUIRE(eventually([&] { return port_open("127.0.0.1", admin_port); }, 5s));
  for (const char* path : {"/cluster", "/status"}) {
    CHECK(status_of(node.address(), node.http_port(), path) == 404);
    CHECK(status_of("127.0.0.1", admin_port, path) != 404);
  }
  CHECK(status_of("127.0.0.1", admin_port, "/cluster") == 200);
  for (const char* path : {"/healthz", "/readyz", "/metrics"})
    CHECK(status_of(node.address(), node.http_port(), path) == 200);
}

TEST_CASE("off loopback the admin listener needs a token: start-up refuses with one line naming it",
          "[admin]") {
  // 0.0.0.0 is refused before anything is bound, so no port opens beyond loopback.
  env_map env{{"HTTP_PORT", std::to_string(free_port())},
              {"PLUGNODE_NODE", "app@127.0.0.1"},
              {"PLUGNODE_ADMIN_PORT", std::to_string(free_port())},
              {"PLUGNODE_ADMIN_ADDR", "0.0.0.0"},
              {"PLUGNODE_ADMIN_TOKEN", std::nullopt}};
  auto refused = run_plugnode({"foreground"}, env);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.output,
             Catch::Contains("PLUGNODE_ADMIN_TOKEN: required when the admin listener is bound "
                             "off loopback (PLUGNODE_ADMIN_ADDR 0.0.0.0)"));
  CHECK(std::count(refused.output.begin(), refused.output.end(), '\n') == 1);

  env["PLUGNODE_ADMIN_ADDR"] = "127.0.0.1";
  env["PLUGNODE_OPERATOR_ROUTES"] = "admin";
  env["PLUGNODE_ADMIN_PORT"] = std::nullopt;
  auto no_listener = run_plugnode({"foreground"}, env);
  CHECK(no_listener.exit_code == 2);
  CHECK_THAT(no_listener.output, Catch::Contains("PLUGNODE_OPERATOR_ROUTES: admin needs the admin listener"));
}

TEST_CASE("with a token every admin request carries it: a wrong one is 401, counted and rate-limit logged",
          "[admin]") {
  auto admin_port = free_port("127.0.0.4");
  running_node node("app", "127.0.0.4", free_port("127.0.0.4"),
                    {{"PLUGNODE_ADMIN_PORT", std::to_string(admin_port)},
                     {"PLUGNODE_ADMIN_ADDR", "127.0.0.4"},
                     {"PLUGNODE_ADMIN_TOKEN", token}});
  REQUIRE(eventually([&] { return port_open("127.0.0.4", admin_port); }, 5s));
  auto none = raw_get("127.0.0.4", admin_port, "/");
  CHECK(none.find("HTTP/1.1 401") == 0);
  CHECK(none.find("www-authenticate: Basic realm=\"plugnode admin\"") != std::string::npos);
  CHECK(status_of("127.0.0.4", admin_port, "/", "Authorization: Bearer not-the-token\r\n") == 401);
  CHECK(status_of("127.0.0.4", admin_port, "/", basic(std::string("user:") + token + "x")) == 401);
  CHECK(status_of("127.0.0.4", admin_port, "/", std::string("Authorization: Bearer ") + token + "\r\n") ==
        200);
  CHECK(status_of("127.0.0.4", admin_port, "/dashboard/snapshot", basic(std::string("anyone:") + token)) ==
        200);
  auto metrics = ok_body(node.address(), node.http_port(), "/metrics");
  REQUIRE(metrics);
  CHECK_THAT(*metrics, Catch::Contains("plugnode_admin_refused_total 3"));

  // A flood of guesses: every one refused, the log grows by its limiter's lines, not one per guess.
  auto before = node.proc().output().size();
  int refused = 0;
  for (int i = 0; i < 500; ++i)
    refused += status_of("127.0.0.4", admin_port, "/",
                         "Authorization: Bearer guess-" + std::to_string(i) + "\r\n") == 401;
  CHECK(refused == 500);
  // The limiter's summary comes at the end of its window.
  CHECK(eventually([&] { return node.proc().output().find("refused admin requests") != std::string::npos; },
                   12s));
  auto grown = node.proc().output().size() - before;
  WARN("500 wrong tokens: the log grew by " << grown << " bytes");
  // Refused requests skip the access log; their own lines are the limiter's few and its summary.
  CHECK(grown < 8 * 1024);
  CHECK_THAT(node.proc().output(), Catch::Contains("admin: refused GET from 127.0.0.1"));
  auto after = ok_body(node.address(), node.http_port(), "/metrics");
  REQUIRE(after);
  CHECK_THAT(*after, Catch::Contains("plugnode_admin_refused_total 503"));
}

TEST_CASE("a hostile client on the admin port meets the public port's budgets", "[admin][hostile]") {
  auto admin_port = free_port("127.0.0.1");
  running_node node("app", "127.0.0.5", free_port("127.0.0.5"),
                    {{"PLUGNODE_ADMIN_PORT", std::to_string(admin_port)},
                     {"PLUGNODE_HTTP_MAX_CONNECTIONS", "40"},
                     {"PLUGNODE_HTTP_HEAD_TIMEOUT", "1s"}});
  REQUIRE(eventually([&] { return port_open("127.0.0.1", admin_port); }, 5s));

  // A head trickled a byte at a time gets its 408 at the head deadline, however much it sends.
  raw_client slow("127.0.0.6", "127.0.0.1", admin_port);
  REQUIRE(slow.connected());
  auto started = std::chrono::steady_clock::now();
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  std::string answer;
  for (std::size_t i = 0; std::chrono::steady_clock::now() - started < 4s; ++i) {
    if (!slow.send(std::string(1, i < head.size() ? head[i] : 'a')))
      break;
    answer += slow.read(12, 100ms);
    if (!answer.empty())
      break;
  }
  answer += slow.read(12, 1s);
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(answer.find("HTTP/1.1 408") == 0);
  CHECK(took < 2500ms);

  // Holding the connection cap: the one past it is closed at once, and a fresh client is served again once
  // one of the held ones goes.
  std::vector<std::unique_ptr<raw_client>> held;
  for (int i = 0; i < 40; ++i) {
    held.push_back(std::make_unique<raw_client>("127.0.0.7", "127.0.0.1", admin_port));
    REQUIRE(held.back()->connected());
    held.back()->send("GET /healthz"); // a partial head keeps each one open
  }
  std::this_thread::sleep_for(200ms);
  raw_client over("127.0.0.8", "127.0.0.1", admin_port);
  auto start = std::chrono::steady_clock::now();
  over.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(over.read_to_end(2s).empty());
  CHECK(over.closed());
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  held.clear();
  CHECK(eventually([&] { return status_of("127.0.0.1", admin_port, "/") == 200; }, 3s));
  // The public port had its own budget all along.
  CHECK(status_of(node.address(), node.http_port(), "/healthz") == 200);
}
