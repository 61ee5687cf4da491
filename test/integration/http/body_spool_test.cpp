// Large request bodies over real sockets: spooled to an unlinked temporary file and read by the plug in
// parts (read_body), intact and without the node holding them in memory; the file closed when a plug
// crashes mid-read; the disk budget (a body that finds no room on disk is read into memory instead); and one
// client address kept to its share of the body buffer while clients from other addresses are served.
#include <catch2/catch.hpp>
#include <dirent.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "plugnode/plugs/read_body.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/test/body_flood.hpp"
#include "plugnode/test/process.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::body_digest;
using plugnode::test::metric;
using plugnode::test::raw_connection;
using plugnode::test::served;
using plugnode::test::status_of;

namespace {

// This process's open descriptors, and those of them that are files without a name (spooled bodies).
struct descriptors {
  std::size_t open = 0;
  std::size_t unnamed_files = 0;
};

descriptors count_descriptors() {
  descriptors d;
  auto* dir = ::opendir("/proc/self/fd");
  while (auto* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.')
      continue;
    ++d.open;
    char target[512];
    auto n = ::readlinkat(::dirfd(dir), entry->d_name, target, sizeof target - 1);
    if (n > 0 && std::string(target, static_cast<std::size_t>(n)).find("(deleted)") != std::string::npos)
      ++d.unnamed_files;
  }
  ::closedir(dir);
  return d;
}

std::string post(const std::string& target, std::size_t length, const std::string& from_body = {}) {
  return "POST " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n" +
         from_body;
}

// `body` in chunks of `chunk` bytes.
std::string chunked(const std::string& body, std::size_t chunk) {
  std::string out;
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    auto part = body.substr(at, chunk);
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    out.append(size).append(part).append("\r\n");
  }
  return out + "0\r\n\r\n";
}

// What the process may grow by while an 8 MB body is spooled and read: the sanitizer build keeps freed
// memory in quarantine (what a chunked body held growing to the threshold, the read buffers), so there only
// less than the body itself.
#ifdef __SANITIZE_ADDRESS__
constexpr std::size_t rss_growth_bound = std::size_t{7} << 20;
#else
constexpr std::size_t rss_growth_bound = std::size_t{3} << 20;
#endif

std::string pattern(std::size_t size) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    body[i] = static_cast<char>((i * 7919 + i / 4096) & 0xff);
  return body;
}

// POST /digest answering each body's digest, counting the bodies that came spooled and in memory.
struct bodies_seen {
  std::atomic<int> spooled{0}, in_memory{0};
  router routes() {
    router r;
    r.post("/digest", [this](conn& c) {
      ++(c.spooled_body ? spooled : in_memory);
      plugnode::test::answer_digest(c);
    });
    return r;
  }
};

} // namespace

TEST_CASE("an 8 MB upload is spooled, read by the plug in parts, arrives intact and does not cost its size "
          "in memory",
          "[body_spool]") {
  std::atomic<std::size_t> rss_peak{0};
  std::atomic<std::size_t> spooled{0};
  router r;
  r.post("/digest", [&](conn& c) {
    spooled += c.spooled_body != nullptr && c.body.empty();
    rss_peak = std::max(rss_peak.load(), plugnode::test::rss_bytes());
    plugnode::test::answer_digest(c);
    rss_peak = std::max(rss_peak.load(), plugnode::test::rss_bytes());
  });
  served server(r);
  // Built before the baseline and sent head first, so that the client's copies are not what is measured.
  auto body = pattern(std::size_t{8} << 20);
  auto framed = chunked(body, 100000);
  auto expected = body_digest(body);
  ::malloc_trim(0);
  auto rss_before = plugnode::test::rss_bytes();

  SECTION("with a Content-Length") {
    raw_connection client(server.port(), "127.0.0.30");
    client.send(post("/digest", body.size()));
    client.send(body);
    auto answer = client.read_responses(1, 10s).response;
    CHECK(status_of(answer) == 200);
    CHECK(answer.find(expected) != std::string::npos);
  }
  SECTION("chunked: in memory up to the threshold, then spooled") {
    raw_connection client(server.port(), "127.0.0.31");
    client.send("POST /digest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    client.send(framed);
    auto answer = client.read_responses(1, 10s).response;
    CHECK(status_of(answer) == 200);
    CHECK(answer.find(expected) != std::string::npos);
    // Past the threshold it holds only the spool's buffer; at most it held the threshold's worth, doubled.
    CHECK(metric(server, "plugnode_http_body_buffer_peak_bytes") <= 2 << 20);
  }
  CHECK(spooled == 1);
  CHECK(metric(server, "plugnode_http_body_spool_peak_bytes") == static_cast<double>(body.size()));
  CHECK(metric(server, "plugnode_http_body_spool_bytes") == 0);
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == 0);
  // The body in memory would be 8 MB more (and the whole-string read another 8).
  auto grew = rss_peak - std::min(rss_peak.load(), rss_before);
  WARN("RSS " << (rss_before >> 10) << " KB before, peak " << (rss_peak >> 10) << " KB while the plug read");
  // Not under ThreadSanitizer, whose shadow memory grows with every byte touched, the client's 8 MB too (the
  // budget's and the spool's peaks, checked above, are the bound there).
#ifndef __SANITIZE_THREAD__
  CHECK(grew < rss_growth_bound);
#else
  (void)grew;
#endif
}

