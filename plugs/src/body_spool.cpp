#include "body_spool.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace plugnode::plugs {

spool_disk::spool_disk(spool_options options, std::atomic<std::int64_t>& held_now,
                       std::atomic<std::int64_t>& held_peak, std::atomic<std::uint64_t>& full)
    : options_(std::move(options)), held_now_(held_now), held_peak_(held_peak), full_(full) {
  if (options_.directory.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    options_.directory = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
}

void spool_disk::check() const {
  body_file::create(options_.directory)->close();
}

spool_disk::room spool_disk::reserve(const std::string& address, std::uint64_t bytes,
                                     std::uint64_t body_holds) {
  std::int64_t now = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (held_ + bytes > options_.disk)
      return room::full;
    auto mine = held_by_.find(address);
    if (mine != held_by_.end() && mine->second > body_holds && mine->second + bytes > options_.disk / 4)
      return room::address_share;
    held_ += bytes;
    held_by_[address] += bytes;
    now = static_cast<std::int64_t>(held_);
  }
  held_now_.fetch_add(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
  for (auto peak = held_peak_.load(std::memory_order_relaxed);
       now > peak && !held_peak_.compare_exchange_weak(peak, now, std::memory_order_relaxed);) {
  }
  return room::taken;
}

void spool_disk::release(const std::string& address, std::uint64_t bytes) {
  if (bytes == 0)
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    held_ -= bytes;
    if (auto mine = held_by_.find(address); mine != held_by_.end() && (mine->second -= bytes) == 0)
      held_by_.erase(mine);
  }
  held_now_.fetch_sub(static_cast<std::int64_t>(bytes), std::memory_order_relaxed);
}

std::uint64_t spool_disk::held_by(const std::string& address) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto mine = held_by_.find(address);
  return mine == held_by_.end() ? 0 : mine->second;
}

void spool_disk::note_full(bool first) {
  if (first)
    ++full_;
  last_full_.store(clock::now().time_since_epoch().count(), std::memory_order_relaxed);
}

std::optional<request_error> body_spool::start(request_parser& p, spool_disk& disk) {
  try {
    file_ = body_file::create(disk.options().directory);
  } catch (const std::exception& e) {
    return request_error{503, e.what()};
  }
  p.request().spooled = file_;
  return std::nullopt;
}

body_spool::step body_spool::keep(request_parser& p, spool_disk& disk, std::size_t held,
                                  const std::string& address) {
  auto needed = p.body_needed();
  if (!file_ && needed <= disk.options().threshold)
    return {};
  if (reserved_ == 0)
    address_ = address;
  if (needed > reserved_) {
    auto room = disk.reserve(address_, needed - reserved_, reserved_);
    if (room != spool_disk::room::taken) {
      auto full = room == spool_disk::room::full;
      if (full) {
        disk.note_full(!found_full_);
        found_full_ = true;
      }
      // Not spooled yet: the body stays in memory, where the body buffer bounds it (it waits for room
      // there like any body, then 503); it is spooled once the disk has room. Its bytes already in the file
      // cannot come back to memory: 503.
      if (!file_)
        return {};
      return {request_error{503, full ? "no room left among spooled request bodies (" +
                                            std::to_string(disk.options().disk) + " bytes)"
                                      : "this address holds its share of spooled request bodies (" +
                                            std::to_string(disk.options().disk / 4) + " bytes)"}};
    }
  }
  reserved_ = std::max(reserved_, needed);
  step done;
  if (!file_) {
    if (auto refusal = start(p, disk))
      return {refusal};
    // The body held what it grew to in memory (a chunked body, or one kept there while the disk was full);
    // from now on it holds only the buffer.
    done.memory_freed = held > buffer ? held - buffer : 0;
  }
  auto& body = p.request().body;
  if (!body.empty() && !file_->append(body))
    return {request_error{503, "cannot write a request body to " + disk.options().directory}};
  body.clear();
  if (done.memory_freed > 0) {
    std::string().swap(body);
    p.allow_body(buffer);
  }
  return done;
}

void body_spool::end(spool_disk& disk) {
  if (file_) {
    file_->close();
    file_.reset();
  }
  disk.release(address_, reserved_);
  reserved_ = 0;
  found_full_ = false;
}

} // namespace plugnode::plugs
