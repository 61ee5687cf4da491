// `plugnode foreground` as the container runs it: a real process, a real socket, real signals.
#include <httplib.h>
#include <signal.h>

#include <catch2/catch.hpp>

#include <thread>

#include "plugnode/test/ports.hpp"
#include "plugnode/test/process.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("foreground serves GET / and stops cleanly on SIGTERM and SIGINT", "[foreground]") {
  for (int sig : {SIGTERM, SIGINT}) {
    auto port = free_port();
    process node({plugnode_binary(), "foreground"},
                 {{"HTTP_PORT", std::to_string(port)}, {"PLUGNODE_HTTP_ADDR", "127.0.0.1"}});
    REQUIRE(eventually([&] { return port_open("127.0.0.1", port); }, 10s));

    httplib::Client client("127.0.0.1", port);
    auto res = client.Get("/");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK_THAT(res->body, Catch::StartsWith("Hello, World!\n"));

    node.signal(sig);
    auto status = node.wait(10s);
    // A stop that goes wrong says how: its exit status and the node's own lines.
    INFO("signal " << sig << ", exit status " << (status ? std::to_string(*status) : "none (still running)")
                   << ", output:\n"
                   << node.output());
    CHECK(status == 0);
    CHECK_FALSE(port_open("127.0.0.1", port));
  }
}

// A signal that comes while the node starts is kept for the orderly stop once the node is up. The process
// blocks the stop signals before anything else it does (before that, as for any process, a signal is its
// default action); a thread started before that (spdlog's flusher) took such signals and ended the node with
// status 143 (about 1 in 400 runs of the test above, when the signal beat the main thread to its wait).
TEST_CASE("a SIGTERM while the node starts stops it cleanly once it is up", "[foreground]") {
  for (auto delay : {0ms, 20ms, 60ms, 150ms}) {
    auto port = free_port();
    process node({plugnode_binary(), "foreground"},
                 {{"HTTP_PORT", std::to_string(port)}, {"PLUGNODE_HTTP_ADDR", "127.0.0.1"}});
    REQUIRE(eventually([&] { return blocks_signal(node.pid(), SIGTERM); }, 10s));
    std::this_thread::sleep_for(delay);
    node.signal(SIGTERM);
    auto status = node.wait(10s);
    INFO("signal " << delay.count() << " ms after the mask, exit status "
                   << (status ? std::to_string(*status) : "none (still running)") << ", output:\n"
                   << node.output());
    CHECK(status == 0);
    CHECK_THAT(node.output(), Catch::Contains("received SIGTERM, stopping"));
  }
}

TEST_CASE("a bad HTTP_PORT stops start-up with one line naming it and exit code 2", "[foreground]") {
  process node({plugnode_binary(), "foreground"}, {{"HTTP_PORT", "forty"}});
  CHECK(node.wait(10s) == 2);
  CHECK(node.output() == "plugnode: HTTP_PORT: 'forty' is not a port number (1-65535)\n");
}

TEST_CASE("a port already in use stops start-up instead of sharing it", "[foreground]") {
  auto port = free_port();
  std::map<std::string, std::optional<std::string>> env{{"HTTP_PORT", std::to_string(port)},
                                                        {"PLUGNODE_HTTP_ADDR", "127.0.0.1"}};
  process first({plugnode_binary(), "foreground"}, env);
  REQUIRE(eventually([&] { return port_open("127.0.0.1", port); }, 10s));
  process second({plugnode_binary(), "foreground"}, env);
  CHECK(second.wait(10s) == 1);
  CHECK_THAT(second.output(), Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("an unknown command prints usage and exits 2", "[foreground]") {
  process node({plugnode_binary(), "levitate"});
  CHECK(node.wait(10s) == 2);
  CHECK_THAT(node.output(), Catch::Contains("Usage"));
}
