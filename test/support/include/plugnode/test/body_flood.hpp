// body_flood: clients that upload large bodies to an HTTP server, all on one thread, non-blocking: honest
// uploaders that send as fast as the server takes, and hogs that send most of a body fast and then one
// byte at a time, to hold the server's memory. Each body is a slice of one shared pattern, so the clients
// cost no memory per body, and each knows the answer a digest route gives for it ("length sha256hex").
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace plugnode::test {

// The SHA-256 of `data`, in lower-case hex.
std::string sha256_hex(std::string_view data);
// A route's answer for a body: its length and its SHA-256 ("1024 ab12...").
std::string body_digest(std::string_view body);
// The same for a body read in parts (a plug's read_body loop): `next_part` puts the next part into its
// argument (one string, reused) and says whether more follow.
std::string streamed_digest(const std::function<bool(std::string&)>& next_part);

struct upload_plan {
  std::string from;     // the client's 127.0.0.x source address
  std::size_t size = 0; // body bytes
  std::size_t seed = 0; // which slice of the pattern
  bool chunked = false; // chunked in 64 KB chunks, else Content-Length
  bool hog = false;     // sends 3/4 of the body fast, then one byte every `trickle`
  std::chrono::milliseconds trickle{500};
  std::string target = "/digest";
};

// body_digest of what an upload of `plan` sends.
std::string planned_digest(const upload_plan& plan);

class upload {
public:
  using clock = std::chrono::steady_clock;
  // Connects to 127.0.0.1:port from plan.from; throws std::runtime_error when it cannot.
  upload(std::uint16_t port, upload_plan plan);
  ~upload();
  upload(const upload&) = delete;
  upload& operator=(const upload&) = delete;

  const upload_plan& plan() const { return plan_; }
  bool done() const { return done_; }
  const std::string& answer() const { return answer_; } // what the server sent, whole
  int status() const;                                   // of the answer, 0 if none
  std::string answer_body() const;
  clock::duration answered_after() const { return answered_at_ - started_; }

private:
  friend void run_uploads(std::vector<std::unique_ptr<upload>>&, clock::time_point);
  bool pump(clock::time_point now); // false once the server will take no more
  bool wants_to_write() const { return !finished_sending_ && sent_ < hog_after_; }
  bool take_answer(); // true once the answer is whole or the connection closed

  upload_plan plan_;
  int fd_ = -1;
  std::size_t hog_after_;
  std::string framing_; // head or chunk framing not yet sent
  std::size_t sent_ = 0;
  std::size_t chunk_left_ = 0;
  bool last_chunk_ = false;
  bool finished_sending_ = false;
  bool done_ = false;
  clock::time_point next_trickle_;
  clock::time_point started_ = clock::now();
  clock::time_point answered_at_;
  std::string answer_;
};

// Runs the uploads until each has its answer (or its connection closed), or until `deadline`.
void run_uploads(std::vector<std::unique_ptr<upload>>& uploads, upload::clock::time_point deadline);

// This process's resident set, or another's (from /proc/PID/status), in bytes; 0 if unknown.
std::size_t rss_bytes(int pid = 0);

} // namespace plugnode::test
