// The translation of erlang_rpc.hpp: Erlang call -> shell command -> typed result -> Erlang term.
#include "plugnode/app/erlang_rpc.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/error_text.hpp"

namespace plugnode::app {
namespace {

using erlang::atom_of;
using erlang::term;

term error_term(const std::string& why) {
  return erlang::tuple_of(atom_of("error"), erlang::binary_of(why));
}

// An argument as a word of the command; nullopt for what has no plain text form (tuples, maps, pids).
std::optional<std::string> word(const term& t) {
  if (auto i = t.get_if<std::int64_t>())
    return std::to_string(*i);
  return erlang::text_of(t);
}

// `{fun, [args]}` as the command's words; nullopt when it is not that shape. Erlang sends a list of small
// integers ([1, 2]) as a charlist.
std::optional<std::vector<std::string>> call_words(const term& request) {
  auto t = request.get_if<erlang::tuple>();
  if (t == nullptr || t->elements.size() != 2)
    return std::nullopt;
  auto fun = t->elements[0].get_if<erlang::atom>();
  if (fun == nullptr)
    return std::nullopt;
  std::vector<std::string> words{fun->name};
  if (auto chars = t->elements[1].get_if<erlang::charlist>()) {
    for (unsigned char c : chars->chars)
      words.push_back(std::to_string(c));
    return words;
  }
  auto args = t->elements[1].get_if<erlang::list>();
  if (args == nullptr || args->tail)
    return std::nullopt;
  for (const auto& arg : args->elements) {
    auto text = word(arg);
    if (!text)
      return std::nullopt;
    words.push_back(*text);
  }
  return words;
}

term atoms(const std::vector<std::string>& names) {
  erlang::list out;
  for (const auto& name : names)
    out.elements.push_back(atom_of(name));
  return term(std::move(out));
}

template <class T, class Convert> term converted(const outcome<T>& result, Convert convert) {
  return result ? convert(*result) : error_term(result.failure());
}

// `command`'s result as the term an Erlang caller expects: what has a type of its own comes back as that
// type, anything else as the text the shell prints.
term answer_term(shell_operations& ops, const shell_command& command) {
  switch (command.verb) {
  case shell_verb::nodes:
    return converted(ops.nodes(), [&](const runtime::node_kinds& kinds) {
      return atoms(nodes_of_kind(kinds, ops.self_name(), command.argument));
    });
  case shell_verb::self: return atom_of(ops.self_name());
  case shell_verb::pid: return term(ops.os_pid());
  case shell_verb::ping:
    return converted(ops.node_op(command.verb, command.argument),
                     [](bool pong) { return atom_of(pong ? "pong" : "pang"); });
  case shell_verb::connect:
  case shell_verb::disconnect:
    return converted(ops.node_op(command.verb, command.argument),
                     [](bool done) { return atom_of(done ? "true" : "false"); });
  case shell_verb::groups:
    return converted(ops.groups(), [](const std::vector<group_size>& groups) {
      erlang::list out;
      for (const auto& g : groups)
        out.elements.push_back(
            erlang::tuple_of(erlang::binary_of(g.group),
                             g.members ? term(static_cast<std::int64_t>(*g.members)) : atom_of("undefined")));
      return term(std::move(out));
    });
  case shell_verb::members:
    return converted(ops.members(command.argument), [](const std::vector<runtime::node_members>& nodes) {
      erlang::list out;
      for (const auto& [node, members] : nodes)
        for (const auto& member : members)
          out.elements.push_back(erlang::tuple_of(atom_of(node), static_cast<std::int64_t>(member.id())));
      return term(std::move(out));
    });
  default: {
    auto [ok, text] = shell_text(ops, command);
    return ok ? erlang::binary_of(text) : error_term(text);
  }
  }
}

caf::behavior erlang_rpc(caf::event_based_actor* self, const shell_context& context) {
  self->set_exception_handler(runtime::exception_reason);
  erlang::quiet_unexpected(self, erlang_rpc_name);
  return {
      [self, context](erlang::erlang_call_atom, const term& request) -> term {
        auto words = call_words(request);
        if (!words)
          return error_term("expected :rpc.call(node, :plugnode, command, [args...]) with atoms, strings or "
                            "integers as arguments");
        shell_operations ops(self->system(), context);
        return answer_term(ops, command_of(*words));
      },
  };
}

} // namespace

caf::actor spawn_erlang_rpc(caf::actor_system& system, shell_context context) {
  return system.spawn<caf::detached>(erlang_rpc, std::move(context));
}

} // namespace plugnode::app
