#include "plugnode/runtime/cookie.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace plugnode::runtime;

namespace {

std::string write_temp(const std::string& content) {
  char path[] = "/tmp/plugnode-cookie-XXXXXX";
  int fd = ::mkstemp(path);
  ::close(fd);
  std::ofstream(path) << content;
  return path;
}

} // namespace

TEST_CASE("PLUGNODE_COOKIE wins over ERLANG_COOKIE", "[cookie]") {
  std::string error;
  auto choice = choose_cookie({"secret", std::nullopt, "erlang", true, std::nullopt}, &error);
  REQUIRE(choice);
  CHECK(choice->cookie == "secret");
  CHECK(choice->source == "PLUGNODE_COOKIE");
  CHECK(choice->warnings.empty());
}

TEST_CASE("a cookie file is read and its trailing newline dropped", "[cookie]") {
  auto path = write_temp("from-a-secret\n");
  auto choice = choose_cookie({std::nullopt, path, "erlang", true, std::nullopt}, nullptr);
  REQUIRE(choice);
  CHECK(choice->cookie == "from-a-secret");
  CHECK(choice->source == "PLUGNODE_COOKIE_FILE " + path);
  std::remove(path.c_str());
}

TEST_CASE("ERLANG_COOKIE is the fallback", "[cookie]") {
  auto choice = choose_cookie({std::nullopt, std::nullopt, "erlang", false, std::nullopt}, nullptr);
  REQUIRE(choice);
  CHECK(choice->cookie == "erlang");
  CHECK(choice->source == "ERLANG_COOKIE");
}

TEST_CASE("no cookie is fine for a single node and refused for a cluster", "[cookie]") {
  auto single = choose_cookie({}, nullptr);
  REQUIRE(single);
  CHECK(single->cookie.empty());
  std::string error;
  CHECK_FALSE(choose_cookie({std::nullopt, std::nullopt, std::nullopt, true, std::nullopt}, &error));
  CHECK_THAT(error, Catch::Contains("PLUGNODE_COOKIE"));
}

TEST_CASE("bad cookie sources are refused with a reason naming them", "[cookie]") {
  std::string error;
  CHECK_FALSE(choose_cookie({"a", "/some/file", std::nullopt, false, std::nullopt}, &error));
  CHECK_THAT(error, Catch::Contains("both set"));
  CHECK_FALSE(choose_cookie({std::nullopt, "/no/such/file", std::nullopt, false, std::nullopt}, &error));
  CHECK_THAT(error, Catch::Contains("PLUGNODE_COOKIE_FILE: cannot read /no/such/file"));
  CHECK_FALSE(choose_cookie({"\n", std::nullopt, std::nullopt, false, std::nullopt}, &error));
  CHECK(error == "PLUGNODE_COOKIE is empty");
}

TEST_CASE("the example cookie works but is warned about", "[cookie]") {
  auto choice =
      choose_cookie({std::string(example_cookie), std::nullopt, std::nullopt, true, std::nullopt}, nullptr);
  REQUIRE(choice);
  REQUIRE(choice->warnings.size() == 1);
  CHECK_THAT(choice->warnings.front(), Catch::Contains("example cookie"));
}

TEST_CASE("the systemd credential is used when PLUGNODE_COOKIE and the file are unset", "[cookie]") {
  auto path = write_temp("from-a-credential\n");
  cookie_sources sources;
  sources.erlang = "erlang";
  sources.cluster_configured = true;
  sources.credential = path;
  auto choice = choose_cookie(sources, nullptr);
  REQUIRE(choice);
  CHECK(choice->cookie == "from-a-credential");
  CHECK(choice->source == "systemd credential " + path);

  // The operator's explicit settings win over what the service manager hands every start.
  sources.value = "explicit";
  CHECK(choose_cookie(sources, nullptr)->source == "PLUGNODE_COOKIE");
  sources.value.reset();
  auto file = write_temp("from-a-file");
  sources.file = file;
  CHECK(choose_cookie(sources, nullptr)->cookie == "from-a-file");
  std::remove(file.c_str());
  std::remove(path.c_str());
}

TEST_CASE("a credential directory without a cookie is no source", "[cookie]") {
  cookie_sources sources;
  sources.credential = "/no/such/credentials/cookie";
  sources.erlang = "erlang";
  auto choice = choose_cookie(sources, nullptr);
  REQUIRE(choice);
  CHECK(choice->source == "ERLANG_COOKIE");
  std::string error;
  sources.erlang.reset();
  sources.cluster_configured = true;
  CHECK_FALSE(choose_cookie(sources, &error));
  CHECK_THAT(error, Catch::Contains("systemd credential cookie"));
}

TEST_CASE("an empty credential is refused, naming it", "[cookie]") {
  auto path = write_temp("\n");
  cookie_sources sources;
  sources.credential = path;
  std::string error;
  CHECK_FALSE(choose_cookie(sources, &error));
  CHECK(error == "systemd credential " + path + " is empty");
  std::remove(path.c_str());
}
