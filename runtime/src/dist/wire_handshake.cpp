// The byte-level cookie handshake; see wire_handshake.hpp for the frames.
#include "dist/wire_handshake.hpp"

#include <vector>

#include "plugnode/runtime/handshake.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime::detail {
namespace {

constexpr std::string_view magic = "plugnode-dist-2";
constexpr std::size_t header_size = 2;
// Names, challenges and proofs fit easily; a bound keeps an intruder from making the node buffer much.
constexpr std::size_t max_body = 1024;
constexpr const char* not_a_handshake = "refused a connection that does not speak the plugnode handshake";

std::vector<std::string> split(const std::string& body) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= body.size(); ++i)
    if (i == body.size() || body[i] == '\n') {
      fields.push_back(body.substr(start, i - start));
      start = i + 1;
    }
  return fields;
}

} // namespace

wire_handshake::wire_handshake(std::string cookie, std::string own_name, step first)
    : cookie_(std::move(cookie)), own_name_(std::move(own_name)), own_challenge_(make_challenge()),
      step_(first) {}

wire_handshake wire_handshake::initiator(std::string cookie, std::string own_name) {
  wire_handshake hs(std::move(cookie), std::move(own_name), step::await_challenge);
  hs.send({"hello", hs.own_name_});
  return hs;
}

wire_handshake wire_handshake::responder(std::string cookie, std::string own_name) {
  return wire_handshake(std::move(cookie), std::move(own_name), step::await_hello);
}

std::string wire_handshake::take_output() {
  return std::move(output_);
}

std::size_t wire_handshake::wanted() const {
  if (state_ != state::running)
    return 0;
  if (frame_.size() < header_size)
    return header_size - frame_.size();
  auto body = (static_cast<std::size_t>(static_cast<unsigned char>(frame_[0])) << 8) |
              static_cast<unsigned char>(frame_[1]);
  return header_size + body - frame_.size();
}

void wire_handshake::feed(std::string_view bytes) {
  if (state_ != state::running || bytes.size() > wanted())
    return refuse("more bytes than the handshake asked for");
  frame_.append(bytes);
  if (frame_.size() == header_size && (wanted() == 0 || wanted() > max_body))
    return refuse(not_a_handshake);
  // Checked as the bytes come, so that another protocol (a BASP client, say) is refused at once rather than
  // at the deadline, while the node waits for a frame length that was never meant as one.
  auto so_far = std::string_view(frame_).substr(std::min(frame_.size(), header_size));
  auto prefix = std::string(magic) + '\n';
  auto n = std::min(so_far.size(), prefix.size());
  if (so_far.substr(0, n) != std::string_view(prefix).substr(0, n))
    return refuse(not_a_handshake);
  if (frame_.size() > header_size && wanted() == 0) {
    auto body = frame_.substr(header_size);
    frame_.clear();
    on_frame(body);
  }
}

void wire_handshake::closed() {
  if (state_ != state::running)
    return;
  switch (step_) {
  case step::await_hello: refuse("a peer closed the connection without a handshake"); break;
  case step::await_proof:
    refuse("node " + peer_name_ + " closed the connection before authenticating (wrong cookie?)");
    break;
  case step::await_ok:
    refuse("node " + peer_name_ + " refused this node's cookie proof (wrong cookie?)");
    break;
  default: refuse("the connection closed during the handshake");
  }
}

void wire_handshake::on_frame(const std::string& body) {
  auto fields = split(body);
  if (fields.size() < 2 || fields[0] != magic)
    return refuse(not_a_handshake);
  const auto& kind = fields[1];
  switch (step_) {
  case step::await_hello: {
    if (kind != "hello" || fields.size() != 3)
      return refuse(not_a_handshake);
    auto name = node_name::parse(fields[2]);
    if (!name)
      return refuse("refused a handshake with a malformed node name");
    // A node never dials itself; a hello in this node's name could only be this node's own dial, reflected
    // back by a third party to have it prove the cookie to itself.
    if (name->to_string() == own_name_)
      return refuse("refused a handshake from a peer that calls itself this node");
    peer_name_ = name->to_string();
    send({"challenge", own_name_, own_challenge_}); // nothing derived from the cookie before the peer's proof
    step_ = step::await_proof;
    return;
  }
  case step::await_challenge: {
    if (kind != "challenge" || fields.size() != 4 || fields[3].empty())
      return refuse("a malformed handshake answer");
    if (fields[2] == own_name_)
      return refuse("refused a listener that calls itself this node");
    peer_name_ = fields[2];
    peer_challenge_ = fields[3];
    send({"proof", own_challenge_,
          handshake_proof(cookie_, handshake_role::initiator, peer_challenge_, own_challenge_, own_name_,
                          peer_name_)});
    step_ = step::await_ok;
    return;
  }
  case step::await_proof: {
    if (kind != "proof" || fields.size() != 4 || fields[2].empty())
      return refuse("a malformed handshake from node " + peer_name_);
    peer_challenge_ = fields[2];
    auto expected = handshake_proof(cookie_, handshake_role::initiator, own_challenge_, peer_challenge_,
                                    peer_name_, own_name_);
    if (!proofs_equal(expected, fields[3]))
      return refuse_proof("refused node " + peer_name_ + ": wrong cookie proof");
    send({"ok", handshake_proof(cookie_, handshake_role::responder, peer_challenge_, own_challenge_,
                                own_name_, peer_name_)});
    step_ = step::done;
    state_ = state::authenticated;
    return;
  }
  case step::await_ok: {
    if (kind != "ok" || fields.size() != 3)
      return refuse("a malformed handshake answer from node " + peer_name_);
    auto expected = handshake_proof(cookie_, handshake_role::responder, own_challenge_, peer_challenge_,
                                    peer_name_, own_name_);
    if (!proofs_equal(expected, fields[2]))
      return refuse_proof("refused node " + peer_name_ + ": its cookie proof is wrong (different cookie?)");
    step_ = step::done;
    state_ = state::authenticated;
    return;
  }
  case step::done: return;
  }
}

void wire_handshake::send(std::initializer_list<std::string_view> fields) {
  std::string body(magic);
  for (auto field : fields) {
    body += '\n';
    body.append(field);
  }
  output_ += static_cast<char>((body.size() >> 8) & 0xff);
  output_ += static_cast<char>(body.size() & 0xff);
  output_ += body;
}

void wire_handshake::refuse(std::string why) {
  state_ = state::refused;
  reason_ = std::move(why);
}

void wire_handshake::refuse_proof(std::string why) {
  refuse(std::move(why));
  wrong_proof_ = true;
}

} // namespace plugnode::runtime::detail
