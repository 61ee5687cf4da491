// The per-socket batch counters of io_batches.hpp.
#include "flow/io_batches.hpp"

#include <map>
#include <mutex>

namespace plugnode::runtime::detail {
namespace {

struct batch_table {
  std::mutex mutex;
  std::map<int, std::shared_ptr<io_batches>> by_fd;
};

batch_table& table() {
  static batch_table t;
  return t;
}

} // namespace

std::shared_ptr<io_batches> track_batches(int fd) {
  auto counters = std::make_shared<io_batches>();
  std::lock_guard<std::mutex> guard(table().mutex);
  table().by_fd[fd] = counters;
  return counters;
}

void untrack_batches(int fd) {
  std::lock_guard<std::mutex> guard(table().mutex);
  table().by_fd.erase(fd);
}

std::shared_ptr<io_batches> batches_of(int fd) {
  std::lock_guard<std::mutex> guard(table().mutex);
  auto i = table().by_fd.find(fd);
  return i == table().by_fd.end() ? nullptr : i->second;
}

} // namespace plugnode::runtime::detail
