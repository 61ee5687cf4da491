// describe: what `plugnode describe` prints, the effective configuration in operator terms: name, version,
// ports, discovery and checker settings, and where the cookie came from (never the cookie itself).
#pragma once

#include <string>

#include "plugnode/app/config.hpp"

namespace plugnode::app {

std::string describe(const config& cfg, const std::string& version);

} // namespace plugnode::app
