// body_spool: request bodies larger than a threshold go to an unlinked temporary file (body_file.hpp) as
// they arrive, rather than into memory, as nginx spools to client_body_temp_path: a spooled body holds one
// read's worth of the node's body budget (body_budget.hpp), not its size, and the plug reads it in parts
// (read_body.hpp). Smaller bodies stay in memory as before. What all spooled bodies hold on disk together
// is bounded node-wide (spool_disk): a body that finds no room there stays in memory, bounded by the body
// budget like any other (so a disk full of slow uploads costs others a wait, not an answer), until the disk
// has room; a spooled body that cannot grow on disk gets 503. No client address holds more than a quarter
// of the disk (an address holding nothing may still spool one body larger than that), so one address
// uploading slowly cannot fill the disk for everyone; past its share its bodies are treated as if the disk
// were full, without counting as full for others. The file is closed, and its disk bytes given back, when
// the request ends, however it ends.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "plugnode/plugs/body_file.hpp"
#include "plugnode/plugs/request_parser.hpp"

namespace plugnode::plugs {

struct spool_options {
  std::size_t threshold = std::size_t{1} << 20; // a body larger than this is spooled
  std::string directory = {};                   // empty: $TMPDIR, else /tmp
  std::size_t disk = std::size_t{1} << 30;      // bytes all spooled bodies hold at once
};

// The node's side: where spool files go and the disk bytes they may hold together.
class spool_disk {
public:
  using clock = std::chrono::steady_clock;
  // `held_now`, `held_peak` and `full` (bodies that found no room) are for /metrics.
  spool_disk(spool_options options, std::atomic<std::int64_t>& held_now, std::atomic<std::int64_t>& held_peak,
             std::atomic<std::uint64_t>& full);

  // Creates and closes one file, so a directory that cannot hold them stops the start-up rather than the
  // first large upload; throws std::runtime_error naming the directory.
  void check() const;
  const spool_options& options() const { return options_; }
  enum class room { taken, address_share, full };
  // `bytes` more for a body of `address` that holds `body_holds` already: past the address's share only if
  // the address holds nothing but this body.
  room reserve(const std::string& address, std::uint64_t bytes, std::uint64_t body_holds);
  void release(const std::string& address, std::uint64_t bytes);
  std::uint64_t held_by(const std::string& address) const;
  // A body found no room on disk (`first`: the first time for this body, counted): for the next second the
  // sweeper answers the slowest spooled holder first, as it does for bodies waiting for memory.
  void note_full(bool first);
  bool full_since(clock::rep ticks) const { return last_full_.load(std::memory_order_relaxed) >= ticks; }

private:
  spool_options options_;
  mutable std::mutex mutex_;
  std::uint64_t held_ = 0;
  std::unordered_map<std::string, std::uint64_t> held_by_; // addresses holding something
  std::atomic<clock::rep> last_full_{0};
  std::atomic<std::int64_t>& held_now_;
  std::atomic<std::int64_t>& held_peak_;
  std::atomic<std::uint64_t>& full_;
};

// One connection's side: the body of its current request, once spooled.
class body_spool {
public:
  // What a spooled body holds in memory: its decoded bytes since the last move to the file, at most one
  // turn's read of the connection (64 KB), so moved out after each feed the parser never stops short of it.
  static constexpr std::size_t buffer = 64 * 1024;

  struct step {
    std::optional<request_error> refusal; // answer it and close
    std::size_t memory_freed = 0;         // of the body budget the body held, now not needed
  };
  // After each feed of `p` in a request's body: spools a body that has outgrown the threshold (its
  // Content-Length at once, a chunked body once its chunks pass it) if the disk has room for it, reserves
  // the disk it needs in the name of the client's `address`, and moves what the parser decoded into the
  // file. `held`: what the body holds of the body budget.
  step keep(request_parser& p, spool_disk& disk, std::size_t held, const std::string& address);
  // The budget bytes the body needs for its next part.
  std::uint64_t memory_needed(const request_parser& p) const { return file_ ? buffer : p.body_needed(); }
  // The request is over: the file is closed (a plug still holding it can read no more), its disk is free.
  void end(spool_disk& disk);

private:
  std::optional<request_error> start(request_parser& p, spool_disk& disk);

  std::shared_ptr<body_file> file_;
  std::string address_; // whose share reserved_ is
  std::uint64_t reserved_ = 0;
  bool found_full_ = false;
};

} // namespace plugnode::plugs
