// The /proc readers and gauges of process_metrics.hpp.
#include "plugnode/app/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace plugnode::app {
namespace {

prometheus::Gauge& gauge(prometheus::Registry& registry, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

double boot_time_seconds() {
  std::ifstream stat("/proc/stat");
  for (std::string key; stat >> key;) {
    if (key == "btime") {
      double value = 0;
      stat >> value;
      return value;
    }
    stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return 0;
}

double count_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr)
    return 0;
  double count = 0;
  while (auto* entry = ::readdir(dir))
    if (entry->d_name[0] != '.')
      ++count;
  ::closedir(dir);
  return count - 1; // the directory's own descriptor
}

} // namespace

process_sample sample_process() {
  process_sample s;
  // /proc/self/stat: fields after the command name (which may hold spaces, hence the last ')').
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  for (int index = 3; fields >> field; ++index) {
    switch (index) {
    case 14: // utime
    case 15: // stime
      s.cpu_seconds += std::stod(field) / ticks;
      break;
    case 20: s.threads = std::stod(field); break;
    case 22: s.start_time_seconds = boot_time_seconds() + std::stod(field) / ticks; break;
    case 23: s.virtual_bytes = std::stod(field); break;
    case 24: s.resident_bytes = std::stod(field) * page; break;
    default: break;
    }
  }
  s.open_fds = count_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0)
    s.max_fds = static_cast<double>(limit.rlim_cur);
  return s;
}

process_metrics::process_metrics(prometheus::Registry& registry)
    : resident_(gauge(registry, "process_resident_memory_bytes", "Resident memory size in bytes.")),
      virtual_(gauge(registry, "process_virtual_memory_bytes", "Virtual memory size in bytes.")),
      cpu_(prometheus::BuildCounter()
               .Name("process_cpu_seconds_total")
               .Help("Total user and system CPU time spent in seconds.")
               .Register(registry)
               .Add({})),
      open_fds_(gauge(registry, "process_open_fds", "Number of open file descriptors.")),
      max_fds_(gauge(registry, "process_max_fds", "Maximum number of open file descriptors.")),
      threads_(gauge(registry, "process_threads", "Number of OS threads in the process.")),
      start_time_(gauge(registry, "process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.")) {}

void process_metrics::update() {
  auto s = sample_process();
  std::lock_guard<std::mutex> guard(mutex_);
  resident_.Set(s.resident_bytes);
  virtual_.Set(s.virtual_bytes);
  // A counter only goes up: add what was spent since the last scrape.
  if (s.cpu_seconds > cpu_.Value())
    cpu_.Increment(s.cpu_seconds - cpu_.Value());
  open_fds_.Set(s.open_fds);
  max_fds_.Set(s.max_fds);
  threads_.Set(s.threads);
  start_time_.Set(s.start_time_seconds);
}

} // namespace plugnode::app
