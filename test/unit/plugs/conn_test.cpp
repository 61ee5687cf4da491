#include "plugnode/plugs/conn.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using plugnode::plugs::already_sent;
using plugnode::plugs::bad_request;
using plugnode::plugs::conn;
using plugnode::plugs::make_conn;

TEST_CASE("make_conn splits the target into decoded path segments and query params", "[conn]") {
  conn c = make_conn("GET", "/hello/big%20world/?name=J%C3%BCrgen&x=1+2&flag");
  CHECK(c.method == "GET");
  CHECK(c.path == "/hello/big%20world/");
  CHECK(c.path_info == std::vector<std::string>{"hello", "big world"});
  CHECK(c.query_string == "name=J%C3%BCrgen&x=1+2&flag");
  CHECK(c.query_params.at("name") == "J\xC3\xBCrgen");
  CHECK(c.query_params.at("x") == "1 2");
  CHECK(c.query_params.at("flag").empty());
}

TEST_CASE("make_conn refuses malformed escapes and dot segments", "[conn]") {
  CHECK_THROWS_AS(make_conn("GET", "/a%zz"), bad_request);
  CHECK_THROWS_AS(make_conn("GET", "/a?x=%4"), bad_request);
  CHECK_THROWS_AS(make_conn("GET", "/a/../etc/passwd"), bad_request);
  CHECK_THROWS_AS(make_conn("GET", "/a/%2e%2e/b"), bad_request);
  CHECK_THROWS_AS(make_conn("GET", "http://example.com/"), bad_request);
}

TEST_CASE("resp sets the response, send_resp sends it and halts", "[conn]") {
  conn c;
  c.resp(201, "made");
  CHECK(c.state == conn::resp_state::set);
  CHECK_FALSE(c.halted);
  c.send_resp();
  CHECK(c.status == 201);
  CHECK(c.resp_body == "made");
  CHECK(c.state == conn::resp_state::sent);
  CHECK(c.halted);
}

TEST_CASE("send_resp without a response is a programming error", "[conn]") {
  conn c;
  CHECK_THROWS_AS(c.send_resp(), std::logic_error);
}

TEST_CASE("response header names are lower case and values may not carry CR or LF", "[conn]") {
  conn c;
  c.put_resp_header("X-Greeting", "hi");
  CHECK(c.get_resp_header("x-greeting") == "hi");
  CHECK(c.get_resp_header("X-GREETING") == "hi");
  c.put_resp_header("x-greeting", "again");
  CHECK(c.resp_headers.count("x-greeting") == 1);
  CHECK_THROWS_AS(c.put_resp_header("x-bad", "a\r\nset-cookie: x"), std::invalid_argument);
  CHECK_THROWS_AS(c.put_resp_header("x-bad", "a\nb"), std::invalid_argument);
  CHECK_THROWS_AS(c.put_resp_header("x bad", "a"), std::invalid_argument);
  CHECK_FALSE(c.get_resp_header("x-bad"));
  c.delete_resp_header("X-Greeting");
  CHECK_FALSE(c.get_resp_header("x-greeting"));
}

TEST_CASE("nothing about the response changes once it is sent", "[conn]") {
  conn c;
  c.send_resp(200, "done");
  CHECK_THROWS_AS(c.put_resp_header("x-late", "1"), already_sent);
  CHECK_THROWS_AS(c.put_status(500), already_sent);
  CHECK_THROWS_AS(c.resp(500, "oops"), already_sent);
  CHECK_THROWS_AS(c.send_resp(500, "oops"), already_sent);
  CHECK_THROWS_AS(c.delete_resp_header("x"), already_sent);
  CHECK_THROWS_AS(c.register_before_send([](conn&) {}), already_sent);
  CHECK(c.status == 200);
  CHECK(c.resp_body == "done");
}

TEST_CASE("before-send callbacks run once, last registered first, and may change the response", "[conn]") {
  conn c;
  std::vector<int> order;
  c.register_before_send([&](conn& x) {
    order.push_back(1);
    x.put_resp_header("x-first", std::to_string(x.status));
  });
  c.register_before_send([&](conn& x) {
    order.push_back(2);
    x.put_status(202);
  });
  c.send_resp(200, "ok");
  CHECK(order == std::vector<int>{2, 1});
  CHECK(c.status == 202);
  CHECK(c.get_resp_header("x-first") == "202");
}

TEST_CASE("request headers are read in any case, assigns hold any value", "[conn]") {
  conn c;
  c.req_headers.emplace("content-type", "text/plain");
  CHECK(c.get_req_header("Content-Type") == "text/plain");
  CHECK_FALSE(c.get_req_header("accept"));
  c.assign("user", std::string("ada")).assign("age", 36);
  REQUIRE(c.assigned<std::string>("user"));
  CHECK(*c.assigned<std::string>("user") == "ada");
  CHECK(*c.assigned<int>("age") == 36);
  CHECK(c.assigned<std::string>("age") == nullptr);
  CHECK(c.assigned<int>("missing") == nullptr);
}
