// The translation of erlang_rpc.hpp: Erlang call -> shell line -> shell answer -> Erlang term.
#include "plugnode/app/erlang_rpc.hpp"

#include <sstream>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/error_text.hpp"

namespace plugnode::app {
namespace {

using erlang::atom_of;
using erlang::term;

// An argument as the shell reads it; nullopt for what has no plain text form (tuples, maps, pids).
std::optional<std::string> word(const term& t) {
  if (auto i = t.get_if<std::int64_t>())
    return std::to_string(*i);
  return erlang::text_of(t);
}

// `{fun, [args]}` as one shell line; nullopt when it is not that shape.
std::optional<std::string> shell_line(const term& request) {
  auto t = request.get_if<erlang::tuple>();
  if (t == nullptr || t->elements.size() != 2)
    return std::nullopt;
  auto fun = t->elements[0].get_if<erlang::atom>();
  auto args = t->elements[1].get_if<erlang::list>();
  if (fun == nullptr || (args == nullptr && !t->elements[1].is<erlang::charlist>()))
    return std::nullopt;
  std::string line = fun->name;
  if (args)
    for (auto& arg : args->elements) {
      auto text = word(arg);
      if (!text)
        return std::nullopt;
      line += " " + *text;
    }
  return line;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty())
      lines.push_back(line);
  return lines;
}

// The shell's answer to `fun` as the term an Erlang caller expects.
term answer_term(const std::string& fun, bool ok, const std::string& text) {
  if (!ok)
    return erlang::tuple_of(atom_of("error"), erlang::binary_of(text));
  auto lines = lines_of(text);
  auto first = lines.empty() ? std::string() : lines.front();
  if (fun == "nodes") {
    erlang::list nodes;
    for (auto& line : lines) // a BEAM node's line is marked "name [erlang]"
      nodes.elements.push_back(atom_of(line.substr(0, line.find(' '))));
    return term(std::move(nodes));
  }
  if (fun == "self" || fun == "ping" || fun == "connect" || fun == "disconnect")
    return atom_of(first);
  if (fun == "pid")
    return term(static_cast<std::int64_t>(std::stoll(first)));
  return erlang::binary_of(text);
}

caf::behavior erlang_rpc(caf::event_based_actor* self, caf::actor agent) {
  self->set_exception_handler(runtime::exception_reason);
  erlang::quiet_unexpected(self, erlang_rpc_name);
  return {
      [=](erlang::erlang_call_atom, const term& request) -> caf::result<term> {
        auto line = shell_line(request);
        if (!line)
          return erlang::tuple_of(atom_of("error"),
                                  erlang::binary_of("expected :rpc.call(node, :plugnode, command, [args...]) "
                                                    "with atoms, strings or integers as arguments"));
        auto fun = line->substr(0, line->find(' '));
        auto promise = self->make_response_promise<term>();
        self->request(agent, std::chrono::seconds(2), runtime::whereis_atom_v, std::string(shell_name))
            .then(
                [=](const caf::actor& shell) mutable {
                  self->request(shell, shell_answer_timeout, shell_atom_v, *line)
                      .then(
                          [=](bool ok, const std::string& text) mutable {
                            promise.deliver(answer_term(fun, ok, text));
                          },
                          [=](const caf::error& error) mutable {
                            promise.deliver(erlang::tuple_of(
                                atom_of("error"), erlang::binary_of(self->system().render(error))));
                          });
                },
                [=](const caf::error&) mutable {
                  promise.deliver(erlang::tuple_of(atom_of("error"),
                                                   erlang::binary_of("the shell service is not running")));
                });
        return promise;
      },
  };
}

} // namespace

caf::actor spawn_erlang_rpc(caf::actor_system& system, caf::actor agent) {
  return system.spawn(erlang_rpc, std::move(agent));
}

} // namespace plugnode::app
