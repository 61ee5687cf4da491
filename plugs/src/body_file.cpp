#include "plugnode/plugs/body_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace plugnode::plugs {

std::shared_ptr<body_file> body_file::create(const std::string& directory) {
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
    // A file system without O_TMPFILE (some overlay and network ones): a named file, unlinked at once.
    std::string name = directory + "/plugnode-body.XXXXXX";
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0)
      ::unlink(name.c_str());
  }
  if (fd < 0)
    throw std::runtime_error("cannot create a temporary file for a request body in " + directory + ": " +
                             std::strerror(errno));
  return std::shared_ptr<body_file>(new body_file(fd));
}

body_file::~body_file() {
  close();
}

bool body_file::append(std::string_view bytes) {
  std::lock_guard lock(mutex_);
  while (!bytes.empty() && fd_ >= 0) {
    auto n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    size_ += static_cast<std::uint64_t>(n);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return fd_ >= 0;
}

std::string body_file::read(std::uint64_t offset, std::size_t max) const {
  std::string out;
  read(offset, max, out);
  return out;
}

void body_file::read(std::uint64_t offset, std::size_t max, std::string& out) const {
  std::lock_guard lock(mutex_);
  if (fd_ < 0)
    throw std::runtime_error("request body read after its request ended");
  auto available = size_ - std::min(offset, size_);
  out.resize(static_cast<std::size_t>(std::min<std::uint64_t>(max, available)));
  std::size_t got = 0;
  while (got < out.size()) {
    auto n = ::pread(fd_, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw std::runtime_error(std::string("cannot read a spooled request body: ") +
                               (n == 0 ? "the file is shorter than written" : std::strerror(errno)));
    got += static_cast<std::size_t>(n);
  }
}

void body_file::close() {
  std::lock_guard lock(mutex_);
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

} // namespace plugnode::plugs
