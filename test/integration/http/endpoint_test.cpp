// The endpoint over real sockets: the full pipeline, per-request actors, crashes, deadlines, graceful stop,
// routes served on the event loop next to routes served by the workers.
#include "plugnode/plugs/endpoint.hpp"

#include <caf/event_based_actor.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "plugnode/plugs/ask.hpp"
#include "plugnode/plugs/head.hpp"
#include "plugnode/plugs/logger.hpp"
#include "plugnode/plugs/metrics.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/test/ports.hpp"
#include "plugnode/test/process.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using plugnode::test::raw_exchange;
using plugnode::test::served;
using plugnode::test::status_of;
using namespace std::chrono_literals;

namespace {

router hello_router() {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "Hello, World!\n"); })
      .get("/hello/:name",
           [](conn& c) {
             c.put_resp_header("x-greeting", "hello");
             c.send_resp(200, "Hello, " + c.path_params.at("name") + "!\n");
           })
      .post("/echo",
            [](conn& c) { c.put_resp_content_type("application/octet-stream").send_resp(200, c.body); })
      .get("/crash", [](conn&) -> void { throw std::runtime_error("boom: secret detail"); })
      .get("/where", [](conn& c) {
        c.send_resp(200, c.host + " " + std::to_string(c.port) + " " + c.remote_ip + " " + c.scheme);
      });
  return r;
}

} // namespace

TEST_CASE("endpoint serves a full pipeline over a socket", "[endpoint]") {
  metrics m;
  served server(pipeline{request_id{}, logger{}, head{}, m, hello_router()});
  auto cli = server.client();

  auto hello = cli.Get("/hello/J%C3%BCrgen");
  REQUIRE(hello);
  CHECK(hello->status == 200);
  CHECK(hello->body == "Hello, J\xC3\xBCrgen!\n");
  CHECK(hello->get_header_value("x-greeting") == "hello");
  CHECK(valid_request_id(hello->get_header_value("x-request-id")));
  CHECK(hello->get_header_value("content-type") == "text/plain; charset=utf-8");

  auto where = cli.Get("/where");
  REQUIRE(where);
  CHECK(where->body == "127.0.0.1 " + std::to_string(server.port()) + " 127.0.0.1 http");

  auto echo = cli.Post("/echo", std::string("raw\0bytes", 9), "application/octet-stream");
  REQUIRE(echo);
  CHECK(echo->body == std::string("raw\0bytes", 9));

  auto missing = cli.Get("/nope/nope");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  auto wrong_method = cli.Delete("/hello/x");
  REQUIRE(wrong_method);
  CHECK(wrong_method->status == 405);
  CHECK(wrong_method->get_header_value("allow") == "GET, HEAD");

  CHECK_THAT(
      m.render(),
      Catch::Contains(R"(plugnode_http_requests_total{method="GET",route="/hello/:name",status="200"} 1)"));
}

