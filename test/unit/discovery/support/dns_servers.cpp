#include "dns_servers.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {
namespace {

std::string make_temp_dir() {
  char tmpl[] = "/tmp/plugnode-dns-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  std::filesystem::permissions(tmpl, std::filesystem::perms::all); // dnsmasq reads as whoever it runs as
  return tmpl;
}

void wait_listening(std::uint16_t port, process& server, const std::string& what) {
  if (!eventually([&] { return port_open("127.0.0.1", port) || !server.running(); },
                  std::chrono::seconds(5)) ||
      !server.running())
    throw std::runtime_error(what + " did not start on port " + std::to_string(port) + ": " +
                             server.output());
}

} // namespace

dnsmasq_server::dnsmasq_server(dns_zone zone)
    : zone_(std::move(zone)), port_(free_port()), dir_(make_temp_dir()) {
  std::filesystem::create_directory(dir_ + "/hosts");
  set_live_hosts({});
  start();
}

dnsmasq_server::~dnsmasq_server() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

discovery::resolver_config dnsmasq_server::resolver(std::vector<std::string> search, int ndots) const {
  discovery::resolver_config config;
  config.nameservers = {address()};
  config.search = std::move(search);
  config.ndots = ndots;
  config.timeout = std::chrono::milliseconds(300);
  config.attempts = 1;
  return config;
}

void dnsmasq_server::set_live_hosts(const std::vector<host_entry>& hosts) {
  // Written aside, then renamed, so dnsmasq never reads half a file.
  auto path = dir_ + "/hosts/live";
  {
    std::ofstream out(path + ".new");
    for (const auto& h : hosts)
      out << h.address << ' ' << h.name << '\n';
  }
  std::filesystem::rename(path + ".new", path);
}

void dnsmasq_server::start() {
  std::vector<std::string> argv{"/usr/sbin/dnsmasq",
                                "--keep-in-foreground",
                                "--conf-file=/dev/null",
                                "--no-resolv",
                                "--no-hosts",
                                "--port=" + std::to_string(port_),
                                "--listen-address=127.0.0.1",
                                "--bind-interfaces",
                                "--pid-file=",
                                "--user=root",
                                "--local=/cluster.local/",
                                "--hostsdir=" + dir_ + "/hosts",
                                "--log-facility=-"};
  for (const auto& s : zone_.srv)
    argv.push_back("--srv-host=" + s.name + "," + s.target + "," + std::to_string(s.port) + "," +
                   std::to_string(s.priority) + "," + std::to_string(s.weight));
  for (const auto& h : zone_.hosts)
    argv.push_back("--host-record=" + h.name + "," + h.address);
  process_ = std::make_unique<process>(argv);
  wait_listening(port_, *process_, "dnsmasq");
}

void dnsmasq_server::stop() {
  process_.reset();
}

void dnsmasq_server::restart(dns_zone zone) {
  stop();
  zone_ = std::move(zone);
  start();
}

testns_server::testns_server(const std::string& entries) : port_(free_port()) {
  char tmpl[] = "/tmp/plugnode-testns-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0)
    throw std::runtime_error("mkstemp failed");
  ::close(fd);
  file_ = tmpl;
  std::ofstream(file_) << entries;
  process_ = std::make_unique<process>(
      std::vector<std::string>{"/usr/bin/ldns-testns", "-p", std::to_string(port_), file_});
  wait_listening(port_, *process_, "ldns-testns");
}

testns_server::~testns_server() {
  process_.reset();
  std::remove(file_.c_str());
}

discovery::resolver_config testns_server::resolver(std::chrono::milliseconds timeout) const {
  discovery::resolver_config config;
  config.nameservers = {{"127.0.0.1", port_}};
  config.timeout = timeout;
  config.attempts = 1;
  return config;
}

} // namespace plugnode::test
