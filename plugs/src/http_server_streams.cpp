// The HTTP server's streaming responses (response_stream.hpp): a connection whose plug answered with a stream
// waits for the plug, holding no thread; the owner writes what the plug sent, and the client's leaving or a
// stop ends it.
#include "http_server.hpp"

#include <sys/socket.h>

#include <algorithm>

#include "plugnode/plugs/http_fields.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::plugs {

// On the owner, once the head is rendered (not yet written): from now on the connection waits for the plug.
void http_server::start_stream(http_connection& c, http_response& response) {
  auto index = c.index;
  auto generation = c.generation();
  auto fd = c.fd;
  c.stream = std::make_shared<response_stream>(
      options_.stream_buffer, [this, index, generation, fd] { wake_stream(index, generation, fd); });
  c.stream_chunked = response.chunked;
  c.close_after_write = false;
  set_phase(c, conn_phase::streaming);
  {
    std::lock_guard lock(streams_mutex_);
    streams_[index] = c.stream;
  }
  try {
    response.open_stream(c.stream);
  } catch (const std::exception& e) {
    runtime::logger().error("http: opening a response stream failed: {}", e.what());
    c.stream->close();
  }
  if (stopping_) // after registering: a stop either saw this stream or is seen here
    c.stream->close();
}

// The owner's turn on a streaming connection: the client's end, then whatever the plug sent since.
http_server::next http_server::stream_turn(http_connection& c) {
  // The client has nothing more to say on this connection, whose end the stream decides: what it sends is
  // dropped, and its leaving ends the stream.
  c.in.clear();
  char sink[4096];
  while (!c.peer_closed) {
    auto n = ::recv(c.fd, sink, sizeof sink, 0);
    if (n == 0)
      c.peer_closed = true;
    else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    else if (n < 0 && errno != EINTR)
      return next::close;
  }
  c.unread = false;
  if (c.peer_closed)
    return next::close; // close() drops the stream: the plug's on_close runs here
  while (true) {
    if (c.out_sent == c.out.size()) { // what the client has not taken bounds what is taken from the stream
      auto state = c.stream->take(c.stream_chunks);
      if (state == response_stream::state::dropped)
        return next::close;
      for (auto& chunk : c.stream_chunks) {
        if (c.stream_chunked)
          append_chunk(chunk, c.out);
        else
          c.out.append(chunk);
      }
      c.stream_chunks.clear();
      if (state == response_stream::state::finished) {
        if (c.stream_chunked)
          c.out.append("0\r\n\r\n");
        [[maybe_unused]] auto none = end_stream(c); // it has ended: no on_close left to run
        c.close_after_write = true;
        set_phase(c, conn_phase::writing);
        return flush(c);
      }
      if (c.out.empty())
        return next::read;
    }
    auto wanted = flush(c);
    if (wanted != next::read)
      return wanted;
  }
}

// On a plug's thread, under the stream's lock (so the connection has not closed, and `fd` is still its
// own): the owner, if there is one, goes round once more; else the socket is armed for its loop to come.
void http_server::wake_stream(std::uint32_t index, std::uint32_t generation, int fd) {
  if (slots_[index]->notify(generation))
    arm_at_once(slots_[index]->loop, fd, (static_cast<std::uint64_t>(generation) << 32) | index);
}

// The stream lets go of the connection; returns the plug's on_close if the stream was still open.
std::function<void()> http_server::end_stream(http_connection& c) {
  {
    std::lock_guard lock(streams_mutex_);
    streams_.erase(c.index);
  }
  auto on_close = c.stream->drop();
  c.stream.reset();
  c.stream_chunks.clear();
  c.stream_blocked.store(false, std::memory_order_relaxed);
  return on_close;
}

} // namespace plugnode::plugs
