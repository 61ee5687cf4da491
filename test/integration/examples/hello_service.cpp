// hello_service: the smallest service on plugnode, for the tests that build one from an installed package
// with `pkg-config --cflags --libs plugnode` alone (pkg-config-test.sh, deploy/package-test.sh).
#include "plugnode/app/service.hpp"

int main(int argc, char** argv) {
  plugnode::app::service svc;
  svc.name = "hello";
  return plugnode::app::run_service(svc, argc, argv);
}
