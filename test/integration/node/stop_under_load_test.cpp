// SIGTERM while 64 keep-alive clients send requests back to back, 20 times in a row: every request the node
// received is answered (none gets EOF or a reset instead, what wrk counts as read errors), and the node
// exits within 1 s every time.
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/test/ports.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

// The sanitizer build's node ends with LeakSanitizer scanning its whole heap, which alone can take a second;
// the bound is the 1 s everywhere else.
#ifdef __SANITIZE_ADDRESS__
constexpr long exit_bound_ms = 3000;
#else
constexpr long exit_bound_ms = 1000;
#endif

// What the clients saw, summed over all of them.
struct tally {
  std::atomic<long> answered{0};
  std::atomic<long> clients_answered{0}; // clients that have had an answer: their connection is kept alive
  // Closed by the node while no request was outstanding, or announced by `Connection: close` on the last
  // answer: not an error.
  std::atomic<long> closed_idle{0};
  std::atomic<long> unanswered{0};    // EOF or reset with a request outstanding and no byte of its answer
  std::atomic<long> of_them_reset{0}; // of those, a reset: the node closed with the request unread
  std::atomic<long> of_them_first{0}; // of those, the first request of a connection never answered before
  std::atomic<long> cut{0};           // EOF or reset in the middle of an answer
  std::atomic<long> timed_out{0};     // no answer within 5 s
  std::atomic<long> bad_answer{0};    // an answer that is not a 200 with a Content-Length
};

// The length of the complete response at the front of `in`, 0 while incomplete, -1 when not a 200 with
// a Content-Length.
long response_length(const std::string& in) {
  auto end = in.find("\r\n\r\n");
  if (end == std::string::npos)
    return 0;
  if (in.compare(0, 12, "HTTP/1.1 200") != 0)
    return -1;
  auto head = in.substr(0, end);
  for (auto& ch : head)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto at = head.find("\r\ncontent-length:");
  if (at == std::string::npos)
    return -1;
  auto total = static_cast<long>(end + 4) + std::stol(head.substr(at + 17));
  return static_cast<long>(in.size()) >= total ? total : 0;
}

// Whether the complete response at the front of `in` closes the connection (`Connection: close`): a client
// sends nothing more on it, as wrk does not.
bool closes(const std::string& in) {
  auto head = in.substr(0, in.find("\r\n\r\n"));
  for (auto& ch : head)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return head.find("\r\nconnection: close") != std::string::npos;
}

// A keep-alive client that sends GET / again as soon as each answer is complete, and reconnects when the
// node closes an idle connection, until the node no longer accepts connections or `stop` is set. Once the
// node is told to stop (`stopping`) it opens no new connection: a connection still in the listen queue when
// the node closes its listener is reset by the kernel, which says nothing about requests the node received.
void client(const std::string& address, std::uint16_t port, const std::atomic<bool>& stopping,
            const std::atomic<bool>& stop, tally& t) {
  const std::string request = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";
  for (int connections = 0; !stopping && connections < 1000; ++connections) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    auto addr = ipv4_address(address, port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return; // the node stopped accepting
    }
    bool answered_before = false;
    for (int n = 0; !stop && n < 100000; ++n) {
      // As HTTP clients do before reusing a connection: one the node already closed is not reused.
      pollfd pfd{fd, POLLIN, 0};
      if (::poll(&pfd, 1, 0) == 1) {
        ++t.closed_idle;
        break;
      }
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        ++t.closed_idle; // closed before the request went out: the node never received it
        break;
      }
      std::string in;
      long length = 0;
      int error = 0; // of the recv that ended the wait for an answer; 0 for EOF
      char buf[4096];
      while ((length = response_length(in)) == 0) {
        ssize_t got = ::recv(fd, buf, sizeof buf, 0);
        if (got <= 0) {
          error = got < 0 ? errno : 0;
          break;
        }
        in.append(buf, static_cast<std::size_t>(got));
      }
      if (length > 0) {
        ++t.answered;
        if (!answered_before && connections == 0)
          ++t.clients_answered;
        answered_before = true;
        if (!closes(in))
          continue;
        ++t.closed_idle;
        break;
      }
      if (length < 0)
        ++t.bad_answer;
      else if (error == EAGAIN || error == EWOULDBLOCK)
        ++t.timed_out;
      else if (in.empty()) {
        ++t.unanswered;
        if (error == ECONNRESET)
          ++t.of_them_reset;
        if (!answered_before)
          ++t.of_them_first;
      } else
        ++t.cut;
      break;
    }
    ::close(fd);
  }
}

// The end of a node's output (its request log comes before): how it stopped.
std::string last_lines(const std::string& output) {
  return output.size() > 1500 ? output.substr(output.size() - 1500) : output;
}

} // namespace

TEST_CASE("SIGTERM under 64 keep-alive clients: no request unanswered, exit within 1 s, 20 times", "[stop]") {
  for (int run = 1; run <= 20; ++run) {
    running_node node("app", "127.0.0.1", free_port());
    tally t;
    std::atomic<bool> stopping{false};
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int i = 0; i < 64; ++i)
      clients.emplace_back([&] { client(node.address(), node.http_port(), stopping, stop, t); });
    // Every client on a keep-alive connection the node has answered on: a connection still waiting in the
    // listen queue at the stop would be reset by the kernel before the node ever saw it.
    REQUIRE(eventually([&] { return t.clients_answered == 64 && t.answered > 640; }, 10s));
    auto signalled = std::chrono::steady_clock::now();
    stopping = true;
    node.proc().signal(SIGTERM);
    auto code = node.proc().wait(5s);
    auto exit_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - signalled)
            .count();
    stop = true;
    for (auto& c : clients)
      c.join();
    INFO("run " << run << ": exit after " << exit_ms << " ms, answered " << t.answered << ", closed idle "
                << t.closed_idle << ", unanswered " << t.unanswered << " (" << t.of_them_reset << " reset, "
                << t.of_them_first << " first on their connection), cut " << t.cut << ", timed out "
                << t.timed_out << ", bad " << t.bad_answer << "\n"
                << last_lines(node.proc().output()));
    CHECK(code == 0);
    CHECK(exit_ms < exit_bound_ms);
    CHECK(t.unanswered == 0);
    CHECK(t.cut == 0);
    CHECK(t.timed_out == 0);
    CHECK(t.bad_answer == 0);
  }
}