TEST_CASE("a plug that crashes while reading a spooled body gets its 500, and the temporary file is closed",
          "[body_spool]") {
  std::atomic<std::size_t> unnamed_while_reading{0};
  router r;
  r.post("/crash", [&](conn& c) {
    unnamed_while_reading = count_descriptors().unnamed_files;
    auto part = read_body(c, 64 * 1024);
    REQUIRE(part.more);
    throw std::runtime_error("the plug fails half-way through the upload");
  });
  served server(r);
  auto body = pattern(std::size_t{2} << 20);
  auto before = count_descriptors();
  for (int i = 0; i < 3; ++i) {
    raw_connection client(server.port(), "127.0.0.40");
    client.send(post("/crash", body.size(), body));
    CHECK(status_of(client.read_responses(1, 5s).response) == 500);
    CHECK(unnamed_while_reading == before.unnamed_files + 1);
  }
  // The clients are gone; once the server has closed their connections, every descriptor is back.
  auto after = count_descriptors();
  for (int i = 0; i < 100 && after.open != before.open; ++i) {
    std::this_thread::sleep_for(20ms);
    after = count_descriptors();
  }
  CHECK(after.open == before.open);
  CHECK(after.unnamed_files == before.unnamed_files);
  CHECK(metric(server, "plugnode_http_body_spool_bytes") == 0);
}

TEST_CASE(
    "spooled bodies hold no more disk than the disk budget, and a body that finds no room there is read "
    "into memory instead, and spooled again once there is room",
    "[body_spool]") {
  bodies_seen seen;
  endpoint_options options;
  options.body_disk = std::size_t{3} << 20;
  served server(seen.routes(), options);
  auto body = pattern(std::size_t{2} << 20);

  raw_connection holder(server.port(), "127.0.0.50");
  holder.send(post("/digest", body.size(), body.substr(0, body.size() / 2)));
  CHECK(plugnode::test::eventually(
      [&] { return metric(server, "plugnode_http_body_spool_bytes") == static_cast<double>(body.size()); },
      2s));
  // No room on disk beside the holder: this one is held in memory (the body buffer has room), and served.
  raw_connection second(server.port(), "127.0.0.51");
  second.send(post("/digest", body.size(), body));
  CHECK(second.read_responses(1, 5s).response.find(body_digest(body)) != std::string::npos);
  CHECK(metric(server, "plugnode_http_body_spool_full_total") >= 1);
  CHECK(metric(server, "plugnode_http_body_buffer_peak_bytes") >= static_cast<double>(body.size()));
  CHECK(metric(server, "plugnode_http_body_spool_peak_bytes") <= static_cast<double>(options.body_disk));
  CHECK(seen.in_memory == 1);

  holder.send(body.substr(body.size() / 2));
  CHECK(holder.read_responses(1, 5s).response.find(body_digest(body)) != std::string::npos);
  CHECK(metric(server, "plugnode_http_body_spool_bytes") == 0);
  // The room is back: spooled again.
  raw_connection next(server.port(), "127.0.0.52");
  next.send(post("/digest", body.size(), body));
  CHECK(next.read_responses(1, 5s).response.find(body_digest(body)) != std::string::npos);
  CHECK(seen.spooled == 2);
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == 0);
}

