// The DNS client: our own UDP exchange (dns_udp.hpp) and search walk, ldns for the packets and for TCP; see
// dns_client.hpp.
#include "plugnode/discovery/dns_client.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>

#include <ldns/ldns.h>

#include "dns_udp.hpp"
#include "plugnode/runtime/host_resolver.hpp"

namespace plugnode::discovery {
namespace {

using detail::packet_ptr;
using rdf_ptr = std::unique_ptr<ldns_rdf, decltype(&ldns_rdf_deep_free)>;
using resolver_ptr = std::unique_ptr<ldns_resolver, decltype(&ldns_resolver_deep_free)>;

// Answers up to this size come over UDP (the DNS flag day's safe EDNS size); larger ones are truncated by
// the server and asked again over TCP.
constexpr std::uint16_t edns_udp_size = 1232;

std::string rdf_text(const ldns_rdf* rdf) {
  char* text = ldns_rdf2str(rdf);
  std::string out = text != nullptr ? text : "";
  std::free(text); // NOLINT(cppcoreguidelines-no-malloc): ldns allocates with malloc
  return out;
}

std::string type_name(ldns_rr_type type) {
  switch (type) {
  case LDNS_RR_TYPE_SRV: return "SRV";
  case LDNS_RR_TYPE_A: return "A";
  case LDNS_RR_TYPE_AAAA: return "AAAA";
  default: return std::to_string(static_cast<int>(type));
  }
}

// A truncated UDP answer is asked again over TCP through ldns, on a fresh resolver for each try: ldns marks a
// nameserver unreachable (RTT infinite) after one failed send and never asks it again on that resolver, so
// a long-lived one would stay deaf after a DNS outage. (UDP is ours: dns_udp.hpp says why.)
resolver_ptr tcp_resolver(const nameserver& server, std::chrono::milliseconds timeout) {
  resolver_ptr resolver(ldns_resolver_new(), ldns_resolver_deep_free);
  if (!resolver)
    return resolver;
  bool v6 = server.address.find(':') != std::string::npos;
  rdf_ptr address(ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, server.address.c_str()),
                  ldns_rdf_deep_free);
  if (!address || ldns_resolver_push_nameserver(resolver.get(), address.get()) != LDNS_STATUS_OK)
    return resolver_ptr(nullptr, ldns_resolver_deep_free);
  ldns_resolver_set_port(resolver.get(), server.port);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ldns_resolver_set_timeout(resolver.get(), tv);
  ldns_resolver_set_retry(resolver.get(), 1);   // retries are ours: one try per call
  ldns_resolver_set_retrans(resolver.get(), 0); // ldns would sleep() this many seconds after a failure
  ldns_resolver_set_usevc(resolver.get(), true);
  ldns_resolver_set_random(resolver.get(), false);
  return resolver;
}

dns_error error_for_rcode(ldns_pkt_rcode rcode, const std::string& what) {
  switch (rcode) {
  case LDNS_RCODE_NXDOMAIN: return {dns_errc::nxdomain, what + ": no such name"};
  case LDNS_RCODE_SERVFAIL: return {dns_errc::server_failure, what + ": SERVFAIL"};
  case LDNS_RCODE_REFUSED: return {dns_errc::refused, what + ": REFUSED"};
  case LDNS_RCODE_NOTIMPL: return {dns_errc::refused, what + ": NOTIMP"};
  case LDNS_RCODE_FORMERR: return {dns_errc::refused, what + ": FORMERR"};
  default: return {dns_errc::refused, what + ": rcode " + std::to_string(static_cast<int>(rcode))};
  }
}

// The question as a packet: recursion desired, EDNS with our UDP size, a fresh random ID.
packet_ptr make_query(const ldns_rdf* name, ldns_rr_type type) {
  packet_ptr query(ldns_pkt_query_new(ldns_rdf_clone(name), type, LDNS_RR_CLASS_IN, LDNS_RD), ldns_pkt_free);
  if (query) {
    ldns_pkt_set_id(query.get(), detail::random_query_id());
    ldns_pkt_set_edns_udp_size(query.get(), edns_udp_size);
  }
  return query;
}

// The truncated answer's question asked again over TCP: the answer must still be the reply to it.
dns_result<packet_ptr> ask_over_tcp(const nameserver& server, ldns_pkt* query,
                                    std::chrono::milliseconds timeout, const std::string& at) {
  auto resolver = tcp_resolver(server, timeout);
  if (!resolver)
    return dns_error{dns_errc::unreachable, at + ": cannot use nameserver " + server.to_string()};
  ldns_pkt* raw_answer = nullptr;
  ldns_status status = ldns_resolver_send_pkt(&raw_answer, resolver.get(), query);
  packet_ptr answer(raw_answer, ldns_pkt_free);
  if (status != LDNS_STATUS_OK || !answer)
    return dns_error{dns_errc::malformed,
                     at + ": truncated answer, and TCP gave none (" + ldns_get_errorstr_by_id(status) + ")"};
  if (auto why = detail::why_not_the_answer(query, answer.get()); !why.empty())
    return dns_error{dns_errc::malformed, at + ": the TCP answer does not match the question (" + why + ")"};
  return answer;
}

// One question, one nameserver, one try: UDP until the deadline, then TCP if the answer was truncated.
dns_result<packet_ptr> ask_once(const nameserver& server, const ldns_rdf* name, ldns_rr_type type,
                                std::chrono::milliseconds timeout, const std::string& what) {
  auto query = make_query(name, type);
  if (!query)
    return dns_error{dns_errc::bad_name, what + ": cannot build the query"};
  auto at = what + " at " + server.to_string();
  auto reply = detail::ask_over_udp(query.get(), server, std::chrono::steady_clock::now() + timeout);
  if (reply.error != 0)
    return dns_error{dns_errc::unreachable, at + ": " + std::strerror(reply.error)};
  if (!reply.answer) {
    auto why = at + ": no answer within " + std::to_string(timeout.count()) + " ms";
    if (reply.ignored > 0)
      why += " (ignored " + std::to_string(reply.ignored) + " datagram" + (reply.ignored == 1 ? "" : "s") +
             " that did not answer the question; the last: " + reply.last_ignored + ")";
    return dns_error{dns_errc::timeout, why};
  }
  auto answer = std::move(reply.answer);
  if (ldns_pkt_tc(answer.get())) {
    auto full = ask_over_tcp(server, query.get(), timeout, at);
    if (!full)
      return full.error();
    answer = std::move(full).value();
  }
  if (ldns_pkt_get_rcode(answer.get()) != LDNS_RCODE_NOERROR)
    return error_for_rcode(ldns_pkt_get_rcode(answer.get()), at);
  return answer;
}

bool transient(const dns_error& error) {
  return error.code == dns_errc::timeout || error.code == dns_errc::unreachable;
}

std::string strip_dot(std::string_view name) {
  if (!name.empty() && name.back() == '.')
    name.remove_suffix(1);
  return std::string(name);
}

template <class Record> using extractor = std::function<std::vector<Record>(const ldns_pkt*)>;

std::vector<address_record> extract_addresses(const ldns_rr_list* rrs, ldns_rr_type type,
                                              const ldns_rdf* owner = nullptr) {
  std::vector<address_record> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
    auto rr_type = ldns_rr_get_type(rr);
    bool wanted = type == LDNS_RR_TYPE_ANY ? (rr_type == LDNS_RR_TYPE_A || rr_type == LDNS_RR_TYPE_AAAA)
                                           : rr_type == type;
    if (!wanted || ldns_rr_rd_count(rr) < 1)
      continue;
    if (owner != nullptr && ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
      continue;
    out.push_back({rdf_text(ldns_rr_owner(rr)), ldns_rr_ttl(rr), rr_type == LDNS_RR_TYPE_AAAA,
                   rdf_text(ldns_rr_rdf(rr, 0))});
  }
  return out;
}

std::vector<srv_record> extract_srv(const ldns_pkt* packet) {
  std::vector<srv_record> out;
  const ldns_rr_list* rrs = ldns_pkt_answer(packet);
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(rrs); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(rrs, i);
    if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SRV || ldns_rr_rd_count(rr) < 4)
      continue;
    srv_record record;
    record.name = rdf_text(ldns_rr_owner(rr));
    record.ttl = ldns_rr_ttl(rr);
    record.priority = ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
    record.weight = ldns_rdf2native_int16(ldns_rr_rdf(rr, 1));
    record.port = ldns_rdf2native_int16(ldns_rr_rdf(rr, 2));
    record.target = rdf_text(ldns_rr_rdf(rr, 3));
    record.addresses = extract_addresses(ldns_pkt_additional(packet), LDNS_RR_TYPE_ANY, ldns_rr_rdf(rr, 3));
    out.push_back(std::move(record));
  }
  return out;
}

} // namespace

