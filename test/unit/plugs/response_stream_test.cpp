// Streaming responses as a plug writes them: send_stream starts one, the handle sends chunks from any
// thread, and the stream ends once, whoever ends it; the test harness's stream_client plays the client.
#include "plugnode/plugs/response_stream.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;
using state = response_stream::state;

namespace {

// A server-sent events route: the handle goes to whoever produces the events (here the test).
struct events_route {
  std::shared_ptr<response_stream> stream;
  int closed = 0;

  plug route() {
    return [this](conn& c) {
      c.put_resp_content_type("text/event-stream").put_resp_header("cache-control", "no-cache");
      send_stream(c, 200, [this](std::shared_ptr<response_stream> s) {
        s->on_close([this] { ++closed; });
        s->send("retry: 1000\n\n");
        stream = std::move(s);
      });
    };
  }
};

} // namespace

TEST_CASE("send_stream sends the head like send_resp and leaves the body to the stream",
          "[response_stream]") {
  events_route events;
  int before_send = 0;
  auto c = test_conn("GET", "/events");
  c.register_before_send([&](conn&) { ++before_send; });
  c = call(events.route(), std::move(c));
  CHECK(c.status == 200);
  CHECK(c.state == conn::resp_state::sent);
  CHECK(c.halted);
  CHECK(before_send == 1);
  CHECK(c.get_resp_header("content-type") == "text/event-stream");
  CHECK(c.resp_body.empty());
  REQUIRE(c.stream);
  CHECK_FALSE(events.stream); // opened only once the head is on its way

  stream_client client(c);
  REQUIRE(events.stream);
  CHECK(events.stream->send("data: 1\n\n"));
  CHECK(events.stream->send("")); // nothing: an empty chunk would end a chunked body
  CHECK(events.stream->send("data: 2\n\n"));
  CHECK(client.chunks() == std::vector<std::string>{"retry: 1000\n\n", "data: 1\n\n", "data: 2\n\n"});
  CHECK(client.chunks().empty());
  CHECK(client.state() == state::open);

  events.stream->close();
  CHECK(client.state() == state::finished);
  CHECK_FALSE(events.stream->is_open());
  CHECK_FALSE(events.stream->send("data: late\n\n"));
  events.stream->close(); // twice: nothing more
  CHECK(events.closed == 1);
}

TEST_CASE("a client that leaves ends the stream: on_close runs once and sends fail", "[response_stream]") {
  events_route events;
  auto c = call(events.route(), test_conn("GET", "/events"));
  stream_client client(c);
  client.disconnect();
  CHECK(events.closed == 1);
  CHECK_FALSE(events.stream->is_open());
  CHECK_FALSE(events.stream->send("data: 1\n\n"));
  CHECK(client.state() == state::dropped);
  bool late = false;
  events.stream->on_close([&] { late = true; }); // registered after the end: runs at once
  CHECK(late);
  CHECK(events.closed == 1);
}

TEST_CASE("a client that falls behind the bound is dropped rather than buffered without end",
          "[response_stream]") {
  events_route events;
  auto c = call(events.route(), test_conn("GET", "/events"));
  stream_client client(c, 100); // the route's first event (13 bytes) is queued already
  std::string event(40, 'x');
  CHECK(events.stream->send(event));
  CHECK(events.stream->send(event));
  CHECK_FALSE(events.stream->send(event)); // 13 + 3 x 40 > 100
  CHECK(client.state() == state::dropped);
  CHECK(client.chunks().empty()); // what it had not taken is gone with it
  CHECK(events.closed == 1);
}

TEST_CASE("taking what was sent makes room again", "[response_stream]") {
  events_route events;
  auto c = call(events.route(), test_conn("GET", "/events"));
  stream_client client(c, 100);
  for (int i = 0; i < 50; ++i) {
    REQUIRE(events.stream->send(std::string(40, 'x')));
    client.chunks();
  }
  CHECK(client.state() == state::open);
}

TEST_CASE("a stream is sent to from several threads at once, every chunk whole and once",
          "[response_stream]") {
  events_route events;
  auto c = call(events.route(), test_conn("GET", "/events"));
  stream_client client(c, std::size_t{1} << 24);
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t)
    senders.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i)
        events.stream->send("data: " + std::to_string(t) + "\n\n");
    });
  std::size_t seen = 0;
  int counts[4] = {};
  auto collect = [&] {
    for (auto& chunk : client.chunks()) {
      ++seen;
      if (chunk.rfind("data: ", 0) == 0)
        ++counts[chunk[6] - '0'];
    }
  };
  for (int i = 0; i < 100 && seen < 4001; ++i) // collecting while they send
    collect();
  for (auto& t : senders)
    t.join();
  collect();
  CHECK(seen == 4001);
  for (int n : counts)
    CHECK(n == 1000);
}

TEST_CASE("stream_client refuses a conn that started no stream", "[response_stream]") {
  auto c = call([](conn& x) { x.send_resp(200, "plain"); }, test_conn("GET", "/"));
  CHECK_FALSE(c.stream);
  CHECK_THROWS_AS(stream_client(c), std::logic_error);
}
