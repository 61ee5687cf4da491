// request_id: gives every request an id (Plug.RequestId): a sane incoming `x-request-id` is kept, so a trace
// crosses services, anything else is replaced by a fresh random one. The id goes on the response header and
// into the conn, where the logger and the crash report find it.
#pragma once

#include <string>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/plug.hpp"

namespace plugnode::plugs {

class request_id {
public:
  explicit request_id(std::string header = "x-request-id") : header_(lower_case(std::move(header))) {}
  void call(conn& c) const;
  bool blocks(const request_path&) const { return false; } // never waits: runs on the event loop too

private:
  std::string header_;
};

// The request's id, or "-" before request_id ran. A reference, so a log line costs no copy: it lives as
// long as the conn's private data is left alone.
const std::string& request_id_of(const conn& c);

// 20 to 200 characters of [A-Za-z0-9+/=_-]: anything else (empty, huge, with spaces or quotes that would
// garble a log line) is not reused.
bool valid_request_id(const std::string& id);

} // namespace plugnode::plugs
