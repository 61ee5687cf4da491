// wire_handshake: the cookie challenge/response as raw bytes on a new TCP connection, before CAF's BASP sees
// a single byte of it. BASP has no authentication of its own, so a connection is only handed to CAF once
// both sides proved the cookie here; until then the peer can reach no actor at all.
//
// Frames: a 2-byte big-endian length, then that many bytes of '\n'-separated fields, the first always
// "plugnode-dist-2":
//   initiator -> responder   hello, initiator name
//   responder -> initiator   challenge, responder name, responder challenge
//   initiator -> responder   proof, initiator challenge, initiator proof
//   responder -> initiator   ok, responder proof                  (then both sides start BASP)
// Proofs are handshake_proof (handshake.hpp): HMAC-SHA256 under the cookie over both challenges and both
// names, with role labels. The dialler proves first, as in Erlang's distribution handshake: until its proof
// checks out, the listener has sent nothing but its name and a fresh random challenge, so a party without
// the cookie learns nothing it could test cookie guesses against offline (version 1 answered the hello with
// the listener's proof, which was such an oracle). docs/architecture.md says why the order is safe. This
// class is the state machine only; the caller moves the bytes, reading no more than wanted() at a time, so
// not one byte of the BASP stream that follows is consumed here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace plugnode::runtime::detail {

class wire_handshake {
public:
  enum class state { running, authenticated, refused };

  static wire_handshake initiator(std::string cookie, std::string own_name);
  static wire_handshake responder(std::string cookie, std::string own_name);

  // Bytes to send now; the caller takes them (and sends them before reading the next answer).
  std::string take_output();
  // How many bytes the handshake can use next: never more than the rest of the current frame; 0 when
  // it is over.
  std::size_t wanted() const;
  // Consumes received bytes (at most wanted()).
  void feed(std::string_view bytes);
  // The peer closed the connection (or it failed) before the handshake ended.
  void closed();

  state current() const { return state_; }
  // The peer's node name once it told it (empty before).
  const std::string& peer_name() const { return peer_name_; }
  // Why the connection was refused, for the log.
  const std::string& reason() const { return reason_; }
  // Refused because the peer's cookie proof was wrong (not for a malformed frame or a close): the listener
  // makes such a peer wait before it closes, so cookie guesses cost time.
  bool wrong_proof() const { return wrong_proof_; }

private:
  enum class step { await_hello, await_challenge, await_proof, await_ok, done };

  wire_handshake(std::string cookie, std::string own_name, step first);
  void on_frame(const std::string& body);
  void send(std::initializer_list<std::string_view> fields);
  void refuse(std::string why);
  void refuse_proof(std::string why);

  std::string cookie_;
  std::string own_name_;
  std::string peer_name_;
  std::string own_challenge_;
  std::string peer_challenge_;
  step step_;
  state state_ = state::running;
  std::string reason_;
  bool wrong_proof_ = false;
  std::string output_;
  std::string frame_; // the frame being received: its 2-byte header, then its body
};

} // namespace plugnode::runtime::detail
