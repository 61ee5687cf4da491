// send_name_check: the Erlang gate's check of a client's first bytes.
#include <catch2/catch.hpp>

#include "dist/send_name_check.hpp"

using namespace plugnode::erlang::detail;

TEST_CASE("a send_name is complete once its whole frame is there, and waits until then", "[send_name]") {
  std::string name = "beam@127.0.0.1";
  std::string body = "N" + std::string(8, '\0') + std::string(4, '\0') + std::string{0, 14} + name;
  auto frame = std::string{0, static_cast<char>(body.size())} + body;
  for (std::size_t n = 0; n < frame.size(); ++n)
    CHECK(check_send_name(frame.substr(0, n)) == send_name_state::incomplete);
  CHECK(check_send_name(frame) == send_name_state::complete);
  CHECK(check_send_name(frame + "more") == send_name_state::complete); // the rest is ei's
}

TEST_CASE("another protocol is refused by its first 3 bytes", "[send_name]") {
  CHECK(check_send_name("GET / HTTP/1.1\r\n") == send_name_state::refused);
  CHECK(check_send_name(std::string("\x00\x02N", 3)) == send_name_state::refused);    // too short for a name
  CHECK(check_send_name(std::string("\x02\x01N", 3)) == send_name_state::refused);    // over 512
  CHECK(check_send_name(std::string("\x00\x20n", 3)) == send_name_state::incomplete); // version 5
}
