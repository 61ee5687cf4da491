// The forging nameserver of discovery's tests; see hostile_dns.hpp.
#include "hostile_dns.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

#include <ldns/ldns.h>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {
namespace {

using packet_ptr = std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)>;

int udp_socket_on(const std::string& address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto at = ipv4_address(address, port);
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at) == 0)
    return fd;
  if (fd >= 0)
    ::close(fd);
  return -1;
}

std::string text(const ldns_rdf* rdf) {
  char* s = ldns_rdf2str(rdf);
  std::string out = s != nullptr ? s : "";
  std::free(s); // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
  return out;
}

void push(ldns_pkt* packet, ldns_pkt_section section, const std::string& record) {
  ldns_rr* rr = nullptr;
  if (ldns_rr_new_frm_str(&rr, record.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK)
    ldns_pkt_push_rr(packet, section, rr);
}

// The forged answer to `query` in wire format: its records name forged_address. Another question's name is
// the asked one under a `forged-question.` label; another ID is the query's plus one.
std::string forge(const ldns_pkt* query, dns_trick trick) {
  const ldns_rr* question = ldns_rr_list_rr(ldns_pkt_question(query), 0);
  auto name = text(ldns_rr_owner(question));
  if (trick == dns_trick::other_question)
    name = "forged-question." + name;
  auto type = ldns_rr_get_type(question);
  packet_ptr reply(ldns_pkt_query_new(ldns_dname_new_frm_str(name.c_str()), type, LDNS_RR_CLASS_IN,
                                      LDNS_QR | LDNS_AA | LDNS_RD | LDNS_RA),
                   ldns_pkt_free);
  auto id = ldns_pkt_id(query);
  ldns_pkt_set_id(reply.get(), trick == dns_trick::wrong_id ? static_cast<std::uint16_t>(id + 1) : id);
  if (type == LDNS_RR_TYPE_A) {
    push(reply.get(), LDNS_SECTION_ANSWER, name + " 60 IN A " + forged_address);
  } else if (type == LDNS_RR_TYPE_SRV) {
    const std::string target = "forged-0.app.default.svc.cluster.local.";
    push(reply.get(), LDNS_SECTION_ANSWER, name + " 60 IN SRV 0 10 4370 " + target);
    push(reply.get(), LDNS_SECTION_ADDITIONAL, target + " 60 IN A " + forged_address);
  } else {
    ldns_pkt_set_rcode(reply.get(), LDNS_RCODE_NXDOMAIN); // taken, it would fail the look-up
  }
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&wire, reply.get(), &size) != LDNS_STATUS_OK)
    return {};
  std::string out(reinterpret_cast<char*>(wire), size);
  std::free(wire); // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
  return out;
}

// The real server's answer to `query`, or nothing within 2 s.
std::string ask(const discovery::nameserver& server, const std::string& query) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  auto to = ipv4_address(server.address, server.port);
  std::string answer(65535, '\0');
  ssize_t n = -1;
  pollfd p{fd, POLLIN, 0};
  if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
      ::send(fd, query.data(), query.size(), 0) == static_cast<ssize_t>(query.size()) &&
      ::poll(&p, 1, 2000) == 1)
    n = ::recv(fd, answer.data(), answer.size(), 0);
  if (fd >= 0)
    ::close(fd);
  answer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return answer;
}

} // namespace

hostile_dns::hostile_dns(std::string address, dns_trick trick, std::optional<discovery::nameserver> real)
    : address_(std::move(address)), trick_(trick), real_(std::move(real)) {
  for (int tries = 0; tries < 50 && other_socket_ < 0; ++tries) {
    port_ = free_port(address_);
    socket_ = udp_socket_on(address_, port_);
    if (socket_ < 0)
      continue;
    other_socket_ = trick_ == dns_trick::other_address ? udp_socket_on("127.0.0.1", port_)
                    : trick_ == dns_trick::other_port  ? udp_socket_on(address_, 0)
                                                       : ::dup(socket_);
    if (other_socket_ < 0) {
      ::close(socket_);
      socket_ = -1;
    }
  }
  if (other_socket_ < 0)
    throw std::runtime_error("hostile_dns: no free UDP port on " + address_);
  thread_ = std::thread([this] { run(); });
}

hostile_dns::~hostile_dns() {
  stop_ = true;
  thread_.join();
  ::close(socket_);
  ::close(other_socket_);
}

discovery::resolver_config hostile_dns::resolver(std::chrono::milliseconds timeout) const {
  discovery::resolver_config config;
  config.nameservers = {address()};
  config.timeout = timeout;
  config.attempts = 1;
  return config;
}

std::vector<hostile_dns::query> hostile_dns::queries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queries_;
}

void hostile_dns::run() {
  std::string query(65535, '\0');
  while (!stop_) {
    pollfd p{socket_, POLLIN, 0};
    if (::poll(&p, 1, 50) != 1)
      continue;
    sockaddr_storage client{};
    socklen_t client_size = sizeof client;
    auto n = ::recvfrom(socket_, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&client),
                        &client_size);
    if (n > 0)
      answer(query.substr(0, static_cast<std::size_t>(n)), &client, client_size);
  }
}

void hostile_dns::answer(const std::string& query, const void* client, unsigned client_size) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, reinterpret_cast<const std::uint8_t*>(query.data()), query.size()) !=
          LDNS_STATUS_OK ||
      raw == nullptr)
    return;
  packet_ptr parsed(raw, ldns_pkt_free);
  if (ldns_pkt_qdcount(parsed.get()) != 1)
    return;
  auto to = static_cast<const sockaddr*>(client);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto port = ntohs(reinterpret_cast<const sockaddr_in*>(to)->sin_port);
    queries_.push_back({port, ldns_pkt_id(parsed.get()), ldns_pkt_edns_udp_size(parsed.get())});
  }
  // The forgery first: on loopback it arrives before the real answer, so a client that took the first
  // datagram it saw would take it.
  auto forgery = forge(parsed.get(), trick_);
  if (::sendto(other_socket_, forgery.data(), forgery.size(), 0, to, client_size) > 0)
    ++forged_;
  if (!real_)
    return;
  auto real = ask(*real_, query);
  if (!real.empty())
    (void)::sendto(socket_, real.data(), real.size(), 0, to, client_size);
}

} // namespace plugnode::test
