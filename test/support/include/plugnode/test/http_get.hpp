// http_get: one GET to a node's HTTP endpoint from a test that polls it (/cluster, /metrics), with short
// bounds so a node that does not answer costs a poll, not the test's time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace plugnode::test {

// The body of a 200 answer to GET `target` at address:port; nullopt for any other status, or no answer
// within 1 s to connect and 2 s to read.
std::optional<std::string> ok_body(const std::string& address, std::uint16_t port, const std::string& target);

} // namespace plugnode::test
