// The one-hop road of erlang_direct.hpp: the reader's delivery, and the calls' sender (call_replies), an
// actor without a mailbox of its own whose enqueue writes the reply it is given.
#include "dist/erlang_direct.hpp"

#include <caf/actor_control_block.hpp>
#include <caf/actor_system.hpp>
#include <caf/error.hpp>
#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/make_actor.hpp>
#include <caf/monitorable_actor.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_codec.hpp"
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
  std::uint64_t last_id = 0;                // under mutex
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

// The reader thread as CAF's execution unit for what it delivers: an actor the reader's message wakes runs
// that message right here (one message: resume's throughput of 1) instead of waking a scheduler thread, so a
// call is read, answered and its reply written on one thread, as a BEAM scheduler does it. Anything else
// that becomes ready meanwhile (what the target sends, the target's further messages) goes to the scheduler.
class reader_unit : public caf::execution_unit {
public:
  explicit reader_unit(caf::actor_system& system) : caf::execution_unit(&system) {}

  void exec_later(caf::resumable* job) override {
    if (running_)
      return system().scheduler().enqueue(job);
    running_ = true;
    auto result = job->resume(this, 1);
    running_ = false;
    if (result == caf::resumable::resume_later)
      system().scheduler().enqueue(job); // the scheduler takes over the reference the wake-up added
    else
      intrusive_ptr_release(job);
  }

private:
  bool running_ = false;
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
  unit_ = std::make_unique<reader_unit>(system);
  replies_ = caf::make_actor<call_replies, caf::strong_actor_ptr>(system.next_actor_id(), system.node(),
                                                                  &system, calls_);
}

direct_route::~direct_route() = default;

direct_route::taken direct_route::take(dist_message& msg, std::string& name) {
  auto op = msg.op();
  bool reg_send = op == dist_op::reg_send && msg.payload;
  if (!msg.unusable.empty() || !(reg_send || op == dist_op::monitor || op == dist_op::demonitor))
    return taken::to_peer;
  auto& c = msg.control.get_if<tuple>()->elements;
  auto to = c.size() == 4 ? c[reg_send ? 3 : 2].get_if<atom>() : nullptr;
  if (to == nullptr || exported_.count(to->name) == 0 || to->name == "net_kernel" || to->name == "rex" ||
      (op == dist_op::monitor && !c[1].is<pid>()))
    return taken::to_peer;
  auto ref = reg_send ? std::string() : encode_term(c[3]);
  caf::strong_actor_ptr target;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& e = names_[to->name];
    if (!e.who || e.with_peer > 0 || clock::now() - e.resolved >= name_max_age) {
      ++e.with_peer;
      name = to->name;
      return taken::to_peer_counted;
    }
    if (op == dist_op::monitor) {
      monitors_.emplace(std::move(ref), beam_monitor{c[2], *c[1].get_if<pid>(), c[3], e.who.address()});
      return taken::delivered;
    }
    if (op == dist_op::demonitor) {
      monitors_.erase(ref);
      return taken::delivered;
    }
    target = caf::actor_cast<caf::strong_actor_ptr>(e.who);
  }
  pid from;
  term tag, request;
  if (take_gen_call(*msg.payload, from, tag, request)) {
    auto id = calls_->open({std::move(from), std::move(tag), to->name, clock::now()});
    target->enqueue(caf::make_mailbox_element(replies_, caf::make_message_id(id), {}, erlang_call_atom_v,
                                              std::move(request)),
                    unit_.get());
  } else {
    target->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, erlang_send_atom_v,
                                              std::move(*msg.payload)),
                    unit_.get());
  }
  return taken::delivered;
}

void direct_route::resolved(const std::string& name, const caf::actor& who, clock::time_point when) {
  std::lock_guard<std::mutex> guard(mutex_);
  auto& e = names_[name];
  e.who = who;
  e.resolved = when;
}

void direct_route::delivered(const std::string& name) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (auto it = names_.find(name); it != names_.end() && it->second.with_peer > 0)
    --it->second.with_peer;
}

void direct_route::add_monitor(beam_monitor m) {
  auto key = encode_term(m.ref);
  std::lock_guard<std::mutex> guard(mutex_);
  monitors_.emplace(std::move(key), std::move(m));
}

void direct_route::remove_monitor(const term& ref) {
  auto key = encode_term(ref);
  std::lock_guard<std::mutex> guard(mutex_);
  monitors_.erase(key);
}

std::vector<beam_monitor> direct_route::gone(const caf::actor_addr& actor) {
  std::vector<beam_monitor> watching;
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& [name, e] : names_)
    if (e.who && e.who.address() == actor)
      e.who = nullptr;
  for (auto it = monitors_.begin(); it != monitors_.end();) {
    if (it->second.actor != actor) {
      ++it;
      continue;
    }
    watching.push_back(std::move(it->second));
    it = monitors_.erase(it);
  }
  return watching;
}

} // namespace plugnode::erlang::detail
