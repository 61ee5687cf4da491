// counter: a clustered HTTP service on plugnode's service API (counter_service.cpp). Everything else
// (commands, configuration, discovery, /healthz /readyz /metrics /cluster, logs, graceful stop) comes from
// plugnode: `counter help`.
#include "counter_service.hpp"

int main(int argc, char** argv) {
  return plugnode::app::run_service(counter_service(), argc, argv);
}
