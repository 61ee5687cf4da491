// The names of DNS errors; see dns_result.hpp.
#include "plugnode/discovery/dns_result.hpp"

namespace plugnode::discovery {

std::string_view to_string(dns_errc code) {
  switch (code) {
  case dns_errc::nxdomain: return "NXDOMAIN";
  case dns_errc::no_data: return "no records";
  case dns_errc::refused: return "refused";
  case dns_errc::server_failure: return "server failure";
  case dns_errc::timeout: return "timeout";
  case dns_errc::unreachable: return "unreachable";
  case dns_errc::malformed: return "malformed answer";
  case dns_errc::bad_name: return "bad name";
  }
  return "error";
}

} // namespace plugnode::discovery
