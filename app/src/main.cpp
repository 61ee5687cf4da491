// plugnode: entry point, the first user of the service API (service.hpp) with the starter's routes as its
// application part (hello_routes.hpp).
#include "plugnode/app/hello_routes.hpp"

int main(int argc, char** argv) {
  return plugnode::app::run_service(plugnode::app::hello_service(), argc, argv);
}
