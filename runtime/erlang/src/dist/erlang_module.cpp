// The answers of erlang_module.hpp.
#include "dist/erlang_module.hpp"

#include <unistd.h>

#include <fstream>

namespace plugnode::erlang::detail {
namespace {

term atoms(const std::vector<std::string>& names) {
  list out;
  for (auto& name : names)
    out.elements.push_back(atom_of(name));
  return term(std::move(out));
}

// nodes/1's argument, an atom or a list of them: visible, hidden, connected, this, known.
std::optional<term> nodes_of(const term& which, const node_facts& facts) {
  std::vector<const term*> kinds;
  if (auto l = which.get_if<list>()) {
    for (auto& k : l->elements)
      kinds.push_back(&k);
  } else {
    kinds.push_back(&which);
  }
  std::vector<std::string> out;
  for (auto k : kinds) {
    if (k->is_atom("visible") || k->is_atom("connected") || k->is_atom("known")) {
      if (k->is_atom("known"))
        out.push_back(facts.node);
      out.insert(out.end(), facts.nodes.begin(), facts.nodes.end());
    } else if (k->is_atom("this")) {
      out.push_back(facts.node);
    } else if (!k->is_atom("hidden")) {
      return std::nullopt;
    }
  }
  return atoms(out);
}

} // namespace

bool needs_nodes(const std::string& fun) {
  return fun == "nodes";
}

std::optional<term> erlang_module_call(const std::string& fun, const term& args, const node_facts& facts) {
  auto l = args.get_if<list>();
  if (l == nullptr || l->tail)
    return std::nullopt;
  auto& a = l->elements;
  if (fun == "node" && a.empty())
    return atom_of(facts.node);
  if (fun == "nodes" && a.empty())
    return atoms(facts.nodes);
  if (fun == "nodes" && a.size() == 1)
    return nodes_of(a[0], facts);
  if (fun == "whereis" && a.size() == 1 && a[0].is<atom>()) {
    auto& name = a[0].get_if<atom>()->name;
    if (facts.exported && facts.exported->count(name) && facts.pid_for)
      return term(facts.pid_for(name));
    return atom_of("undefined");
  }
  if (fun == "memory" && a.empty())
    return list_of(tuple_of(atom_of("total"), static_cast<std::int64_t>(resident_bytes())));
  if (fun == "system_info" && a.size() == 1 && a[0].is_atom("otp_release"))
    return term(charlist{std::string("plugnode ") + PLUGNODE_VERSION});
  return std::nullopt;
}

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident))
    return 0;
  return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

} // namespace plugnode::erlang::detail
