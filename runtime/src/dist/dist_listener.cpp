// The distribution port's accept loop; see dist_listener.hpp.
#include "dist/dist_listener.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "dist/basp_handoff.hpp"
#include "dist/handshake_socket.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/address_budget.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"
#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::runtime::detail {
namespace {

using clock = std::chrono::steady_clock;

// Handshakes in progress at once, so a flood of idle sockets costs a bounded amount of memory and poll time.
constexpr std::size_t max_pending = 128;
// Handshakes in progress from one address: a flood from one source takes these slots and no more, and a
// peer on any other address always finds one free. A node dials a peer once (the agent joins concurrent
// connects), so eight leaves room for restarts and remote shells behind the same address (a NAT).
constexpr std::size_t per_address = 8;
// A peer sends its hello as soon as it connects; a socket silent this long is a scan or a flood.
constexpr std::chrono::milliseconds first_byte_limit{1000};
// Connections accepted per turn of the loop before the handshakes in progress get their turn. Fewer than
// half of max_pending: a peer accepted in one batch has its hello read on the next turn (it then ranks
// behind every socket that has sent no whole hello) before the arrivals of its own batch could evict it.
constexpr std::size_t accept_batch = 64;
// The longest single poll: deadlines are checked at least this often.
constexpr std::chrono::milliseconds poll_slice{50};

// How long a peer whose cookie proof was wrong waits for the close: each guess at the cookie costs this,
// and a source's guesses in flight are bounded by per_address (a held peer keeps its slot).
constexpr std::chrono::milliseconds wrong_proof_delay{750};

// The rate-limited log kinds of the connections the listener closes without a handshake (log_limiter.hpp);
// each is counted in /metrics as plugnode_log_limited_events_total{kind}.
constexpr std::string_view refused_kind = "refused handshakes";
constexpr std::string_view wrong_proof_kind = "failed cookie proofs";

} // namespace

std::unique_ptr<dist_listener> dist_listener::open(caf::actor_system& system, listen_settings settings,
                                                   std::string& error) {
  int fd = net::open_listener(settings.address, settings.port, SOMAXCONN, error);
  if (fd < 0)
    return nullptr;
  auto port = net::local_endpoint(fd).value_or(net::endpoint{}).port;
  return std::unique_ptr<dist_listener>(new dist_listener(system, std::move(settings), fd, port));
}

dist_listener::dist_listener(caf::actor_system& system, listen_settings settings, int fd, std::uint16_t port)
    : system_(system), settings_(std::move(settings)), fd_(fd), port_(port) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { run(); });
}

dist_listener::~dist_listener() {
  stop_ = true;
  if (wake_[1] >= 0)
    (void)::write(wake_[1], "x", 1);
  thread_.join();
  ::close(fd_);
  for (int fd : wake_)
    if (fd >= 0)
      ::close(fd);
}

void dist_listener::run() {
  std::vector<handshake_socket> pending;                // in the order they were accepted
  net::address_budget budget(max_pending, per_address); // handshakes in progress
  std::vector<pollfd> fds;
  auto drop = [](handshake_socket& s, const std::string& why) {
    const auto& node = s.handshake.peer_name();
    auto kind = s.handshake.wrong_proof() ? wrong_proof_kind : refused_kind;
    log_limited(spdlog::level::warn, kind, s.address, why + " (peer " + s.peer + ")",
                {{"peer", s.peer}, {"node", node}, {"reason", why}});
    ::close(s.fd);
  };
  while (!stop_) {
    fds.assign({pollfd{wake_[0], POLLIN, 0}, pollfd{fd_, POLLIN, 0}});
    for (auto& s : pending)
      fds.push_back(pollfd{s.fd, poll_events(s), 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(poll_slice.count())) < 0 && errno != EINTR)
      break;
    if (stop_)
      break;
    auto now = clock::now();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      auto& s = pending[i];
      bool held = s.held_until != clock::time_point{};
      auto state = fds[i + 2].revents != 0 && !held ? pump(s) : s.handshake.current();
      if (state == wire_handshake::state::refused && s.handshake.wrong_proof() && !held)
        s.held_until = now + wrong_proof_delay;
      if (state == wire_handshake::state::authenticated) {
        logger().debug("node {} authenticated (peer {})", s.handshake.peer_name(), s.peer);
        hand_accepted(settings_.basp, make_scribe(system_, s.fd), port_, settings_.agent);
      } else if (state == wire_handshake::state::refused && now >= s.held_until) {
        drop(s, s.handshake.reason());
      } else if (state == wire_handshake::state::running && now > s.deadline) {
        auto who = s.handshake.peer_name().empty() ? "a peer" : "node " + s.handshake.peer_name();
        drop(s, who + " did not authenticate within " + std::to_string(settings_.handshake_timeout.count()) +
                    " ms (wrong cookie?); dropping it");
      } else if (state == wire_handshake::state::running && !s.heard &&
                 now > s.deadline - settings_.handshake_timeout + first_byte_limit) {
        drop(s,
             "a peer sent nothing within " + std::to_string(first_byte_limit.count()) + " ms; dropping it");
      } else { // still running, or held until its wait is over
        if (kept != i)
          pending[kept] = std::move(s);
        ++kept;
        continue;
      }
      budget.give_back(s.address);
    }
    pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(kept), pending.end());
    for (std::size_t i = 0; i < accept_batch && (fds[1].revents & POLLIN); ++i) {
      int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        break;
      handshake_socket s(fd, wire_handshake::responder(settings_.cookie, settings_.self),
                         now + settings_.handshake_timeout);
      if (budget.spent(s.address)) {
        net::reset_on_close(s.fd);
        drop(s, "refused a connection: " + std::to_string(per_address) + " handshakes from " + s.address +
                    " already in progress");
        continue;
      }
      if (budget.full()) {
        auto evicted = budget.evictee(
            pending.begin(), pending.end(),
            [](const handshake_socket& p) -> const std::string& { return p.address; },
            // A peer that sent its whole hello goes after those that did not; then the one idle longest.
            [](const handshake_socket& p) {
              return std::make_pair(!p.handshake.peer_name().empty(), p.last_heard);
            });
        drop(*evicted, "evicted the handshake idle longest from " + evicted->address + ": " +
                           std::to_string(max_pending) + " handshakes in progress");
        budget.give_back(evicted->address);
        pending.erase(evicted);
      }
      budget.take(s.address);
      pending.push_back(std::move(s));
    }
  }
  for (auto& s : pending)
    ::close(s.fd);
}

} // namespace plugnode::runtime::detail
