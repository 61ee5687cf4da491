// json: send_json, and json_errors turning the replies the server makes itself into JSON objects for the
// rest of its pipeline, while a pipeline without it keeps plain text.
#include "plugnode/plugs/json.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

#include "plugnode/plugs/error_handler.hpp"
#include "plugnode/plugs/parsers.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;
using nlohmann::json;

namespace {

router api_routes() {
  router r;
  r.get("/items/:id", [](conn& c) { send_json(c, 200, {{"id", c.path_params.at("id")}}); });
  r.post("/items", [](conn& c) { send_json(c, 201, {{"got", json_body(c) ? *json_body(c) : json()}}); });
  r.get("/crash", [](conn&) { throw std::runtime_error("boom"); });
  return r;
}

// What a client of the API reads: the status and the body parsed as JSON.
json body_of(const conn& c) {
  REQUIRE(c.get_resp_header("content-type") == "application/json");
  return json::parse(c.resp_body);
}

} // namespace

TEST_CASE("send_json: the value serialized, application/json, sent", "[json]") {
  auto c = call(api_routes(), test_conn("GET", "/items/7"));
  CHECK(c.status == 200);
  CHECK(c.state == conn::resp_state::sent);
  CHECK(body_of(c) == json{{"id", "7"}});
  CHECK(c.resp_body.back() == '\n');
}

TEST_CASE("json_errors: 404, 405, 400, 415 and a crash's 500 as JSON objects", "[json]") {
  error_handler api(pipeline{json_errors{}, parsers{}, api_routes()});
  auto missing = call(api, test_conn("GET", "/nothing"));
  CHECK(missing.status == 404);
  CHECK(body_of(missing) == json{{"error", "Not Found"}, {"status", 404}});
  auto wrong_method = call(api, test_conn("DELETE", "/items/7"));
  CHECK(wrong_method.status == 405);
  CHECK(wrong_method.get_resp_header("allow") == "GET, HEAD");
  CHECK(body_of(wrong_method)["error"] == "Method Not Allowed");
  auto malformed = call(api, test_conn("POST", "/items", "{oops", {{"Content-Type", "application/json"}}));
  CHECK(malformed.status == 400);
  CHECK(body_of(malformed) ==
        json{{"error", "Bad Request"}, {"status", 400}, {"detail", "malformed JSON body"}});
  auto text = call(api, test_conn("POST", "/items", "hi", {{"Content-Type", "text/plain"}}));
  CHECK(text.status == 415);
  CHECK(body_of(text)["status"] == 415);
  auto crash = call(api, test_conn("GET", "/crash"));
  CHECK(crash.status == 500);
  CHECK(body_of(crash) == json{{"error", "Internal Server Error"}, {"status", 500}});
  auto posted = call(api, test_conn("POST", "/items", R"({"a":1})", {{"Content-Type", "application/json"}}));
  CHECK(posted.status == 201);
  CHECK(body_of(posted) == json{{"got", {{"a", 1}}}});
}

TEST_CASE("without json_errors the same replies stay plain text", "[json]") {
  auto missing = call(pipeline{parsers{}, api_routes()}, test_conn("GET", "/nothing"));
  CHECK(missing.status == 404);
  CHECK(missing.resp_body == "Not Found\n");
  CHECK(missing.get_resp_header("content-type") == "text/plain; charset=utf-8");
}
