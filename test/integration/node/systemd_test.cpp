// `plugnode foreground` under systemd's protocols, as the unit (deploy/debian/service.in) runs it:
// Type=notify over a real notify socket, and the cookie as a credential in $CREDENTIALS_DIRECTORY.
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>

#include "plugnode/test/ports.hpp"
#include "plugnode/test/process.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

// A datagram socket where systemd's would be, in a directory of its own.
class notify_socket {
public:
  notify_socket() {
    char dir[] = "/tmp/plugnode-notify-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    path_ = std::string(dir) + "/notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~notify_socket() {
    ::close(fd_);
    ::unlink(path_.c_str());
    ::rmdir(path_.substr(0, path_.rfind('/')).c_str());
  }
  const std::string& path() const { return path_; }

  // The next message, or "" when none came within `timeout`.
  std::string next(std::chrono::milliseconds timeout) {
    pollfd waiting{fd_, POLLIN, 0};
    if (::poll(&waiting, 1, static_cast<int>(timeout.count())) != 1)
      return "";
    char buffer[4096];
    auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
  }

private:
  std::string path_;
  int fd_ = -1;
};

} // namespace

TEST_CASE("Type=notify: READY=1 once the HTTP port listens, STOPPING=1 when SIGTERM starts the stop",
          "[systemd]") {
  notify_socket systemd;
  auto port = free_port();
  process node({plugnode_binary(), "foreground"}, {{"HTTP_PORT", std::to_string(port)},
                                                   {"PLUGNODE_HTTP_ADDR", "127.0.0.1"},
                                                   {"NOTIFY_SOCKET", systemd.path()}});
  auto ready = systemd.next(20s);
  REQUIRE_THAT(ready, Catch::StartsWith("READY=1\n"));
  CHECK_THAT(ready, Catch::Contains("STATUS=serving http://127.0.0.1:" + std::to_string(port)));
  // Readiness means the port is open now, not a moment later.
  CHECK(port_open("127.0.0.1", port));

  node.signal(SIGTERM);
  CHECK_THAT(systemd.next(10s), Catch::StartsWith("STOPPING=1\n"));
  CHECK(node.wait(20s) == 0);
}

TEST_CASE("outside systemd (no NOTIFY_SOCKET) the node starts and stops as ever, silently", "[systemd]") {
  auto port = free_port();
  process node({plugnode_binary(), "foreground"}, {{"HTTP_PORT", std::to_string(port)},
                                                   {"PLUGNODE_HTTP_ADDR", "127.0.0.1"},
                                                   {"NOTIFY_SOCKET", std::nullopt}});
  REQUIRE(eventually([&] { return port_open("127.0.0.1", port); }, 10s));
  node.signal(SIGTERM);
  CHECK(node.wait(20s) == 0);
  CHECK_THAT(node.output(), !Catch::Contains("systemd"));
}

TEST_CASE("the cookie comes from the credential $CREDENTIALS_DIRECTORY/cookie unless PLUGNODE_COOKIE is set",
          "[systemd]") {
  char dir[] = "/tmp/plugnode-credentials-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  std::string cookie = std::string(dir) + "/cookie";
  std::ofstream(cookie) << "credential-cookie\n";
  env_map env{{"CREDENTIALS_DIRECTORY", std::string(dir)},
              {"PLUGNODE_COOKIE", std::nullopt},
              {"PLUGNODE_COOKIE_FILE", std::nullopt},
              {"ERLANG_COOKIE", "erlang-cookie"}};
  auto described = run_plugnode({"describe"}, env);
  CHECK(described.exit_code == 0);
  CHECK_THAT(described.output, Catch::Contains("from systemd credential " + cookie));

  env["PLUGNODE_COOKIE"] = "explicit";
  CHECK_THAT(run_plugnode({"describe"}, env).output, Catch::Contains("from PLUGNODE_COOKIE"));

  // A credential directory without a cookie (the unit's credential store had none): the next source.
  env["PLUGNODE_COOKIE"] = std::nullopt;
  ::unlink(cookie.c_str());
  CHECK_THAT(run_plugnode({"describe"}, env).output, Catch::Contains("from ERLANG_COOKIE"));
  ::rmdir(dir);
}
