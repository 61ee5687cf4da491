// sockets: the socket calls every listener and dialler shares, on real loopback sockets.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "plugnode/runtime/net/sockets.hpp"
#include "plugnode/test/ports.hpp"

namespace net = plugnode::runtime::net;
using namespace std::chrono_literals;

TEST_CASE("a listener refuses to share its port, and a dial with a deadline reaches it", "[sockets]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  std::string error;
  int listener = net::open_listener("127.0.0.2", port, 16, error);
  REQUIRE(listener >= 0);
  CHECK(net::local_endpoint(listener)->address == "127.0.0.2");
  CHECK(net::local_endpoint(listener)->port == port);

  std::string taken;
  CHECK(net::open_listener("127.0.0.2", port, 16, taken) == -1);
  CHECK(errno == EADDRINUSE);
  CHECK_FALSE(taken.empty());

  int client = net::connect_by("127.0.0.2", port, net::clock::now() + 1s, error);
  REQUIRE(client >= 0);
  CHECK(net::poll_until(listener, POLLIN, net::clock::now() + 1s) > 0);
  int served = ::accept(listener, nullptr, nullptr);
  REQUIRE(served >= 0);
  CHECK(net::peer_endpoint(client)->port == port);
  CHECK(net::peer_endpoint(served)->address.rfind("127.", 0) == 0);
  ::close(served);
  ::close(client);
  ::close(listener);
}

TEST_CASE("a dial to a closed port fails at once and says where", "[sockets]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  std::string error;
  auto start = net::clock::now();
  CHECK(net::connect_by("127.0.0.2", port, net::clock::now() + 2s, error) == -1);
  CHECK(net::clock::now() - start < 1s);
  CHECK(error.find("127.0.0.2:" + std::to_string(port)) != std::string::npos);
  CHECK(net::connect_by("not-an-address", port, net::clock::now() + 1s, error) == -1);
  CHECK(error == "not an IP address: not-an-address");
}

TEST_CASE("a wait past its deadline ends at once, and an address prints as numbers", "[sockets]") {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  CHECK(net::poll_until(pair[0], POLLIN, net::clock::now() - 1ms) == 0);
  auto start = net::clock::now();
  CHECK(net::poll_until(pair[0], POLLIN, net::clock::now() + 50ms) == 0);
  CHECK(net::clock::now() - start >= 40ms);
  ::close(pair[0]);
  ::close(pair[1]);

  sockaddr_in6 v6{};
  v6.sin6_family = AF_INET6;
  v6.sin6_addr = in6addr_loopback;
  v6.sin6_port = htons(4370);
  auto printed = net::endpoint_of(reinterpret_cast<sockaddr*>(&v6));
  REQUIRE(printed);
  CHECK(printed->address == "::1");
  CHECK(printed->port == 4370);
  CHECK_FALSE(net::peer_endpoint(-1));
}
