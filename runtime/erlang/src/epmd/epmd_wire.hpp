// epmd_wire: the EPMD protocol's bytes (ERTS "Distribution Protocol", "EPMD Protocol"), shared by the two
// ends plugnode plays: the responder that answers for this node's name (epmd_responder.hpp) and the probe
// that asks a host's EPMD what a discovered name is (epmd_probe.hpp). Requests are `length:16, code, data`;
// every read and write here ends at a deadline, so a silent peer costs a bounded wait.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace plugnode::erlang::detail::epmd {

constexpr std::uint8_t port_please2_req = 122;
constexpr std::uint8_t port2_resp = 119;
constexpr std::uint8_t names_req = 110;
// Node types in ALIVE2 and PORT2_RESP: BEAM nodes (hidden or not) register as 77; C nodes (ei_publish uses
// 104, plugnode's responder 72) as hidden ones.
constexpr std::uint8_t normal_node = 77;
constexpr std::uint8_t hidden_node = 72;
constexpr std::uint8_t tcp_ipv4 = 0;
constexpr std::uint16_t highest_version = 6, lowest_version = 5;

using deadline = std::chrono::steady_clock::time_point;

void put16(std::string& out, std::uint16_t v);
// Exactly `n` bytes from the non-blocking socket `fd` by `until`; false on end of stream, error or deadline.
bool read_exact(int fd, char* out, std::size_t n, deadline until);
// All of `bytes` to the non-blocking socket `fd` by `until`; false if not.
bool write_all(int fd, const std::string& bytes, deadline until);

} // namespace plugnode::erlang::detail::epmd
