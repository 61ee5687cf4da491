// open_files: the process's open-files limit, which bounds how many HTTP connections a node can hold. A node
// raises its soft limit to the hard one at start-up (containers often start with 1024 soft and far more
// hard) and keeps the connection cap below it, so a flood of clients meets the cap, which is counted, rather
// than accept() failing for want of descriptors.
#pragma once

#include <cstddef>

namespace plugnode::app {

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit now in force.
std::size_t raise_open_files_limit();

// Descriptors kept back from HTTP connections for everything else (distribution, DNS, files, epoll).
constexpr std::size_t reserved_descriptors = 256;

// `wanted` connections, or as many as `open_files` leaves after the reserve (at least 1).
std::size_t connection_cap(std::size_t wanted, std::size_t open_files);

} // namespace plugnode::app
