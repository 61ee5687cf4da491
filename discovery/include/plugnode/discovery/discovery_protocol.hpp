// discovery_protocol: the messages the discovery actor answers, for the app's HTTP routes (/cluster,
// /readyz) and the remote shell (`discover`, `nslookup`). Replies are plain strings and booleans.
//
//   request                                           reply
//   (discover_atom)                                   std::string   polls now; the description after it
//   (cluster_atom)                                    std::string   the last answer as JSON
//   (cluster_view.hpp) (ready_atom)                                      bool          has had its first good
//   answer (nslookup_atom, std::string name, std::string type)  std::string   dig-style answer ("srv", "a",
//   "aaaa")
//
// Every request carries a finite timeout on the caller's side; `discover` and `nslookup` wait for DNS.
#pragma once

#include <caf/atom.hpp>

namespace plugnode::discovery {

using discover_atom = caf::atom_constant<caf::atom("discover")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using nslookup_atom = caf::atom_constant<caf::atom("nslookup")>;

} // namespace plugnode::discovery