TEST_CASE("endpoint answers HEAD with the GET route's headers and no body", "[endpoint]") {
  served server(pipeline{head{}, hello_router()});
  auto raw =
      plugnode::test::raw_exchange(server.port(), "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(plugnode::test::status_of(raw.response) == 200);
  CHECK_THAT(raw.response, Catch::Contains("Content-Length: 14\r\n"));
  CHECK_THAT(raw.response, Catch::EndsWith("\r\n\r\n")); // nothing after the headers
}

TEST_CASE("a crashing plug costs its request a 500 and nothing else", "[endpoint]") {
  int hooks = 0;
  std::mutex mutex;
  served server(pipeline{request_id{},
                         [&](conn& c) {
                           c.register_before_send([&](conn&) {
                             std::lock_guard lock(mutex);
                             ++hooks;
                           });
                         },
                         hello_router()});
  auto cli = server.client();
  for (int i = 0; i < 3; ++i) {
    auto crash = cli.Get("/crash");
    REQUIRE(crash);
    CHECK(crash->status == 500);
    CHECK(crash->body == "Internal Server Error\n");
    CHECK_FALSE(crash->has_header("EXCEPTION_WHAT"));
    CHECK(crash->get_header_value("x-request-id").size() == 32);
    auto fine = cli.Get("/");
    REQUIRE(fine);
    CHECK(fine->status == 200);
  }
  std::lock_guard lock(mutex);
  CHECK(hooks == 6);
}

TEST_CASE("a plug that aborts its request actor gets a 500, the server lives on", "[endpoint]") {
  served server([](conn& c) {
    if (c.path == "/abort") {
      c.self->fail_state(caf::sec::runtime_error);
      c.resp(200, "should not be sent");
      return;
    }
    c.send_resp(200, "alive");
  });
  auto cli = server.client();
  auto aborted = cli.Get("/abort");
  REQUIRE(aborted);
  CHECK(aborted->status == 500);
  auto fine = cli.Get("/");
  REQUIRE(fine);
  CHECK(fine->body == "alive");
}

TEST_CASE("a pipeline without a response gets a 500", "[endpoint]") {
  served server([](conn&) {});
  auto res = server.client().Get("/");
  REQUIRE(res);
  CHECK(res->status == 500);
}

TEST_CASE("plugs ask other actors through the request's actor, with a timeout", "[endpoint]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  // (Function actors take an argument: CAF 0.17 dereferences a null pointer when spawning one without.)
  auto counter = sys.spawn(
      [](caf::event_based_actor*, int start) -> caf::behavior {
        auto n = std::make_shared<int>(start);
        return {[n](caf::get_atom) { return ++*n; }};
      },
      0);
  auto silent = sys.spawn(
      [](caf::event_based_actor* self, int) -> caf::behavior {
        return {[self](caf::get_atom) { return self->make_response_promise<int>(); }};
      },
      0);
  served server([&](conn& c) {
    // The counter answers at once; its generous timeout only keeps a slow build (ThreadSanitizer on a loaded
    // machine: a fresh actor's first answer took over 100 ms) from failing the test.
    bool quiet = c.path == "/silent";
    auto answer = ask<int>(c, quiet ? silent : counter, quiet ? 100ms : 2000ms, caf::get_atom_v);
    if (answer)
      c.send_resp(200, std::to_string(*answer));
    else
      c.send_resp(504, sys.render(answer.error()));
  });
  auto cli = server.client();
  CHECK(cli.Get("/")->body == "1");
  CHECK(cli.Get("/")->body == "2");
  auto start = std::chrono::steady_clock::now();
  auto timed_out = cli.Get("/silent");
  REQUIRE(timed_out);
  CHECK(timed_out->status == 504);
  CHECK_THAT(timed_out->body, Catch::Contains("request_timeout"));
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  caf::anon_send_exit(counter, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

TEST_CASE("a late answer to one request's ask never reaches the next request", "[endpoint]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  // Answers each request 150 ms late.
  auto late = sys.spawn(
      [](caf::event_based_actor* self, int answer) -> caf::behavior {
        auto pending = std::make_shared<std::vector<caf::response_promise>>();
        return {[self, pending](caf::get_atom) {
                  pending->push_back(self->make_response_promise());
                  self->delayed_send(self, 150ms, caf::ok_atom_v);
                  return pending->back();
                },
                [pending, answer](caf::ok_atom) {
                  for (auto& rp : *pending)
                    rp.deliver(answer);
                  pending->clear();
                }};
      },
      7);
  endpoint_options options;
  options.workers = 1; // both requests on the same worker thread
  served server(
      [&](conn& c) {
        auto id = std::to_string(c.self->id());
        if (c.path == "/ask") {
          auto answer = ask<int>(c, late, 30ms, caf::get_atom_v);
          c.send_resp(200, id + (answer ? " answered" : " timed out"));
        } else {
          c.send_resp(200, id + (c.self->mailbox().empty() ? " clean" : " dirty"));
        }
      },
      options);
  httplib::Client cli("127.0.0.1", server.port());
  auto first = cli.Get("/ask");
  REQUIRE(first);
  CHECK_THAT(first->body, Catch::EndsWith(" timed out"));
  // The late answer lands in the mailbox of the first request's actor (150 ms after the ask; under
  // ThreadSanitizer on a loaded machine it took more than 250 ms).
  std::this_thread::sleep_for(1s);
  auto second = cli.Get("/next");
  REQUIRE(second);
  CHECK_THAT(second->body, Catch::EndsWith(" clean"));
  CHECK(second->body.substr(0, second->body.find(' ')) != first->body.substr(0, first->body.find(' ')));
  caf::anon_send_exit(late, caf::exit_reason::user_shutdown);
}

TEST_CASE("requests on one connection share the worker's actor until one fails", "[endpoint]") {
  endpoint_options options;
  options.workers = 1;
  served server(
      [](conn& c) {
        if (c.path == "/crash")
          throw std::runtime_error("crash");
        c.send_resp(200, std::to_string(c.self->id()));
      },
      options);
  auto cli = server.client();
  cli.set_keep_alive(true);
  auto a = cli.Get("/")->body;
  CHECK(cli.Get("/")->body == a);
  CHECK(cli.Get("/crash")->status == 500);
  CHECK(cli.Get("/")->body != a);
}

TEST_CASE("a pipeline past its deadline gets 503 at the deadline", "[endpoint]") {
  endpoint_options options;
  options.deadline = 100ms;
  std::atomic<int> finished{0};
  auto slow = [&](conn& c) {
    if (c.path == "/slow") {
      std::this_thread::sleep_for(400ms); // a plug blocked outside CAF: nothing can interrupt it
      ++finished;
    }
    c.send_resp(200, "done");
  };
  auto timed_get = [](served& server, const std::string& path) {
    auto start = std::chrono::steady_clock::now();
    auto res = server.client().Get(path);
    return std::pair{std::move(res), std::chrono::steady_clock::now() - start};
  };
  {
    served server(slow, options);
    auto [res, took] = timed_get(server, "/slow");
    REQUIRE(res);
    CHECK(res->status == 503);
    CHECK(res->body == "Service Unavailable\n");
    CHECK(res->get_header_value("Connection") == "close");
    CHECK(took < 300ms);
    CHECK(finished == 0); // the client had its answer while the plug was still running
    CHECK(server.client().Get("/")->status == 200);
    // A HEAD gets the same status without a body, on the raw wire.
    auto raw = raw_exchange(server.port(), "HEAD /slow HTTP/1.1\r\nHost: x\r\n\r\n", 2s);
    CHECK(status_of(raw.response) == 503);
    CHECK(raw.closed);
    CHECK(raw.response.find("Service Unavailable\n") == std::string::npos);
    REQUIRE(plugnode::test::eventually([&] { return finished == 2; }, 2s));
  }
}

TEST_CASE("a pipeline finishing just in time keeps its connection", "[endpoint]") {
  endpoint_options options;
  options.deadline = 300ms;
  served server(
      [](conn& c) {
        std::this_thread::sleep_for(50ms);
        c.send_resp(200, "in time");
      },
      options);
  auto cli = server.client();
  cli.set_keep_alive(true);
  for (int i = 0; i < 3; ++i) {
    auto res = cli.Get("/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Connection") != "close");
  }
}

TEST_CASE("stop lets an in-flight request finish, then refuses connections", "[endpoint]") {
  std::atomic<bool> entered{false};
  served server([&](conn& c) {
    entered = true;
    std::this_thread::sleep_for(300ms);
    c.send_resp(200, "finished");
  });
  auto port = server.port();
  auto in_flight = std::async(std::launch::async, [cli = server.client()]() mutable { return cli.Get("/"); });
  REQUIRE(plugnode::test::eventually([&] { return entered.load(); }, 2s));
  CHECK(server.stop());
  auto res = in_flight.get();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "finished");
  CHECK_FALSE(plugnode::test::port_open("127.0.0.1", port));
}

TEST_CASE("a route marked non_blocking is served by its event loop while every worker is held by the routes "
          "that may block (the default, as for a plug that asks an actor)",
          "[endpoint][loops]") {
  endpoint_options options;
  options.loops = 1;
  options.workers = 1;
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> waiting{0};
  router r;
  r.get("/fast", non_blocking([](conn& c) { c.send_resp(200, "fast"); }))
      .get("/waits", [&](conn& c) { // unmarked: runs on a worker
        ++waiting;
        released.wait();
        c.send_resp(200, "waited");
      });
  served server(pipeline{request_id{}, logger{}, head{}, r}, options);
  auto first =
      std::async(std::launch::async, [cli = server.client()]() mutable { return cli.Get("/waits"); });
  REQUIRE(plugnode::test::eventually([&] { return waiting == 1; }, 2s));
  auto second =
      std::async(std::launch::async, [cli = server.client()]() mutable { return cli.Get("/waits"); });
  for (const char* method : {"GET", "HEAD"}) {
    auto start = std::chrono::steady_clock::now();
    auto raw = raw_exchange(
        server.port(), std::string(method) + " /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2s);
    CHECK(status_of(raw.response) == 200);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
  }
  CHECK(waiting == 1); // the second /waits still waits for the one worker
  release.set_value();
  auto a = first.get(), b = second.get();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->body == "waited");
  CHECK(b->body == "waited");
}

TEST_CASE("stop drains a request running on the loop and one on a worker", "[endpoint][loops]") {
  endpoint_options options;
  options.loops = 1;
  options.workers = 1;
  std::atomic<int> entered{0};
  router r;
  r.get("/loop", non_blocking([&](conn& c) {
          ++entered;
          std::this_thread::sleep_for(150ms);
          c.send_resp(200, "loop");
        }))
      .get("/worker", [&](conn& c) {
        ++entered;
        std::this_thread::sleep_for(400ms);
        c.send_resp(200, "worker");
      });
  served server(r, options);
  auto on_worker =
      std::async(std::launch::async, [cli = server.client()]() mutable { return cli.Get("/worker"); });
  REQUIRE(plugnode::test::eventually([&] { return entered == 1; }, 2s));
  auto on_loop =
      std::async(std::launch::async, [cli = server.client()]() mutable { return cli.Get("/loop"); });
  REQUIRE(plugnode::test::eventually([&] { return entered == 2; }, 2s));
  CHECK(server.stop());
  auto w = on_worker.get(), l = on_loop.get();
  REQUIRE(w);
  REQUIRE(l);
  CHECK(w->body == "worker");
  CHECK(l->body == "loop");
  CHECK(w->get_header_value("Connection") == "close");
}

TEST_CASE("bind fails loudly when the port is taken", "[endpoint]") {
  served first([](conn& c) { c.send_resp(200, "first"); });
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  endpoint second(sys, {"127.0.0.1", first.port()}, [](conn& c) { c.send_resp(200, "second"); });
  CHECK_THROWS_WITH(second.bind(),
                    Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
}
