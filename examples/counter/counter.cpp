// The counter actor and the owner choice of counter.hpp.
#include "counter.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <map>

namespace counter {
namespace {

struct counter_state {
  std::map<std::string, std::int64_t> values;
};

caf::behavior counter_actor(caf::stateful_actor<counter_state>* self) {
  return {
      [self](add_atom, const std::string& key, std::int64_t delta) {
        return self->state.values[key] += delta;
      },
      [self](read_atom, const std::string& key) {
        auto i = self->state.values.find(key);
        return i == self->state.values.end() ? std::int64_t{0} : i->second;
      },
      [self](list_atom) {
        std::vector<std::string> lines;
        for (const auto& [key, value] : self->state.values)
          lines.push_back(key + " " + std::to_string(value));
        return lines;
      },
  };
}

} // namespace

caf::actor spawn_counter(caf::actor_system& system) {
  return system.spawn(counter_actor);
}

const std::string& owner_of(const std::string& key, const std::vector<std::string>& members) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char ch : key) {
    hash ^= ch;
    hash *= 1099511628211ull;
  }
  return members[hash % members.size()];
}

} // namespace counter
