// pods: the pods of a mixed StatefulSet on loopback, for the walkthrough. Each pod has an address of its own
// (127.0.x.y) and a host name only the test's dnsmasq knows (<pod>.<service>); all pods use the same ports,
// as pods of one StatefulSet do. plugnode pods run `plugnode foreground` with k8s-srv discovery. BEAM pods
// run an Elixir node that answers EPMD on its own address (pod_epmd.erl, in place of an epmd that would
// hold every pod's `app` at once) and resolves host names through the dnsmasq (an inetrc), and evaluate
// what the test types at their iex prompt.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "plugnode/test/process.hpp"

namespace plugnode::test {

// What every pod of the set shares.
struct statefulset {
  std::string service = "plugnode"; // the headless Service
  std::string name_space = "default";
  std::string cookie;            // one cookie for BEAM and plugnode nodes alike
  std::string dns_server;        // host:port of the DNS serving the Service
  std::uint16_t dist_port = 0;   // distribution: plugnode's protocol on plugnode pods, Erlang's on BEAM pods
  std::uint16_t erlang_port = 0; // plugnode pods' listener for Erlang's protocol
  std::uint16_t epmd_port = 0;   // EPMD on every pod's address (ERL_EPMD_PORT)
  std::uint16_t http_port = 0;

  std::string service_fqdn() const { return service + "." + name_space + ".svc.cluster.local"; }
  // The host name of `pod` (e.g. "beam-0"), as the Service's SRV records name it.
  std::string host(const std::string& pod) const { return pod + "." + service_fqdn(); }
  // The node name of `pod`, as k8s-srv derives it: app@<SRV target>.
  std::string node(const std::string& pod) const { return "app@" + host(pod); }
};

class plugnode_pod {
public:
  // Starts the node; returns once it serves HTTP.
  plugnode_pod(const statefulset& set, const std::string& pod, std::string address);

  const std::string& name() const { return name_; }
  process& proc() { return *process_; }
  // `plugnode rpc <command>` as an operator runs it in the pod (the node's name resolved through the
  // Service's DNS): its output.
  std::string rpc(const std::string& command) const;
  // GET /cluster (an empty object when the node does not answer).
  nlohmann::json cluster() const;

private:
  const statefulset& set_;
  std::string name_;
  std::string address_;
  std::unique_ptr<process> process_;
};

// What a BEAM pod's image holds beyond Elixir: pod_epmd compiled, and the inetrc naming the Service's DNS.
// Both in a temporary directory, removed with the object; the pods keep their iex input there too.
class beam_image {
public:
  explicit beam_image(const statefulset& set);
  ~beam_image();
  beam_image(const beam_image&) = delete;
  beam_image& operator=(const beam_image&) = delete;

  const std::string& dir() const { return dir_; }

private:
  std::string dir_;
};

class beam_pod {
public:
  // Starts the node; returns once its distribution is up and its prompt waits.
  beam_pod(const statefulset& set, const beam_image& image, const std::string& pod,
           const std::string& address);

  const std::string& name() const { return name_; }
  process& proc() { return *process_; }
  // Evaluates `expression` as if typed at the node's iex prompt; the value as iex shows it (an error as
  // "** ..."), or "(no answer)" after `timeout`.
  std::string iex(const std::string& expression,
                  std::chrono::milliseconds timeout = std::chrono::seconds(15));

private:
  std::string name_;
  std::string session_dir_;
  int typed_ = 0;
  std::unique_ptr<process> process_;
};

} // namespace plugnode::test
