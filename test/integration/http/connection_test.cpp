// Connections at scale over real sockets: waiting connections (idle, or trickling a head) hold no worker,
// so a fresh client is answered at once however many there are; pipelined requests are answered in order;
// the connection cap refuses at once and counts; a stop answers what was received and closes the rest.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "plugnode/plugs/metrics.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/test/process.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::raw_connection;
using plugnode::test::served;
using plugnode::test::split_responses;
using plugnode::test::status_of;

namespace {

const std::string get_root = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

router app() {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "ok"); });
  r.get("/n/:n", [](conn& c) { c.send_resp(200, "n=" + c.path_params["n"]); });
  r.post("/echo", [](conn& c) { c.send_resp(200, c.body); });
  return r;
}

// Time for a fresh connection's GET / to be answered.
std::chrono::milliseconds fresh_answer_time(served& server) {
  auto start = std::chrono::steady_clock::now();
  raw_connection client(server.port());
  client.send(get_root);
  auto r = client.read_responses(1, 2s);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  return status_of(r.response) == 200 ? took : 2s;
}

} // namespace

TEST_CASE("2,000 idle keep-alive connections hold no worker: a fresh client is answered at once",
          "[connections]") {
  REQUIRE(plugnode::test::raise_open_files_limit() > 4200);
  endpoint_options options;
  options.workers = 4; // a thread per connection would have starved the fresh client
  options.idle_timeout = 30s;
  served server(app(), options);
  std::vector<std::unique_ptr<raw_connection>> idle;
  for (int i = 0; i < 2000; ++i) {
    idle.push_back(std::make_unique<raw_connection>(server.port()));
    if (i % 2 == 0) { // half have had a request answered, half never sent one
      idle.back()->send(get_root);
      REQUIRE(status_of(idle.back()->read_responses(1, 2s).response) == 200);
    }
  }
  CHECK(fresh_answer_time(server) < 100ms);
  // Every parked connection is still served: a sample of both halves asks again.
  for (std::size_t i = 0; i < idle.size(); i += 37) {
    idle[i]->send(get_root);
    CHECK(status_of(idle[i]->read_responses(1, 2s).response) == 200);
  }
}

TEST_CASE("500 clients trickling heads hold no worker and each gets 408 at the head deadline",
          "[connections]") {
  REQUIRE(plugnode::test::raise_open_files_limit() > 1200);
  endpoint_options options;
  options.workers = 4;
  options.head_timeout = 1500ms;
  served server(app(), options);
  std::vector<std::unique_ptr<raw_connection>> slow;
  for (int i = 0; i < 500; ++i) {
    slow.push_back(std::make_unique<raw_connection>(server.port()));
    slow.back()->send("GET / HTTP/1.1\r\n");
  }
  auto start = std::chrono::steady_clock::now();
  // A header byte from every client every 100 ms: never silent, never complete.
  for (int round = 0; round < 8; ++round) {
    for (auto& c : slow)
      c->send(round % 2 == 0 ? "X" : "-");
    if (round == 3)
      CHECK(fresh_answer_time(server) < 100ms);
    std::this_thread::sleep_for(100ms);
  }
  int timed_out = 0;
  for (auto& c : slow) {
    auto r = c->read_responses(1, 3s);
    timed_out += status_of(r.response) == 408 && r.response.find("Connection: close") != std::string::npos;
  }
  CHECK(timed_out == 500);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(fresh_answer_time(server) < 100ms);
}

TEST_CASE("pipelined requests are answered in order on one connection", "[connections]") {
  served server(app());
  raw_connection client(server.port());
  client.send(
      "GET /n/1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n"
      "helloGET /n/3 HTTP/1.1\r\nHost: x\r\n\r\nGET /n/4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto r = client.read_responses(4, 2s);
  auto responses = split_responses(r.response);
  REQUIRE(responses.size() == 4);
  CHECK_THAT(responses[0], Catch::EndsWith("n=1"));
  CHECK_THAT(responses[1], Catch::EndsWith("hello"));
  CHECK_THAT(responses[2], Catch::EndsWith("n=3"));
  CHECK_THAT(responses[3], Catch::EndsWith("n=4"));
  CHECK(responses[3].find("Connection: close") != std::string::npos);
  CHECK(client.read_responses(5, 1s).closed);
}

TEST_CASE("a request arriving in pieces is parked and resumed", "[connections]") {
  served server(app());
  raw_connection client(server.port());
  std::string request = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world";
  for (std::size_t at = 0; at < request.size(); at += 7) {
    client.send(request.substr(at, 7));
    std::this_thread::sleep_for(5ms);
  }
  auto r = client.read_responses(1, 2s);
  CHECK(status_of(r.response) == 200);
  CHECK_THAT(r.response, Catch::EndsWith("hello world"));
  client.send(get_root); // and the connection is kept
  CHECK(status_of(client.read_responses(1, 2s).response) == 200);
}

TEST_CASE("past the connection cap a new connection is closed at once and counted", "[connections]") {
  endpoint_options options;
  options.max_connections = 100;
  metrics counted;
  served server(pipeline{counted, app()}, options);
  counted.collect_also(server.endpoint().connection_metrics());
  std::vector<std::unique_ptr<raw_connection>> held;
  for (int i = 0; i < 100; ++i) {
    held.push_back(std::make_unique<raw_connection>(server.port()));
    held.back()->send(get_root);
    REQUIRE(status_of(held.back()->read_responses(1, 2s).response) == 200);
  }
  auto start = std::chrono::steady_clock::now();
  raw_connection over(server.port());
  over.send(get_root);
  auto r = over.read_responses(1, 2s);
  CHECK(r.closed);
  CHECK(r.response.empty());
  CHECK(std::chrono::steady_clock::now() - start < 500ms);
  // The server marks a connection idle just after its answer went out, so the client can be a moment ahead.
  CHECK(plugnode::test::eventually(
      [&] {
        return counted.render().find("plugnode_http_connections{state=\"idle\"} 100") != std::string::npos;
      },
      1s));
  CHECK(counted.render().find("plugnode_http_connections_refused_total 1") != std::string::npos);
  held.pop_back(); // room again: a new connection is served
  REQUIRE(plugnode::test::eventually([&] { return fresh_answer_time(server) < 2s; }, 2s));
}

TEST_CASE("stop answers every request already sent, closes idle connections, and returns promptly",
          "[connections]") {
  endpoint_options options;
  options.idle_timeout = 30s;
  served server(app(), options);
  std::atomic<bool> go{true};
  std::atomic<int> answered{0}, unanswered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 16; ++i)
    clients.emplace_back([&] {
      raw_connection client(server.port());
      // Back to back until the server closes: every request written must get its response.
      while (go) {
        if (!client.send(get_root))
          return; // closed before this request was written: the client would reconnect
        auto r = client.read_responses(1, 3s);
        if (status_of(r.response) != 200) {
          ++unanswered;
          return;
        }
        ++answered;
        if (r.response.find("Connection: close") != std::string::npos)
          return;
      }
    });
  std::vector<std::unique_ptr<raw_connection>> idle;
  for (int i = 0; i < 20; ++i)
    idle.push_back(std::make_unique<raw_connection>(server.port()));
  std::this_thread::sleep_for(300ms);
  auto start = std::chrono::steady_clock::now();
  CHECK(server.stop());
  auto took = std::chrono::steady_clock::now() - start;
  go = false;
  for (auto& t : clients)
    t.join();
  CHECK(answered > 0);
  CHECK(unanswered == 0);
  CHECK(took < 1s);
  for (auto& c : idle)
    CHECK(c->read_responses(1, 1s).closed);
}
