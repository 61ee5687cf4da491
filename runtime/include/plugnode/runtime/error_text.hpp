// error_text: caf::error values in words, for people: one rendering that needs no actor system (a route, a
// test, a log line), and the exception handler that turns an actor's exception into such an error, so the
// caller of the request that threw reads the exception's text ("exception: no such account") instead of
// CAF's `system_error(runtime_error)`, and the crash is one line of the node's log (JSON too), not CAF's raw
// `*** unhandled exception` on stdout.
//
//   auto reply = call<std::string>(...);
//   if (!reply) c.send_resp(502, error_text(reply.error()));   // "unknown_node: greeter@10.0.0.7"
//
//   caf::behavior account(caf::event_based_actor* self) {
//     self->set_exception_handler(plugnode::runtime::exception_reason);  // spawn_actor (service.hpp) does it
//     ...
#pragma once

#include <exception>
#include <string>

#include <caf/error.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime {

// "unknown_node: greeter@10.0.0.7", "request_timeout", "exception: boom", "exit: user_shutdown"; "none" for
// no error. The plugnode category as render_runtime_error writes it, CAF's own by their enum names.
std::string error_text(const caf::error& e);

// An exception handler for scheduled actors: logs "actor <name> crashed: <what>" through the logger and
// ends the actor with runtime_errc::exception carrying what(), which the pending request's caller receives
// and a supervisor's log line shows.
caf::error exception_reason(caf::scheduled_actor* self, std::exception_ptr& x);

} // namespace plugnode::runtime
