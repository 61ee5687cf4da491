// Mutual TLS on the distribution port, with a CA and node certificates made by the openssl CLI exactly as
// docs/operations.md ("TLS") tells operators to; bad files stop start-up with a clear message.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "cluster_harness.hpp"
#include "handshake_frame.hpp"
#include "plugnode/test/raw_client.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

// A temporary directory with ca.pem, and node.pem/node.key signed by it (plus an unrelated CA and key).
struct certificates {
  std::string dir;
  certificates() {
    char tmpl[] = "/tmp/plugnode-tls-XXXXXX";
    dir = ::mkdtemp(tmpl);
    auto script =
        "cd " + dir +
        " && (openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
        "/CN=plugnode-ca"
        " -keyout ca.key -out ca.pem"
        " && openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=plugnode-node "
        "-keyout node.key -out node.csr"
        " && openssl x509 -req -in node.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out node.pem"
        " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "
        "/CN=other-ca"
        " -keyout other.key -out other.pem"
        " && openssl x509 -req -in node.csr -CA other.pem -CAkey other.key -CAcreateserial -days 2"
        " -out foreign.pem"
        " && openssl pkey -in node.key -aes256 -passout pass:secret -out locked.key"
        ") >/dev/null 2>&1";
    REQUIRE(std::system(script.c_str()) == 0);
  }
  ~certificates() { std::system(("rm -rf " + dir).c_str()); }
  std::vector<std::string> args(const std::string& cert, const std::string& key,
                                const std::string& ca) const {
    return {"--tls-cert", dir + "/" + cert, "--tls-key", dir + "/" + key, "--tls-ca", dir + "/" + ca};
  }
};

cluster_node_options with_tls(std::vector<std::string> args) {
  cluster_node_options options;
  options.extra_args = std::move(args);
  return options;
}

} // namespace

TEST_CASE("nodes with certificates from one CA connect over mutual TLS", "[cluster][tls]") {
  certificates certs;
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  auto good = certs.args("node.pem", "node.key", "ca.pem");
  cluster_node a("127.0.0.2", port, with_tls(good)), b("127.0.0.3", port, with_tls(good));
  REQUIRE((a.ready() && b.ready()));
  CHECK(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(a.cmd("ping app@127.0.0.3") == "pong");
  CHECK(wait_for_answer(b, "nodes", "app@127.0.0.2", 2s) == "app@127.0.0.2");
  CHECK_THAT(a.output(), Catch::Contains("with mutual TLS"));
  // A node whose certificate another CA signed is refused by the TLS handshake itself.
  cluster_node c("127.0.0.4", port, with_tls(certs.args("foreign.pem", "node.key", "other.pem")));
  REQUIRE(c.ready());
  CHECK(c.cmd("connect app@127.0.0.2") == "false");
  CHECK(a.cmd("nodes") == "app@127.0.0.3");
}

TEST_CASE("a plain node cannot join a TLS node", "[cluster][tls]") {
  certificates certs;
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port, with_tls(certs.args("node.pem", "node.key", "ca.pem"))),
      b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  CHECK(b.cmd("connect app@127.0.0.2") == "false");
  CHECK(a.cmd("nodes").empty());
}

TEST_CASE("with TLS the cookie is still required, and a client without TLS gets nothing", "[cluster][tls]") {
  certificates certs;
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  auto good = certs.args("node.pem", "node.key", "ca.pem");
  auto other_cookie = with_tls(good);
  other_cookie.cookie = "another-cookie";
  cluster_node a("127.0.0.2", port, with_tls(good)), b("127.0.0.3", port, other_cookie);
  REQUIRE((a.ready() && b.ready()));
  CHECK(b.cmd("connect app@127.0.0.2") == "false");
  auto logged = [](cluster_node& n, const std::string& text) {
    return eventually([&] { return n.output().find(text) != std::string::npos; }, 3s);
  };
  // The dialler proves first: the listener refuses its proof (after a wait, and without proving itself).
  CHECK(logged(a, "refused node app@127.0.0.3: wrong cookie proof (peer 127.0."));
  CHECK(logged(b, "connect app@127.0.0.2 failed: refused by the peer"));
  raw_client client("127.0.0.5", "127.0.0.2", port);
  REQUIRE(client.connected());
  client.send(handshake_frame("plugnode-dist-2\nhello\nevil@127.0.0.5"));
  CHECK_THAT(client.read_to_end(3s), !Catch::Contains("plugnode-dist-2"));
  CHECK(client.closed()); // CAF's TLS layer ends it and reports nothing plugnode could log
  CHECK(a.cmd("nodes").empty());
}

TEST_CASE("bad TLS files stop start-up with a message naming the file", "[cluster][tls]") {
  certificates certs;
  auto port = shared_free_port({"127.0.0.2"});
  auto fails_with = [&](std::vector<std::string> args, const std::string& message) {
    cluster_node n("127.0.0.2", port, with_tls(std::move(args)));
    CHECK_FALSE(n.ready());
    CHECK(n.proc().wait(2s) == 2);
    CHECK_THAT(n.output(), Catch::Contains(message));
  };
  fails_with(certs.args("node.pem", "ca.key", "ca.pem"), "does not match the certificate");
  fails_with(certs.args("node.pem", "locked.key", "ca.pem"), "wrong passphrase");
  fails_with(certs.args("foreign.pem", "node.key", "ca.pem"), "is not signed by the CA");
  fails_with(certs.args("missing.pem", "node.key", "ca.pem"), "PLUGNODE_TLS_CERT: cannot read");
}
