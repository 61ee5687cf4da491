#include "served.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <limits>
#include <stdexcept>

#include <catch2/catch.hpp>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "plugnode/plugs/read_body.hpp"
#include "plugnode/test/body_flood.hpp"
#include "plugnode/test/ports.hpp"

namespace plugnode::test {

served::served(plugs::plug app, plugs::endpoint_options options) {
  options.address = "127.0.0.1";
  // Another test may take a port between free_port() and bind(): try a few.
  for (int attempt = 0;; ++attempt) {
    options.port = free_port();
    endpoint_ = std::make_unique<plugs::endpoint>(system_, options, app);
    try {
      endpoint_->bind();
      break;
    } catch (const std::runtime_error&) {
      if (attempt == 5)
        throw;
    }
  }
  thread_ = std::thread([this] { endpoint_->serve(); });
}

served::~served() {
  stop();
}

bool served::stop() {
  bool done = endpoint_->stop();
  if (thread_.joinable())
    thread_.join();
  return done;
}

httplib::Client served::client() const {
  httplib::Client cli("127.0.0.1", port());
  cli.set_connection_timeout(std::chrono::seconds(2));
  cli.set_read_timeout(std::chrono::seconds(5));
  return cli;
}

raw_result raw_exchange(std::uint16_t port, const std::string& request, std::chrono::milliseconds timeout) {
  raw_connection client(port);
  client.send(request); // a server that closed on us may still have answered: read either way
  return client.read_responses(std::numeric_limits<std::size_t>::max(), timeout);
}

int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12)
    return 0;
  return std::stoi(response.substr(9, 3));
}

std::vector<std::string> split_responses(const std::string& bytes) {
  std::vector<std::string> responses;
  std::size_t at = 0;
  while (true) {
    auto end = bytes.find("\r\n\r\n", at);
    if (end == std::string::npos)
      break;
    auto head = bytes.substr(at, end + 4 - at);
    std::size_t length = 0;
    auto field = head.find("Content-Length: ");
    if (field != std::string::npos)
      length = std::stoul(head.substr(field + 16));
    if (end + 4 + length > bytes.size())
      break;
    auto total = end + 4 - at + length;
    responses.push_back(bytes.substr(at, total));
    at += total;
  }
  return responses;
}

raw_connection::raw_connection(std::uint16_t port, const std::string& from)
    : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
  auto source = ipv4_address(from, 0);
  auto addr = ipv4_address("127.0.0.1", port);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd_ >= 0)
      ::close(fd_);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
}

raw_connection::~raw_connection() {
  ::close(fd_);
}

bool raw_connection::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

raw_result raw_connection::read_responses(std::size_t count, std::chrono::milliseconds timeout) {
  raw_result result;
  result.response = std::move(unread_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (split_responses(result.response).size() < count) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      break;
    auto n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      result.closed = true;
      break;
    }
    result.response.append(buffer, static_cast<std::size_t>(n));
  }
  return result;
}

std::size_t raise_open_files_limit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<std::size_t>(limit.rlim_cur);
}

double metric(served& server, const std::string& name) {
  for (const auto& family : server.endpoint().connection_metrics()->Collect())
    if (family.name == name)
      return family.type == prometheus::MetricType::Counter ? family.metric.at(0).counter.value
                                                            : family.metric.at(0).gauge.value;
  FAIL("no metric " << name);
  return 0;
}

void answer_digest(plugs::conn& c) {
  c.send_resp(200, streamed_digest([&c](std::string& part) { return plugs::read_body(c, part, 64 * 1024); }));
}

} // namespace plugnode::test
