// counter's tests on plugnode's test kit (plugnode/app/testing.hpp), without a test framework (any works):
// one node in this process through its routes; with two ports as arguments, also two nodes on loopback,
// where each key lives on one node whichever node is asked.
//   counter_test [PORT_A PORT_B]      exit 0 when every check passed
#include <cstdio>
#include <string>

#include "counter.hpp"
#include "counter_service.hpp"
#include "plugnode/app/testing.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  failures += ok ? 0 : 1;
}

void one_node() {
  plugnode::app::test_node node(counter_service());
  check(node.wait_for("entities"), "the entity region starts");
  auto added = node.request("POST", "/count/apples", "3");
  check(added.resp_body == "apples 3 " + node.name() + "\n", "POST adds to a key that lives on this node");
  check(node.get("/count/apples").resp_body == "apples 3 " + node.name() + "\n", "GET reads it");
  check(node.request("POST", "/count/apples", "many").status == 400, "a body that is not an integer is 400");
}

void two_nodes(std::uint16_t port_a, std::uint16_t port_b) {
  plugnode::app::test_node_options a_options{"counter@127.0.0.2", "counter-test", port_a};
  plugnode::app::test_node_options b_options{"counter@127.0.0.3", "counter-test", port_b};
  plugnode::app::test_node a(counter_service(), a_options);
  plugnode::app::test_node b(counter_service(), b_options);
  check(a.connect(b) && a.wait_for("entities") && b.wait_for("entities"), "two nodes connect");
  bool same = true;
  for (int i = 0; i < 10; ++i) {
    auto key = "/count/key-" + std::to_string(i);
    a.request("POST", key, "2");
    b.request("POST", key, "1");
    same = same && a.get(key).resp_body == b.get(key).resp_body &&
           a.get(key).resp_body.rfind("key-" + std::to_string(i) + " 3 ", 0) == 0;
  }
  check(same, "each key lives on one node and has one value, whichever node is asked");
}

} // namespace

int main(int argc, char** argv) {
  one_node();
  if (argc == 3)
    two_nodes(static_cast<std::uint16_t>(std::stoi(argv[1])), static_cast<std::uint16_t>(std::stoi(argv[2])));
  return failures == 0 ? 0 : 1;
}
