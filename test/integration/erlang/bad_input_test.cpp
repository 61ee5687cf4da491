// Bad input on the Erlang port: garbage and truncated frames, before and after the handshake, a term nested
// 10,000 deep, a 100 MB binary announced and never sent, a peer that never ticks. Each connection is dropped
// with a log line naming why (a well-formed message too deep to hold costs only that message); the node
// stays up and still answers a real BEAM node.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include <ei.h>

#include "beam.hpp"
#include "plugnode/erlang/term_codec.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

const std::string cookie = "mixed-cookie";

// A C node of the test's own (ei, the same library a BEAM peer's handshake is checked against) connected to
// the node's Erlang port directly (ei caches the EPMD port, and every test has an epmd of its own): the
// socket, after the handshake, for writing raw frames.
int handshaken_socket(std::uint16_t erlang_port, const std::string& self_name) {
  static bool init = (ei_init(), true);
  (void)init;
  ei_cnode ec;
  REQUIRE(ei_connect_init(&ec, self_name.c_str(), cookie.c_str(), 1) >= 0);
  char host[] = "127.0.0.2";
  int fd = ei_connect_host_port_tmo(&ec, host, erlang_port, 5000);
  REQUIRE(fd >= 0);
  return fd;
}

std::uint16_t erlang_port_of(env_map& env) {
  return static_cast<std::uint16_t>(std::stoi(*env["PLUGNODE_ERLANG_DIST_PORT"]));
}

void write_bytes(int fd, const std::string& bytes) {
  REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

std::string frame(const std::string& body) {
  auto n = static_cast<std::uint32_t>(body.size());
  return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                     static_cast<char>(n)} +
         body;
}

// True when the node closed the socket (read returns 0 or an error) within `bound`.
bool closed_by_peer(int fd, std::chrono::milliseconds bound) {
  timeval tv{static_cast<time_t>(bound.count() / 1000),
             static_cast<suseconds_t>(bound.count() % 1000 * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[256];
  auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    auto got = ::recv(fd, buf, sizeof buf, 0);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
      return true;
  }
  return false;
}

bool logged(running_node& node, const std::string& text) {
  return eventually([&] { return node.proc().output().find(text) != std::string::npos; }, 5s);
}

// What the node may grow by while a slow reader's 64 MB wait (and 80 MB of requests pass through): the
// sanitizer build keeps freed memory in quarantine for a while.
#ifdef __SANITIZE_ADDRESS__
constexpr long slow_reader_growth_kb = 512 * 1024;
#else
constexpr long slow_reader_growth_kb = 200 * 1024;
#endif

// Sends `calls` calls of the greeter, each with a 1 MB name, as node `caller`, whose answers (1 MB each) the
// caller then never reads; stops early when the node drops the connection.
void greet_without_reading(int fd, const std::string& caller, int calls) {
  namespace rt = plugnode::erlang;
  rt::pid self{caller, 1, 0, 1};
  auto control = rt::encode_term(rt::tuple_of(6, self, rt::atom_of(""), rt::atom_of("greeter")));
  auto call = rt::encode_term(
      rt::tuple_of(rt::atom_of("$gen_call"), rt::tuple_of(self, rt::atom_of("tag")),
                   rt::tuple_of(rt::atom_of("greet"), rt::binary_of(std::string(1 << 20, 'x')))));
  for (int i = 0; i < calls; ++i) {
    auto bytes = frame("p" + control + call);
    if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size()))
      return; // the node dropped the connection
  }
}

} // namespace

