// Errors in words, and exceptions turned into them; see error_text.hpp.
#include "plugnode/runtime/error_text.hpp"

#include <caf/exit_reason.hpp>
#include <caf/message.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::runtime {
namespace {

// The strings of an error's context, ", "-separated: what CAF's own errors carry (a type name, a path).
std::string context_text(const caf::message& context) {
  std::string text;
  for (std::size_t i = 0; i < context.size(); ++i)
    if (context.match_element<std::string>(i))
      text += (text.empty() ? "" : ", ") + context.get_as<std::string>(i);
  return text;
}

} // namespace

std::string error_text(const caf::error& e) {
  if (!e)
    return "none";
  if (e.category() == runtime_error_category())
    return render_runtime_error(e.code(), e.category(), e.context());
  std::string what;
  if (e.category() == caf::atom("system"))
    what = caf::to_string(static_cast<caf::sec>(e.code()));
  else if (e.category() == caf::atom("exit"))
    what = "exit: " + caf::to_string(static_cast<caf::exit_reason>(e.code()));
  else
    return caf::to_string(e);
  auto context = context_text(e.context());
  return context.empty() ? what : what + ": " + context;
}

caf::error exception_reason(caf::scheduled_actor* self, std::exception_ptr& x) {
  std::string what;
  try {
    std::rethrow_exception(x);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "an exception that is not a std::exception";
  }
  logger().error("actor {} (id {}) crashed: {}", self->name(), self->id(), what);
  return make_runtime_error(runtime_errc::exception, what);
}

} // namespace plugnode::runtime
