// erlang_frame: the frames of Erlang's distribution protocol after the handshake (ERTS "Distribution
// Protocol", "Protocol between connected nodes"): a 4-byte length, then 'p' (pass through), a control tuple
// and, for the message-carrying kinds, the message. A zero length is a tick. erl_interface announces no atom
// cache and no fragmentation, so BEAM peers send exactly these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang::detail {

// Control message kinds plugnode reads or writes (the first element of the control tuple).
enum class dist_op : std::int64_t {
  link = 1,
  send = 2,
  exit = 3,
  unlink = 4,
  reg_send = 6,
  monitor = 19,
  demonitor = 20,
  monitor_exit = 21,
  send_sender = 22,
  spawn_request = 29,
  spawn_reply = 31,
};

struct dist_message {
  term control;
  std::optional<term> payload;
  // Set when the frame had a well-formed message plugnode cannot hold (nested too deep): the payload is
  // then empty and the message is dropped, not the connection.
  std::string unusable;
  std::optional<dist_op> op() const; // nullopt for kinds plugnode does not know
};

// A frame's body (after the 4-byte length, which the reader has taken); nullopt with `error` when it is not
// 'p', the control is not a tuple starting with an integer, or a term is malformed: what breaks the
// format, for which the connection is dropped.
std::optional<dist_message> parse_frame(std::string_view body, std::string& error);

// A whole frame, length first.
std::string make_frame(const term& control, const term* payload = nullptr);
inline std::string tick_frame() {
  return std::string(4, '\0');
}

// {2, '', To}: a message to a pid.
term send_control(const pid& to);
// {6, From, '', Name}: a message to a registered name.
term reg_send_control(const pid& from, const std::string& name);
// {21, Watched, Watcher, Ref, Reason}: the monitored process (a pid or a name) is gone, or never was.
term monitor_exit_control(const term& watched, const pid& watcher, const term& ref, const term& reason);

} // namespace plugnode::erlang::detail

#include <caf/allowed_unsafe_message_type.hpp>
// Terms and frames travel between the Erlang side's threads and actors of this node only, never to a CAF
// peer.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plugnode::erlang::detail::dist_message)
