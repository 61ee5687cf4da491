#include "plugnode/app/open_files.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace plugnode::app {

std::size_t raise_open_files_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
    return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0)
      limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? std::size_t{1} << 20 : static_cast<std::size_t>(limit.rlim_cur);
}

std::size_t connection_cap(std::size_t wanted, std::size_t open_files) {
  auto room = open_files > reserved_descriptors ? open_files - reserved_descriptors : 1;
  return std::max<std::size_t>(1, std::min(wanted, room));
}

} // namespace plugnode::app