TEST_CASE("garbage and a silent client on the Erlang port are dropped before any frame is read", "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  auto port = static_cast<std::uint16_t>(std::stoi(*env["PLUGNODE_ERLANG_DIST_PORT"]));
  auto connected = [&] {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    auto addr = ipv4_address("127.0.0.2", port);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
  };
  // The gate answers these itself, within the 1 s a first message may take; ei never sees them.
  for (std::string bytes :
       {std::string("GET / HTTP/1.1\r\n\r\n"), std::string("\x00\x05N\x00", 4), std::string()}) {
    int fd = connected();
    if (!bytes.empty())
      write_bytes(fd, bytes);
    CHECK(closed_by_peer(fd, 3s));
    ::close(fd);
  }
  CHECK(logged(node, "erlang: refused 127.0.0.1:"));
  CHECK(logged(node, "not Erlang's distribution protocol"));
  CHECK(logged(node, "sent no complete request in time"));
  // A whole send_name and then silence reaches ei's handshake, which gives up after its timeout (5 s).
  int fd = connected();
  std::string name = "stalled@127.0.0.1";
  std::string send_name = std::string("N") + std::string(8, '\0') + std::string(4, '\0') +
                          std::string{0, static_cast<char>(name.size())} + name;
  write_bytes(fd, std::string{0, static_cast<char>(send_name.size())} + send_name);
  CHECK(closed_by_peer(fd, 10s));
  ::close(fd);
  CHECK(logged(node, "erlang: handshake with 127.0.0.1:"));
  auto out = run_beam(epmd, beam_name("after"), cookie, "IO.inspect(Node.ping(:\"" + node.name() + "\"))");
  CHECK_THAT(out, Catch::Contains(":pong"));
}

TEST_CASE("a flood of idle connections to the Erlang port and to EPMD keeps no BEAM node out", "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  auto erlang_port = static_cast<std::uint16_t>(std::stoi(*env["PLUGNODE_ERLANG_DIST_PORT"]));
  // Before the gate, 40 idle connections held every acceptor and Node.connect was false.
  std::vector<int> idle;
  for (auto port : {erlang_port, epmd.port()})
    for (int i = 0; i < 200; ++i) {
      int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      auto from = ipv4_address("127.0.0.5", 0);
      auto to = ipv4_address("127.0.0.2", port);
      REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0)
        idle.push_back(fd);
      else
        ::close(fd);
    }
  CHECK(idle.size() > 100);
  auto started = std::chrono::steady_clock::now();
  auto out = run_beam(epmd, beam_name("flooded"), cookie,
                      "IO.inspect(Node.connect(:\"" + node.name() + "\"), label: \"connect\")");
  CHECK_THAT(out, Catch::Contains("connect: true"));
  CHECK(std::chrono::steady_clock::now() - started < 20s);
  CHECK(logged(node, "connections from 127.0.0.5 already waiting"));
  for (int fd : idle)
    ::close(fd);
}

TEST_CASE("malformed frames after the handshake drop that connection only", "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  {
    int fd = handshaken_socket(erlang_port_of(env), "garbage@127.0.0.1");
    write_bytes(fd, frame("p\x83zzzz"));
    CHECK(closed_by_peer(fd, 5s));
    CHECK(logged(node, "malformed frame: control message: unsupported term tag"));
    ::close(fd);
  }
  { // a term nested 10,000 deep: well-formed, so the message is dropped, not the connection
    int fd = handshaken_socket(erlang_port_of(env), "deep@127.0.0.1");
    namespace rt = plugnode::erlang;
    auto control = rt::encode_term(
        rt::tuple_of(6, rt::pid{"deep@127.0.0.1", 1, 0, 1}, rt::atom_of(""), rt::atom_of("greeter")));
    std::string deep(1, '\x83');
    for (int i = 0; i < 10000; ++i)
      deep += "\x68\x01";
    deep += "\x6a";
    write_bytes(fd, frame("p" + control + deep));
    CHECK(logged(node, "dropped: term nested deeper than 512"));
    CHECK_THAT(node.proc().output(), Catch::Contains("erlang: a message from deep@")); // the sender named
    CHECK_FALSE(closed_by_peer(fd, 1s));
    ::close(fd);
  }
  { // a frame over the size limit
    int fd = handshaken_socket(erlang_port_of(env), "truncated@127.0.0.1");
    // 100 MB announced: over the 64 MB limit, refused before anything is stored.
    write_bytes(fd, std::string("\x06\x40\x00\x00p\x83", 6));
    CHECK(closed_by_peer(fd, 5s));
    CHECK(logged(node, "frame of 104857600 bytes refused"));
    ::close(fd);
  }
  auto out =
      run_beam(epmd, beam_name("after"), cookie,
               "IO.inspect(GenServer.call({:greeter, :\"" + node.name() + "\"}, {:greet, \"Torben\"}))");
  CHECK_THAT(out, Catch::Contains("\"Hello, Torben!\""));
}

