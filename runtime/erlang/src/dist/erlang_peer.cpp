// The dispatch of erlang_peer.hpp: REG_SEND to a name, MONITOR_P of a name (answered with noproc at once
// when nothing is registered, and with the actor's exit reason when it ends while monitored, so a
// GenServer.call to a missing or dying actor fails as fast as on BEAM). Names are resolved through the
// connection's cache (erlang_peer_names.hpp).
#include "dist/erlang_peer.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "dist/erlang_module.hpp"
#include "dist/erlang_peer_names.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_codec.hpp"
#include "plugnode/erlang/term_format.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "runtime_names.hpp"

namespace plugnode::erlang::detail {
namespace {

constexpr std::chrono::seconds lookup_timeout{2};
using call_timeout_atom = caf::atom_constant<caf::atom("erl_tmo")>; // a call_out's deadline passed
constexpr call_timeout_atom call_timeout_atom_v{};
using flush_atom = caf::atom_constant<caf::atom("erl_flush")>; // write the casts collected so far
constexpr flush_atom flush_atom_v{};

struct peer_state {
  std::shared_ptr<erlang_connection> connection;
  std::shared_ptr<direct_route> route; // told what the name cache learns; holds BEAM's monitors of names
  caf::actor agent;
  pid self; // this node's identity in pids it hands out (its name and creation)
  // Calls this node made to the BEAM node, by the encoded reference their reply will carry.
  std::map<std::string, caf::response_promise> pending;
  peer_names names{name_max_age};
  std::set<caf::actor_addr> monitored; // actors behind names, each monitored once
  std::set<std::string> exported;      // the names this BEAM node may reach
  // Pids standing for exported names (:erlang.whereis/1's answers): a message to one goes to the name.
  std::map<std::string, pid> name_pids;
  std::map<std::string, std::string> pid_names; // by encoded pid
  bool flush_due = false; // casts wait in the connection for the flush message this actor sent itself
  static inline const char* name = "erlang_peer";
};
using peer_actor = caf::stateful_actor<peer_state>;

// The parts of `{'$gen_call', {From, Tag}, Request}`, gen:call's message.
struct gen_call {
  pid from;
  term tag;
  term request;
};

std::optional<gen_call> as_gen_call(const term& message) {
  auto t = message.get_if<tuple>();
  if (t == nullptr || t->elements.size() != 3 || !t->elements[0].is_atom("$gen_call"))
    return std::nullopt;
  auto from = t->elements[1].get_if<tuple>();
  if (from == nullptr || from->elements.size() != 2 || !from->elements[0].is<pid>())
    return std::nullopt;
  return gen_call{*from->elements[0].get_if<pid>(), from->elements[1], t->elements[2]};
}

void reply(peer_actor* self, const gen_call& call, const term& value) {
  auto message = tuple_of(call.tag, value);
  self->state.connection->send(make_frame(send_control(call.from), &message));
}

term undef(const term& module, const term& fun, const term& args) {
  return tuple_of(
      atom_of("badrpc"),
      tuple_of(atom_of("EXIT"), tuple_of(atom_of("undef"), list_of(tuple_of(module, fun, args, term())))));
}

// Runs `use` with the actor registered as `name` (an invalid handle when there is none), in the order of
// the calls for one name; looks the name up at the agent when the cache does not know it.
void with_name(peer_actor* self, const std::string& name, peer_names::use_fn use) {
  if (!self->state.names.use(name, std::move(use), peer_names::clock::now()))
    return;
  auto answer = [=](const caf::actor& who) {
    if (who && self->state.monitored.insert(who.address()).second)
      self->monitor(who);
    auto now = peer_names::clock::now();
    self->state.route->resolved(name, who, now);
    self->state.names.resolved(name, who, now);
  };
  self->request(self->state.agent, lookup_timeout, whereis_atom_v, name).then(answer, [=](const caf::error&) {
    answer(nullptr);
  });
}

// with_name for what a BEAM node asks: a name the application did not export is to it as a name nobody
// registered, so the node's own actors (`erlang`, `shell` ...) stay out of its reach.
void with_exported(peer_actor* self, const std::string& name, peer_names::use_fn use) {
  if (self->state.exported.count(name) == 0)
    return use(nullptr);
  with_name(self, name, std::move(use));
}

// A request from the BEAM node to the exported actor `name`: `done` with its answer, or `on_missing` when
// there is none or it does not answer (that is logged, rate-limited: the peer can cause it at will).
void ask_exported(peer_actor* self, const std::string& name, const term& request,
                  std::function<void(const term&)> done, std::function<void()> on_missing) {
  with_exported(self, name, [=](const caf::actor& target) {
    if (!target)
      return on_missing();
    self->request(target, erlang_call_timeout, erlang_call_atom_v, request)
        .then([=](const term& value) { done(value); },
              [=](const caf::error& error) {
                auto& node = self->state.connection->peer_node();
                runtime::log_limited(spdlog::level::warn, "failed calls from BEAM nodes", node,
                                     "erlang: call to " + name + " from " + node +
                                         " failed: " + self->system().render(error));
                on_missing();
              });
  });
}

// The pid standing for the exported name `name` (whereis/1), the same one for the connection's life.
pid pid_for_name(peer_actor* self, const std::string& name);

// `:rpc.call(node, module, fun, args)`, by either road (rex, erpc's spawn): the `erlang` module's answers
// (erlang_module.hpp), else the call `{fun, args}` to the exported actor registered as `module`.
void module_call(peer_actor* self, const std::string& module, const term& fun, const term& args,
                 std::function<void(const term&)> done, std::function<void()> missing) {
  if (module != "erlang")
    return ask_exported(self, module, tuple_of(fun, args), std::move(done), std::move(missing));
  auto name = fun.get_if<atom>();
  if (name == nullptr)
    return missing();
  auto answer = [=, f = name->name](std::vector<std::string> nodes) {
    node_facts facts{self->state.self.node, std::move(nodes), &self->state.exported,
                     [self](const std::string& exported) { return pid_for_name(self, exported); }};
    auto value = erlang_module_call(f, args, facts);
    value ? done(*value) : missing();
  };
  if (!needs_nodes(name->name))
    return answer({});
  self->request(self->state.agent, lookup_timeout, nodes_atom_v).then(answer, [=](const caf::error&) {
    answer({});
  });
}

// `:rpc.call(node, mod, fun, args)` reaches rex as `{call, Mod, Fun, Args, GroupLeader}`.
void rpc_call(peer_actor* self, const gen_call& call) {
  auto t = call.request.get_if<tuple>();
  if (t == nullptr || t->elements.size() != 5 || !t->elements[0].is_atom("call") ||
      !t->elements[1].is<atom>())
    return reply(self, call, tuple_of(atom_of("badrpc"), atom_of("notsup")));
  auto& e = t->elements;
  module_call(
      self, e[1].get_if<atom>()->name, e[2], e[3], [=](const term& value) { reply(self, call, value); },
      [=] { reply(self, call, undef(e[1], e[2], e[3])); });
}

void reg_send(peer_actor* self, const tuple& control, const term& message) {
  if (control.elements.size() != 4 || !control.elements[3].is<atom>())
    return;
  auto& name = control.elements[3].get_if<atom>()->name;
  auto call = as_gen_call(message);
  if (name == "net_kernel") {
    // net_adm:ping asks net_kernel `{is_auth, Node}`; `yes` is pong.
    auto request = call ? call->request.get_if<tuple>() : nullptr;
    if (request && !request->elements.empty() && request->elements[0].is_atom("is_auth"))
      reply(self, *call, atom_of("yes"));
    return;
  }
  if (name == "rex") {
    if (call)
      rpc_call(self, *call);
    return;
  }
  if (call) {
    auto c = *call;
    ask_exported(
        self, name, c.request, [=](const term& value) { reply(self, c, value); }, [] {});
    return;
  }
  with_exported(self, name, [=](const caf::actor& target) {
    if (target)
      self->send(target, erlang_send_atom_v, message);
    else
      runtime::logger().debug("erlang: message from {} to unknown name {} dropped",
                              self->state.connection->peer_node(), name);
  });
}

// A pid of this node for a spawn request's "process": unique within the node's start.
pid new_pid(const pid& self) {
  static std::atomic<std::uint32_t> counter{1};
  auto n = counter.fetch_add(1);
  return pid{self.node, n & 0x7fff, (n >> 15) & 0x1fff, self.creation};
}

pid pid_for_name(peer_actor* self, const std::string& name) {
  auto& s = self->state;
  if (auto it = s.name_pids.find(name); it != s.name_pids.end())
    return it->second;
  auto p = new_pid(s.self);
  s.name_pids.emplace(name, p);
  s.pid_names.emplace(encode_term(term(p)), name);
  return p;
}

// A reference of this node, unique within its start, to tag a call's reply.
reference new_ref(const pid& self) {
  static std::atomic<std::uint32_t> counter{1};
  auto n = counter.fetch_add(1);
  return reference{self.node, {n & 0x3ffff, n >> 18, 0}, self.creation};
}

// A call from this node to the process registered as `name` on the BEAM node: GenServer.call's message, its
// reply matched by the reference (SEND `{Ref, Reply}` to the calling pid), or a timeout.
void call_out(peer_actor* self, const std::string& name, const term& request,
              std::chrono::milliseconds timeout) {
  auto from = new_pid(self->state.self);
  auto ref = term(new_ref(self->state.self));
  auto message = tuple_of(atom_of("$gen_call"), tuple_of(from, ref), request);
  auto key = encode_term(ref);
  self->state.pending.emplace(key, self->make_response_promise());
  self->state.connection->send(make_frame(reg_send_control(from, name), &message));
  self->delayed_send(self, timeout, call_timeout_atom_v, key);
}

// SEND `{2, _, To}` (or SEND_SENDER `{22, From, To}`) with `{Ref, Reply}`: the reply to a call_out; or
// any message to a pid whereis/1 handed out, which goes to its name.
void reply_in(peer_actor* self, const tuple& control, const term& message) {
  if (control.elements.size() == 3) {
    auto named = self->state.pid_names.find(encode_term(control.elements[2]));
    if (named != self->state.pid_names.end()) {
      auto to = tuple_of(6, control.elements[2], atom_of(""), atom_of(named->second));
      return reg_send(self, *to.get_if<tuple>(), message);
    }
  }
  auto t = message.get_if<tuple>();
  if (t == nullptr || t->elements.size() != 2)
    return;
  auto it = self->state.pending.find(encode_term(t->elements[0]));
  if (it == self->state.pending.end())
    return;
  it->second.deliver(t->elements[1]);
  self->state.pending.erase(it);
}

bool has_option(const term& options, const char* name) {
  auto l = options.get_if<list>();
  if (l == nullptr)
    return false;
  return std::any_of(l->elements.begin(), l->elements.end(),
                     [&](const term& option) { return option.is_atom(name); });
}

// SPAWN_REQUEST `{29, ReqId, From, GroupLeader, {M, F, Arity}, Options}` with the argument list as message:
// OTP 23+ runs `:rpc.call(node, mod, fun, args)` as erpc:execute_call(Res, Mod, Fun, Args) spawned on the
// node. plugnode runs no Erlang code: that one spawn is the call `{Fun, Args}` to the actor registered as
// `Mod`, its "process" a pid that exits with erpc's `{Res, return, Value}` when the reply is there. Any other
// spawn is refused with notsup.
void spawn_request(peer_actor* self, const tuple& control, const term& arguments) {
  auto& c = control.elements;
  if (c.size() != 6 || !c[2].is<pid>())
    return;
  auto req_id = c[1];
  auto caller = *c[2].get_if<pid>();
  auto mfa = c[4].get_if<tuple>();
  auto args = arguments.get_if<list>();
  constexpr std::int64_t spawn_reply = 31;
  bool erpc_call = mfa && mfa->elements.size() == 3 && mfa->elements[0].is_atom("erpc") &&
                   mfa->elements[1].is_atom("execute_call") && args && args->elements.size() == 4 &&
                   args->elements[1].is<atom>() && !args->tail;
  if (!erpc_call) {
    self->state.connection->send(make_frame(tuple_of(spawn_reply, req_id, caller, 0, atom_of("notsup"))));
    return;
  }
  bool monitored = has_option(c[5], "monitor");
  auto process = new_pid(self->state.self);
  self->state.connection->send(make_frame(tuple_of(spawn_reply, req_id, caller, monitored ? 2 : 0, process)));
  auto& a = args->elements;
  auto res = a[0], module = a[1], fun = a[2], fun_args = a[3];
  auto exit_with = [=](const term& reason) {
    if (monitored)
      self->state.connection->send(make_frame(monitor_exit_control(process, caller, req_id, reason)));
  };
  module_call(
      self, module.get_if<atom>()->name, fun, fun_args,
      [=](const term& value) { exit_with(tuple_of(res, atom_of("return"), value)); },
      [=] {
        exit_with(tuple_of(res, atom_of("error"), atom_of("undef"),
                           list_of(tuple_of(module, fun, fun_args, term()))));
      });
}

// MONITOR_P `{19, From, ToProc, Ref}`: BEAM monitors the name it calls (GenServer.call does); a name with
// nothing behind it is noproc at once, and the actor's end later is the monitor's DOWN (actor_gone).
void monitor(peer_actor* self, const tuple& control) {
  if (control.elements.size() != 4 || !control.elements[1].is<pid>() || !control.elements[2].is<atom>())
    return;
  auto& name = control.elements[2].get_if<atom>()->name;
  if (name == "net_kernel" || name == "rex")
    return;
  beam_monitor m{control.elements[2], *control.elements[1].get_if<pid>(), control.elements[3], {}};
  with_exported(self, name, [=](const caf::actor& who) mutable {
    if (!who) {
      self->state.connection->send(
          make_frame(monitor_exit_control(m.watched, m.watcher, m.ref, atom_of("noproc"))));
      return;
    }
    m.actor = who.address();
    self->state.route->add_monitor(std::move(m));
  });
}

// DEMONITOR `{20, From, ToProc, Ref}` (GenServer.call's, once answered): after the monitor it ends, so it
// takes the same way through the name.
void demonitor(peer_actor* self, const tuple& control) {
  if (control.elements.size() != 4)
    return;
  auto ref = control.elements[3];
  auto forget = [=](const caf::actor&) { self->state.route->remove_monitor(ref); };
  if (auto name = control.elements[2].get_if<atom>())
    with_exported(self, name->name, forget);
  else
    forget(nullptr);
}

// What Erlang calls the exit reason of an actor that ended with `reason`.
term exit_reason_of(peer_actor* self, const caf::error& reason) {
  if (!reason)
    return atom_of("normal");
  if (reason.category() != caf::atom("exit"))
    return atom_of(self->system().render(reason).substr(0, 255)); // an atom's limit
  switch (static_cast<caf::exit_reason>(reason.code())) {
  case caf::exit_reason::user_shutdown: return atom_of("shutdown");
  case caf::exit_reason::kill: return atom_of("killed");
  default: return atom_of(caf::to_string(static_cast<caf::exit_reason>(reason.code())));
  }
}

// An actor behind a name ended: the name is looked up again, and BEAM's monitors of it get their DOWN.
void actor_gone(peer_actor* self, const caf::down_msg& down) {
  auto& s = self->state;
  s.monitored.erase(down.source);
  s.names.forget(down.source);
  for (auto& m : s.route->gone(down.source))
    s.connection->send(
        make_frame(monitor_exit_control(m.watched, m.watcher, m.ref, exit_reason_of(self, down.reason))));
}

// A message frame from the BEAM node.
void dispatch(peer_actor* self, const dist_message& msg) {
  auto op = msg.op();
  auto& control = *msg.control.get_if<tuple>();
  if (!msg.unusable.empty()) {
    auto& node = self->state.connection->peer_node();
    runtime::log_limited(spdlog::level::warn, "unusable messages from BEAM nodes", node,
                         "erlang: a message from " + node + " dropped: " + msg.unusable);
    return;
  }
  if (op == dist_op::reg_send && msg.payload)
    reg_send(self, control, *msg.payload);
  else if (op == dist_op::monitor)
    monitor(self, control);
  else if (op == dist_op::demonitor)
    demonitor(self, control);
  else if (op == dist_op::spawn_request && msg.payload)
    spawn_request(self, control, *msg.payload);
  else if ((op == dist_op::send || op == dist_op::send_sender) && msg.payload)
    reply_in(self, control, *msg.payload);
  else
    runtime::logger().debug("erlang: control message {} from {} ignored",
                            to_string(msg.control, log_term_limit), self->state.connection->peer_node());
}

caf::behavior erlang_peer(peer_actor* self, std::shared_ptr<erlang_connection> connection,
                          std::shared_ptr<direct_route> route, caf::actor agent, pid self_pid,
                          std::set<std::string> exported) {
  self->state.connection = std::move(connection);
  self->state.route = std::move(route);
  self->state.exported = std::move(exported);
  self->state.agent = std::move(agent);
  self->state.self = std::move(self_pid);
  self->set_down_handler([=](const caf::down_msg& down) { actor_gone(self, down); });
  return {
      [=](erlang_call_atom, const std::string& name, const term& request, std::chrono::milliseconds timeout) {
        call_out(self, name, request, timeout);
      },
      [=](erlang_send_atom, const std::string& name, const term& message) {
        // Collected, and written by a flush message behind whatever this actor's mailbox holds now: a burst
        // of casts goes out in a few writes rather than a system call each (any other write, a call's or a
        // reply's, takes them along earlier).
        auto& s = self->state;
        s.connection->put(make_frame(reg_send_control(new_pid(s.self), name), &message));
        if (!s.flush_due) {
          s.flush_due = true;
          self->send(self, flush_atom_v);
        }
      },
      [=](flush_atom) {
        self->state.flush_due = false;
        self->state.connection->flush();
      },
      [=](call_timeout_atom, const std::string& key) {
        auto it = self->state.pending.find(key);
        if (it == self->state.pending.end())
          return;
        it->second.deliver(caf::make_error(caf::sec::request_timeout));
        self->state.pending.erase(it);
      },
      [=](handed_over_atom, const std::string& name, const dist_message& msg) {
        // A frame for an exported name the route did not know fresh: after its use of the name (in the
        // order of the name's uses), the route may take that name's frames again.
        dispatch(self, msg);
        with_exported(self, name, [=](const caf::actor&) { self->state.route->delivered(name); });
      },
      [=](const dist_message& msg) { dispatch(self, msg); },
  };
}

} // namespace

caf::actor spawn_erlang_peer(caf::actor_system& system, std::shared_ptr<erlang_connection> connection,
                             std::shared_ptr<direct_route> route, caf::actor agent, pid self,
                             std::set<std::string> exported) {
  return system.spawn(erlang_peer, std::move(connection), std::move(route), std::move(agent), std::move(self),
                      std::move(exported));
}

} // namespace plugnode::erlang::detail
