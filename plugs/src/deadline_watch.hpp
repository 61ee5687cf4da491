// deadline_watch: sends a 503 on a connection whose request handler is still running at its deadline.
// A handler runs on its HTTP worker thread, and no thread can be stopped from outside: a plug stuck in a
// blocking call would hold its client until it returned. The watch answers for it from its own thread,
// straight on the socket with `Connection: close`, and from then on the connection refuses the late
// handler's reads and writes, so the worker drops it once the plug returns. One slot per worker thread;
// arming and disarming take an uncontended lock, so the common path costs nothing measurable.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace plugnode::plugs {

class deadline_watch {
public:
  using clock = std::chrono::steady_clock;

  // The state of the connection one worker thread is serving.
  class slot {
  public:
    // Once answered, the connection belongs to nobody: the late handler's I/O must fail.
    bool answered() const { return answered_.load(std::memory_order_acquire); }

  private:
    friend class deadline_watch;
    mutable std::mutex mutex_;
    int socket_ = -1;
    bool armed_ = false;
    std::atomic<bool> answered_{false}; // written under mutex_, read without it on every read and write
    bool head_ = false;
    clock::time_point deadline_;
  };

  // Checks every `tick` (the precision of the 503's timing).
  explicit deadline_watch(std::chrono::milliseconds tick);
  ~deadline_watch();
  deadline_watch(const deadline_watch&) = delete;
  deadline_watch& operator=(const deadline_watch&) = delete;

  // On a worker thread: the slot of that thread, serving `socket` until detach().
  slot& attach(int socket);
  void detach(slot& s);
  // On the worker thread, around its handler. disarm() returns false when the 503 already went out.
  void arm(clock::time_point deadline, bool head_request);
  bool disarm();

private:
  void run();
  static void answer(slot& s);
  slot* current() const;

  const std::chrono::milliseconds tick_;
  const std::uint64_t id_; // tells this watch's thread-local slots from those of an earlier one
  std::mutex mutex_;
  std::condition_variable stopping_;
  bool stop_ = false;
  std::vector<std::unique_ptr<slot>> slots_;
  std::thread thread_;
};

} // namespace plugnode::plugs
