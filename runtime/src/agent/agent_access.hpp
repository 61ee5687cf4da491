// agent_access: who may ask the node agent what, checked once per group of handlers. Only this node may
// change it (leave, the registry); this node and authenticated peers may ask the rest; a node that has not
// authenticated gets an answer to nothing but the handshake: its message is logged, its connection dropped,
// and no answer is ever sent.
#pragma once

#include <utility>

#include <caf/detail/type_list.hpp>
#include <caf/detail/type_traits.hpp>
#include <caf/message_handler.hpp>
#include <caf/response_promise.hpp>
#include <caf/result.hpp>

#include "agent/agent.hpp"

namespace plugnode::runtime::detail {

enum class access {
  local,  // this node's own actors
  cluster // this node and the authenticated peers
};

bool allowed(agent* self, access who);

// Logs the refused message with the sender's address, drops its connection, and returns a promise that is
// never delivered.
caf::response_promise refuse(agent* self);

namespace access_detail {

// What a checked handler returns: the handler's own result, which a refusal (a response promise) must fit.
template <class R> struct checked_result { using type = caf::result<R>; };
template <class... Ts> struct checked_result<caf::result<Ts...>> { using type = caf::result<Ts...>; };
template <> struct checked_result<caf::response_promise> { using type = caf::response_promise; };

template <class F, class... Ts>
auto checked(agent* self, access who, F handler, caf::detail::type_list<Ts...>) {
  using result = typename checked_result<typename caf::detail::get_callable_trait<F>::result_type>::type;
  return [self, who, handler](Ts... xs) -> result {
    if (!allowed(self, who))
      return refuse(self);
    return handler(std::forward<Ts>(xs)...);
  };
}

} // namespace access_detail

// `handlers` as one group, each run only for a sender `who` admits.
template <class... Fs> caf::message_handler guarded(agent* self, access who, Fs... handlers) {
  return caf::message_handler{access_detail::checked(
      self, who, std::move(handlers), typename caf::detail::get_callable_trait<Fs>::arg_types{})...};
}

} // namespace plugnode::runtime::detail
