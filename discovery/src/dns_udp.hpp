// dns_udp: one DNS question to one nameserver over UDP, taking only the datagram that answers it.
// ldns 1.8.3's own UDP send takes the first datagram that reaches its socket, from anyone, and leaves the ID
// unchecked; here a datagram counts only when it comes from the server's address and port and carries the
// query's ID and question. Anything else is skipped and the wait goes on until the deadline, as dig does, so
// a stray or forged datagram can neither steer discovery nor fail a look-up. The query ID comes from the
// kernel's CSPRNG (getrandom) and the source port is a fresh kernel-chosen (randomised) port for every
// question, so an off-path forger has to guess both.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <ldns/ldns.h>

#include "plugnode/discovery/resolver_config.hpp"

namespace plugnode::discovery::detail {

using packet_ptr = std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)>;

// A query ID from the kernel's CSPRNG.
std::uint16_t random_query_id();

// Why `answer` does not answer `query`, empty when it does: not a response, another ID, or not exactly the
// query's question (name, type and class).
std::string why_not_the_answer(const ldns_pkt* query, const ldns_pkt* answer);

// `datagram` parsed when it is the answer to `query`; else null, with `why` set: not a DNS message, not a
// response, another ID, or not exactly the query's question (name, type and class).
packet_ptr answer_to(const ldns_pkt* query, const std::uint8_t* datagram, std::size_t size, std::string& why);

struct udp_reply {
  packet_ptr answer{nullptr, ldns_pkt_free}; // the one that answers the query; null when none came in time
  int error = 0;                             // errno of a socket call that failed
  std::size_t ignored = 0;                   // datagrams skipped for not answering the query
  std::string last_ignored;                  // why the last of them was skipped
};

// Sends `query` to `server` from a fresh socket on a random port and waits until `deadline` for its answer.
udp_reply ask_over_udp(const ldns_pkt* query, const nameserver& server,
                       std::chrono::steady_clock::time_point deadline);

} // namespace plugnode::discovery::detail