TEST_CASE("a 100 MB binary announced inside a frame and never sent, from a peer that never ticks, is dropped "
          "after the net_ticktime",
          "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  env["PLUGNODE_ERLANG_TICKTIME"] = "2s";
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  int fd = handshaken_socket(erlang_port_of(env), "silent@127.0.0.1");
  // Growth, not the total: a sanitizer build starts far above a plain one.
  auto rss_before = static_cast<long>(rss_kb(node.proc().pid()));
  // 60 MB frame (under the 64 MB limit) whose binary term announces 100 MB; a few bytes, then nothing.
  std::uint32_t size = 60u << 20;
  std::string head{static_cast<char>(size >> 24), static_cast<char>(size >> 16), static_cast<char>(size >> 8),
                   static_cast<char>(size)};
  write_bytes(fd, head + std::string("p\x83\x6d\x06\x40\x00\x00", 7));
  auto started = std::chrono::steady_clock::now();
  CHECK(closed_by_peer(fd, 10s));
  auto took = std::chrono::steady_clock::now() - started;
  CHECK(took >= 1500ms);
  CHECK(took < 6s);
  CHECK(logged(node, "no tick or message within the net_ticktime of 2000 ms"));
  // Nothing near 60 or 100 MB was allocated.
  CHECK(static_cast<long>(rss_kb(node.proc().pid())) - rss_before < 50 * 1024);
  ::close(fd);
}

TEST_CASE("a peer that stops reading is dropped after the net_ticktime without holding up anyone else",
          "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  env["PLUGNODE_ERLANG_TICKTIME"] = "2s";
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  int fd = handshaken_socket(erlang_port_of(env), "deaf@127.0.0.1");
  // 32 MB of answers it never reads: far more than the sockets' buffers hold, less than the backlog's limit.
  greet_without_reading(fd, "deaf@127.0.0.1", 32);
  // It keeps ticking, so only what the node cannot write ends the connection.
  auto started = std::chrono::steady_clock::now();
  std::string caller;
  std::thread beam([&] {
    caller =
        run_beam(epmd, beam_name("meanwhile"), cookie,
                 "IO.inspect(GenServer.call({:greeter, :\"" + node.name() + "\"}, {:greet, \"Torben\"}))");
  });
  bool dropped = false;
  while (!dropped && std::chrono::steady_clock::now() - started < 15s) {
    ::send(fd, "\0\0\0\0", 4, MSG_NOSIGNAL | MSG_DONTWAIT); // fails once the node dropped it
    std::this_thread::sleep_for(250ms);
    dropped =
        node.proc().output().find("nothing written for the net_ticktime of 2000 ms") != std::string::npos;
  }
  beam.join();
  CHECK(dropped);
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK_THAT(caller, Catch::Contains("\"Hello, Torben!\""));
  ::close(fd);
}

TEST_CASE("a peer that reads slower than the node writes is dropped once 64 MB wait for it", "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  int fd = handshaken_socket(erlang_port_of(env), "slow@127.0.0.1");
  auto rss_before = static_cast<long>(rss_kb(node.proc().pid()));
  // 80 MB of answers, none read: the net_ticktime (60 s) is far away, the backlog's limit is not.
  greet_without_reading(fd, "slow@127.0.0.1", 80);
  CHECK(logged(node, "the peer reads too slowly: more than 64 MB waiting to be sent"));
  CHECK(closed_by_peer(fd, 5s));
  CHECK(static_cast<long>(rss_kb(node.proc().pid())) - rss_before < slow_reader_growth_kb);
  auto out =
      run_beam(epmd, beam_name("after"), cookie,
               "IO.inspect(GenServer.call({:greeter, :\"" + node.name() + "\"}, {:greet, \"Torben\"}))");
  CHECK_THAT(out, Catch::Contains("\"Hello, Torben!\""));
  ::close(fd);
}
