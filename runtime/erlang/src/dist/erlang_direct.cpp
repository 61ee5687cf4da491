// The one-hop road of erlang_direct.hpp: the reader's delivery, and the calls' sender (call_replies), an actor
// without a mailbox of its own whose enqueue writes the reply it is given.
#include "dist/erlang_direct.hpp"

#include <caf/actor_control_block.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/make_actor.hpp>
#include <caf/monitorable_actor.hpp>

#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::erlang::detail {

// The calls in flight on one connection, by the request id they were sent with. The reader adds, the
// replying actors' threads take.
struct direct_route::open_calls {
  // A call from the BEAM node in the target's hands: whom `{Tag, Reply}` goes to.
  struct open_call {
    pid from;
    term tag;
    std::string name;
    clock::time_point since;
  };
  std::weak_ptr<erlang_connection> connection;
  std::string peer_node;
  std::mutex mutex;
  std::uint64_t last_id = 0;         // under mutex
  std::map<std::uint64_t, open_call> calls; // under mutex; ids grow, so the oldest is first

  // An id for `call`; forgets (with a warning) calls their actor left unanswered for erlang_call_timeout,
  // as a request from the peer actor would have timed out.
  std::uint64_t open(open_call call) {
    std::lock_guard<std::mutex> guard(mutex);
    while (!calls.empty() && call.since - calls.begin()->second.since >= erlang_call_timeout) {
      failed(calls.begin()->second, "no answer within " + std::to_string(erlang_call_timeout.count()) + " s");
      calls.erase(calls.begin());
    }
    auto id = ++last_id & caf::message_id::request_id_mask;
    calls.emplace(id, std::move(call));
    return id;
  }

  std::optional<open_call> take(std::uint64_t id) {
    std::lock_guard<std::mutex> guard(mutex);
    auto it = calls.find(id);
    if (it == calls.end())
      return std::nullopt;
    auto call = std::move(it->second);
    calls.erase(it);
    return call;
  }

  // The same words as the peer actor's: the caller is left to its own timeout.
  void failed(const open_call& call, const std::string& why) const {
    runtime::log_limited(spdlog::level::warn, "failed calls from BEAM nodes", peer_node,
                         "erlang: call to " + call.name + " from " + peer_node + " failed: " + why);
  }
};

namespace {

// The sender of every direct call: the target's response is enqueued here, on the target's thread, and
// goes straight to the socket (erlang_connection's writes never wait).
class call_replies : public caf::monitorable_actor {
public:
  explicit call_replies(std::shared_ptr<direct_route::open_calls> calls)
      : caf::monitorable_actor(config()), calls_(std::move(calls)) {}

  void enqueue(caf::mailbox_element_ptr what, caf::execution_unit*) override {
    if (!what || !what->mid.is_response())
      return;
    auto call = calls_->take(what->mid.request_id().integer_value());
    if (!call)
      return;
    auto& content = what->content();
    if (content.match_elements<term>()) {
      auto message = tuple_of(call->tag, content.get_as<term>(0));
      if (auto connection = calls_->connection.lock())
        connection->send(make_frame(send_control(call->from), &message));
    } else if (content.match_elements<caf::error>()) {
      calls_->failed(*call, home_system().render(content.get_as<caf::error>(0)));
    }
  }

private:
  static caf::actor_config& config() {
    static caf::actor_config none;
    return none;
  }
  std::shared_ptr<direct_route::open_calls> calls_;
};

// `{'$gen_call', {From, Tag}, Request}` (gen:call's message) taken apart, its request moved out.
bool take_gen_call(term& message, pid& from, term& tag, term& request) {
  auto t = message.get_if<tuple>();
  if (t == nullptr || t->elements.size() != 3 || !t->elements[0].is_atom("$gen_call"))
    return false;
  auto f = t->elements[1].get_if<tuple>();
  if (f == nullptr || f->elements.size() != 2 || !f->elements[0].is<pid>())
    return false;
  from = *f->elements[0].get_if<pid>();
  tag = std::move(f->elements[1]);
  request = std::move(t->elements[2]);
  return true;
}

} // namespace

direct_route::direct_route(caf::actor_system& system, const std::shared_ptr<erlang_connection>& connection,
                           std::set<std::string> exported)
    : exported_(std::move(exported)) {
  calls_ = std::make_shared<open_calls>();
  calls_->connection = connection;
  calls_->peer_node = connection->peer_node();
  replies_ = caf::make_actor<call_replies, caf::strong_actor_ptr>(system.next_actor_id(), system.node(),
                                                                  &system, calls_);
}

direct_route::~direct_route() = default;

direct_route::taken direct_route::take(dist_message& msg) {
  if (msg.op() != dist_op::reg_send || !msg.payload || !msg.unusable.empty())
    return taken::to_peer;
  auto& control = msg.control.get_if<tuple>()->elements;
  if (control.size() != 4 || !control[3].is<atom>())
    return taken::to_peer;
  auto& name = control[3].get_if<atom>()->name;
  if (exported_.count(name) == 0 || name == "net_kernel" || name == "rex")
    return taken::to_peer;
  caf::strong_actor_ptr target;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& e = names_[name];
    if (!e.who || e.with_peer > 0 || clock::now() - e.resolved >= name_max_age) {
      ++e.with_peer;
      return taken::to_peer_counted;
    }
    target = caf::actor_cast<caf::strong_actor_ptr>(e.who);
  }
  pid from;
  term tag, request;
  if (take_gen_call(*msg.payload, from, tag, request)) {
    auto id = calls_->open({std::move(from), std::move(tag), name, clock::now()});
    target->enqueue(caf::make_mailbox_element(replies_, caf::make_message_id(id), {}, erlang_call_atom_v,
                                              std::move(request)),
                    nullptr);
  } else {
    target->enqueue(
        caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, erlang_send_atom_v, std::move(*msg.payload)),
        nullptr);
  }
  return taken::delivered;
}

void direct_route::resolved(const std::string& name, const caf::actor& who, clock::time_point when) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& e = names_[name];
  e.who = who;
  e.resolved = when;
}

void direct_route::forget(const caf::actor_addr& gone) {
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& [name, e] : names_)
    if (e.who && e.who.address() == gone)
      e.who = nullptr;
}

void direct_route::delivered(const std::string& name) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (auto it = names_.find(name); it != names_.end() && it->second.with_peer > 0)
    --it->second.with_peer;
}

} // namespace plugnode::erlang::detail
