#include "plugnode/test/body_flood.hpp"

#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {
namespace {

constexpr std::size_t chunk_size = 64 * 1024;
constexpr std::size_t max_seed = 4096;
constexpr std::size_t seed_step = 1021; // bytes between two seeds' slices

// Bodies are cut from this: up to 16 MB from any seed's offset.
const std::string& pattern() {
  static const std::string bytes = [] {
    std::mt19937 random(7);
    std::string s((std::size_t{16} << 20) + max_seed * seed_step, '\0');
    for (auto& c : s)
      c = static_cast<char>(random());
    return s;
  }();
  return bytes;
}

std::string_view body_of(const upload_plan& plan) {
  if (plan.size > (std::size_t{16} << 20))
    throw std::invalid_argument("an upload body is at most 16 MB");
  return std::string_view(pattern()).substr((plan.seed % max_seed) * seed_step, plan.size);
}

// The complete response at the start of `bytes`, or empty.
std::string first_response(const std::string& bytes) {
  auto end = bytes.find("\r\n\r\n");
  if (end == std::string::npos)
    return {};
  std::size_t length = 0;
  if (auto field = bytes.find("Content-Length: "); field != std::string::npos && field < end)
    length = std::stoul(bytes.substr(field + 16));
  return end + 4 + length <= bytes.size() ? bytes.substr(0, end + 4 + length) : std::string();
}

} // namespace

namespace {

std::string hex_of(const unsigned char (&digest)[SHA256_DIGEST_LENGTH]) {
  std::string hex;
  char two[3];
  for (auto byte : digest) {
    std::snprintf(two, sizeof two, "%02x", byte);
    hex += two;
  }
  return hex;
}

} // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex_of(digest);
}

std::string body_digest(std::string_view body) {
  return std::to_string(body.size()) + " " + sha256_hex(body);
}

std::string streamed_digest(const std::function<bool(std::string&)>& next_part) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  std::size_t length = 0;
  std::string part;
  for (bool more = true; more;) {
    more = next_part(part);
    EVP_DigestUpdate(context.get(), part.data(), part.size());
    length += part.size();
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  EVP_DigestFinal_ex(context.get(), digest, nullptr);
  return std::to_string(length) + " " + hex_of(digest);
}

upload::upload(std::uint16_t port, upload_plan plan)
    : plan_(std::move(plan)), fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)),
      hog_after_(plan_.hog ? plan_.size * 3 / 4 : plan_.size) {
  body_of(plan_); // checks the size
  auto source = ipv4_address(plan_.from, 0);
  auto server = ipv4_address("127.0.0.1", port);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0 ||
      ::connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0) {
    if (fd_ >= 0)
      ::close(fd_);
    throw std::runtime_error("upload: cannot connect from " + plan_.from + " to port " +
                             std::to_string(port));
  }
  framing_ = "POST " + plan_.target + " HTTP/1.1\r\nHost: x\r\n" +
             (plan_.chunked ? std::string("Transfer-Encoding: chunked\r\n")
                            : "Content-Length: " + std::to_string(plan_.size) + "\r\n") +
             "\r\n";
}

upload::~upload() {
  ::close(fd_);
}

int upload::status() const {
  return answer_.rfind("HTTP/1.1 ", 0) == 0 && answer_.size() >= 12 ? std::stoi(answer_.substr(9, 3)) : 0;
}

std::string upload::answer_body() const {
  auto response = first_response(answer_);
  return response.empty() ? std::string() : response.substr(response.find("\r\n\r\n") + 4);
}

std::string planned_digest(const upload_plan& plan) {
  return body_digest(body_of(plan));
}

bool upload::pump(clock::time_point now) {
  auto body = body_of(plan_);
  auto sent_some = [](ssize_t n) { return n > 0; };
  auto blocked = [](ssize_t n) { return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK); };
  while (!finished_sending_) {
    if (!framing_.empty()) {
      auto n = ::send(fd_, framing_.data(), framing_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (!sent_some(n))
        return blocked(n);
      framing_.erase(0, static_cast<std::size_t>(n));
      continue;
    }
    if (sent_ == body.size()) {
      if (plan_.chunked && !last_chunk_) {
        framing_ = "0\r\n\r\n";
        last_chunk_ = true;
        continue;
      }
      finished_sending_ = true;
      break;
    }
    if (plan_.chunked && chunk_left_ == 0) {
      chunk_left_ = std::min(chunk_size, body.size() - sent_);
      char line[32];
      std::snprintf(line, sizeof line, "%zx\r\n", chunk_left_);
      framing_ = line;
      continue;
    }
    bool trickling = sent_ >= hog_after_;
    if (trickling && now < next_trickle_)
      return true;
    auto limit = std::min(plan_.chunked ? chunk_left_ : body.size() - sent_,
                          trickling ? std::size_t{1} : hog_after_ - sent_);
    auto n = ::send(fd_, body.data() + sent_, limit, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (!sent_some(n))
      return blocked(n);
    sent_ += static_cast<std::size_t>(n);
    if (plan_.chunked && (chunk_left_ -= static_cast<std::size_t>(n)) == 0)
      framing_ = "\r\n";
    if (trickling) {
      next_trickle_ = now + plan_.trickle;
      return true;
    }
  }
  return true;
}

bool upload::take_answer() {
  char buffer[4096];
  while (true) {
    auto n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      answer_.append(buffer, static_cast<std::size_t>(n));
      continue;
    }
    bool over = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) || !first_response(answer_).empty();
    if (over)
      answered_at_ = clock::now();
    return over;
  }
}

void run_uploads(std::vector<std::unique_ptr<upload>>& uploads, upload::clock::time_point deadline) {
  std::vector<pollfd> polled;
  std::vector<upload*> of;
  while (upload::clock::now() < deadline) {
    polled.clear();
    of.clear();
    auto now = upload::clock::now();
    for (auto& u : uploads) {
      if (u->done_)
        continue;
      if (!u->pump(now))
        u->finished_sending_ = true; // refused: its answer (or the close) is what is left
      polled.push_back({u->fd_, static_cast<short>(POLLIN | (u->wants_to_write() ? POLLOUT : 0)), 0});
      of.push_back(u.get());
    }
    if (polled.empty())
      return;
    ::poll(polled.data(), polled.size(), 20);
    for (std::size_t i = 0; i < polled.size(); ++i)
      if ((polled[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0 && of[i]->take_answer())
        of[i]->done_ = true;
  }
}

std::size_t rss_bytes(int pid) {
  std::ifstream status(pid == 0 ? std::string("/proc/self/status")
                                : "/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stoul(line.substr(6)) * 1024;
  return 0;
}

} // namespace plugnode::test