wire_records records_from_wire(const std::uint8_t* data, std::size_t size) {
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, size) != LDNS_STATUS_OK || raw == nullptr)
    return {};
  packet_ptr packet(raw, ldns_pkt_free);
  return {extract_srv(packet.get()), extract_addresses(ldns_pkt_answer(packet.get()), LDNS_RR_TYPE_ANY)};
}

dns_client::dns_client(resolver_config config) : config_(std::move(config)) {}

std::vector<std::string> dns_client::candidates(std::string_view name) const {
  if (name.empty())
    return {};
  if (name.back() == '.')
    return {std::string(name)};
  auto dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
  std::string as_is = std::string(name) + ".";
  std::vector<std::string> out;
  if (dots >= config_.ndots)
    out.push_back(as_is);
  for (const auto& domain : config_.search) {
    auto suffix = strip_dot(domain);
    if (!suffix.empty())
      out.push_back(std::string(name) + "." + suffix + ".");
  }
  if (dots < config_.ndots)
    out.push_back(as_is);
  return out;
}

namespace {

// Walks the search list: NXDOMAIN and "no records" move on to the next candidate (as glibc does); any other
// error stops the walk, since a server that fails must not read as "this name does not exist".
template <class Record>
dns_result<std::vector<Record>> lookup(const resolver_config& config, const std::vector<std::string>& names,
                                       std::string_view asked, ldns_rr_type type,
                                       const extractor<Record>& extract) {
  if (names.empty())
    return dns_error{dns_errc::bad_name, "empty name"};
  if (config.nameservers.empty())
    return dns_error{dns_errc::unreachable, "no nameserver configured"};
  bool any_no_data = false;
  for (const auto& fqdn : names) {
    auto what = type_name(type) + " " + fqdn;
    rdf_ptr name(ldns_dname_new_frm_str(fqdn.c_str()), ldns_rdf_deep_free);
    if (!name)
      return dns_error{dns_errc::bad_name, "'" + std::string(asked) + "' is not a valid DNS name"};
    std::optional<dns_result<packet_ptr>> reply;
    for (int attempt = 0; attempt < std::max(1, config.attempts); ++attempt) {
      for (const auto& server : config.nameservers) {
        reply.emplace(ask_once(server, name.get(), type, config.timeout, what));
        if (reply->ok() || !transient(reply->error()))
          break;
      }
      if (reply->ok() || !transient(reply->error()))
        break;
    }
    if (!reply->ok()) {
      if (reply->error().code == dns_errc::nxdomain)
        continue;
      return reply->error();
    }
    auto records = extract(reply->value().get());
    if (!records.empty())
      return records;
    any_no_data = true;
  }
  std::string tried;
  for (const auto& fqdn : names)
    tried += (tried.empty() ? "" : ", ") + fqdn;
  if (any_no_data)
    return dns_error{dns_errc::no_data, "no " + type_name(type) + " records for " + tried};
  return dns_error{dns_errc::nxdomain, type_name(type) + " " + tried + ": no such name"};
}

} // namespace

