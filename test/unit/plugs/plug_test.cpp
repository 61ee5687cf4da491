#include "plugnode/plugs/plug.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

namespace {

// A module plug: its constructor takes the options, as Plug's init/1 does.
class greet {
public:
  explicit greet(std::string greeting) : greeting_(std::move(greeting)) {}
  void call(conn& c) const { c.send_resp(200, greeting_ + ", " + c.path_info.at(0) + "!"); }

private:
  std::string greeting_;
};

void put_server(conn& c) {
  c.put_resp_header("server", "plugnode");
}

} // namespace

TEST_CASE("a class with call(conn&), a function and a lambda are all plugs", "[plug]") {
  plug module = greet("Hello");
  plug function = put_server;
  plug lambda = [](conn& c) { c.assign("seen", true); };

  auto c = call(module, test_conn("GET", "/ada"));
  CHECK(c.resp_body == "Hello, ada!");
  CHECK(call(function, test_conn("GET", "/")).get_resp_header("server") == "plugnode");
  CHECK(*call(lambda, test_conn("GET", "/")).assigned<bool>("seen"));
}

TEST_CASE("copies of a plug share the plug", "[plug]") {
  int calls = 0;
  plug counting = [&calls](conn&) { ++calls; };
  plug copy = counting;
  conn c;
  counting(c);
  copy.call(c);
  CHECK(calls == 2);
}
