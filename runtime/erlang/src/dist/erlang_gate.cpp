// The gate of erlang_gate.hpp.
#include "dist/erlang_gate.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "dist/send_name_check.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/pending_clients.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"

namespace plugnode::erlang::detail {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::size_t max_waiting = 128;
constexpr std::size_t waiting_per_address = 8;
// A BEAM node sends send_name as soon as it connects.
constexpr std::chrono::milliseconds first_message_limit{1000};
constexpr std::size_t handshakes_per_address = 2;
constexpr std::size_t max_ready = 16; // beyond that the oldest waited too long for an acceptor anyway
// A handshake on loopback or in a cluster takes milliseconds; one running this long while others wait is
// stalled (or trickling) and gives its acceptor up.
constexpr std::chrono::milliseconds stall_limit{500};
// A handshake that failed or was evicted counts against its address this long: strangers whose handshakes
// stall are served last and evicted first, so a peer with a clean record is never behind them.
constexpr std::chrono::seconds strike_memory{10};
constexpr std::size_t max_struck_addresses = 4096;
constexpr std::string_view log_kind = "refused Erlang connections";

long long ms_since(clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - t).count();
}

} // namespace

erlang_gate::erlang_gate(int listen_fd, std::size_t acceptors)
    : listen_fd_(listen_fd), acceptors_(acceptors),
      handshakes_(max_ready + acceptors, handshakes_per_address) {
  if (::pipe2(wake_, O_CLOEXEC) == 0)
    thread_ = std::thread([this] { run(); });
}

void erlang_gate::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& q : ready_)
      ::close(q.c.fd);
    ready_.clear();
    // A handshake still running ends now rather than at its deadline (its acceptor closes the socket).
    for (auto& r : running_)
      ::shutdown(r.fd, SHUT_RDWR);
  }
  ready_cv_.notify_all();
}

erlang_gate::~erlang_gate() {
  stop();
  if (thread_.joinable()) {
    char stop = 1;
    (void)!::write(wake_[1], &stop, 1);
    thread_.join();
  }
  for (int fd : wake_)
    if (fd >= 0)
      ::close(fd);
}

std::size_t erlang_gate::weight(const std::string& address) const {
  auto n = handshakes_.held(address);
  if (auto s = strikes_.find(address); s != strikes_.end() && clock::now() - s->second.last < strike_memory)
    n += s->second.count;
  return n;
}

void erlang_gate::strike(const std::string& address) {
  auto now = clock::now();
  if (strikes_.size() >= max_struck_addresses && strikes_.find(address) == strikes_.end()) {
    for (auto s = strikes_.begin(); s != strikes_.end();)
      s = now - s->second.last >= strike_memory ? strikes_.erase(s) : std::next(s);
    if (strikes_.size() >= max_struck_addresses)
      return; // a flood from more addresses than this: its handshakes still end at their deadlines
  }
  auto& s = strikes_[address];
  s.count = now - s.last < strike_memory ? s.count + 1 : 1;
  s.last = now;
}

std::deque<erlang_gate::queued>::iterator erlang_gate::next_queued() {
  // The lightest address first (fewest handshakes, fewest recent failures), so a flood's queued connections
  // never stand before a fresh address; the oldest on a tie.
  return std::min_element(ready_.begin(), ready_.end(), [this](const queued& a, const queued& b) {
    auto wa = weight(a.c.address), wb = weight(b.c.address);
    return wa < wb || (wa == wb && a.since < b.since);
  });
}

erlang_gate::connection erlang_gate::take(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  ++idle_;
  bool woken = ready_cv_.wait_for(lock, timeout, [this] { return stopping_ || !ready_.empty(); });
  --idle_;
  if (!woken || stopping_)
    return {};
  auto next = next_queued();
  auto c = std::move(next->c);
  ready_.erase(next);
  running_.push_back(running{c.fd, c.address, c.peer, clock::now()});
  return c;
}

void erlang_gate::done(int fd, bool authenticated) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto r = std::find_if(running_.begin(), running_.end(), [fd](const running& x) { return x.fd == fd; });
  if (r == running_.end())
    return;
  if (!authenticated)
    strike(r->address);
  handshakes_.give_back(r->address);
  running_.erase(r);
}

void erlang_gate::make_room() {
  if (ready_.size() <= idle_)
    return;
  // Of the handshakes stalled past the limit, the heaviest address's oldest.
  auto now = clock::now();
  running* victim = nullptr;
  for (auto& r : running_) {
    if (r.evicted || now - r.since < stall_limit)
      continue;
    if (victim == nullptr || weight(r.address) > weight(victim->address) ||
        (weight(r.address) == weight(victim->address) && r.since < victim->since))
      victim = &r;
  }
  if (victim == nullptr || weight(victim->address) < weight(next_queued()->c.address))
    return;
  victim->evicted = true;
  // The acceptor's read ends at once; ei then fails the handshake and closes the socket (done() first).
  ::shutdown(victim->fd, SHUT_RDWR);
  runtime::log_limited(
      spdlog::level::info, "evicted Erlang handshakes", victim->address,
      fmt::format("erlang: evicted the handshake with {} after {} ms: all {} acceptors busy, "
                  "{} connections waiting",
                  victim->peer, ms_since(victim->since), acceptors_, ready_.size()));
}

bool erlang_gate::admit(runtime::net::pending_client& c) {
  auto refuse = [&c](std::string_view why) {
    runtime::log_limited(spdlog::level::warn, log_kind, c.address,
                         fmt::format("erlang: refused {}: {}", c.peer, why));
    runtime::net::reset_on_close(c.fd);
    ::close(c.fd);
    return true;
  };
  auto state = check_send_name(c.received);
  if (state == send_name_state::incomplete)
    return false;
  if (state == send_name_state::refused)
    return refuse("not Erlang's distribution protocol");
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_)
    return refuse("the node is stopping");
  if (handshakes_.spent(c.address))
    return refuse(fmt::format("{} handshakes from {} already running", handshakes_per_address, c.address));
  if (ready_.size() >= max_ready) {
    // The heaviest address's oldest: it waited longest, behind lighter ones.
    auto evicted = std::max_element(ready_.begin(), ready_.end(), [this](const queued& a, const queued& b) {
      auto wa = weight(a.c.address), wb = weight(b.c.address);
      return wa < wb || (wa == wb && a.since > b.since);
    });
    runtime::log_limited(
        spdlog::level::info, log_kind, evicted->c.address,
        fmt::format("erlang: closed {}: {} connections waiting for an acceptor", evicted->c.peer, max_ready));
    handshakes_.give_back(evicted->c.address);
    runtime::net::reset_on_close(evicted->c.fd);
    ::close(evicted->c.fd);
    ready_.erase(evicted);
  }
  handshakes_.take(c.address);
  // ei reads and writes with its own timeouts on a blocking socket, as its own accept returns it.
  ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) & ~O_NONBLOCK);
  ready_.push_back(queued{connection{c.fd, c.address, c.peer, c.received}, clock::now()});
  ready_cv_.notify_one();
  make_room();
  return true;
}

void erlang_gate::run() {
  runtime::net::pending_clients waiting(max_waiting, waiting_per_address, 2 + max_send_name, log_kind);
  waiting.serve_until_woken(
      listen_fd_, wake_[0], first_message_limit, [this](runtime::net::pending_client& c) { return admit(c); },
      [this] {
        std::lock_guard<std::mutex> lock(mutex_);
        make_room();
      });
}

} // namespace plugnode::erlang::detail
