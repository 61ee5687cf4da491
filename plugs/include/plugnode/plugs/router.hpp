// router: dispatches on method and path (Plug.Router). Patterns are literal segments, `:name` (one segment)
// and a final `*name` (the rest, joined with '/'); their values land in conn.path_params. `forward` hands
// every request under a prefix to another plug with the prefix moved from path_info to script_name. Unlike
// Plug, a miss answers itself: 404, or 405 with an `Allow` header when the path exists under other methods.
// The matched pattern is kept for metrics and logs (route_of), so labels stay few whatever the paths.
#pragma once

#include <string>
#include <vector>

#include "plugnode/plugs/plug.hpp"

namespace plugnode::plugs {

class router {
public:
  router& route(std::string method, const std::string& pattern, plug p);
  router& get(const std::string& pattern, plug p) { return route("GET", pattern, std::move(p)); }
  router& head(const std::string& pattern, plug p) { return route("HEAD", pattern, std::move(p)); }
  router& post(const std::string& pattern, plug p) { return route("POST", pattern, std::move(p)); }
  router& put(const std::string& pattern, plug p) { return route("PUT", pattern, std::move(p)); }
  router& patch(const std::string& pattern, plug p) { return route("PATCH", pattern, std::move(p)); }
  router& del(const std::string& pattern, plug p) { return route("DELETE", pattern, std::move(p)); }
  router& options(const std::string& pattern, plug p) { return route("OPTIONS", pattern, std::move(p)); }
  router& forward(const std::string& prefix, plug p);

  void call(conn& c) const;
  // Whether the plug the request would be routed to may block (plug.hpp). A HEAD counts the GET route too
  // (the head plug may make it a GET on its way here); a request no route takes is answered here (404, 405)
  // without blocking.
  bool blocks(const request_path& r) const;

  // True when some route or forward matches the conn's path under any method: the paths this router owns
  // (a request for one with another method still belongs here, for its 405).
  bool owns(const conn& c) const;
  bool owns(const request_path& r) const;

private:
  struct entry {
    std::string method; // empty for a forward
    std::string pattern;
    std::vector<std::string> segments;
    plug target;
  };
  std::vector<entry> entries_;
};

// The pattern the router matched ("/hello/:name"), or "unmatched"; like request_id_of, a reference into
// the conn's private data.
const std::string& route_of(const conn& c);

} // namespace plugnode::plugs
