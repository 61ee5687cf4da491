// Building and reading the frames of erlang_frame.hpp.
#include "dist/erlang_frame.hpp"

#include "plugnode/erlang/term_codec.hpp"

namespace plugnode::erlang::detail {

std::optional<dist_op> dist_message::op() const {
  auto t = control.get_if<tuple>();
  if (t == nullptr || t->elements.empty())
    return std::nullopt;
  auto kind = t->elements[0].get_if<std::int64_t>();
  if (kind == nullptr)
    return std::nullopt;
  switch (static_cast<dist_op>(*kind)) {
  case dist_op::link:
  case dist_op::send:
  case dist_op::exit:
  case dist_op::unlink:
  case dist_op::reg_send:
  case dist_op::monitor:
  case dist_op::demonitor:
  case dist_op::monitor_exit:
  case dist_op::send_sender:
  case dist_op::spawn_request:
  case dist_op::spawn_reply: return static_cast<dist_op>(*kind);
  }
  return std::nullopt;
}

std::optional<dist_message> parse_frame(std::string_view body, std::string& error) {
  if (body.empty() || body[0] != 'p') {
    error = body.empty() ? "empty frame"
                         : "frame type " + std::to_string(static_cast<unsigned char>(body[0])) +
                               " (only pass-through 'p' frames are spoken)";
    return std::nullopt;
  }
  body.remove_prefix(1);
  std::size_t used = 0;
  auto control = decode_term(body, error, &used);
  if (!control) {
    error = "control message: " + error;
    return std::nullopt;
  }
  auto t = control->get_if<tuple>();
  if (t == nullptr || t->elements.empty() || !t->elements[0].is<std::int64_t>()) {
    error = "control message is not a tuple starting with an integer";
    return std::nullopt;
  }
  dist_message msg{std::move(*control), std::nullopt, {}};
  body.remove_prefix(used);
  if (!body.empty()) {
    used = 0;
    auto payload = decode_term(body, error, &used);
    if (!payload && used == body.size()) {
      msg.unusable = error; // well-formed to its last byte, only not something plugnode holds
      return msg;
    }
    if (!payload) {
      error = "message: " + error;
      return std::nullopt;
    }
    if (used != body.size()) {
      error = "bytes after the message";
      return std::nullopt;
    }
    msg.payload = std::move(*payload);
  }
  return msg;
}

std::string make_frame(const term& control, const term* payload) {
  std::string body = "p" + encode_term(control);
  if (payload)
    body += encode_term(*payload);
  auto n = static_cast<std::uint32_t>(body.size());
  std::string frame{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                    static_cast<char>(n)};
  return frame + body;
}

term send_control(const pid& to) {
  return tuple_of(static_cast<std::int64_t>(dist_op::send), atom_of(""), to);
}

term reg_send_control(const pid& from, const std::string& name) {
  return tuple_of(static_cast<std::int64_t>(dist_op::reg_send), from, atom_of(""), atom_of(name));
}

term monitor_exit_control(const term& watched, const pid& watcher, const term& ref, const term& reason) {
  return tuple_of(static_cast<std::int64_t>(dist_op::monitor_exit), watched, watcher, ref, reason);
}

} // namespace plugnode::erlang::detail
