// parsers: decodes the request body by its content type (Plug.Parsers): JSON (nlohmann-json) and urlencoded
// forms. Past `max_length` the request gets 413, an unknown type 415 (unless listed in `pass`), a body that
// does not parse 400; each halts the pipeline. A request without a body passes untouched. The body is read
// through read_body() (read_body.hpp), so a body the endpoint spooled to a file parses the same way.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

struct parsers_options {
  bool json = true;
  bool urlencoded = true;
  std::size_t max_length = std::size_t{1} << 20;
  std::vector<std::string> pass; // media types let through unparsed ("text/plain"), or "*/*" for all
};

class parsers {
public:
  explicit parsers(parsers_options options = {}) : options_(std::move(options)) {}
  void call(conn& c) const;

private:
  parsers_options options_;
};

// The parsed JSON body, or nullptr when there was none.
const nlohmann::json* json_body(const conn& c);

} // namespace plugnode::plugs