dns_result<std::vector<srv_record>> dns_client::srv(std::string_view name) const {
  return lookup<srv_record>(config_, candidates(name), name, LDNS_RR_TYPE_SRV, extract_srv);
}

dns_result<std::vector<address_record>> dns_client::a(std::string_view name) const {
  return lookup<address_record>(config_, candidates(name), name, LDNS_RR_TYPE_A, [](const ldns_pkt* p) {
    return extract_addresses(ldns_pkt_answer(p), LDNS_RR_TYPE_A);
  });
}

dns_result<std::vector<address_record>> dns_client::aaaa(std::string_view name) const {
  return lookup<address_record>(config_, candidates(name), name, LDNS_RR_TYPE_AAAA, [](const ldns_pkt* p) {
    return extract_addresses(ldns_pkt_answer(p), LDNS_RR_TYPE_AAAA);
  });
}

dns_result<std::vector<address_record>> dns_client::addresses(std::string_view name) const {
  auto v4 = a(name);
  auto v6 = aaaa(name);
  if (!v4 && !v6) {
    auto not_found = [](const dns_error& e) {
      return e.code == dns_errc::nxdomain || e.code == dns_errc::no_data;
    };
    return not_found(v4.error()) && !not_found(v6.error()) ? v6.error() : v4.error();
  }
  std::vector<address_record> out;
  for (const auto* part : {&v4, &v6})
    if (part->ok())
      out.insert(out.end(), part->value().begin(), part->value().end());
  return out;
}

dns_result<std::vector<std::string>> dns_client::resolve_host(std::string_view host) const {
  if (runtime::is_ip_address(std::string(host)))
    return std::vector<std::string>{std::string(host)};
  auto found = addresses(host);
  if (!found)
    return found.error();
  std::vector<std::string> out;
  for (const auto& record : found.value())
    out.push_back(record.address);
  return out;
}

} // namespace plugnode::discovery
