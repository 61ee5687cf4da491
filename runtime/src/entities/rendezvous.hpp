// rendezvous: the owner of a key among hosts by highest random weight. Every node computes the same owner
// from the same hosts (the hash is the runtime's own, not std::hash, so it does not depend on the build), and
// adding or removing one host moves only the keys that host wins or held.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace plugnode::runtime::detail {

std::uint64_t rendezvous_weight(const std::string& type, const std::string& key, const std::string& host);

// The index in `hosts` of the owner of (type, key); -1 when there are none.
int rendezvous_owner(const std::string& type, const std::string& key, const std::vector<std::string>& hosts);

} // namespace plugnode::runtime::detail
