// response_stream: a response whose body is produced after the pipeline returned, piece by piece (server-sent
// events, a live feed). A plug starts one with send_stream(conn, status, on_open): the head goes out at once
// (chunked transfer encoding, Connection: close), and on_open gets the shared handle through which any thread
// sends the body's chunks later. While it waits the stream holds a connection (counted against the cap) and
// no thread; the request deadline and the idle clock do not apply to it.
//
// What is sent but not yet taken by the client is bounded (`stream_buffer`, 1 MB by default): a send that
// would pass the bound drops the client instead (its connection is closed without the final chunk, so it
// sees an incomplete response rather than a silent gap, and an EventSource reconnects). A client that takes
// nothing for `write_timeout` while bytes wait is dropped the same way.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace plugnode::plugs {

struct conn;

class response_stream {
public:
  // How a stream ended, as the transport sees it. finished: closed by the plug or by the server's stop (the
  // body ends with its final chunk); dropped: the client left or was too slow (no final chunk).
  enum class state { open, finished, dropped };

  // The transport's side (the connection layer, the test harness). `wake` is called, under the stream's
  // lock, whenever there is something new to take; it must not block.
  response_stream(std::size_t max_queued, std::function<void()> wake);
  response_stream(const response_stream&) = delete;
  response_stream& operator=(const response_stream&) = delete;

  // Queues one chunk of the body. False once the stream has ended, or when this chunk would pass the bound
  // (the client is then dropped and the stream ends). An empty chunk sends nothing (in chunked encoding it
  // would end the body) and returns is_open().
  bool send(std::string_view chunk);
  // Ends the body cleanly: what was sent still goes out, then the final chunk, then the connection closes.
  void close();
  bool is_open() const;
  // Runs once when the stream ends, whatever ended it, on the thread that ended it (a plug's close, the
  // connection's loop when the client left, the stop); at once if it has ended already. Outside the stream's
  // lock, so it may call send (false) or close (nothing). The last callback given wins.
  void on_close(std::function<void()> callback);

  // The transport takes what was sent (appended to `chunks`) and learns whether the stream ended.
  state take(std::deque<std::string>& chunks);
  // The transport ends the stream from its side (the client left, the connection closed): no more wakes.
  // Returns the plug's on_close callback if this ended the stream: the transport runs it once it is done
  // with the connection (so a plug told its client left can count on the connection's place being free).
  [[nodiscard]] std::function<void()> drop();

private:
  std::function<void()> end(state how);

  mutable std::mutex mutex_;
  const std::size_t max_queued_;
  std::function<void()> wake_;
  std::deque<std::string> queued_;
  std::size_t queued_bytes_ = 0;
  state state_ = state::open;
  std::function<void()> on_close_;
};

using stream_opened = std::function<void(std::shared_ptr<response_stream>)>;

// Sends the response head with `status` and the headers set on `c` (Content-Type is the plug's to choose,
// e.g. "text/event-stream" with "cache-control: no-cache" for server-sent events), runs the before-send
// callbacks and halts `c`, as send_resp does. Once the pipeline has returned and the head is on its way,
// `on_open` runs once on the server's thread with the stream (keep the handle; do not block in it). It does
// not run for a HEAD request, nor when the pipeline missed its deadline; while the server stops, the
// stream is closed right after on_open returns.
void send_stream(conn& c, int status, stream_opened on_open);

} // namespace plugnode::plugs