TEST_CASE("one client address holds no more than its share of the body buffer, and clients from other "
          "addresses are served while its bodies wait",
          "[body_spool][body_buffer]") {
  router r;
  r.post("/digest", plugnode::test::answer_digest);
  endpoint_options options;
  options.body_buffer = std::size_t{4} << 20;
  options.body_buffer_per_address = std::size_t{1} << 20;
  options.body_spool = options.max_body; // bodies in memory: this is the buffer's share
  served server(r, options);
  auto body = pattern(std::size_t{512} << 10);

  // The flooder: 8 bodies of 512 KB, half sent; its share takes two of them, the other six wait unread.
  std::vector<std::unique_ptr<raw_connection>> flood;
  for (int i = 0; i < 8; ++i) {
    flood.push_back(std::make_unique<raw_connection>(server.port(), "127.0.0.60"));
    flood.back()->send(post("/digest", body.size(), body.substr(0, body.size() / 2)));
  }
  CHECK(plugnode::test::eventually(
      [&] {
        return metric(server, "plugnode_http_body_buffer_bytes") == static_cast<double>(std::size_t{1} << 20);
      },
      2s));
  std::this_thread::sleep_for(100ms); // and no more than its share: nothing else is granted meanwhile
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == static_cast<double>(std::size_t{1} << 20));

  // Without the share the flooder's bodies would fill all 4 MB and these would wait until the sweeper
  // answers the flooder's stalled bodies, the first of them a second after it began to measure their rate.
  for (int i = 0; i < 4; ++i) {
    auto start = std::chrono::steady_clock::now();
    raw_connection other(server.port(), "127.0.0." + std::to_string(61 + i));
    other.send(post("/digest", body.size(), body));
    auto answer = other.read_responses(1, 3s).response;
    INFO("client 127.0.0." << 61 + i);
    CHECK(answer.find(body_digest(body)) != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
  }

  // The flooder's bodies finish and are all served, two at a time.
  for (auto& f : flood)
    f->send(body.substr(body.size() / 2));
  for (auto& f : flood)
    CHECK(f->read_responses(1, 5s).response.find(body_digest(body)) != std::string::npos);
  CHECK(metric(server, "plugnode_http_body_buffer_bytes") == 0);
  CHECK(metric(server, "plugnode_http_body_buffer_peak_bytes") <= static_cast<double>(options.body_buffer));
}

TEST_CASE("one client address holds no more than a quarter of the spool disk, beyond one body of its own, "
          "so another address's body is still spooled",
          "[body_spool]") {
  bodies_seen seen;
  endpoint_options options;
  options.body_disk = std::size_t{8} << 20; // a share of 2 MB
  served server(seen.routes(), options);
  auto body = pattern(std::size_t{3} << 19); // 1.5 MB: past the spool threshold

  // Five bodies from one address, half sent: its first is spooled, the others wait in memory.
  std::vector<std::unique_ptr<raw_connection>> flood;
  for (int i = 0; i < 5; ++i) {
    flood.push_back(std::make_unique<raw_connection>(server.port(), "127.0.0.70"));
    flood.back()->send(post("/digest", body.size(), body.substr(0, body.size() / 2)));
  }
  CHECK(plugnode::test::eventually(
      [&] { return metric(server, "plugnode_http_body_spool_bytes") == static_cast<double>(body.size()); },
      2s));
  std::this_thread::sleep_for(100ms);
  CHECK(metric(server, "plugnode_http_body_spool_bytes") == static_cast<double>(body.size()));

  // Without the share the five would hold 7.5 of the 8 MB and this body would not fit on disk.
  raw_connection other(server.port(), "127.0.0.71");
  other.send(post("/digest", body.size(), body));
  CHECK(other.read_responses(1, 5s).response.find(body_digest(body)) != std::string::npos);
  CHECK(seen.spooled == 1);
  CHECK(metric(server, "plugnode_http_body_spool_full_total") == 0); // a share spent is not a full disk

  for (auto& f : flood)
    f->send(body.substr(body.size() / 2));
  for (auto& f : flood)
    CHECK(f->read_responses(1, 5s).response.find(body_digest(body)) != std::string::npos);
  CHECK(seen.spooled + seen.in_memory == 6);
  CHECK(metric(server, "plugnode_http_body_spool_bytes") == 0);
}
