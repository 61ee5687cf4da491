// Fuzzes one connection's whole request path through the real connection layer (http_server over a
// loopback socket): the bytes are sent at once, the write side closed, and every response read. The
// responses must be exactly those the framing allows: one per complete request, in order (each names its
// request's target), stopping at the first request that closes the connection, plus one error response if
// the framing refused something. A response for anything else (a hidden request) is a finding.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http_server.hpp"
#include "plugnode/plugs/request_parser.hpp"

namespace {

using namespace plugnode::plugs;

struct expected_answer {
  int status; // 200 for a request that reached the handler
  std::string target;
  bool head;
};

// What the server should answer, from the parser alone.
std::vector<expected_answer> expected(const std::string& bytes) {
  request_parser parser;
  std::vector<expected_answer> answers;
  std::string buffer = bytes;
  while (true) {
    std::size_t consumed = 0;
    auto outcome = parser.feed(buffer, consumed);
    buffer.erase(0, consumed);
    if (outcome == request_parser::outcome::refused) {
      answers.push_back({parser.error().status, "", false});
      return answers;
    }
    if (outcome != request_parser::outcome::complete)
      return answers;
    auto& r = parser.request();
    answers.push_back({200, r.target, r.method == "HEAD"});
    if (!r.keep_alive)
      return answers;
    parser.reset();
  }
}

http_server& server() {
  static auto* s = [] {
    endpoint_options options;
    options.address = "127.0.0.1";
    options.port = 0;
    options.workers = 2;
    // Answered on the loop that read it (no work left for the workers).
    auto* made = new http_server(
        options, [](http_request& r, const request_context&, http_response& res) -> request_work {
          res.status = 200;
          res.body = r.target;
          return {};
        });
    made->bind();
    std::thread([made] { made->serve(); }).detach();
    return made;
  }();
  return *s;
}

std::string exchange(const std::string& bytes) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server().port());
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    std::abort();
  ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  std::string in;
  char buffer[4096];
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, 2000) > 0) {
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0)
      break;
    in.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return in;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  auto answers = expected(bytes);
  auto in = exchange(bytes);
  std::size_t at = 0;
  // An interim answer to Expect: 100-continue, sent once the head is complete: also before a body that never
  // arrives in full, so also after the last final answer.
  auto skip_interim = [&] {
    while (in.compare(at, 13, "HTTP/1.1 100 ") == 0)
      at = in.find("\r\n\r\n", at) + 4;
  };
  for (const auto& want : answers) {
    skip_interim();
    auto end = in.find("\r\n\r\n", at);
    if (end == std::string::npos || std::atoi(in.c_str() + at + 9) != want.status)
      std::abort(); // a missing or different answer
    auto head = in.substr(at, end - at);
    auto length = std::strtoul(head.c_str() + head.find("Content-Length: ") + 16, nullptr, 10);
    at = end + 4;
    if (want.status == 200 && !want.head) {
      if (in.compare(at, length, want.target) != 0)
        std::abort(); // the answer of another request
      at += length;
    } else if (want.status != 200) {
      at += length;
    }
  }
  skip_interim();
  if (at != in.size())
    std::abort(); // more than the framing allows
  return 0;
}
