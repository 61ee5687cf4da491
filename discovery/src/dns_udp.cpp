// The UDP exchange of one DNS question; see dns_udp.hpp.
#include "dns_udp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace plugnode::discovery::detail {
namespace {

using clock = std::chrono::steady_clock;

// The largest UDP payload; a datagram this size cannot be cut short by the read.
constexpr std::size_t max_datagram = 65535;

struct socket_address {
  sockaddr_storage storage{};
  socklen_t size = 0;
};

// The server's socket address, or size 0 when its address is not an IP literal.
socket_address address_of(const nameserver& server) {
  socket_address out;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  if (::inet_pton(AF_INET, server.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(server.port);
    out.size = sizeof(sockaddr_in);
  } else if (::inet_pton(AF_INET6, server.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(server.port);
    out.size = sizeof(sockaddr_in6);
  }
  return out;
}

bool same_address(const socket_address& a, const sockaddr_storage& b) {
  if (a.storage.ss_family != b.ss_family)
    return false;
  if (b.ss_family == AF_INET) {
    auto& x = reinterpret_cast<const sockaddr_in&>(a.storage);
    auto& y = reinterpret_cast<const sockaddr_in&>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  auto& x = reinterpret_cast<const sockaddr_in6&>(a.storage);
  auto& y = reinterpret_cast<const sockaddr_in6&>(b);
  return x.sin6_port == y.sin6_port && std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
}

std::string text_of(const sockaddr_storage& from) {
  char host[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (from.ss_family == AF_INET) {
    auto& a = reinterpret_cast<const sockaddr_in&>(from);
    ::inet_ntop(AF_INET, &a.sin_addr, host, sizeof host);
    port = ntohs(a.sin_port);
  } else if (from.ss_family == AF_INET6) {
    auto& a = reinterpret_cast<const sockaddr_in6&>(from);
    ::inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host);
    port = ntohs(a.sin6_port);
  }
  return std::string(host) + ":" + std::to_string(port);
}

struct socket_closer {
  int fd;
  ~socket_closer() {
    if (fd >= 0)
      ::close(fd);
  }
};

} // namespace

std::uint16_t random_query_id() {
  std::uint16_t id = 0;
  // A predictable ID would let an off-path forger answer first: no randomness, no query.
  if (::getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id))
    throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
  return id;
}

std::string why_not_the_answer(const ldns_pkt* query, const ldns_pkt* answer) {
  if (!ldns_pkt_qr(answer))
    return "not a response";
  if (ldns_pkt_id(answer) != ldns_pkt_id(query))
    return "another query ID";
  const ldns_rr* asked = ldns_rr_list_rr(ldns_pkt_question(query), 0);
  const ldns_rr* echoed =
      ldns_pkt_qdcount(answer) == 1 ? ldns_rr_list_rr(ldns_pkt_question(answer), 0) : nullptr;
  if (echoed == nullptr || asked == nullptr || ldns_rr_get_type(echoed) != ldns_rr_get_type(asked) ||
      ldns_rr_get_class(echoed) != ldns_rr_get_class(asked) ||
      ldns_dname_compare(ldns_rr_owner(echoed), ldns_rr_owner(asked)) != 0)
    return "another question";
  return {};
}

packet_ptr answer_to(const ldns_pkt* query, const std::uint8_t* datagram, std::size_t size,
                     std::string& why) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, datagram, size) != LDNS_STATUS_OK || raw == nullptr) {
    why = "not a DNS message";
    return packet_ptr(nullptr, ldns_pkt_free);
  }
  packet_ptr answer(raw, ldns_pkt_free);
  why = why_not_the_answer(query, answer.get());
  if (!why.empty())
    answer.reset();
  return answer;
}

udp_reply ask_over_udp(const ldns_pkt* query, const nameserver& server, clock::time_point deadline) {
  udp_reply reply;
  auto to = address_of(server);
  if (to.size == 0) {
    reply.error = EAFNOSUPPORT;
    return reply;
  }
  std::uint8_t* wire = nullptr;
  std::size_t wire_size = 0;
  if (ldns_pkt2wire(&wire, query, &wire_size) != LDNS_STATUS_OK) {
    reply.error = EINVAL;
    return reply;
  }
  std::vector<std::uint8_t> out(wire, wire + wire_size);
  std::free(wire); // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
  // Bound to port 0, the socket gets a random ephemeral port from the kernel. It stays unconnected, as ldns's
  // and dig's: then an ICMP error (spoofable by anyone who guesses the port) cannot end the try either, a
  // server that is down is a timeout, and the filter below is the only one (so the tests exercise it).
  socket_closer s{::socket(to.storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  sockaddr_storage any{};
  any.ss_family = to.storage.ss_family;
  if (s.fd < 0 || ::bind(s.fd, reinterpret_cast<const sockaddr*>(&any), to.size) != 0 ||
      ::sendto(s.fd, out.data(), out.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&to.storage),
               to.size) != static_cast<ssize_t>(out.size())) {
    reply.error = errno;
    return reply;
  }
  std::vector<std::uint8_t> in(max_datagram);
  while (true) {
    auto now = clock::now();
    if (now >= deadline)
      return reply;
    // Rounded up: a wait cut short by truncation would end the try before its deadline.
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    pollfd p{s.fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
      reply.error = errno;
      return reply;
    }
    if (ready <= 0)
      continue;
    sockaddr_storage from{};
    socklen_t from_size = sizeof from;
    auto n = ::recvfrom(s.fd, in.data(), in.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_size);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        continue;
      reply.error = errno;
      return reply;
    }
    std::string why;
    if (!same_address(to, from))
      why = "from " + text_of(from) + ", not the server";
    else if ((reply.answer = answer_to(query, in.data(), static_cast<std::size_t>(n), why)))
      return reply;
    ++reply.ignored;
    reply.last_ignored = std::move(why);
  }
}

} // namespace plugnode::discovery::detail
