#include "plugnode/plugs/error_handler.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

TEST_CASE("error_handler turns an exception into a 500 with a short body, hooks still run",
          "[error_handler]") {
  int hook_status = 0;
  pipeline p{request_id{}, [&](conn& c) { c.register_before_send([&](conn& x) { hook_status = x.status; }); },
             [](conn& c) {
               c.put_resp_header("x-half-done", "1");
               throw std::runtime_error("database password is hunter2");
             }};
  auto c = call(error_handler(p), test_conn("GET", "/crash"));
  CHECK(c.status == 500);
  CHECK(c.resp_body == "Internal Server Error\n");
  CHECK(c.state == conn::resp_state::sent);
  CHECK(hook_status == 500);
  CHECK(c.get_resp_header("x-request-id"));
}

TEST_CASE("error_handler catches what is not a std::exception too", "[error_handler]") {
  auto c = call(error_handler([](conn&) { throw 42; }), test_conn("GET", "/"));
  CHECK(c.status == 500);
}

TEST_CASE("error_handler leaves an already sent response alone", "[error_handler]") {
  auto c = call(error_handler([](conn& x) {
                  x.send_resp(200, "fine");
                  x.put_resp_header("x-late", "1"); // throws already_sent
                }),
                test_conn("GET", "/"));
  CHECK(c.status == 200);
  CHECK(c.resp_body == "fine");
}

TEST_CASE("error_handler passes a healthy pipeline through", "[error_handler]") {
  auto c = call(error_handler([](conn& x) { x.send_resp(200, "fine"); }), test_conn("GET", "/"));
  CHECK(c.status == 200);
}
