// body_file: a request body kept in an unlinked temporary file rather than in memory (what nginx calls
// client_body_temp_path): written by the connection as the body arrives, read by plugs through read_body()
// (read_body.hpp). The file has no name from the start (O_TMPFILE, or a name removed at once where the file
// system cannot), so nothing is left on disk whatever happens to the process, and its bytes are gone when
// it is closed: by the connection when the request ends, crashing plug included.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace plugnode::plugs {

class body_file {
public:
  // A new empty file in `directory`; throws std::runtime_error naming the directory when it cannot.
  static std::shared_ptr<body_file> create(const std::string& directory);
  ~body_file();
  body_file(const body_file&) = delete;
  body_file& operator=(const body_file&) = delete;

  // Appends `bytes`; false on a write error (the disk full), after which the file is unusable.
  bool append(std::string_view bytes);
  // Up to `max` bytes from `offset` (fewer at the end). Throws std::runtime_error once the file is closed
  // (a plug reading a request that has ended) or on a read error.
  std::string read(std::uint64_t offset, std::size_t max) const;
  // The same into `out`, whose capacity is reused.
  void read(std::uint64_t offset, std::size_t max, std::string& out) const;
  std::uint64_t size() const { return size_; }
  // Closes the descriptor; reads from now on throw. Safe against a read on another thread.
  void close();

private:
  explicit body_file(int fd) : fd_(fd) {}
  mutable std::mutex mutex_; // a read against the close: a plug may have kept the conn past its request
  int fd_;
  std::uint64_t size_ = 0;
};

} // namespace plugnode::plugs
