// discovery_state: what discovery knows between polls and what it decides from each answer, as a plain
// value with an injected clock (tests drive it with a fake one). It decides which nodes to connect (new ones,
// and known ones whose connection is down), which to disconnect (only those missing from `missing_limit`
// consecutive good answers; a failed lookup changes nothing) and how long to wait before the next poll
// (fast until the first good answer, then the interval with jitter; after a failed lookup, or while a known
// node cannot be connected, fast again and backing off towards the interval).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "plugnode/discovery/dns_result.hpp"
#include "plugnode/discovery/peer_lookup.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::discovery {

struct poll_settings {
  std::chrono::milliseconds startup_interval{250}; // until the first good answer
  std::chrono::milliseconds interval{5000};        // PLUGNODE_POLL_INTERVAL
  double jitter = 0.2;                             // the interval varies by up to this fraction either way
  int missing_limit = 3;                           // good answers a node may miss before it is dropped
  std::size_t max_targets = 100; // PLUGNODE_DISCOVERY_MAX_TARGETS: peers taken from one answer
};

enum class link_state {
  pending, // a connect request is on its way
  up,      // connected
  down,    // the connect failed or the connection dropped: asked again on the next good answer
};

struct member {
  peer info;
  link_state link = link_state::pending;
  int missing = 0; // consecutive good answers without this node
  std::chrono::steady_clock::time_point last_seen;
};

class discovery_state {
public:
  using clock = std::function<std::chrono::steady_clock::time_point()>;

  struct actions {
    std::vector<peer> connect; // whole, as the answer gave them: the agent dials their port and addresses
    std::vector<runtime::node_name> disconnect;
  };

  discovery_state(runtime::node_name self, poll_settings settings, clock now = std::chrono::steady_clock::now,
                  std::uint32_t seed = std::random_device{}());

  // A good answer (this node itself is ignored): new and down members to connect, long-missing ones to drop.
  // At most max_targets peers are taken from it, the members already known first, then by name, so that a
  // huge or hostile answer does not make the node dial hundreds of peers and the chosen set stays stable.
  actions on_answer(const std::vector<peer>& answer);
  // The peers the last good answer named beyond max_targets, by name.
  const std::vector<runtime::node_name>& left_out() const { return left_out_; }
  // A failed lookup: remembered for the description and the backoff, and nothing else.
  void on_error(const dns_error& error);
  // The node agent's reply to a connect, or a nodeup/nodedown it reported.
  void on_link(const runtime::node_name& node, bool up);

  // How long to wait before the next poll, given the last outcome and the links.
  std::chrono::milliseconds next_delay();

  bool ready() const { return ready_; } // has had its first good answer
  const runtime::node_name& self() const { return self_; }
  const std::map<runtime::node_name, member>& members() const { return members_; }
  std::size_t connected_count() const;
  std::uint64_t polls() const { return polls_; }
  std::uint64_t errors() const { return errors_; }
  const std::optional<dns_error>& last_error() const { return last_error_; }
  std::optional<std::chrono::steady_clock::time_point> last_answer_at() const { return last_answer_at_; }
  std::chrono::steady_clock::time_point now() const { return now_(); }

private:
  std::chrono::milliseconds backoff(int round) const;
  // The peers of `answer` to act on (self and repeats dropped, max_targets kept); sets left_out_.
  std::vector<const peer*> take(const std::vector<peer>& answer);

  runtime::node_name self_;
  poll_settings settings_;
  clock now_;
  std::mt19937 rng_;
  std::map<runtime::node_name, member> members_;
  std::vector<runtime::node_name> left_out_;
  bool ready_ = false;
  int consecutive_errors_ = 0;
  int redial_rounds_ = 0; // consecutive good answers that had to ask again for a down link
  std::uint64_t polls_ = 0;
  std::uint64_t errors_ = 0;
  std::optional<dns_error> last_error_;
  std::optional<std::chrono::steady_clock::time_point> last_answer_at_;
};

std::string_view to_string(link_state link);

} // namespace plugnode::discovery
