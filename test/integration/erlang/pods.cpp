// The plugnode and BEAM pods of pods.hpp.
#include "pods.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "plugnode/test/http_get.hpp"
#include "plugnode/test/ports.hpp"
#include "running_node.hpp"

namespace plugnode::test {
namespace {

using namespace std::chrono_literals;

// The pod's iex: the test writes each expression into <session>/<n>.exs (aside, then renamed, so a file is
// never read half written); the node evaluates it once and prints its value as "iex(<n)> value".
const char* iex_session = R"(
defmodule Pod do
  def session(dir, n) do
    file = Path.join(dir, "#{n}.exs")
    if File.exists?(file) do
      value =
        try do
          {v, _} = Code.eval_file(file)
          inspect(v)
        rescue
          e -> "** " <> Exception.message(e)
        catch
          kind, reason -> "** #{kind} #{inspect(reason)}"
        end
      IO.puts("iex(#{n})> #{value}")
      session(dir, n + 1)
    else
      Process.sleep(20)
      session(dir, n)
    end
  end
end
IO.puts("ready")
Pod.session(System.fetch_env!("POD_SESSION"), 1)
)";

// 127.0.12.12 as an Erlang tuple: {127,0,12,12}.
std::string erlang_ip(std::string address) {
  std::replace(address.begin(), address.end(), '.', ',');
  return "{" + address + "}";
}

} // namespace

plugnode_pod::plugnode_pod(const statefulset& set, const std::string& pod, std::string address)
    : set_(set), name_(set.node(pod)), address_(std::move(address)) {
  process_ = std::make_unique<process>(std::vector<std::string>{plugnode_binary(), "foreground"},
                                       env_map{{"PLUGNODE_NODE", name_},
                                               {"PLUGNODE_DIST_ADDR", address_},
                                               {"PLUGNODE_DIST_PORT", std::to_string(set.dist_port)},
                                               {"PLUGNODE_COOKIE", set.cookie},
                                               {"PLUGNODE_COOKIE_FILE", std::nullopt},
                                               {"ERLANG_COOKIE", std::nullopt},
                                               {"PLUGNODE_DISCOVERY", "k8s-srv"},
                                               {"PLUGNODE_SERVICE", set.service},
                                               {"PLUGNODE_NAMESPACE", set.name_space},
                                               {"PLUGNODE_DNS_SERVER", set.dns_server},
                                               {"PLUGNODE_POLL_INTERVAL", "1s"},
                                               {"PLUGNODE_ERLANG_DIST", "true"},
                                               {"PLUGNODE_ERLANG_DIST_PORT", std::to_string(set.erlang_port)},
                                               {"ERL_EPMD_PORT", std::to_string(set.epmd_port)},
                                               {"HTTP_PORT", std::to_string(set.http_port)},
                                               {"PLUGNODE_HTTP_ADDR", address_}});
  REQUIRE(eventually([&] { return port_open(address_, set.http_port) || !process_->running(); }, 15s));
  INFO(process_->output());
  REQUIRE(process_->running());
}

std::string plugnode_pod::rpc(const std::string& command) const {
  return run_plugnode({"rpc", command}, {{"PLUGNODE_NODE", name_},
                                         {"PLUGNODE_DIST_PORT", std::to_string(set_.dist_port)},
                                         {"PLUGNODE_COOKIE", set_.cookie},
                                         {"PLUGNODE_COOKIE_FILE", std::nullopt},
                                         {"ERLANG_COOKIE", std::nullopt},
                                         {"PLUGNODE_DISCOVERY", std::nullopt},
                                         {"PLUGNODE_DNS_SERVER", set_.dns_server}})
      .output;
}

nlohmann::json plugnode_pod::cluster() const {
  auto body = ok_body(address_, set_.http_port, "/cluster");
  return body ? nlohmann::json::parse(*body, nullptr, false) : nlohmann::json::object();
}

beam_image::beam_image(const statefulset& set) {
  char tmpl[] = "/tmp/plugnode-walkthrough-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  process erlc({"/usr/bin/erlc", "-o", dir_,
                std::string(PLUGNODE_SOURCE_DIR) + "/test/integration/erlang/pod_epmd.erl"});
  auto compiled = erlc.wait(30s);
  INFO(erlc.output());
  if (compiled != 0)
    std::filesystem::remove_all(dir_); // no destructor runs when the constructor stops here
  REQUIRE(compiled == 0);
  // Names come from the Service's DNS alone, no hosts file. resolv.conf is off, or its servers would be asked
  // before this one; that line comes first, as it empties the server list.
  auto colon = set.dns_server.rfind(':');
  std::ofstream(dir_ + "/inetrc") << "{resolv_conf, \"\"}.\n"
                                  << "{nameserver, " << erlang_ip(set.dns_server.substr(0, colon)) << ", "
                                  << set.dns_server.substr(colon + 1) << "}.\n"
                                  << "{lookup, [dns]}.\n";
}

beam_image::~beam_image() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

beam_pod::beam_pod(const statefulset& set, const beam_image& image, const std::string& pod,
                   const std::string& address)
    : name_(set.node(pod)), session_dir_(image.dir() + "/" + pod) {
  std::filesystem::create_directory(session_dir_);
  // -start_epmd false: no system-wide epmd; pod_epmd answers for this node on its own address. The node
  // listens and dials from that address alone, as a pod's only address.
  auto erl_flags = "-start_epmd false -epmd_module pod_epmd -pa " + image.dir() +
                   " -kernel inet_dist_use_interface " + erlang_ip(address) +
                   " -kernel inet_dist_connect_options [{ip," + erlang_ip(address) + "}]" +
                   " -kernel inet_dist_listen_min " + std::to_string(set.dist_port) +
                   " inet_dist_listen_max " + std::to_string(set.dist_port);
  process_ =
      std::make_unique<process>(std::vector<std::string>{"/usr/bin/elixir", "--name", name_, "--cookie",
                                                         set.cookie, "--erl", erl_flags, "-e", iex_session},
                                env_map{{"ERL_EPMD_PORT", std::to_string(set.epmd_port)},
                                        {"ERL_INETRC", image.dir() + "/inetrc"},
                                        {"POD_SESSION", session_dir_}});
  REQUIRE(eventually(
      [&] { return process_->output().find("ready\n") != std::string::npos || !process_->running(); }, 20s));
  INFO(process_->output());
  REQUIRE(process_->running());
}

std::string beam_pod::iex(const std::string& expression, std::chrono::milliseconds timeout) {
  auto n = std::to_string(++typed_);
  auto file = session_dir_ + "/" + n + ".exs";
  std::ofstream(file + ".new") << expression << '\n';
  std::filesystem::rename(file + ".new", file);
  auto prompt = "iex(" + n + ")> ";
  std::string answer = "(no answer)";
  eventually(
      [&] {
        auto out = process_->output();
        auto at = out.find(prompt);
        auto end = at == std::string::npos ? at : out.find('\n', at);
        if (end == std::string::npos)
          return false;
        answer = out.substr(at + prompt.size(), end - at - prompt.size());
        return true;
      },
      timeout);
  return answer;
}

} // namespace plugnode::test
