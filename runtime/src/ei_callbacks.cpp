// The wrapped callbacks of ei_callbacks.hpp.
#include "ei_callbacks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>
#include <vector>

extern "C" {
// Exported by libei, not declared in ei.h.
extern ei_socket_callbacks ei_default_socket_callbacks;
}

namespace plugnode::runtime::detail {
namespace {

// ERTS dist.hrl: DFLAG_DIST_MONITOR, DFLAG_DIST_MONITOR_NAME, DFLAG_SPAWN.
constexpr std::uint64_t added_flags = 0x08 | 0x20 | (std::uint64_t{1} << 32);
constexpr char name_or_challenge = 'N'; // version 6 send_name and challenge: 'N', 8 flag bytes, ...

int accept_noting_peer(void** ctx, void* addr, int* len, unsigned tmo) {
  int rc = ei_default_socket_callbacks.accept(ctx, addr, len, tmo);
  if (rc == 0 && addr != nullptr && *len >= static_cast<int>(sizeof(sockaddr_in))) {
    auto in = static_cast<const sockaddr_in*>(addr);
    char text[INET_ADDRSTRLEN] = "?";
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    last_accepted_peer() = std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
  }
  return rc;
}

// Handshake messages carry a 2-byte length first; only plugnode's own code writes after the handshake.
int write_adding_flags(void* ctx, const char* buf, ssize_t* len, unsigned tmo) {
  if (*len < 11 || buf[2] != name_or_challenge)
    return ei_default_socket_callbacks.write(ctx, buf, len, tmo);
  std::vector<char> copy(buf, buf + *len);
  for (int i = 0; i < 8; ++i)
    copy[static_cast<std::size_t>(3 + i)] |= static_cast<char>((added_flags >> (8 * (7 - i))) & 0xff);
  return ei_default_socket_callbacks.write(ctx, copy.data(), len, tmo);
}

ei_socket_callbacks make_callbacks() {
  ei_socket_callbacks callbacks = ei_default_socket_callbacks;
  callbacks.accept = accept_noting_peer;
  callbacks.write = write_adding_flags;
  callbacks.writev = nullptr; // every write through write_adding_flags

  return callbacks;
}

} // namespace

ei_socket_callbacks* plugnode_socket_callbacks() {
  static ei_socket_callbacks callbacks = make_callbacks();
  return &callbacks;
}

std::string& last_accepted_peer() {
  thread_local std::string peer;
  return peer;
}

} // namespace plugnode::runtime::detail
