// A BEAM connection's name cache on its own: one lookup per name, uses kept in order behind a lookup, entries
// forgotten when their actor ends and looked up again when old.
#include "dist/erlang_peer_names.hpp"

#include <catch2/catch.hpp>

#include <caf/all.hpp>

using namespace plugnode::erlang::detail;
using namespace std::chrono_literals;

namespace {

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  // (An argument: CAF 0.17 dereferences a null pointer spawning a function actor without one.)
  caf::actor a = system.spawn([](int) -> caf::behavior { return {[](int) {}}; }, 0);
  peer_names names{1s};
  peer_names::clock::time_point t0 = peer_names::clock::now();
  std::vector<std::string> seen; // "<use>:<a|none>" in the order the uses ran
  peer_names::use_fn use(std::string label) {
    return [this, label](const caf::actor& who) { seen.push_back(label + ":" + (who == a ? "a" : "none")); };
  }
  ~fixture() { caf::anon_send_exit(a, caf::exit_reason::user_shutdown); }
};

} // namespace

TEST_CASE("a name is looked up once: uses wait in order behind the lookup, later ones run at once",
          "[erlang]") {
  fixture f;
  CHECK(f.names.use("greeter", f.use("1"), f.t0));
  CHECK_FALSE(f.names.use("greeter", f.use("2"), f.t0));
  CHECK(f.seen.empty());
  f.names.resolved("greeter", f.a, f.t0);
  CHECK(f.seen == std::vector<std::string>{"1:a", "2:a"});
  CHECK_FALSE(f.names.use("greeter", f.use("3"), f.t0 + 999ms));
  CHECK(f.seen.back() == "3:a");
}

TEST_CASE("a missing name is not cached: every use asks again", "[erlang]") {
  fixture f;
  CHECK(f.names.use("nobody", f.use("1"), f.t0));
  f.names.resolved("nobody", nullptr, f.t0);
  CHECK(f.seen == std::vector<std::string>{"1:none"});
  CHECK(f.names.use("nobody", f.use("2"), f.t0));
}

TEST_CASE("an entry is asked again when its actor ended or when it is max_age old", "[erlang]") {
  fixture f;
  f.names.use("greeter", f.use("1"), f.t0);
  f.names.resolved("greeter", f.a, f.t0);
  f.names.forget(f.a.address());
  CHECK(f.names.use("greeter", f.use("2"), f.t0));
  f.names.resolved("greeter", f.a, f.t0);
  CHECK(f.names.use("greeter", f.use("3"), f.t0 + 1s));
  CHECK(f.seen == std::vector<std::string>{"1:a", "2:a"});
  f.names.resolved("greeter", nullptr, f.t0 + 1s);
  CHECK(f.seen.back() == "3:none");
}
