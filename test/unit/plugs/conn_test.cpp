#include "plugnode/plugs/conn.hpp"

#include <catch2/catch.hpp>

using plugnode::plugs::conn;

TEST_CASE("send_resp sets status and body and halts", "[conn]") {
  conn c;
  c.send_resp(201, "made");
  CHECK(c.status == 201);
  CHECK(c.resp_body == "made");
  CHECK(c.halted);
}

TEST_CASE("response header names are lower case and values may not carry CR or LF", "[conn]") {
  conn c;
  c.put_resp_header("X-Greeting", "hi");
  CHECK(c.resp_headers.find("x-greeting")->second == "hi");
  CHECK_THROWS_AS(c.put_resp_header("x-bad", "a\r\nset-cookie: x"), std::invalid_argument);
}
